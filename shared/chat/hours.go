package chat

import (
	"time"
)

// What a closed queue does (Hours.WhenClosed) and how menus show it
// (Hours.InMenu).
const (
	ClosedEnd  = "end"
	ClosedWait = "wait"
	MenuShow   = "show"
	MenuHide   = "hide"
	MenuMark   = "mark"
	// FailAfterHours is the reference product's fail reason of a chat that
	// reached a closed queue.
	FailAfterHours = "after_hours:4"
)

// HoursPort evaluates business hours. shared/chat/hours implements it with
// the time-zone calendar, which the webhook functions linking this package
// must not carry; a tree without one treats every queue as open.
type HoursPort interface {
	// Closed reports whether h is closed at now, and if so when it reopens
	// (zero: not within a year) and that instant as a phrase in lang.
	Closed(h Hours, lang string, now time.Time) (reopen time.Time, phrase string, closed bool)
}

// Closure is a queue closed by its (inherited) business hours.
type Closure struct {
	Hours  Hours
	Reopen time.Time
	Phrase string
}

// Closure reports whether a queue is outside its business hours at now.
func (t *Tree) Closure(queueID, lang string, now time.Time) (Closure, bool) {
	if t.Calendar == nil {
		return Closure{}, false
	}
	for _, q := range t.Ancestry(queueID) {
		if q.Hours != nil {
			reopen, phrase, closed := t.Calendar.Closed(*q.Hours, lang, now)
			return Closure{Hours: *q.Hours, Reopen: reopen, Phrase: phrase}, closed
		}
	}
	return Closure{}, false
}

// enterClosed handles a chat reaching a closed leaf queue, reporting false
// when the queue is open: the after-hours message, then the chat ends
// (Failed, after_hours) or waits for the opening timer, its expiry pushed
// past the opening so a weekend's wait does not end it.
func (ch *Change) enterClosed(queueID string) bool {
	cl, closed := ch.Tree.Closure(queueID, ch.Chat.Language, ch.Now)
	if !closed {
		return false
	}
	c := &ch.Chat
	vars := Vars{"QUEUE": ch.queueName(), "NEXT_REOPEN_HOUR": cl.Phrase}
	if cl.Hours.WhenClosed != ClosedWait || cl.Reopen.IsZero() {
		ch.say(KindAfterHours, MsgAfterHours, vars)
		c.FailReason = FailAfterHours
		ch.end(EndFailed)
		return true
	}
	c.Status, c.QueuedAt, c.Declined, c.OpensAt = StatusQueued, ch.Now, nil, cl.Reopen
	ch.disarm(TimerDismissal)
	ch.disarm(TimerQueue)
	wait := cl.Reopen.Sub(ch.Now)
	ch.arm(TimerOpening, wait)
	ch.arm(TimerExpiry, wait+minutes(ch.timeouts().ExpiryMinutes))
	ch.say(KindAfterHours, MsgAfterHoursWaiting, vars)
	return true
}

// opened is the opening timer: the chat's queue timeout counts from now.
func (ch *Change) opened() {
	ch.Chat.OpensAt = time.Time{}
	ch.arm(TimerQueue, minutes(ch.timeouts().QueueMinutes))
	ch.NeedsAgent = true
}

// menuText is the chat's menu as of now: closed options hidden or marked
// as their hours say. Keys keep their positions, so a reply chooses the
// same queue whatever the hour; a menu that would list nothing lists all.
func (ch *Change) menuText(queueID string) string {
	t, lang := ch.Tree, ch.Chat.Language
	text, n := t.Text(queueID, lang, MsgMenu, nil), 0
	for _, o := range t.Menu(queueID) {
		msg, vars := MsgMenuOption, Vars{"KEY": o.Key, "QUEUE": o.Queue.Name}
		if cl, closed := t.Closure(o.Queue.ID, lang, ch.Now); closed {
			switch cl.Hours.InMenu {
			case MenuHide:
				continue
			case MenuMark:
				msg, vars["NEXT_REOPEN_HOUR"] = MsgMenuOptionClosed, cl.Phrase
			}
		}
		sep := ", "
		if n == 0 {
			sep = " "
		}
		text, n = text+sep+t.Text(queueID, lang, msg, vars), n+1
	}
	if n == 0 {
		return t.MenuText(queueID, lang)
	}
	return text
}
