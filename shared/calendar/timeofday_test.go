package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimeOfDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TimeOfDay
	}{
		{"00:00", 0},
		{"08:00", 480},
		{"8:00", 480},
		{"12:30", 750},
		{"23:59", 1439},
		{"24:00", 1440},
	} {
		got, err := ParseTimeOfDay(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseTimeOfDay(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTimeOfDayRejects(t *testing.T) {
	for _, in := range []string{"", "8", "08", "08:0", "08:000", "008:00", "08-00", "+8:00", "-1:00",
		"ab:cd", " 08:00", "08:00 ", "24:01", "25:00", "12:60", "99:99", "８:00"} {
		_, err := ParseTimeOfDay(in)
		if err == nil {
			t.Errorf("ParseTimeOfDay(%q) succeeded; want error", in)
			continue
		}
		if !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseTimeOfDay(%q) error %q does not name the value", in, err)
		}
	}
}

func TestTimeOfDayText(t *testing.T) {
	for _, tc := range []struct {
		v    TimeOfDay
		want string
	}{{0, "00:00"}, {5, "00:05"}, {480, "08:00"}, {1439, "23:59"}, {1440, "24:00"}} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("TimeOfDay(%d).String() = %q; want %q", tc.v, got, tc.want)
		}
		b, err := tc.v.MarshalText()
		if err != nil || string(b) != tc.want {
			t.Errorf("MarshalText(%d) = %q, %v", tc.v, b, err)
		}
		var back TimeOfDay
		if err := back.UnmarshalText(b); err != nil || back != tc.v {
			t.Errorf("UnmarshalText(%q) = %d, %v; want %d", b, back, err, tc.v)
		}
	}
	for _, bad := range []TimeOfDay{-1, 1441} {
		if _, err := bad.MarshalText(); err == nil {
			t.Errorf("MarshalText(%d) succeeded; want error", bad)
		}
	}
	var v TimeOfDay
	if err := v.UnmarshalText([]byte("7am")); err == nil || !strings.Contains(err.Error(), `"7am"`) {
		t.Errorf("UnmarshalText(7am) error = %v; want one naming the value", err)
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
	}{
		{"2026-12-25", Date{2026, time.December, 25}},
		{"2028-02-29", Date{2028, time.February, 29}},
		{"0001-01-01", Date{1, time.January, 1}},
	} {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("%v.String() = %q; want %q", got, got.String(), tc.in)
		}
	}
	for _, in := range []string{"", "2026-02-30", "2027-02-29", "2026-13-01", "26-12-25", "2026/12/25", "2026-12-25T00:00:00Z", "Dec 25"} {
		_, err := ParseDate(in)
		if err == nil || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseDate(%q) error = %v; want one naming the value", in, err)
		}
	}
}

func TestDateValidAndText(t *testing.T) {
	for _, tc := range []struct {
		d    Date
		want bool
	}{
		{Date{2026, time.December, 25}, true},
		{Date{2026, time.February, 29}, false},
		{Date{2026, 0, 1}, false},
		{Date{2026, 13, 1}, false},
		{Date{2026, time.January, 0}, false},
		{Date{2026, time.April, 31}, false},
	} {
		if got := tc.d.Valid(); got != tc.want {
			t.Errorf("%v.Valid() = %v; want %v", tc.d, got, tc.want)
		}
		b, err := tc.d.MarshalText()
		if (err == nil) != tc.want {
			t.Errorf("%v.MarshalText() error = %v; want error %v", tc.d, err, !tc.want)
		}
		if tc.want {
			var back Date
			if err := back.UnmarshalText(b); err != nil || back != tc.d {
				t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
			}
		}
	}
}
