package calendar

import (
	"fmt"
	"strings"
	"time"
)

// FormatReopen renders when a closed queue reopens (t, usually from
// Schedule.NextOpen) for a message in lang, relative to now, both read in
// zone (nil means UTC). The phrase is meant to follow "We reopen " / "Volvemos
// a abrir " style text. Forms, by how many local calendar days t is after now:
//
//	       en                          es
//	0      "8:00 AM"                   "hoy a las 8:00"       (t on now's date or earlier)
//	1      "8:00 AM tomorrow"          "mañana a las 8:00"
//	2..6   "Monday 8:00 AM"            "el lunes a las 8:00"
//	7+     "January 5 8:00 AM"         "el 5 de enero a las 8:00"
//
// Spanish uses the 24-hour clock and "a la 1:00" for one o'clock. Every
// phrase is GSM-7 (ñ and é are in the GSM-7 alphabet; "sabado" is written
// without its accent because á is not, and one such letter would make the
// whole message UCS-2 and halve its segment size). lang is a BCP 47 tag;
// only its primary subtag counts ("es-MX" is Spanish) and anything other than
// Spanish is English.
func FormatReopen(t time.Time, zone *time.Location, lang string, now time.Time) string {
	zone = orUTC(zone)
	lt, ln := t.In(zone), now.In(zone)
	days := daysBetween(DateOf(ln), DateOf(lt))
	if primaryLanguage(lang) == "es" {
		return formatEs(lt, days)
	}
	return formatEn(lt, days)
}

func formatEn(t time.Time, days int) string {
	clock := t.Format("3:04 PM")
	switch {
	case days <= 0:
		return clock
	case days == 1:
		return clock + " tomorrow"
	case days < 7:
		return t.Weekday().String() + " " + clock
	default:
		return t.Format("January 2") + " " + clock
	}
}

var (
	esWeekdays = [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sabado"}
	esMonths   = [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
)

func formatEs(t time.Time, days int) string {
	clock := fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	at := "a las " + clock
	if t.Hour() == 1 {
		at = "a la " + clock
	}
	switch {
	case days <= 0:
		return "hoy " + at
	case days == 1:
		return "mañana " + at
	case days < 7:
		return "el " + esWeekdays[t.Weekday()] + " " + at
	default:
		return fmt.Sprintf("el %d de %s %s", t.Day(), esMonths[t.Month()-1], at)
	}
}

func daysBetween(from, to Date) int {
	a := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

func primaryLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
