package pacing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/pacing"
)

var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// at is a UTC instant on 2026-12-01.
func at(h, m, s int, ns ...int) time.Time {
	n := 0
	if len(ns) > 0 {
		n = ns[0]
	}
	return time.Date(2026, 12, 1, h, m, s, n, time.UTC)
}

func TestPlanFor(t *testing.T) {
	cases := []struct {
		name string
		n    chat.Number
		zone *time.Location
		want pacing.Plan
	}{
		{"long code by default", chat.Number{E164: "+1"}, nil,
			pacing.Plan{Number: "+1", Rate: 1, Lanes: 1, Tick: time.Second, Zone: time.UTC}},
		{"long code", chat.Number{E164: "+1", Type: chat.NumberLongCode}, newYork,
			pacing.Plan{Number: "+1", Rate: 1, Lanes: 1, Tick: time.Second, Zone: newYork}},
		{"toll-free", chat.Number{E164: "+1", Type: chat.NumberTollFree}, nil,
			pacing.Plan{Number: "+1", Rate: 3, Lanes: 3, Tick: time.Second, Zone: time.UTC}},
		{"short code", chat.Number{E164: "+1", Type: chat.NumberShortCode}, nil,
			pacing.Plan{Number: "+1", Rate: 100, Lanes: 100, Tick: time.Second, Zone: time.UTC}},
		{"a 5- or 6-digit number without a type is a short code", chat.Number{E164: "898211"}, nil,
			pacing.Plan{Number: "898211", Rate: 100, Lanes: 100, Tick: time.Second, Zone: time.UTC}},
		{"an alphanumeric sender id without a type paces like a long code", chat.Number{E164: "ACME"}, nil,
			pacing.Plan{Number: "ACME", Rate: 1, Lanes: 1, Tick: time.Second, Zone: time.UTC}},
		{"10DLC tier overrides the type", chat.Number{E164: "+1", Type: chat.NumberShortCode, MessagesPerSecond: 12}, nil,
			pacing.Plan{Number: "+1", Rate: 12, Lanes: 12, Tick: time.Second, Zone: time.UTC}},
		{"fractional rate above one rounds lanes down", chat.Number{E164: "+1", MessagesPerSecond: 2.5}, nil,
			pacing.Plan{Number: "+1", Rate: 2.5, Lanes: 2, Tick: time.Second, Zone: time.UTC}},
		{"half a segment per second", chat.Number{E164: "+1", MessagesPerSecond: 0.5}, nil,
			pacing.Plan{Number: "+1", Rate: 0.5, Lanes: 1, Tick: 2 * time.Second, Zone: time.UTC}},
		{"tick rounds up to whole seconds", chat.Number{E164: "+1", MessagesPerSecond: 0.3}, nil,
			pacing.Plan{Number: "+1", Rate: 0.3, Lanes: 1, Tick: 4 * time.Second, Zone: time.UTC}},
		{"a third stays three seconds", chat.Number{E164: "+1", MessagesPerSecond: 1.0 / 3}, nil,
			pacing.Plan{Number: "+1", Rate: 1.0 / 3, Lanes: 1, Tick: 3 * time.Second, Zone: time.UTC}},
		{"negative rate takes the default", chat.Number{E164: "+1", Type: chat.NumberTollFree, MessagesPerSecond: -2}, nil,
			pacing.Plan{Number: "+1", Rate: 3, Lanes: 3, Tick: time.Second, Zone: time.UTC}},
		{"lanes are bounded", chat.Number{E164: "+1", MessagesPerSecond: 5000}, nil,
			pacing.Plan{Number: "+1", Rate: 5000, Lanes: pacing.MaxLanes, Tick: time.Second, Zone: time.UTC}},
		{"daily cap", chat.Number{E164: "+1", Type: chat.NumberTollFree, DailyCap: 2000}, newYork,
			pacing.Plan{Number: "+1", Rate: 3, Lanes: 3, Tick: time.Second, DailyCap: 2000, Zone: newYork}},
		{"a cap below the lanes drops lanes with no share", chat.Number{E164: "+1", Type: chat.NumberTollFree, DailyCap: 2}, nil,
			pacing.Plan{Number: "+1", Rate: 3, Lanes: 2, Tick: time.Second, DailyCap: 2, Zone: time.UTC}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := pacing.PlanFor(c.n, c.zone)
			if d := cmp.Diff(c.want, got, cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); d != "" {
				t.Errorf("PlanFor mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestDayShare(t *testing.T) {
	p := pacing.PlanFor(chat.Number{E164: "+1", Type: chat.NumberTollFree, DailyCap: 10}, nil)
	var got []int
	for i := range p.Lanes {
		got = append(got, p.DayShare(i))
	}
	if d := cmp.Diff([]int{4, 3, 3}, got); d != "" {
		t.Errorf("shares (-want +got):\n%s", d)
	}
	if s := pacing.PlanFor(chat.Number{E164: "+1"}, nil).DayShare(0); s != 0 {
		t.Errorf("share without a cap = %d, want 0 (none)", s)
	}
}

func TestEarliest(t *testing.T) {
	one := pacing.PlanFor(chat.Number{E164: "+1"}, nil)
	half := pacing.PlanFor(chat.Number{E164: "+1", MessagesPerSecond: 0.5}, nil)
	cases := []struct {
		name           string
		p              pacing.Plan
		now, notBefore time.Time
		want           time.Time
	}{
		{"now early in a tick takes it", one, at(14, 0, 0, 123e6), at(14, 0, 0, 123e6), at(14, 0, 0)},
		{"a past notBefore means now", one, at(14, 0, 0, 400e6), at(13, 0, 0), at(14, 0, 0)},
		{"too little of the tick left takes the next", one, at(14, 0, 0, 900e6), at(14, 0, 0, 900e6), at(14, 0, 1)},
		{"exactly MinLead left still fits", one, at(14, 0, 0, 500e6), at(14, 0, 0), at(14, 0, 0)},
		{"less than MinLead left takes the next", one, at(14, 0, 0, 600e6), at(14, 0, 0), at(14, 0, 1)},
		{"future notBefore rounds up", one, at(14, 0, 0), at(14, 5, 0, 1), at(14, 5, 1)},
		{"future notBefore on a boundary stays", one, at(14, 0, 0), at(14, 5, 0), at(14, 5, 0)},
		{"two-second tick holding now", half, at(14, 0, 1, 500e6), at(14, 0, 1, 500e6), at(14, 0, 0)},
		{"two-second tick, future odd second", half, at(14, 0, 0), at(14, 0, 3), at(14, 0, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.Earliest(c.now, c.notBefore); !got.Equal(c.want) {
				t.Errorf("Earliest(%v, %v) = %v, want %v", c.now, c.notBefore, got, c.want)
			}
		})
	}
}

// slotAt is a slot of number +1 on lane 0 of one-second ticks.
func slotAt(when time.Time, ticks int) pacing.Slot {
	return pacing.Slot{Number: "+1", Lane: 0, At: when, Ticks: ticks, Tick: time.Second}
}

func TestReserve(t *testing.T) {
	long := pacing.PlanFor(chat.Number{E164: "+1"}, nil)
	half := pacing.PlanFor(chat.Number{E164: "+1", MessagesPerSecond: 0.5}, nil)
	capped := pacing.PlanFor(chat.Number{E164: "+1", DailyCap: 3}, newYork)
	// 15:00 in New York on 2026-12-01 is 20:00 UTC; its next midnight is
	// 05:00 UTC on the 2nd.
	nyMidnight := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		p         pacing.Plan
		l         pacing.Lane
		notBefore time.Time
		segments  []int
		want      []pacing.Slot
		wantLane  pacing.Lane
	}{
		{
			name: "fresh lane, consecutive seconds", p: long,
			l: pacing.Lane{Number: "+1"}, notBefore: at(14, 0, 0), segments: []int{1, 1, 1},
			want:     []pacing.Slot{slotAt(at(14, 0, 0), 1), slotAt(at(14, 0, 1), 1), slotAt(at(14, 0, 2), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 3), Day: "2026-12-01", DayUsed: 3},
		},
		{
			name: "notBefore inside a tick rounds up", p: long,
			l: pacing.Lane{}, notBefore: at(14, 0, 0, 1), segments: []int{1},
			want:     []pacing.Slot{slotAt(at(14, 0, 1), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 2), Day: "2026-12-01", DayUsed: 1},
		},
		{
			name: "NextFree in the past is ignored", p: long,
			l: pacing.Lane{Number: "+1", NextFree: at(9, 0, 0), Day: "2026-11-30", DayUsed: 50}, notBefore: at(14, 0, 0), segments: []int{1},
			want:     []pacing.Slot{slotAt(at(14, 0, 0), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 1), Day: "2026-12-01", DayUsed: 1},
		},
		{
			name: "NextFree in the future comes first", p: long,
			l: pacing.Lane{Number: "+1", NextFree: at(14, 10, 0), Day: "2026-12-01", DayUsed: 7}, notBefore: at(14, 0, 0), segments: []int{1},
			want:     []pacing.Slot{slotAt(at(14, 10, 0), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 10, 1), Day: "2026-12-01", DayUsed: 8},
		},
		{
			name: "notBefore in the future comes first", p: long,
			l: pacing.Lane{Number: "+1", NextFree: at(14, 0, 5)}, notBefore: at(18, 0, 0), segments: []int{1, 1},
			want:     []pacing.Slot{slotAt(at(18, 0, 0), 1), slotAt(at(18, 0, 1), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(18, 0, 2), Day: "2026-12-01", DayUsed: 2},
		},
		{
			name: "multi-segment messages take a tick per segment", p: long,
			l: pacing.Lane{}, notBefore: at(14, 0, 0), segments: []int{3, 1, 0},
			want:     []pacing.Slot{slotAt(at(14, 0, 0), 3), slotAt(at(14, 0, 3), 1), slotAt(at(14, 0, 4), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 5), Day: "2026-12-01", DayUsed: 5},
		},
		{
			name: "fractional rate: two-second ticks aligned to even seconds", p: half,
			l: pacing.Lane{}, notBefore: at(14, 0, 1), segments: []int{1, 2},
			want: []pacing.Slot{
				{Number: "+1", At: at(14, 0, 2), Ticks: 1, Tick: 2 * time.Second},
				{Number: "+1", At: at(14, 0, 4), Ticks: 2, Tick: 2 * time.Second},
			},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 8), Day: "2026-12-01", DayUsed: 3},
		},
		{
			name: "a NextFree off the tick (the rate changed) is aligned", p: half,
			l: pacing.Lane{NextFree: at(14, 0, 3)}, notBefore: at(14, 0, 0), segments: []int{1},
			want:     []pacing.Slot{{Number: "+1", At: at(14, 0, 4), Ticks: 1, Tick: 2 * time.Second}},
			wantLane: pacing.Lane{Number: "+1", NextFree: at(14, 0, 6), Day: "2026-12-01", DayUsed: 1},
		},
		{
			name: "daily cap holds the rest until midnight in the zone", p: capped,
			l: pacing.Lane{Number: "+1", NextFree: at(19, 0, 0), Day: "2026-12-01", DayUsed: 1}, notBefore: at(20, 0, 0),
			segments: []int{1, 1, 1},
			want:     []pacing.Slot{slotAt(at(20, 0, 0), 1), slotAt(at(20, 0, 1), 1), slotAt(nyMidnight, 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: nyMidnight.Add(time.Second), Day: "2026-12-02", DayUsed: 1},
		},
		{
			name: "a message that does not fit today moves whole", p: capped,
			l: pacing.Lane{Number: "+1", Day: "2026-12-01", DayUsed: 1}, notBefore: at(20, 0, 0), segments: []int{3},
			want:     []pacing.Slot{slotAt(nyMidnight, 3)},
			wantLane: pacing.Lane{Number: "+1", NextFree: nyMidnight.Add(3 * time.Second), Day: "2026-12-02", DayUsed: 3},
		},
		{
			name: "the day is the zone's: 04:59 UTC is still yesterday in New York", p: capped,
			l: pacing.Lane{Number: "+1", Day: "2026-12-01", DayUsed: 3}, notBefore: nyMidnight.Add(-time.Second), segments: []int{1, 1},
			want:     []pacing.Slot{slotAt(nyMidnight, 1), slotAt(nyMidnight.Add(time.Second), 1)},
			wantLane: pacing.Lane{Number: "+1", NextFree: nyMidnight.Add(2 * time.Second), Day: "2026-12-02", DayUsed: 2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, next, err := c.p.Reserve(c.l, c.notBefore, c.segments)
			if err != nil {
				t.Fatalf("Reserve: %v", err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("slots (-want +got):\n%s", d)
			}
			if d := cmp.Diff(c.wantLane, next); d != "" {
				t.Errorf("lane (-want +got):\n%s", d)
			}
		})
	}
}

func TestReserveRefuses(t *testing.T) {
	capped := pacing.PlanFor(chat.Number{E164: "+1", Type: chat.NumberTollFree, DailyCap: 10}, nil)
	if _, _, err := capped.Reserve(pacing.Lane{Index: 1}, at(14, 0, 0), []int{1, 4}); !errors.Is(err, pacing.ErrTooLong) {
		t.Errorf("4 segments on a lane sharing 3 a day: err = %v, want ErrTooLong", err)
	}
	if _, _, err := capped.Reserve(pacing.Lane{Index: 3}, at(14, 0, 0), []int{1}); err == nil {
		t.Error("lane 3 of a 3-lane plan: no error")
	}
}

func TestSlotWindow(t *testing.T) {
	s := pacing.Slot{At: at(14, 0, 4), Ticks: 3, Tick: 2 * time.Second}
	cases := []struct {
		now                time.Time
		early, valid, late bool
	}{
		{at(14, 0, 3, 999e6), true, false, false},
		{at(14, 0, 4), false, true, false},
		{at(14, 0, 5, 999e6), false, true, false},
		{at(14, 0, 6), false, false, true}, // the next tick: the slot's own later ticks carry nothing
	}
	for _, c := range cases {
		if got := [3]bool{s.Early(c.now), s.Valid(c.now), s.Late(c.now)}; got != [3]bool{c.early, c.valid, c.late} {
			t.Errorf("at %v: early, valid, late = %v, want %v", c.now, got, [3]bool{c.early, c.valid, c.late})
		}
	}
}

func TestLaneFor(t *testing.T) {
	if got := pacing.LaneFor(pacing.PlanFor(chat.Number{E164: "+1"}, nil), "chat-1"); got != 0 {
		t.Errorf("one lane: LaneFor = %d, want 0", got)
	}
	p := pacing.PlanFor(chat.Number{E164: "+1", Type: chat.NumberTollFree}, nil)
	hits := make([]int, p.Lanes)
	for i := range 300 {
		key := "chat-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		l := pacing.LaneFor(p, key)
		if l != pacing.LaneFor(p, key) {
			t.Fatalf("LaneFor(%q) changed between calls", key)
		}
		hits[l]++
	}
	for i, n := range hits {
		if n < 50 {
			t.Errorf("lane %d took %d of 300 chats: the hash does not spread (%v)", i, n, hits)
		}
	}
}
