package calendar

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// officeHours is Monday-Friday 09:00-12:00 and 13:00-17:00, Saturday
// 10:00-14:00, in New York, closed on Christmas 2026 (a Friday).
func officeHours(t testing.TB) Schedule {
	t.Helper()
	var s Schedule
	s.Zone = mustZone(t, "America/New_York")
	for d := time.Monday; d <= time.Friday; d++ {
		s.Days[d] = []Window{{540, 720}, {780, 1020}}
	}
	s.Days[time.Saturday] = []Window{{600, 840}}
	s.Holidays = []Date{{2026, time.December, 25}}
	return s
}

func TestScheduleValidate(t *testing.T) {
	if err := officeHours(t).Validate(); err != nil {
		t.Fatalf("officeHours: %v", err)
	}
	if err := (Schedule{}).Validate(); err != nil {
		t.Errorf("empty schedule: %v", err)
	}
	var bad Schedule
	bad.Days[time.Monday] = []Window{{1320, 120}}
	bad.Days[time.Tuesday] = []Window{{600, 600}}
	bad.Days[time.Wednesday] = []Window{{600, 1500}}
	bad.Holidays = []Date{{2026, time.February, 30}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad windows")
	}
	for _, want := range []string{
		"Monday window 22:00-02:00 crosses midnight",
		"Tuesday window 10:00-10:00 is empty",
		"Wednesday: calendar: window 600..1500",
		"holiday 2026-02-30",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %q does not mention %q", err, want)
		}
	}
}

func TestScheduleOpen(t *testing.T) {
	s := officeHours(t)
	for _, tc := range []struct {
		at   string
		want bool
	}{
		{"2026-01-15T09:00:00-05:00", true},  // Thursday opening
		{"2026-01-15T08:59:59-05:00", false}, // a second early
		{"2026-01-15T12:00:00-05:00", false}, // lunch
		{"2026-01-15T16:59:00-05:00", true},
		{"2026-01-15T17:00:00-05:00", false},
		{"2026-01-17T11:00:00-05:00", true},  // Saturday
		{"2026-01-18T11:00:00-05:00", false}, // Sunday
		{"2026-01-15T15:00:00Z", true},       // 10:00 in New York
		{"2026-01-15T22:30:00Z", false},      // 17:30 in New York
		{"2026-12-25T10:00:00-05:00", false}, // Christmas, a Friday
		{"2026-12-25T03:00:00Z", false},      // Christmas in UTC, 22:00 Dec 24 in New York: closed anyway
		{"2026-12-24T15:00:00Z", true},       // Christmas Eve 10:00
	} {
		if got := s.Open(mustTime(t, tc.at)); got != tc.want {
			t.Errorf("Open(%s) = %v; want %v", tc.at, got, tc.want)
		}
	}
	// A holiday is a date in the schedule's zone: 05:00Z on the 25th is
	// still Thursday the 24th in Honolulu.
	hnl := Schedule{Zone: mustZone(t, "Pacific/Honolulu"), Holidays: []Date{{2026, time.December, 25}}}
	hnl.Days[time.Thursday] = []Window{{0, 1440}}
	if !hnl.Open(mustTime(t, "2026-12-25T05:00:00Z")) { // 19:00 Thursday Dec 24 in Honolulu
		t.Error("Honolulu queue closed on Dec 24 local")
	}
	if nilZone := (Schedule{Days: hnl.Days}); !nilZone.Open(mustTime(t, "2026-12-24T23:00:00Z")) {
		t.Error("nil zone is not UTC")
	}
}

