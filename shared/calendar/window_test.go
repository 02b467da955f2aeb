package calendar

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	for _, tc := range []struct {
		start, end string
		want       Window
		wantErr    string
	}{
		{start: "08:00", end: "21:00", want: DefaultQuietWindow()},
		{start: "21:00", end: "08:00", want: Window{1260, 480}},
		{start: "00:00", end: "24:00", want: Window{0, 1440}},
		{start: "8:00", end: "8:00", want: Window{480, 480}},
		{start: "8am", end: "21:00", wantErr: `window start: calendar: time of day "8am"`},
		{start: "08:00", end: "24:30", wantErr: `window end: calendar: time of day "24:30"`},
	} {
		got, err := ParseWindow(tc.start, tc.end)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseWindow(%q, %q) error = %v; want %q", tc.start, tc.end, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseWindow(%q, %q) = %v, %v; want %v", tc.start, tc.end, got, err, tc.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Validate(%v) = %v", got, err)
		}
	}
	if err := (Window{-5, 480}).Validate(); err == nil {
		t.Error("Validate accepted a negative start")
	}
	if err := (Window{480, 2000}).Validate(); err == nil || !strings.Contains(err.Error(), "2000") {
		t.Errorf("Validate(480..2000) error = %v; want one naming 2000", err)
	}
}

func TestWindowShape(t *testing.T) {
	for _, tc := range []struct {
		w                Window
		allDay, crossing bool
		str              string
	}{
		{DefaultQuietWindow(), false, false, "08:00-21:00"},
		{Window{1260, 480}, false, true, "21:00-08:00"},
		{Window{480, 480}, true, false, "08:00-08:00"},
		{Window{0, 1440}, true, false, "00:00-24:00"},
		{Window{1440, 0}, true, true, "24:00-00:00"},
	} {
		if tc.w.AllDay() != tc.allDay || tc.w.CrossesMidnight() != tc.crossing || tc.w.String() != tc.str {
			t.Errorf("%v: AllDay %v CrossesMidnight %v String %q; want %v %v %q",
				tc.w, tc.w.AllDay(), tc.w.CrossesMidnight(), tc.w.String(), tc.allDay, tc.crossing, tc.str)
		}
	}
}

func TestWindowAllowed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end string
		at         string
		zones      []string
		want       bool
	}{
		{"before start", "08:00", "21:00", "2026-01-15T07:59:59-05:00", []string{"America/New_York"}, false},
		{"at start", "08:00", "21:00", "2026-01-15T08:00:00-05:00", []string{"America/New_York"}, true},
		{"last minute", "08:00", "21:00", "2026-01-15T20:59:59-05:00", []string{"America/New_York"}, true},
		{"end excluded", "08:00", "21:00", "2026-01-15T21:00:00-05:00", []string{"America/New_York"}, false},
		{"judged in the zone, not in UTC", "08:00", "21:00", "2026-01-15T23:00:00Z", []string{"America/Los_Angeles"}, true},
		{"overnight late", "21:00", "08:00", "2026-01-15T23:30:00-05:00", []string{"America/New_York"}, true},
		{"overnight early", "21:00", "08:00", "2026-01-15T07:59:00-05:00", []string{"America/New_York"}, true},
		{"overnight midday", "21:00", "08:00", "2026-01-15T12:00:00-05:00", []string{"America/New_York"}, false},
		{"all day", "08:00", "08:00", "2026-01-15T03:00:00-05:00", []string{"America/New_York"}, true},
		{"until 24:00", "08:00", "24:00", "2026-01-15T23:59:00-05:00", []string{"America/New_York"}, true},
		{"until 24:00 excludes midnight", "08:00", "24:00", "2026-01-15T00:00:00-05:00", []string{"America/New_York"}, false},
		{"from 24:00 is from midnight", "24:00", "06:00", "2026-01-15T00:00:00-05:00", []string{"America/New_York"}, true},
		{"both zones allowed", "08:00", "21:00", "2026-01-15T14:00:00Z", []string{"America/New_York", "America/Chicago"}, true},
		{"east allowed, central not yet", "08:00", "21:00", "2026-01-15T13:30:00Z", []string{"America/New_York", "America/Chicago"}, false},
		{"central allowed, east over", "08:00", "21:00", "2026-01-16T02:30:00Z", []string{"America/New_York", "America/Chicago"}, false},
		{"no zones means UTC", "08:00", "21:00", "2026-01-15T07:00:00-05:00", nil, true},
		{"no zones means UTC, closed", "08:00", "21:00", "2026-01-15T21:00:00Z", nil, false},
		{"spring forward: 03:00 EDT inside 02:30-04:00", "02:30", "04:00", "2026-03-08T03:00:00-04:00", []string{"America/New_York"}, true},
		{"spring forward: 01:59 EST before 02:30", "02:30", "04:00", "2026-03-08T01:59:00-05:00", []string{"America/New_York"}, false},
		{"fall back: first 01:15 in 01:00-02:00", "01:00", "02:00", "2026-11-01T01:15:00-04:00", []string{"America/New_York"}, true},
		{"fall back: second 01:15 in 01:00-02:00", "01:00", "02:00", "2026-11-01T01:15:00-05:00", []string{"America/New_York"}, true},
		{"quarter-hour zone", "08:00", "21:00", "2026-01-15T02:15:00Z", []string{"Asia/Kathmandu"}, true},
		{"quarter-hour zone, a minute early", "08:00", "21:00", "2026-01-15T02:14:00Z", []string{"Asia/Kathmandu"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := win(t, tc.start, tc.end)
			if got := w.Allowed(mustTime(t, tc.at), mustZones(t, tc.zones...)); got != tc.want {
				t.Errorf("%v.Allowed(%s, %v) = %v; want %v", w, tc.at, tc.zones, got, tc.want)
			}
		})
	}
}

