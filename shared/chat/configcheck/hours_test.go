package configcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestValidateHours(t *testing.T) {
	week := map[string][]string{"mon": {"08:00-17:00"}}
	tests := []struct {
		name      string
		hours     chat.Hours
		wantField string
		wantText  string
	}{
		{"valid", chat.Hours{TimeZone: "America/New_York", Week: week, Holidays: []string{"2027-12-25"}, WhenClosed: chat.ClosedWait, InMenu: chat.MenuMark}, "", ""},
		{"all day", chat.Hours{TimeZone: "UTC", Week: map[string][]string{"sat": {"00:00-24:00"}}}, "", ""},
		{"no zone", chat.Hours{Week: week}, "queues[1].hours.timeZone", "IANA time zone"},
		{"unknown zone", chat.Hours{TimeZone: "Mars/Olympus"}, "queues[1].hours.timeZone", "IANA time zone"},
		{"unknown day", chat.Hours{TimeZone: "UTC", Week: map[string][]string{"monday": {"08:00-17:00"}}}, "queues[1].hours.week.monday", "unknown day"},
		{"window crossing midnight", chat.Hours{TimeZone: "UTC", Week: map[string][]string{"fri": {"22:00-02:00"}}}, "queues[1].hours.week.fri[0]", "start before the end"},
		{"malformed window", chat.Hours{TimeZone: "UTC", Week: map[string][]string{"fri": {"8am-5pm"}}}, "queues[1].hours.week.fri[0]", "HH:MM-HH:MM"},
		{"no such date", chat.Hours{TimeZone: "UTC", Holidays: []string{"2027-02-30"}}, "queues[1].hours.holidays[0]", "YYYY-MM-DD"},
		{"unknown closed behaviour", chat.Hours{TimeZone: "UTC", WhenClosed: "queue"}, "queues[1].hours.whenClosed", "end or wait"},
		{"unknown menu behaviour", chat.Hours{TimeZone: "UTC", InMenu: "grey"}, "queues[1].hours.inMenu", "show, hide or mark"},
	}
	for _, tc := range tests {
		c := validConfig()
		h := tc.hours
		c.Queues[1].Hours = &h
		err := Validate(c)
		if tc.wantField == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ve *chat.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != tc.wantField || !strings.Contains(ve.Problems[0].Message, tc.wantText) {
			t.Errorf("%s: %v, want one problem at %s saying %q", tc.name, err, tc.wantField, tc.wantText)
		}
	}
}