func TestScheduleNextOpenClose(t *testing.T) {
	const none = ""
	office := officeHours(t)

	var allWeekend Schedule // open Friday 00:00 to Sunday 00:00, across two midnights
	allWeekend.Zone = mustZone(t, "America/New_York")
	allWeekend.Days[time.Friday] = []Window{{0, 1440}}
	allWeekend.Days[time.Saturday] = []Window{{0, 1440}}

	var always Schedule
	always.Zone = mustZone(t, "America/New_York")
	for d := range always.Days {
		always.Days[d] = []Window{{0, 1440}}
	}
	alwaysButNewYear := always
	alwaysButNewYear.Holidays = []Date{{2027, time.January, 1}}

	var sundayNight Schedule // 02:00-03:00 Sundays, which 2026-03-08 does not have
	sundayNight.Zone = mustZone(t, "America/New_York")
	sundayNight.Days[time.Sunday] = []Window{{120, 180}}
	sundayLate := sundayNight
	sundayLate.Days = [7][]Window{time.Sunday: {{150, 240}}}

	var tuesdays Schedule
	tuesdays.Zone = time.UTC
	tuesdays.Days[time.Tuesday] = []Window{{600, 660}}

	for _, tc := range []struct {
		name       string
		s          Schedule
		at         string
		open, shut string
	}{
		{"open now", office, "2026-01-15T10:00:00-05:00", "2026-01-15T10:00:00-05:00", "2026-01-15T12:00:00-05:00"},
		{"lunch", office, "2026-01-15T12:10:00-05:00", "2026-01-15T13:00:00-05:00", "2026-01-15T12:10:00-05:00"},
		{"Friday evening to Saturday", office, "2026-01-16T17:00:00-05:00", "2026-01-17T10:00:00-05:00", "2026-01-16T17:00:00-05:00"},
		{"Saturday afternoon to Monday", office, "2026-01-17T14:00:00-05:00", "2026-01-19T09:00:00-05:00", "2026-01-17T14:00:00-05:00"},
		{"Christmas Eve evening skips the holiday", office, "2026-12-24T17:30:00-05:00", "2026-12-26T10:00:00-05:00", "2026-12-24T17:30:00-05:00"},
		{"from UTC input", office, "2026-01-16T23:00:00Z", "2026-01-17T15:00:00Z", "2026-01-16T23:00:00Z"},
		{"24:00 then 00:00 is not a close", allWeekend, "2026-01-16T10:00:00-05:00", "2026-01-16T10:00:00-05:00", "2026-01-18T00:00:00-05:00"},
		{"always open never closes", always, "2026-01-16T10:00:00-05:00", "2026-01-16T10:00:00-05:00", none},
		{"holiday is the only close", alwaysButNewYear, "2026-12-31T10:00:00-05:00", "2026-12-31T10:00:00-05:00", "2027-01-01T00:00:00-05:00"},
		{"holiday reopens at midnight", alwaysButNewYear, "2027-01-01T10:00:00-05:00", "2027-01-02T00:00:00-05:00", "2027-01-01T10:00:00-05:00"},
		{"never open", Schedule{Zone: time.UTC}, "2026-01-16T10:00:00Z", none, "2026-01-16T10:00:00Z"},
		{"spring forward skips 02:00-03:00", sundayNight, "2026-03-08T00:00:00-05:00", "2026-03-15T02:00:00-04:00", "2026-03-08T00:00:00-05:00"},
		{"spring forward opens 02:30 window at 03:00", sundayLate, "2026-03-08T00:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T00:00:00-05:00"},
		{"fall back: 02:00-03:00 EST after the repeated hour", sundayNight, "2026-11-01T02:30:00-05:00", "2026-11-01T02:30:00-05:00", "2026-11-01T03:00:00-05:00"},
		{"days ahead", tuesdays, "2026-01-01T00:00:00Z", "2026-01-06T10:00:00Z", "2026-01-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := mustTime(t, tc.at)
			check := func(fn string, got time.Time, ok bool, want string) {
				t.Helper()
				if want == none {
					if ok {
						t.Errorf("%s(%s) = %s; want none", fn, tc.at, got)
					}
					return
				}
				if w := mustTime(t, want); !ok || !got.Equal(w) {
					t.Errorf("%s(%s) = %s, %v; want %s", fn, tc.at, got, ok, want)
				}
			}
			got, ok := tc.s.NextOpen(at)
			check("NextOpen", got, ok, tc.open)
			if ok && !tc.s.Open(got) {
				t.Errorf("NextOpen result %s is not Open", got)
			}
			got, ok = tc.s.NextClose(at)
			check("NextClose", got, ok, tc.shut)
			if ok && tc.s.Open(got) {
				t.Errorf("NextClose result %s is Open", got)
			}
		})
	}
}

func TestScheduleNextOpenHorizon(t *testing.T) {
	// Open only on Tuesdays, with every Tuesday for a year a holiday except
	// the last: found when within 370 days, not after.
	var s Schedule
	s.Zone = time.UTC
	s.Days[time.Tuesday] = []Window{{600, 660}}
	start := mustTime(t, "2026-01-01T00:00:00Z")
	last := mustTime(t, "2027-01-05T10:00:00Z") // 369 days later
	for d := mustTime(t, "2026-01-06T00:00:00Z"); d.Before(last.Add(-24 * time.Hour)); d = d.AddDate(0, 0, 7) {
		s.Holidays = append(s.Holidays, DateOf(d))
	}
	if got, ok := s.NextOpen(start); !ok || !got.Equal(last) {
		t.Errorf("NextOpen = %s, %v; want %s", got, ok, last)
	}
	s.Holidays = append(s.Holidays, DateOf(last))
	if got, ok := s.NextOpen(start); ok {
		t.Errorf("NextOpen = %s beyond the horizon; want none", got)
	}
}

func TestScheduleNextOpenMatchesMinuteByMinute(t *testing.T) {
	s := officeHours(t)
	s.Holidays = append(s.Holidays, Date{2026, time.March, 9}, Date{2026, time.November, 2})
	sunday := s
	sunday.Zone = mustZone(t, "Australia/Lord_Howe")
	sunday.Days[time.Sunday] = []Window{{0, 135}, {150, 165}}
	const seed = 19
	rng := rand.New(rand.NewPCG(seed, seed))
	yearStart := mustTime(t, "2026-01-01T00:00:00Z")
	for i := range 150 {
		sched := s
		if i%2 == 1 {
			sched = sunday
		}
		at := yearStart.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		got, ok := sched.NextOpen(at)
		want, wantOK := bruteNext(at, 10*24*time.Hour, sched.Open)
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("seed %d sample %d: NextOpen(%s) = %s, %v; minute by minute %s, %v", seed, i, at, got, ok, want, wantOK)
		}
		got, ok = sched.NextClose(at)
		want, wantOK = bruteNext(at, 10*24*time.Hour, func(u time.Time) bool { return !sched.Open(u) })
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("seed %d sample %d: NextClose(%s) = %s, %v; minute by minute %s, %v", seed, i, at, got, ok, want, wantOK)
		}
	}
}