func TestNextAllowed(t *testing.T) {
	const none = ""
	ny := []string{"America/New_York"}
	for _, tc := range []struct {
		name       string
		start, end string
		at         string
		zones      []string
		want       string // RFC 3339 instant; none when there is none
	}{
		{"allowed now returns t", "08:00", "21:00", "2026-01-15T12:34:56.789-05:00", ny, "2026-01-15T12:34:56.789-05:00"},
		{"seconds before start", "08:00", "21:00", "2026-01-15T07:59:30-05:00", ny, "2026-01-15T08:00:00-05:00"},
		{"fraction before start", "08:00", "21:00", "2026-01-15T07:59:59.999-05:00", ny, "2026-01-15T08:00:00-05:00"},
		{"at end waits for tomorrow", "08:00", "21:00", "2026-01-15T21:00:00-05:00", ny, "2026-01-16T08:00:00-05:00"},
		{"after midnight", "08:00", "21:00", "2026-01-16T00:10:00-05:00", ny, "2026-01-16T08:00:00-05:00"},
		{"overnight window opens in the evening", "21:00", "08:00", "2026-01-15T12:00:00-05:00", ny, "2026-01-15T21:00:00-05:00"},
		{"overnight window, allowed before 08:00", "21:00", "08:00", "2026-01-15T05:00:00-05:00", ny, "2026-01-15T05:00:00-05:00"},
		{"window until 24:00", "18:00", "24:00", "2026-01-15T00:00:00-05:00", ny, "2026-01-15T18:00:00-05:00"},
		{"no zones means UTC", "08:00", "21:00", "2026-01-15T06:00:00Z", nil, "2026-01-15T08:00:00Z"},

		// America/New_York springs forward 2026-03-08 02:00 EST -> 03:00 EDT.
		{"spring forward: quiet window over the jump", "08:00", "21:00", "2026-03-07T22:00:00-05:00", ny, "2026-03-08T08:00:00-04:00"},
		{"spring forward: start 02:30 does not exist, opens at 03:00 EDT", "02:30", "05:00", "2026-03-08T01:00:00-05:00", ny, "2026-03-08T03:00:00-04:00"},
		{"spring forward: whole window skipped, next day", "02:00", "02:45", "2026-03-08T01:00:00-05:00", ny, "2026-03-09T02:00:00-04:00"},
		{"spring forward: window ending in the gap", "01:00", "02:30", "2026-03-08T01:59:59-05:00", ny, "2026-03-08T01:59:59-05:00"},
		{"spring forward: after window ending in the gap", "01:00", "02:30", "2026-03-08T03:00:00-04:00", ny, "2026-03-09T01:00:00-04:00"},
		// And falls back 2026-11-01 02:00 EDT -> 01:00 EST; 01:xx happens twice.
		{"fall back: quiet window over the repeat", "08:00", "21:00", "2026-10-31T23:00:00-04:00", ny, "2026-11-01T08:00:00-05:00"},
		{"fall back: first 01:45 allowed", "01:30", "03:00", "2026-11-01T01:45:00-04:00", ny, "2026-11-01T01:45:00-04:00"},
		{"fall back: second 01:10 waits for the second 01:30", "01:30", "03:00", "2026-11-01T01:10:00-05:00", ny, "2026-11-01T01:30:00-05:00"},
		{"fall back: clock goes back into the window", "00:00", "01:30", "2026-11-01T01:30:00-04:00", ny, "2026-11-01T01:00:00-05:00"},
		{"fall back: window starting in the repeated hour", "01:30", "02:00", "2026-11-01T00:00:00-04:00", ny, "2026-11-01T01:30:00-04:00"},
		// Australia/Lord_Howe moves by 30 minutes: 2026-10-04 02:00 +10:30 -> 02:30 +11.
		{"half-hour DST shift", "02:15", "02:45", "2026-10-04T01:00:00+10:30", []string{"Australia/Lord_Howe"}, "2026-10-04T02:30:00+11:00"},
		{"half-hour zone", "08:00", "21:00", "2026-01-15T00:00:00Z", []string{"Asia/Kolkata"}, "2026-01-15T02:30:00Z"},

		{"two zones: wait for central", "08:00", "21:00", "2026-01-15T12:30:00Z", []string{"America/New_York", "America/Chicago"}, "2026-01-15T14:00:00Z"},
		{"two zones: eastern over, wait for tomorrow", "08:00", "21:00", "2026-01-16T02:00:00Z", []string{"America/New_York", "America/Chicago"}, "2026-01-16T14:00:00Z"},
		{"two zones: order does not matter", "08:00", "21:00", "2026-01-16T02:00:00Z", []string{"America/Chicago", "America/New_York"}, "2026-01-16T14:00:00Z"},
		{"Honolulu and New York overlap in the evening", "08:00", "21:00", "2026-01-15T15:00:00Z", []string{"Pacific/Honolulu", "America/New_York"}, "2026-01-15T18:00:00Z"},
		{"Honolulu and New York never overlap on a narrow window", "09:00", "12:00", "2026-01-15T15:00:00Z", []string{"Pacific/Honolulu", "America/New_York"}, none},
		{"Honolulu and New York, narrow window, summer", "09:00", "12:00", "2026-07-15T15:00:00Z", []string{"Pacific/Honolulu", "America/New_York"}, none},
		{"all-day window is always allowed", "00:00", "24:00", "2026-03-08T02:00:00-05:00", []string{"Pacific/Honolulu", "America/New_York"}, "2026-03-08T02:00:00-05:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := win(t, tc.start, tc.end)
			at := mustTime(t, tc.at)
			zones := mustZones(t, tc.zones...)
			got, ok := w.NextAllowed(at, zones)
			if tc.want == none {
				if ok {
					t.Fatalf("%v.NextAllowed(%s, %v) = %s; want none", w, tc.at, tc.zones, got.Format(time.RFC3339))
				}
				return
			}
			want := mustTime(t, tc.want)
			if !ok || !got.Equal(want) {
				t.Fatalf("%v.NextAllowed(%s, %v) = %s, %v; want %s", w, tc.at, tc.zones, got.Format(time.RFC3339Nano), ok, tc.want)
			}
			if got.Location() != at.Location() {
				t.Errorf("result in %v; want t's location %v", got.Location(), at.Location())
			}
			if !w.Allowed(got, zones) {
				t.Errorf("result %s is not Allowed", got)
			}
		})
	}
}

