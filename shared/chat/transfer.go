package chat

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Transfer errors.
var (
	ErrTransferTarget        = errors.New("a transfer needs exactly one target: an agent or a queue")
	ErrTransferPending error = &StateError{"a transfer of this chat is already pending"}
	ErrTransferToSelf        = errors.New("the chat is already with this agent")
	ErrUnknownQueue          = errors.New("no such queue")
	ErrQueueIsMenu           = errors.New("the queue is a menu; transfer to one of its queues")
	ErrNoAgentNow      error = &StateError{"transfer not started"} // wrapped with why
)

// Transfer outcomes and failure reasons, as the CRM-facing events name them.
const (
	TransferPending = "pending"
	TransferEnded   = "ended"
	TransferFailed  = "failed"

	ReasonRefused  = "refused"
	ReasonOffline  = "offline"
	ReasonTimedOut = "timed out"
)

// Transfer is one hand-over of a chat, to an agent or to a queue.
type Transfer struct {
	ID        string `firestore:"id" json:"id"`
	FromAgent string `firestore:"fromAgent,omitempty" json:"fromAgent,omitempty"`
	ToAgent   string `firestore:"toAgent,omitempty" json:"toAgent,omitempty"`
	ToQueue   string `firestore:"toQueue,omitempty" json:"toQueue,omitempty"`
	FromQueue string `firestore:"fromQueue,omitempty" json:"fromQueue,omitempty"`
	Note      string `firestore:"note,omitempty" json:"note,omitempty"`
	State     string `firestore:"state" json:"state"`
	Reason    string `firestore:"reason,omitempty" json:"reason,omitempty"`
	// By is who asked for it (the agent, or a supervisor's uid).
	By        string    `firestore:"by,omitempty" json:"by,omitempty"`
	StartedAt time.Time `firestore:"startedAt" json:"startedAt"`
	EndedAt   time.Time `firestore:"endedAt,omitempty" json:"endedAt,omitzero"`
}

// TransferRequest is what an agent (or a supervisor for them) asks.
type TransferRequest struct {
	ToAgent string
	ToQueue string
	Note    string
	By      string
}

// pendingTransfer is the chat's transfer in progress, if any.
func (c Chat) pendingTransfer() (int, bool) {
	for i := len(c.Transfers) - 1; i >= 0; i-- {
		if c.Transfers[i].State == TransferPending {
			return i, true
		}
	}
	return -1, false
}

// PendingTransfer returns the chat's transfer in progress.
func (c Chat) PendingTransfer() (Transfer, bool) {
	i, ok := c.pendingTransfer()
	if !ok {
		return Transfer{}, false
	}
	return c.Transfers[i], true
}

