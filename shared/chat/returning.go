package chat

import (
	"slices"
	"time"
)

// Returning offers a consumer who texts again soon after a chat to the
// agent who handled it, for a short reservation, before the queue; nil
// inherits the parent's.
type Returning struct {
	Enabled bool `firestore:"enabled" json:"enabled"`
	// WindowMinutes after the previous chat ended (0: 72 h).
	WindowMinutes int `firestore:"windowMinutes,omitempty" json:"windowMinutes,omitempty"`
	// ReserveSeconds the offer is held for that agent (0: 30 s).
	ReserveSeconds int `firestore:"reserveSeconds,omitempty" json:"reserveSeconds,omitempty"`
}

// Defaults of Returning.
const (
	DefaultReturningWindow  = 72 * time.Hour
	DefaultReturningReserve = 30 * time.Second
)

// Returning is the queue's effective setting, ok when enabled.
func (t *Tree) Returning(queueID string) (Returning, bool) {
	for _, q := range t.Ancestry(queueID) {
		if q.Returning != nil {
			return *q.Returning, q.Returning.Enabled
		}
	}
	return Returning{}, false
}

func (r Returning) window() time.Duration {
	if r.WindowMinutes > 0 {
		return minutes(r.WindowMinutes)
	}
	return DefaultReturningWindow
}

func (r Returning) reserve() time.Duration {
	if r.ReserveSeconds > 0 {
		return time.Duration(r.ReserveSeconds) * time.Second
	}
	return DefaultReturningReserve
}

// KeepsThread reports whether an ended chat stays its thread's pointer, so
// the consumer's next text can be told of a dismissal, answer a survey, go
// back to the agent who handled it or reopen it (RouteInbound reads it as
// InboundState.Previous; a new chat replaces it).
func (c Chat) KeepsThread() bool {
	return c.EndReason == EndDismissed || c.SurveyPending() || c.AgentID != ""
}

// timedOut are the end reasons a conversation window reopens: nobody
// closed the conversation on purpose.
var timedOut = []EndReason{EndTimeoutEndUser, EndTimeoutAgentNoMessage, EndExpired}

// returnTo links a new chat to the thread's previous one: within the
// number's conversation window after a timeout it reopens the thread (the
// previous chat's queue and language, no menu again, previousChatId), and
// within the returning window of that queue its agent is tried first. It
// returns the queue the new chat enters.
func (ch *Change) returnTo(p *Chat, n Number, entry string) string {
	if p == nil || p.Open() || p.EndedAt.IsZero() {
		return entry
	}
	c, since := &ch.Chat, ch.Now.Sub(p.EndedAt)
	if n.ConversationWindowMinutes > 0 && since <= minutes(n.ConversationWindowMinutes) && slices.Contains(timedOut, p.EndReason) {
		if _, ok := ch.Tree.Queue(p.QueueID); ok && len(ch.Tree.Menu(p.QueueID)) == 0 {
			c.PreviousChatID, c.Language, entry = p.ID, p.Language, p.QueueID
		}
	}
	if r, ok := ch.Tree.Returning(entry); ok && p.AgentID != "" && since <= r.window() {
		c.ReturningAgentID = p.AgentID
		if c.PreviousChatID == "" {
			c.PreviousChatID = p.ID
		}
	}
	return entry
}

// offerReturning gives the chat to the returning consumer's last agent when
// they are among the free candidates (so in the queue): at once to an
// auto-answer agent, else as an offer reserved for them for a short time.
// It is tried once; false leaves the chat to the usual assignment.
func (ch *Change) offerReturning(free []Agent) bool {
	c := &ch.Chat
	id := c.ReturningAgentID
	c.ReturningAgentID = ""
	i := slices.IndexFunc(free, func(a Agent) bool { return a.ID == id })
	if id == "" || i < 0 {
		return false
	}
	r, _ := ch.Tree.Returning(c.QueueID)
	a := free[i]
	ch.offeredOn(a.ID)
	a.Load++
	a.LastAssignedAt = ch.Now
	ch.Agents[a.ID] = a
	if a.AutoAnswer {
		c.ReturningMatch = true
		ch.activate(a, StartAuto)
		return true
	}
	c.Offer = &Offer{AgentID: a.ID, OfferedAt: ch.Now, ExpiresAt: ch.Now.Add(r.reserve()), Reserved: true}
	c.OfferedTo = append(c.OfferedTo, a.ID)
	ch.arm(TimerOffer, r.reserve())
	ch.sayWaiting()
	return true
}

// reservationLapsed is a reserved offer's timer: the agent is not set away
// (a 30-second hold is no missed offer), and the chat goes to the others.
func (ch *Change) reservationLapsed() bool {
	c := &ch.Chat
	if c.Status != StatusQueued || c.Offer == nil || !c.Offer.Reserved {
		return false
	}
	id := c.Offer.AgentID
	ch.releaseOffer("")
	c.Declined = append(c.Declined, id)
	ch.NeedsAgent = true
	return true
}
