package calendar

import (
	"fmt"
	"time"
)

// Window is an allowed daily span [Start, End) of local clock time. End
// before Start crosses midnight (21:00-08:00 is overnight); Start equal to End
// means all day, so there is no empty window to configure by mistake.
type Window struct{ Start, End TimeOfDay }

// DefaultQuietWindow is 08:00-21:00, the hours the TCPA allows telemarketing
// texts in the recipient's local time; outside it, proactive sends wait.
func DefaultQuietWindow() Window { return Window{Start: 8 * 60, End: 21 * 60} }

// ParseWindow reads a window from its two settings fields; the error names
// the bad value.
func ParseWindow(start, end string) (Window, error) {
	s, err := ParseTimeOfDay(start)
	if err != nil {
		return Window{}, fmt.Errorf("window start: %w", err)
	}
	e, err := ParseTimeOfDay(end)
	if err != nil {
		return Window{}, fmt.Errorf("window end: %w", err)
	}
	return Window{Start: s, End: e}, nil
}

// Validate checks a window built in code (ParseWindow already did).
func (w Window) Validate() error {
	if !w.Start.Valid() || !w.End.Valid() {
		return fmt.Errorf("calendar: window %d..%d minutes: out of range 00:00..24:00", int(w.Start), int(w.End))
	}
	return nil
}

// String renders "08:00-21:00" for logs and error messages.
func (w Window) String() string { return w.Start.String() + "-" + w.End.String() }

// AllDay reports whether w allows every minute (Start == End, or 00:00-24:00).
func (w Window) AllDay() bool { return w.Start%MinutesPerDay == w.End%MinutesPerDay }

// CrossesMidnight reports whether w runs overnight (21:00-08:00); schedules
// reject such windows because a day's hours must belong to that day.
func (w Window) CrossesMidnight() bool { return w.End < w.Start }

// contains reports whether clock minute m (0..1439) is inside w. Start 24:00
// is the same clock reading as 00:00, and End 24:00 as End 00:00 after a
// crossing, so both ends are taken modulo a day.
func (w Window) contains(m int) bool {
	s, e := int(w.Start)%MinutesPerDay, int(w.End)%MinutesPerDay
	switch {
	case s == e:
		return true
	case s < e:
		return s <= m && m < e
	default:
		return m >= s || m < e
	}
}

// Allowed reports whether instant t is inside w in every zone: a number whose
// area code spans zones is texted only when it is allowed in all of them.
// With no zones, t is judged in UTC rather than allowed by default.
func (w Window) Allowed(t time.Time, zones []*time.Location) bool {
	if len(zones) == 0 {
		return w.contains(clockMinute(t, time.UTC))
	}
	for _, z := range zones {
		if !w.contains(clockMinute(t, z)) {
			return false
		}
	}
	return true
}

// NextAllowedHorizon bounds NextAllowed's search: a window allowed in every
// zone recurs daily, so a week and a day covers any DST shift, and finding
// nothing means the zones' windows never overlap.
const NextAllowedHorizon = 8 * 24 * time.Hour

// NextAllowed returns the earliest instant >= t that is Allowed, so a held
// message can be scheduled for exactly the moment it may go out (t itself
// when allowed now; otherwise the instant a zone's clock reaches w.Start, or
// the instant a DST jump moves it into w). It reports false when no such
// instant exists within NextAllowedHorizon.
func (w Window) NextAllowed(t time.Time, zones []*time.Location) (time.Time, bool) {
	if len(zones) == 0 {
		zones = utcOnly
	}
	if w.Allowed(t, zones) {
		return t, true
	}
	bounds := [...]int{0, int(w.Start) % MinutesPerDay, int(w.End) % MinutesPerDay}
	return scan(t, t.Add(NextAllowedHorizon), zones, bounds[:], func(u time.Time) bool {
		return w.Allowed(u, zones)
	})
}

var utcOnly = []*time.Location{time.UTC}

// clockMinute is the minute of the day shown on a clock in z at t.
func clockMinute(t time.Time, z *time.Location) int {
	h, m, _ := t.In(orUTC(z)).Clock()
	return h*60 + m
}

func orUTC(z *time.Location) *time.Location {
	if z == nil {
		return time.UTC
	}
	return z
}

// scan returns the earliest instant in [t, limit] at which pred holds. pred
// must depend only on the local date and clock minute in zones; it is then
// constant between the instants where, in some zone, the clock reaches one of
// bounds (minutes of the day, which must include 0 when pred depends on the
// date) or the zone's offset changes, so only t and those instants are tried.
func scan(t, limit time.Time, zones []*time.Location, bounds []int, pred func(time.Time) bool) (time.Time, bool) {
	for cur := t; !cur.After(limit); cur = nextEvent(cur, zones, bounds) {
		if pred(cur) {
			if cur.Equal(t) {
				return t, true
			}
			return cur.In(t.Location()), true
		}
	}
	return time.Time{}, false
}

const secondsPerDay = 24 * 60 * 60

// nextEvent is the first instant after cur at which some zone's clock shows a
// boundary minute at second 0, or some zone's offset changes.
func nextEvent(cur time.Time, zones []*time.Location, bounds []int) time.Time {
	var next time.Time
	sec := cur.Unix() // floor, so a fractional cur never lands on itself
	for _, z := range zones {
		local := cur.In(orUTC(z))
		_, off := local.Zone()
		clock := floorMod(sec+int64(off), secondsPerDay)
		step := int64(secondsPerDay)
		for _, b := range bounds {
			d := floorMod(int64(b)*60-clock, secondsPerDay)
			if d == 0 {
				d = secondsPerDay
			}
			step = min(step, d)
		}
		cand := time.Unix(sec+step, 0)
		// Past the zone's next transition the offset used above is wrong;
		// stop there and take the next step with the new offset.
		if _, end := local.ZoneBounds(); !end.IsZero() && end.Before(cand) {
			cand = end
		}
		if next.IsZero() || cand.Before(next) {
			next = cand
		}
	}
	return next
}

func floorMod(a, n int64) int64 {
	r := a % n
	if r < 0 {
		r += n
	}
	return r
}
