package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Schedule is a queue's weekly business hours in one zone, closed all day on
// holidays; chats arriving outside it get the closed message with the reopen
// time (issue 19).
type Schedule struct {
	// Zone is where the hours are kept; nil means UTC.
	Zone *time.Location
	// Days holds each weekday's open windows, indexed by time.Weekday. An
	// empty day is closed. Windows must not cross midnight (split 22:00-02:00
	// into 22:00-24:00 and the next day's 00:00-02:00) and may not be
	// Start == End (write 00:00-24:00 for all day), so each day reads alone.
	Days [7][]Window
	// Holidays are local dates closed all day whatever Days says.
	Holidays []Date
}

// NextOpenHorizon bounds NextOpen and NextClose: a year and a few days, so a
// schedule open only on a yearly date is still found.
const NextOpenHorizon = 370 * 24 * time.Hour

// Validate reports every malformed window or holiday, naming the weekday and
// value, so the admin API can reject the settings with one 400.
func (s Schedule) Validate() error {
	var errs []error
	for d, windows := range s.Days {
		for _, w := range windows {
			switch {
			case w.Validate() != nil:
				errs = append(errs, fmt.Errorf("%s: %w", time.Weekday(d), w.Validate()))
			case w.CrossesMidnight():
				errs = append(errs, fmt.Errorf("calendar: %s window %s crosses midnight; split it at 24:00", time.Weekday(d), w))
			case w.Start == w.End:
				errs = append(errs, fmt.Errorf("calendar: %s window %s is empty; use 00:00-24:00 for all day", time.Weekday(d), w))
			}
		}
	}
	for _, h := range s.Holidays {
		if !h.Valid() {
			errs = append(errs, fmt.Errorf("calendar: holiday %s: not a calendar date", h))
		}
	}
	return errors.Join(errs...)
}

// Open reports whether t falls in an open window of its local weekday and
// its local date is not a holiday.
func (s Schedule) Open(t time.Time) bool {
	local := t.In(orUTC(s.Zone))
	if slices.Contains(s.Holidays, DateOf(local)) {
		return false
	}
	h, m, _ := local.Clock()
	minute := TimeOfDay(h*60 + m)
	for _, w := range s.Days[local.Weekday()] {
		if w.Start <= minute && minute < w.End {
			return true
		}
	}
	return false
}

// NextOpen returns the earliest instant >= t at which the schedule is open
// (t when open now), within NextOpenHorizon; false for a schedule that never
// opens in that time.
func (s Schedule) NextOpen(t time.Time) (time.Time, bool) {
	if s.Open(t) {
		return t, true
	}
	if !s.hasHours() {
		return time.Time{}, false
	}
	return scan(t, t.Add(NextOpenHorizon), []*time.Location{orUTC(s.Zone)}, s.bounds(), s.Open)
}

// NextClose returns the earliest instant >= t at which the schedule is closed
// (t when closed now), so a timer can flip the queue's state; an open window
// ending at 24:00 that continues at 00:00 the next day does not close at
// midnight. False when it stays open through NextOpenHorizon.
func (s Schedule) NextClose(t time.Time) (time.Time, bool) {
	closed := func(u time.Time) bool { return !s.Open(u) }
	if closed(t) {
		return t, true
	}
	return scan(t, t.Add(NextOpenHorizon), []*time.Location{orUTC(s.Zone)}, s.bounds(), closed)
}

func (s Schedule) hasHours() bool {
	for _, windows := range s.Days {
		if len(windows) > 0 {
			return true
		}
	}
	return false
}

// bounds are the clock minutes where Open can change: midnight (weekday and
// holiday change) and every window edge.
func (s Schedule) bounds() []int {
	b := []int{0}
	for _, windows := range s.Days {
		for _, w := range windows {
			b = append(b, int(w.Start)%MinutesPerDay, int(w.End)%MinutesPerDay)
		}
	}
	slices.Sort(b)
	return slices.Compact(b)
}