// bruteNextAllowed tries t and then every whole minute, the slow definition
// NextAllowed must match (modern zone offsets are whole minutes, so a local
// minute starts at a UTC minute).
func bruteNext(t time.Time, limit time.Duration, ok func(time.Time) bool) (time.Time, bool) {
	if ok(t) {
		return t, true
	}
	for u := t.Truncate(time.Minute).Add(time.Minute); !u.After(t.Add(limit)); u = u.Add(time.Minute) {
		if ok(u) {
			return u, true
		}
	}
	return time.Time{}, false
}

func TestNextAllowedMatchesMinuteByMinute(t *testing.T) {
	zoneSets := [][]string{
		{"America/New_York"},
		{"America/New_York", "America/Chicago"},
		{"America/Boise", "America/Los_Angeles"},
		{"Pacific/Honolulu", "America/New_York"},
		{"Australia/Lord_Howe"},
		{"Europe/London", "Asia/Kolkata"},
		{"America/Santiago", "Pacific/Auckland"},
	}
	windows := []Window{DefaultQuietWindow(), {1260, 480}, {150, 210}, {60, 90}, {540, 720}, {0, 1440}}
	const seed = 20260101
	rng := rand.New(rand.NewPCG(seed, seed))
	yearStart := mustTime(t, "2026-01-01T00:00:00Z")
	samples := 400
	if testing.Short() {
		samples = 60
	}
	for i := range samples {
		zones := mustZones(t, zoneSets[rng.IntN(len(zoneSets))]...)
		w := windows[rng.IntN(len(windows))]
		at := yearStart.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		if i%4 == 0 { // land near DST changes more often than chance would
			at = at.Truncate(time.Hour)
		}
		got, ok := w.NextAllowed(at, zones)
		want, wantOK := bruteNext(at, NextAllowedHorizon, func(u time.Time) bool { return w.Allowed(u, zones) })
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("seed %d sample %d: %v.NextAllowed(%s, %v) = %s, %v; minute by minute %s, %v",
				seed, i, w, at.Format(time.RFC3339Nano), zones, got, ok, want, wantOK)
		}
		if ok && !w.Allowed(got, zones) {
			t.Fatalf("sample %d: result %s not Allowed", i, got)
		}
	}
}

func BenchmarkNextAllowed(b *testing.B) {
	ny := mustZones(b, "America/New_York")
	two := mustZones(b, "America/New_York", "America/Chicago")
	disjoint := mustZones(b, "Pacific/Honolulu", "America/New_York")
	night := mustTime(b, "2026-01-15T23:30:00-05:00")
	for _, bc := range []struct {
		name  string
		w     Window
		zones []*time.Location
	}{
		{"allowed-now", Window{0, 1440}, ny},
		{"one-zone-quiet", DefaultQuietWindow(), ny},
		{"two-zones-quiet", DefaultQuietWindow(), two},
		{"disjoint-none", Window{540, 720}, disjoint},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.w.NextAllowed(night, bc.zones)
			}
		})
	}
}
