package chat

import (
	"fmt"
	"time"
)

// TimerKind names what a chat timer is for.
type TimerKind string

const (
	TimerQueue             TimerKind = "queue"
	TimerEndUserInactivity TimerKind = "enduser"
	TimerAgentInactivity   TimerKind = "agent"
	TimerExpiry            TimerKind = "expiry"
	TimerOffer             TimerKind = "offer"
	TimerDismissal         TimerKind = "dismissal"
	TimerOpening           TimerKind = "opening" // a closed queue opens (hours.go)
)

// TimerKinds lists every kind.
var TimerKinds = []TimerKind{TimerQueue, TimerEndUserInactivity, TimerAgentInactivity, TimerExpiry, TimerOffer, TimerDismissal, TimerOpening}

// Timer is one armed timer of a chat. Version is the chat's version when it
// was armed: the task carries it, and a task whose version no longer matches
// the chat's timer of that kind is stale and does nothing.
type Timer struct {
	ChatID  string    `firestore:"chatId" json:"chatId"`
	Kind    TimerKind `firestore:"kind" json:"kind"`
	Version int64     `firestore:"version" json:"version"`
	DueAt   time.Time `firestore:"dueAt" json:"dueAt"`
}

// TaskName is the timer's Cloud Tasks name: chat, kind and version make it
// unique per arming, so a re-armed timer never collides with the old task
// and a retried producer never creates a second one.
func (t Timer) TaskName() string { return fmt.Sprintf("timer-%s-%s-%d", t.ChatID, t.Kind, t.Version) }

// timer returns the chat's armed timer of a kind.
func (c Chat) timer(kind TimerKind) (Timer, bool) {
	for _, t := range c.Timers {
		if t.Kind == kind {
			return t, true
		}
	}
	return Timer{}, false
}

// Armed reports whether a timer of the kind is armed, and when it is due.
func (c Chat) Armed(kind TimerKind) (time.Time, bool) {
	t, ok := c.timer(kind)
	return t.DueAt, ok
}

// IsCurrent reports whether a fired timer is the one the chat is waiting
// for: the chat is open and has that kind armed at that version.
func (c Chat) IsCurrent(kind TimerKind, version int64) bool {
	t, ok := c.timer(kind)
	return ok && c.Open() && t.Version == version
}
