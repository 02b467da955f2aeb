package calendar

import (
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func mustZones(t testing.TB, names ...string) []*time.Location {
	t.Helper()
	var out []*time.Location
	for _, n := range names {
		out = append(out, mustZone(t, n))
	}
	return out
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func win(t testing.TB, start, end string) Window {
	t.Helper()
	w, err := ParseWindow(start, end)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
