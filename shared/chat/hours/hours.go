// Package hours evaluates queues' business hours for routing: a queue's
// chat.Hours as a calendar.Schedule in its zone, whether it is closed at an
// instant, and when it reopens as a phrase in the consumer's language. It is
// chat.HoursPort, kept out of package chat because the zone database it
// embeds (through shared/calendar) must not reach the webhook functions.
package hours

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/calendar"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Calendar is chat.HoursPort. The zero value is ready and safe for
// concurrent use; it remembers the zones and schedules it has read, so a
// tree (one per configuration revision) parses each queue's hours once.
type Calendar struct {
	mu    sync.Mutex
	cache map[string]calendar.Schedule
}

// New returns an empty Calendar.
func New() *Calendar { return &Calendar{} }

var _ chat.HoursPort = (*Calendar)(nil)

// Closed implements chat.HoursPort. Hours that do not parse (validation
// refuses them on save) count as open, so a bad document never turns
// consumers away.
func (c *Calendar) Closed(h chat.Hours, lang string, now time.Time) (time.Time, string, bool) {
	s, err := c.schedule(h)
	if err != nil || s.Open(now) {
		return time.Time{}, "", false
	}
	next, ok := s.NextOpen(now)
	if !ok {
		return time.Time{}, Later(lang), true
	}
	return next, calendar.FormatReopen(next, s.Zone, lang, now), true
}

// Later stands for the reopening of hours that do not open within a year.
func Later(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "es") {
		return "más tarde"
	}
	return "later"
}

func (c *Calendar) schedule(h chat.Hours) (calendar.Schedule, error) {
	key := fmt.Sprintf("%s|%v|%v", h.TimeZone, h.Week, h.Holidays) // fmt prints maps sorted
	c.mu.Lock()
	s, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := Schedule(h)
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	if c.cache == nil {
		c.cache = map[string]calendar.Schedule{}
	}
	c.cache[key] = s
	c.mu.Unlock()
	return s, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Schedule reads chat.Hours: no week means open all day every day (so a
// child can lift its parent's hours, or close only on holidays).
func Schedule(h chat.Hours) (calendar.Schedule, error) {
	zone, err := time.LoadLocation(h.TimeZone)
	if err != nil || h.TimeZone == "" || h.TimeZone == "Local" {
		return calendar.Schedule{}, fmt.Errorf("hours: time zone %q", h.TimeZone)
	}
	s := calendar.Schedule{Zone: zone}
	if len(h.Week) == 0 {
		for d := range s.Days {
			s.Days[d] = []calendar.Window{{Start: 0, End: calendar.MinutesPerDay}}
		}
	}
	for day, windows := range h.Week {
		wd, ok := weekdays[day]
		if !ok {
			return calendar.Schedule{}, fmt.Errorf("hours: unknown day %q", day)
		}
		for _, w := range windows {
			start, end, _ := strings.Cut(w, "-")
			win, err := calendar.ParseWindow(start, end)
			if err != nil {
				return calendar.Schedule{}, fmt.Errorf("hours: %s %q: %w", day, w, err)
			}
			s.Days[wd] = append(s.Days[wd], win)
		}
	}
	for _, d := range h.Holidays {
		date, err := calendar.ParseDate(d)
		if err != nil {
			return calendar.Schedule{}, fmt.Errorf("hours: holiday: %w", err)
		}
		s.Holidays = append(s.Holidays, date)
	}
	return s, s.Validate()
}
