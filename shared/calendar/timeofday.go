package calendar

import (
	"fmt"
	"strconv"
)

// MinutesPerDay is the number of clock minutes in a day without a DST jump;
// TimeOfDay(MinutesPerDay) is "24:00", the end of a day.
const MinutesPerDay = 24 * 60

// TimeOfDay is a clock time in minutes since midnight, 0 ("00:00") to
// MinutesPerDay ("24:00"). Minutes, not time.Duration, because settings are
// written as clock times and a DST day is not 24 hours long.
type TimeOfDay int

// ParseTimeOfDay reads "HH:MM" (a one-digit hour is accepted) from 00:00 to
// 24:00, so admin settings fail with a message naming the bad value.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := splitClock(s)
	if !ok {
		return 0, fmt.Errorf("calendar: time of day %q: want HH:MM", s)
	}
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("calendar: time of day %q: out of range 00:00..24:00", s)
	}
	return TimeOfDay(h*60 + m), nil
}

func splitClock(s string) (h, m int, ok bool) {
	if len(s) != 4 && len(s) != 5 {
		return 0, 0, false
	}
	colon := len(s) - 3
	if s[colon] != ':' || !allDigits(s[:colon]) || !allDigits(s[colon+1:]) {
		return 0, 0, false
	}
	h, _ = strconv.Atoi(s[:colon])
	m, _ = strconv.Atoi(s[colon+1:])
	return h, m, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String renders "08:00", the form ParseTimeOfDay reads back, for settings
// documents and error messages.
func (t TimeOfDay) String() string {
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

// Valid reports whether t is within 00:00..24:00; values built in code rather
// than parsed are checked through Window.Validate and Schedule.Validate.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= MinutesPerDay }

// MarshalText lets settings store a TimeOfDay as "08:00" rather than 480.
func (t TimeOfDay) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("calendar: time of day %d minutes: out of range 00:00..24:00", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads what MarshalText writes, with ParseTimeOfDay's checks.
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