// StartTransfer hands an active chat on. To a queue, the chat leaves its
// agent at once and waits in that queue; the transfer ends when an agent
// takes it. To an agent, the chat stays with its agent while the target is
// offered it; it moves only when they accept, and a refusal, a missed offer
// or a target who is not available fails the transfer and leaves the chat
// where it was. candidate is the target agent's document (nil for a queue).
func (ch *Change) StartTransfer(req TransferRequest, target *Agent) error {
	c := &ch.Chat
	if !c.Open() {
		return ErrChatEnded
	}
	if c.Status != StatusActive {
		return ErrNotAssigned
	}
	if (req.ToAgent == "") == (req.ToQueue == "") {
		return ErrTransferTarget
	}
	if _, ok := c.pendingTransfer(); ok {
		return ErrTransferPending
	}
	t := Transfer{
		ID: fmt.Sprintf("%s-t%d", c.ID, len(c.Transfers)+1), FromAgent: c.AgentID, FromQueue: c.QueueID,
		ToAgent: req.ToAgent, ToQueue: req.ToQueue, Note: clip(req.Note, 1000), By: req.By,
		State: TransferPending, StartedAt: ch.Now,
	}
	if req.ToQueue != "" {
		if _, ok := ch.Tree.Queue(req.ToQueue); !ok {
			return fmt.Errorf("%w: %s", ErrUnknownQueue, req.ToQueue)
		}
		if len(ch.Tree.Menu(req.ToQueue)) > 0 {
			return fmt.Errorf("%w: %s", ErrQueueIsMenu, req.ToQueue)
		}
		c.Transfers = append(c.Transfers, t)
		ch.event(EventTransferStarted, t)
		prev := c.AgentID
		ch.release(prev)
		c.AgentID, c.Status, c.QueueID, c.QueuedAt, c.AssignedAt = "", StatusQueued, req.ToQueue, ch.Now, time.Time{}
		c.Declined = []string{prev} // left out of the first offer only (offeredOn)
		ch.disarm(TimerAgentInactivity)
		ch.disarm(TimerEndUserInactivity)
		ch.arm(TimerQueue, minutes(ch.timeouts().QueueMinutes))
		ch.NeedsAgent = true
		return nil
	}
	if req.ToAgent == c.AgentID {
		return ErrTransferToSelf
	}
	c.Transfers = append(c.Transfers, t)
	ch.event(EventTransferStarted, t)
	if target == nil || !target.Free() {
		ch.failTransfer(ReasonOffline)
		return nil
	}
	ch.Know(*target)
	a := *target
	a.Load++
	a.LastAssignedAt = ch.Now
	ch.Agents[a.ID] = a
	c.Offer, c.OfferedTo = &Offer{AgentID: a.ID, OfferedAt: ch.Now, ExpiresAt: ch.Now.Add(minutes(ch.timeouts().OfferMinutes))}, append(c.OfferedTo, a.ID)
	ch.arm(TimerOffer, minutes(ch.timeouts().OfferMinutes))
	return nil
}

// failTransfer ends the pending transfer as failed; an agent target's offer
// is withdrawn and the chat stays with its agent.
func (ch *Change) failTransfer(reason string) {
	c := &ch.Chat
	i, ok := c.pendingTransfer()
	if !ok {
		return
	}
	c.Transfers = slices.Clone(c.Transfers)
	t := &c.Transfers[i]
	t.State, t.Reason, t.EndedAt = TransferFailed, reason, ch.Now
	ch.event(EventTransferFailed, *t)
}

// endTransfer completes the pending transfer: the chat reached its target.
func (ch *Change) endTransfer() {
	c := &ch.Chat
	i, ok := c.pendingTransfer()
	if !ok {
		return
	}
	c.Transfers = slices.Clone(c.Transfers)
	t := &c.Transfers[i]
	t.State, t.EndedAt = TransferEnded, ch.Now
	if t.ToAgent == "" {
		t.ToAgent = c.AgentID
	}
	ch.event(EventTransferEnded, *t)
}

// acceptTransfer moves an active chat to the agent a transfer offered it to.
func (ch *Change) acceptTransfer(a Agent) {
	c := &ch.Chat
	prev := c.AgentID
	c.Offer = nil
	ch.disarm(TimerOffer)
	ch.release(prev)
	c.AgentID, c.AssignedAt = a.ID, ch.Now
	ch.endTransfer()
	ch.say(KindAssigned, MsgAgentAssigned, Vars{"AGENT": FirstName(a.Name), "QUEUE": ch.queueName()})
	ch.disarm(TimerEndUserInactivity)
	ch.arm(TimerAgentInactivity, minutes(ch.timeouts().AgentInactivityMinutes))
}

// offeredOn: once another agent had their chance at a queue transfer, the
// agent who handed it on is a candidate again, as for any waiting chat.
func (ch *Change) offeredOn(to string) {
	c := &ch.Chat
	if t, ok := c.PendingTransfer(); ok && t.ToQueue != "" && t.FromAgent != to {
		c.Declined = slices.DeleteFunc(slices.Clone(c.Declined), func(id string) bool { return id == t.FromAgent })
	}
}
