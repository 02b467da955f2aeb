package calendar

import (
	"fmt"
	"time"
)

// Date is a local calendar date with no zone, because a holiday is "December
// 25 wherever the queue is", not a 24-hour span of instants.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "2026-12-25" and rejects dates that do not exist
// (2026-02-30), naming the bad value.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the date shown on a calendar at t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String renders "2026-12-25", the form ParseDate reads back.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d is a real calendar date, for dates built in code.
func (d Date) Valid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)) == d
}

// MarshalText lets settings store a Date as "2026-12-25".
func (d Date) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("calendar: date %s: not a calendar date", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads what MarshalText writes, with ParseDate's checks.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
