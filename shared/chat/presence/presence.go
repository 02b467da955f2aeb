// Package presence decides, from the last time an agent's console polled,
// whether an agent who says they are available is still there. A console
// that was closed without signing out (the laptop shut, the tab killed)
// stops polling; an agent whose last poll is older than the away time is
// treated as away, so no chat is offered to someone who left. The rule is
// the domain's; the use cases record the polls and apply it at routing.
package presence

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// DefaultAwayAfter is how long an available agent's console may stay
// silent before the agent counts as away. A visible console polls every
// second and a hidden one every 15 s, so a minute is four missed hidden
// polls.
const DefaultAwayAfter = 60 * time.Second

// MaxRecordEvery bounds how often a poll is written to the agent document:
// Firestore bills each write, and a console polls every second.
const MaxRecordEvery = 20 * time.Second

// Reason is the status reason of an agent made away by presence, shown
// next to their status in the console.
const Reason = "console stopped polling"

// RecordEvery is how stale the recorded poll may get before a poll writes
// it again: at most MaxRecordEvery, and at most a third of awayAfter, so
// a present agent is never judged away between two writes.
func RecordEvery(awayAfter time.Duration) time.Duration {
	return min(MaxRecordEvery, awayAfter/3)
}

// ShouldRecord reports whether a poll at now must be written to a.
func ShouldRecord(a chat.Agent, now time.Time, awayAfter time.Duration) bool {
	return now.Sub(a.LastSeenAt) >= RecordEvery(awayAfter)
}

// Stale reports whether a, who is available, has not polled for more than
// awayAfter. An agent with no poll on record (who never opened the
// console: API-only or seeded agents) is not judged.
func Stale(a chat.Agent, now time.Time, awayAfter time.Duration) bool {
	return a.Status == chat.AgentAvailable && !a.LastSeenAt.IsZero() && now.Sub(a.LastSeenAt) > awayAfter
}

// Check returns a as routing must see them at now: away, with Reason, when
// stale, and whether that changed them.
func Check(a chat.Agent, now time.Time, awayAfter time.Duration) (chat.Agent, bool) {
	if !Stale(a, now, awayAfter) {
		return a, false
	}
	a.Status, a.StatusReason, a.StatusSince = chat.AgentAway, Reason, now
	return a, true
}
