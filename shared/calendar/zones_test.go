package calendar

import (
	"slices"
	"sync"
	"testing"
	"time"
)

func TestZones(t *testing.T) {
	for _, tc := range []struct {
		name, e164, fallback string
		want                 []string
	}{
		{"New York", "+12125550123", "UTC", []string{"America/New_York"}},
		{"Honolulu", "+18085550123", "UTC", []string{"Pacific/Honolulu"}},
		{"area code spanning zones", "+12085550123", "UTC", []string{"America/Boise", "America/Los_Angeles"}},
		{"outside NANP", "+34612345678", "America/New_York", []string{"Europe/Madrid"}},
		{"library knows no zone: fallback", "+80012345678", "America/Denver", []string{"America/Denver"}},
		{"not E.164: fallback", "2125550123", "Europe/Madrid", []string{"Europe/Madrid"}},
		{"garbage: fallback", "hello", "America/Chicago", []string{"America/Chicago"}},
		{"invalid country code: fallback", "+999", "America/Chicago", []string{"America/Chicago"}},
		{"invalid fallback: UTC", "hello", "Mars/Olympus_Mons", []string{"UTC"}},
		{"empty fallback: UTC", "", "", []string{"UTC"}},
		{"Local fallback: UTC, not the server's zone", "", "Local", []string{"UTC"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cache ZoneCache
			for _, zones := range []func(string, string) []*time.Location{Zones, cache.Zones, cache.Zones} {
				var got []string
				for _, z := range zones(tc.e164, tc.fallback) {
					got = append(got, z.String())
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("Zones(%q, %q) = %v; want %v", tc.e164, tc.fallback, got, tc.want)
				}
			}
		})
	}
}

func TestZonesFeedQuietHours(t *testing.T) {
	// 13:30Z is 08:30 in New York but 05:30 in Los Angeles: a Boise/LA number
	// waits for 08:00 Pacific, one hour after Boise's 08:00 Mountain.
	at := mustTime(t, "2026-01-15T13:30:00Z")
	got, ok := DefaultQuietWindow().NextAllowed(at, Zones("+12085550123", "UTC"))
	if want := mustTime(t, "2026-01-15T16:00:00Z"); !ok || !got.Equal(want) {
		t.Errorf("NextAllowed for +1208 = %s, %v; want %s", got, ok, want)
	}
	if !DefaultQuietWindow().Allowed(at, Zones("+12125550123", "UTC")) {
		t.Error("+1212 at 08:30 EST not allowed")
	}
}

// BenchmarkZones measures the per-recipient lookup; time.LoadLocation parses
// the zone file on each call, which dominates.
func BenchmarkZones(b *testing.B) {
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Zones("+12085550123", "UTC")
		}
	})
	b.Run("cached", func(b *testing.B) {
		var cache ZoneCache
		b.ReportAllocs()
		for b.Loop() {
			cache.Zones("+12085550123", "UTC")
		}
	})
}

func TestZoneCacheConcurrent(t *testing.T) {
	var cache ZoneCache
	var wg sync.WaitGroup
	for _, n := range []string{"+12125550123", "+13125550123", "+12085550123", "+34612345678"} {
		wg.Go(func() {
			for range 50 {
				if zs := cache.Zones(n, "UTC"); len(zs) == 0 || zs[0] == time.UTC {
					t.Errorf("cache.Zones(%q) = %v", n, zs)
					return
				}
			}
		})
	}
	wg.Wait()
	if a, b := cache.Zones("+12125550123", ""), cache.Zones("+12125550123", ""); a[0] != b[0] {
		t.Error("cache returned a different *Location for the same zone")
	}
}
