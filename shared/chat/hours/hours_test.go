package hours_test

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/hours"
)

func TestClosed(t *testing.T) {
	office := chat.Hours{
		TimeZone: "America/New_York",
		Week: map[string][]string{
			"mon": {"08:00-12:00", "13:00-17:00"}, "tue": {"08:00-17:00"}, "wed": {"08:00-17:00"},
			"thu": {"08:00-17:00"}, "fri": {"08:00-17:00"},
		},
		Holidays: []string{"2027-01-01", "2027-03-15"},
	}
	allDay := chat.Hours{TimeZone: "Europe/Madrid", Holidays: []string{"2027-01-06"}}
	tests := []struct {
		name   string
		h      chat.Hours
		now    string
		lang   string
		closed bool
		reopen string
		phrase string
	}{
		{"open on a weekday", office, "2027-01-05T09:00:00-05:00", "en", false, "", ""},
		{"lunch break", office, "2027-01-04T12:30:00-05:00", "en", true, "2027-01-04T13:00:00-05:00", "1:00 PM"},
		{"lunch break, Spanish", office, "2027-01-04T12:30:00-05:00", "es", true, "2027-01-04T13:00:00-05:00", "hoy a las 13:00"},
		{"evening", office, "2027-01-05T18:00:00-05:00", "en", true, "2027-01-06T08:00:00-05:00", "8:00 AM tomorrow"},
		{"evening, Spanish", office, "2027-01-05T18:00:00-05:00", "es-MX", true, "2027-01-06T08:00:00-05:00", "mañana a las 8:00"},
		{"Friday evening to Monday", office, "2027-01-08T17:00:00-05:00", "en", true, "2027-01-11T08:00:00-05:00", "Monday 8:00 AM"},
		{"Friday evening, Spanish", office, "2027-01-08T17:00:00-05:00", "es", true, "2027-01-11T08:00:00-05:00", "el lunes a las 8:00"},
		{"a holiday on a Friday", office, "2027-01-01T10:00:00-05:00", "en", true, "2027-01-04T08:00:00-05:00", "Monday 8:00 AM"},
		{"a holiday Monday, across the DST change", office, "2027-03-13T10:00:00-05:00", "en", true, "2027-03-16T08:00:00-04:00", "Tuesday 8:00 AM"},
		{"the hours are local: 13:00 UTC is 08:00 in New York", office, "2027-01-05T13:00:00Z", "en", false, "", ""},
		{"no week: open all day", allDay, "2027-01-05T03:00:00+01:00", "es", false, "", ""},
		{"no week: closed on its holiday", allDay, "2027-01-06T15:00:00+01:00", "es", true, "2027-01-07T00:00:00+01:00", "mañana a las 0:00"},
		{"a zone that does not exist counts as open", chat.Hours{TimeZone: "Mars/Olympus", Week: office.Week}, "2027-01-09T10:00:00Z", "en", false, "", ""},
		{"never opens within a year", chat.Hours{TimeZone: "UTC", Week: map[string][]string{"mon": {"08:00-09:00"}},
			Holidays: mondays(2027, 54)}, "2027-01-05T10:00:00Z", "en", true, "", "later"},
	}
	cal := hours.New()
	for _, tc := range tests {
		now, _ := time.Parse(time.RFC3339, tc.now)
		reopen, phrase, closed := cal.Closed(tc.h, tc.lang, now)
		if closed != tc.closed || phrase != tc.phrase {
			t.Errorf("%s: closed %v %q, want %v %q", tc.name, closed, phrase, tc.closed, tc.phrase)
		}
		if tc.reopen != "" {
			want, _ := time.Parse(time.RFC3339, tc.reopen)
			if !reopen.Equal(want) {
				t.Errorf("%s: reopens %s, want %s", tc.name, reopen, want)
			}
		} else if !reopen.IsZero() {
			t.Errorf("%s: reopens %s, want none", tc.name, reopen)
		}
	}
}

func mondays(year, n int) []string {
	var out []string
	d := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC) // a Monday
	for range n {
		out = append(out, d.Format(time.DateOnly))
		d = d.AddDate(0, 0, 7)
	}
	return out
}
