// Package pacingtest checks reserved slots against the pacing guarantees,
// for the pacing, store contract and end-to-end tests alike.
package pacingtest

import (
	"slices"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/pacing"
)

// Stats sums up a set of slots.
type Stats struct {
	// Span runs from the first slot's start to the end of the last tick
	// reserved.
	Span time.Duration
	// MaxPerSecond is the most texts one number hands over in one aligned
	// second; MaxPoolPerSecond counts every number together.
	MaxPerSecond, MaxPoolPerSecond int
}

// Check fails t unless the slots keep the plans' guarantees: each on a lane
// of its number's plan and aligned to its tick, no two sharing a tick of a
// lane, and no number handing over more texts in an aligned second than it
// has lanes. It returns the slots' stats.
func Check(t testing.TB, plans []pacing.Plan, slots []pacing.Slot) Stats {
	t.Helper()
	byNumber := map[string]pacing.Plan{}
	for _, p := range plans {
		byNumber[p.Number] = p
	}
	type laneKey struct {
		number string
		lane   int
	}
	lanes := map[laneKey][]pacing.Slot{}
	perSecond := map[string]map[int64]int{}
	pool := map[int64]int{}
	var st Stats
	var first, last time.Time
	for i, s := range slots {
		p, ok := byNumber[s.Number]
		if !ok {
			t.Errorf("slot %d on %q, not a planned number", i, s.Number)
			continue
		}
		if s.Lane < 0 || s.Lane >= p.Lanes || s.Tick != p.Tick || s.Ticks < 1 || s.At.IsZero() {
			t.Errorf("slot %d = %+v does not fit the plan of %s (%d lanes of %v)", i, s, p.Number, p.Lanes, p.Tick)
			continue
		}
		if s.At.UnixNano()%int64(p.Tick) != 0 {
			t.Errorf("slot %d at %v is not aligned to %v", i, s.At, p.Tick)
		}
		k := laneKey{s.Number, s.Lane}
		lanes[k] = append(lanes[k], s)
		if perSecond[s.Number] == nil {
			perSecond[s.Number] = map[int64]int{}
		}
		perSecond[s.Number][s.At.Unix()]++
		pool[s.At.Unix()]++
		end := s.At.Add(time.Duration(s.Ticks) * s.Tick)
		if first.IsZero() || s.At.Before(first) {
			first = s.At
		}
		if end.After(last) {
			last = end
		}
	}
	for k, ss := range lanes {
		slices.SortFunc(ss, func(a, b pacing.Slot) int { return a.At.Compare(b.At) })
		for i := 1; i < len(ss); i++ {
			if prevEnd := ss[i-1].At.Add(time.Duration(ss[i-1].Ticks) * ss[i-1].Tick); ss[i].At.Before(prevEnd) {
				t.Errorf("%s lane %d: slot at %v overlaps the one at %v (%d ticks)", k.number, k.lane, ss[i].At, ss[i-1].At, ss[i-1].Ticks)
			}
		}
	}
	for number, secs := range perSecond {
		for sec, n := range secs {
			if n > byNumber[number].Lanes {
				t.Errorf("%s hands over %d texts in the second %v, it has %d lanes", number, n, time.Unix(sec, 0).UTC(), byNumber[number].Lanes)
			}
			st.MaxPerSecond = max(st.MaxPerSecond, n)
		}
	}
	for _, n := range pool {
		st.MaxPoolPerSecond = max(st.MaxPoolPerSecond, n)
	}
	st.Span = last.Sub(first)
	return st
}
