package calendar

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/sms"
)

func TestFormatReopen(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	now := mustTime(t, "2026-01-15T19:00:00-05:00") // Thursday evening
	for _, tc := range []struct {
		name, at, lang, want string
	}{
		{"today", "2026-01-15T20:00:00-05:00", "en", "8:00 PM"},
		{"today es", "2026-01-15T20:00:00-05:00", "es", "hoy a las 20:00"},
		{"tomorrow", "2026-01-16T08:00:00-05:00", "en", "8:00 AM tomorrow"},
		{"tomorrow es", "2026-01-16T08:00:00-05:00", "es", "mañana a las 8:00"},
		{"tomorrow es, one o'clock", "2026-01-16T01:30:00-05:00", "es", "mañana a la 1:30"},
		{"tomorrow es, 13:00 is plural", "2026-01-16T13:00:00-05:00", "es", "mañana a las 13:00"},
		{"weekday", "2026-01-19T08:00:00-05:00", "en", "Monday 8:00 AM"},
		{"weekday es", "2026-01-19T08:00:00-05:00", "es", "el lunes a las 8:00"},
		{"Wednesday es", "2026-01-21T09:30:00-05:00", "es", "el miércoles a las 9:30"},
		{"Saturday es without á", "2026-01-17T10:00:00-05:00", "es", "el sabado a las 10:00"},
		{"six days", "2026-01-21T12:00:00-05:00", "en", "Wednesday 12:00 PM"},
		{"a week or more", "2026-01-22T08:00:00-05:00", "en", "January 22 8:00 AM"},
		{"a week or more es", "2026-01-22T08:00:00-05:00", "es", "el 22 de enero a las 8:00"},
		{"midnight tomorrow", "2026-01-16T00:00:00-05:00", "en", "12:00 AM tomorrow"},
		{"read in the zone, not UTC", "2026-01-16T13:00:00Z", "en", "8:00 AM tomorrow"},
		{"region subtag", "2026-01-16T08:00:00-05:00", "es-MX", "mañana a las 8:00"},
		{"case and underscore", "2026-01-16T08:00:00-05:00", "ES_us", "mañana a las 8:00"},
		{"other language falls back to English", "2026-01-16T08:00:00-05:00", "fr", "8:00 AM tomorrow"},
		{"empty language is English", "2026-01-16T08:00:00-05:00", "", "8:00 AM tomorrow"},
		{"in the past reads as a time", "2026-01-15T08:00:00-05:00", "en", "8:00 AM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatReopen(mustTime(t, tc.at), ny, tc.lang, now); got != tc.want {
				t.Errorf("FormatReopen(%s, %s) = %q; want %q", tc.at, tc.lang, got, tc.want)
			}
		})
	}
	// Across New York's spring-forward night, "tomorrow" is by date, not 24 hours.
	sat := mustTime(t, "2026-03-07T23:30:00-05:00")
	if got := FormatReopen(mustTime(t, "2026-03-08T23:45:00-04:00"), ny, "en", sat); got != "11:45 PM tomorrow" {
		t.Errorf("across DST: %q", got)
	}
	if got := FormatReopen(mustTime(t, "2026-01-16T08:00:00Z"), nil, "en", mustTime(t, "2026-01-15T23:00:00Z")); got != "8:00 AM tomorrow" {
		t.Errorf("nil zone: %q", got)
	}
}

// Every phrase must keep a message GSM-7, or one letter would make it UCS-2
// and cut a segment from 160 to 70 characters.
func TestFormatReopenIsGSM7(t *testing.T) {
	now := mustTime(t, "2026-01-01T12:00:00Z")
	for _, lang := range []string{"en", "es"} {
		for d := range 400 {
			for _, h := range []int{1, 8, 13} {
				at := now.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
				s := FormatReopen(at, time.UTC, lang, now)
				if m := sms.Measure(s); m.Encoding != sms.GSM7 {
					t.Fatalf("FormatReopen(%s, %s) = %q is %v", at, lang, s, m.Encoding)
				}
			}
		}
	}
}
