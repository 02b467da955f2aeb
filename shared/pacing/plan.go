package pacing

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
)

// Default rates in segments per second when a number sets none: what US
// carriers allow an unvetted sender of each kind.
const (
	DefaultLongCodeRate  = 1.0
	DefaultTollFreeRate  = 3.0
	DefaultShortCodeRate = 100.0
)

// MaxLanes bounds the lanes of one number: a batch reads and may write
// every lane of a number in one transaction, Firestore commits at most 500
// writes, and no carrier tier comes near 500 segments per second.
const MaxLanes = 500

// MinLead is the least part of the current tick a message must have left to
// be handed over in it: a slot that starts now but ends a few milliseconds
// later would be late by the time its transaction commits, and the carrier
// counts a text by when its request arrives, which under load (the race
// detector on the emulators) came more than 250 ms after the claim.
const MinLead = 500 * time.Millisecond

// ErrTooLong is returned for a message with more segments than one lane may
// carry in a day: no day would ever have room for it.
var ErrTooLong = errors.New("message longer than a lane's daily share")

// Lane is the stored state of one lane of a number.
type Lane = lane.State

// Plan is how a number's sends are paced: Lanes lanes of one segment per
// Tick each, and the daily cap split over them.
type Plan struct {
	Number string
	// Rate is the number's segments per second as configured or defaulted;
	// the lanes carry floor(Rate) of it, or one tick of 1/Rate seconds
	// rounded up when it is below one.
	Rate  float64
	Lanes int
	Tick  time.Duration
	// DailyCap bounds the segments per day in Zone over all lanes; 0 = none.
	DailyCap int
	Zone     *time.Location
}

// PlanFor is the plan of a number; days for the daily cap are counted in
// zone (UTC when nil).
func PlanFor(n chat.Number, zone *time.Location) Plan {
	if zone == nil {
		zone = time.UTC
	}
	r := n.MessagesPerSecond
	if r <= 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		t := n.Type
		if t == "" && sender.FormOf(n.E164) == sender.FormShortCode {
			t = chat.NumberShortCode // an untyped 5- or 6-digit number can only be a short code
		}
		r = defaultRate(t)
	}
	p := Plan{Number: n.E164, Rate: r, Lanes: 1, Tick: time.Second, Zone: zone}
	if n.DailyCap > 0 {
		p.DailyCap = n.DailyCap
	}
	if r >= 1 {
		p.Lanes = int(min(math.Floor(r), MaxLanes))
	} else {
		// The epsilon keeps a rate of exactly 1/3 at 3 s, not 4 s, despite
		// floating point.
		p.Tick = time.Duration(math.Ceil(1/r-1e-9)) * time.Second
	}
	if p.DailyCap > 0 && p.DailyCap < p.Lanes {
		// A lane with a zero share of the cap could never send.
		p.Lanes = p.DailyCap
	}
	return p
}

func defaultRate(t chat.NumberType) float64 {
	switch t {
	case chat.NumberTollFree:
		return DefaultTollFreeRate
	case chat.NumberShortCode:
		return DefaultShortCodeRate
	default:
		return DefaultLongCodeRate
	}
}

// DayShare is the segments lane i may carry per day: the daily cap split
// evenly, the remainder to the first lanes; 0 means no cap.
func (p Plan) DayShare(i int) int {
	if p.DailyCap <= 0 || p.Lanes <= 0 {
		return 0
	}
	share := p.DailyCap / p.Lanes
	if i < p.DailyCap%p.Lanes {
		share++
	}
	return share
}

// floor is the start of the tick containing t. Ticks are aligned to the
// Unix epoch (time.Truncate aligns to year 1, which only agrees for some
// tick lengths).
func (p Plan) floor(t time.Time) time.Time {
	ts := int64(p.Tick / time.Second)
	s := t.Unix()
	s -= ((s % ts) + ts) % ts
	return time.Unix(s, 0).UTC()
}

// ceil is the first tick boundary at or after t.
func (p Plan) ceil(t time.Time) time.Time {
	f := p.floor(t)
	if f.Before(t) {
		f = f.Add(p.Tick)
	}
	return f
}

// Earliest is the first tick a send asked for notBefore may take when it is
// decided at now: a future notBefore rounds up to a tick boundary (so a
// task scheduled at the slot never runs before notBefore); a past or
// present one may take the current tick if MinLead of it is left.
func (p Plan) Earliest(now, notBefore time.Time) time.Time {
	if notBefore.After(now) {
		return p.ceil(notBefore)
	}
	f := p.floor(now)
	if f.Add(p.Tick).Sub(now) < MinLead {
		f = f.Add(p.Tick)
	}
	return f
}

func (p Plan) day(t time.Time) string { return t.In(p.Zone).Format(time.DateOnly) }

// nextDay is the first tick of the day after t's in the plan's zone.
func (p Plan) nextDay(t time.Time) time.Time {
	lt := t.In(p.Zone)
	return p.ceil(time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, p.Zone))
}

// Reserve takes consecutive ticks of lane l for messages of the given
// segment counts, in order, from the first tick boundary at or after both
// notBefore and the lane's NextFree; a message that would take the lane
// past its day share moves to the first tick of the next day. It returns a
// slot per message and the lane's new state. Pass a notBefore from Earliest
// to let a send take the current tick.
func (p Plan) Reserve(l Lane, notBefore time.Time, segments []int) ([]Slot, Lane, error) {
	if l.Index < 0 || l.Index >= p.Lanes {
		return nil, l, fmt.Errorf("reserve on %s: lane %d, the plan has %d", p.Number, l.Index, p.Lanes)
	}
	l.Number = p.Number
	// NextFree is re-aligned because a rate change changes the tick.
	start := p.ceil(notBefore)
	if next := p.ceil(l.NextFree); next.After(start) {
		start = next
	}
	share := p.DayShare(l.Index)
	slots := make([]Slot, 0, len(segments))
	for i, k := range segments {
		k = max(k, 1) // an empty text still goes out as one segment
		if share > 0 && k > share {
			return nil, l, fmt.Errorf("reserve message %d on %s lane %d: %d segments, share %d: %w",
				i, p.Number, l.Index, k, share, ErrTooLong)
		}
		day := p.day(start)
		used := 0
		if day == l.Day {
			used = l.DayUsed
		}
		if share > 0 && used+k > share {
			start = p.nextDay(start)
			day, used = p.day(start), 0
		}
		slots = append(slots, Slot{Number: p.Number, Lane: l.Index, At: start, Ticks: k, Tick: p.Tick})
		start = start.Add(time.Duration(k) * p.Tick)
		l.NextFree, l.Day, l.DayUsed = start, day, used+k
	}
	return slots, l, nil
}

// Slot is when one message may be handed to the carrier: within
// [At, At+Tick). Its Ticks ticks (one per segment) are the lane's, so
// nothing else goes out on the lane until At+Ticks*Tick.
type Slot struct {
	Number string
	Lane   int
	At     time.Time
	Ticks  int
	Tick   time.Duration
}

// Valid reports whether the message may be handed over at now.
func (s Slot) Valid(now time.Time) bool { return !s.Early(now) && !s.Late(now) }

// Early reports whether now is before the slot: wait until At.
func (s Slot) Early(now time.Time) bool { return now.Before(s.At) }

// Late reports whether the slot's first tick has passed: sending now could
// share a second with the lane's next message, so reserve again instead.
func (s Slot) Late(now time.Time) bool { return !now.Before(s.At.Add(s.Tick)) }
