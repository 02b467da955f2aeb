package chat

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Errors of agent actions on a chat that is not in the state they need.
var (
	ErrNotOffered   error = &StateError{"the chat is not offered to this agent"}
	ErrNotAssigned  error = &StateError{"the chat is not assigned to this agent"}
	ErrChatEnded    error = &StateError{"the chat has ended"}
	ErrEmptyMessage error = &StateError{"message body and media are both empty"}
)

// DismissedNoticeWindow bounds how long after a dismissal the consumer's
// next text is told their previous chat was closed; later it would confuse.
const DismissedNoticeWindow = 24 * time.Hour

// maxDepth stops a malformed tree (validation rejects cycles) from looping.
const maxDepth = 32

// enter moves the chat into a queue: a queue with several visible children
// sends its menu; one with a single visible child passes through to it; a
// leaf makes the chat wait for an agent. A queue with a language sets the
// chat's, so a top-level language choice holds for every later message.
func (ch *Change) enter(queueID string) {
	c := &ch.Chat
	for range maxDepth {
		c.QueueID = queueID
		if lang := ch.Tree.Language(queueID); lang != "" {
			c.Language = lang
		}
		opts := ch.Tree.Menu(queueID)
		switch len(opts) {
		case 0:
			if ch.enterClosed(queueID) {
				return
			}
			c.Status, c.QueuedAt, c.Declined = StatusQueued, ch.Now, nil
			ch.disarm(TimerDismissal)
			ch.arm(TimerQueue, minutes(ch.timeouts().QueueMinutes))
			ch.NeedsAgent, ch.justQueued = true, true
			return
		case 1:
			queueID = opts[0].Queue.ID
		default:
			c.Status = StatusMenu
			ch.reply(KindMenu, ch.menuText(queueID))
			ch.arm(TimerDismissal, minutes(ch.timeouts().DismissalMinutes))
			return
		}
	}
}

// menuAbove is the nearest ancestor of a queue that shows a menu, stopping
// at the entry queue: BACK never leaves the tree the number routes into.
func (ch *Change) menuAbove(queueID, entry string) (string, bool) {
	for range maxDepth {
		if queueID == entry || queueID == "" {
			return "", false
		}
		q, ok := ch.Tree.Queue(queueID)
		if !ok || q.ParentID == "" {
			return "", false
		}
		queueID = q.ParentID
		if len(ch.Tree.Menu(queueID)) > 1 {
			return queueID, true
		}
	}
	return "", false
}

// navigate applies a consumer's text to an open chat's place in the tree.
func (ch *Change) navigate(cmd sms.Command, body, entry string) {
	c := &ch.Chat
	if cmd == sms.CommandExit {
		ch.say(KindChatEnded, MsgChatEnded, nil)
		ch.end(EndAbandoned)
		return
	}
	switch c.Status {
	case StatusMenu:
		if cmd == sms.CommandBack {
			if up, ok := ch.menuAbove(c.QueueID, entry); ok {
				ch.enter(up)
			} else {
				ch.enter(c.QueueID) // at the top: show the menu again
			}
			return
		}
		if q, ok := Choose(ch.Tree.Menu(c.QueueID), body); ok {
			ch.enter(q.ID)
			return
		}
		hint := ch.Tree.Text(c.QueueID, c.Language, MsgInvalidChoice, Vars{
			"CHOICE": clip(body, 20), "BACK": ch.Tree.Settings.BackWordIn(c.Language), "EXIT": ch.Tree.Settings.ExitWordIn(c.Language),
		})
		ch.reply(KindInvalidChoice, hint+" "+ch.menuText(c.QueueID))
		ch.arm(TimerDismissal, minutes(ch.timeouts().DismissalMinutes))
	case StatusQueued:
		if cmd == sms.CommandBack {
			if up, ok := ch.menuAbove(c.QueueID, entry); ok {
				ch.releaseOffer("")
				ch.disarm(TimerQueue)
				ch.disarm(TimerOpening)
				c.QueuedAt, c.OpensAt = time.Time{}, time.Time{}
				ch.enter(up)
			}
		}
		// Anything else waits in the transcript for the agent.
	case StatusActive:
		ch.disarm(TimerEndUserInactivity)
		if _, armed := c.Armed(TimerAgentInactivity); !armed {
			ch.arm(TimerAgentInactivity, minutes(ch.timeouts().AgentInactivityMinutes))
		}
	}
}

// clip shortens s to n runes, marking the cut with "..." rather than "…":
// U+2026 is not GSM-7, and quoting a consumer's English text with it would
// make the whole reply UCS-2, up to three times the segments.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return strings.TrimRightFunc(string(r[:n]), unicode.IsSpace) + "..."
	}
	return s
}

// Assign gives a waiting chat to the agent idle longest among candidates
// who are available, below capacity, speak the chat's language and have not
// declined it: directly to an auto-answer agent, else as an offer that
// expires. With nobody free the chat keeps waiting until an agent frees up.
func (ch *Change) Assign(candidates []Agent) {
	ch.NeedsAgent = false
	c := &ch.Chat
	if c.Status != StatusQueued || c.Offer != nil {
		return
	}
	ch.Know(candidates...)
	var free []Agent
	for _, cand := range candidates {
		if a, ok := ch.agent(cand.ID); ok && Eligible(a, *c) {
			free = append(free, a)
		}
	}
	slices.SortFunc(free, func(a, b Agent) int {
		return cmp.Or(a.LastAssignedAt.Compare(b.LastAssignedAt), cmp.Compare(a.ID, b.ID))
	})
	if ch.offerReturning(free) {
		return
	}
	if len(free) == 0 {
		ch.sayWaiting()
		return
	}
	a := free[0]
	ch.offeredOn(a.ID)
	a.Load++
	a.LastAssignedAt = ch.Now
	ch.Agents[a.ID] = a
	if a.AutoAnswer {
		ch.activate(a, StartAuto)
		return
	}
	c.Offer, c.OfferedTo = &Offer{AgentID: a.ID, OfferedAt: ch.Now, ExpiresAt: ch.Now.Add(minutes(ch.timeouts().OfferMinutes))}, append(c.OfferedTo, a.ID)
	ch.arm(TimerOffer, minutes(ch.timeouts().OfferMinutes))
	ch.sayWaiting()
}

// Eligible is the one rule of who may be given a chat: the chat waits in
// its queue with no offer out, and the agent is available below capacity,
// has not declined it and speaks its language (or lists no languages).
// Whether the agent works the chat's queue is the caller's candidate list.
func Eligible(a Agent, c Chat) bool {
	if c.Status != StatusQueued || c.Offer != nil || !c.OpensAt.IsZero() {
		return false
	}
	if !a.Free() || slices.Contains(c.Declined, a.ID) {
		return false
	}
	return len(a.Languages) == 0 || slices.Contains(a.Languages, c.Language)
}

// sayWaiting tells a consumer who just reached a queue that they wait.
func (ch *Change) sayWaiting() {
	if ch.justQueued {
		ch.justQueued = false
		ch.say(KindWaiting, MsgWaiting, Vars{"QUEUE": ch.queueName()})
	}
}

func (ch *Change) queueName() string {
	q, _ := ch.Tree.Queue(ch.Chat.QueueID)
	return q.Name
}

// activate hands the chat to an agent and tells the consumer who it is.
func (ch *Change) activate(a Agent, start StartType) {
	c := &ch.Chat
	c.Status, c.AgentID, c.AssignedAt, c.Offer = StatusActive, a.ID, ch.Now, nil
	if _, transferred := c.pendingTransfer(); !transferred && c.StartType != StartDeflected {
		c.StartType = start // a transferred or deflected chat keeps how it started
	}
	ch.justQueued = false
	ch.disarm(TimerOffer)
	ch.disarm(TimerQueue)
	ch.endTransfer()
	ch.event(EventChatAssigned, Transfer{})
	ch.say(KindAssigned, MsgAgentAssigned, Vars{"AGENT": FirstName(a.Name), "QUEUE": ch.queueName()})
	// The consumer has been waiting for an answer since their last text.
	ch.arm(TimerAgentInactivity, minutes(ch.timeouts().AgentInactivityMinutes))
}

// FirstName is how agents introduce themselves in the reference product.
func FirstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// Accept is an agent taking the chat offered to them: a waiting chat, or
// an active one another agent is transferring to them.
func (ch *Change) Accept(agentID string) error {
	c := ch.Chat
	if !c.Open() {
		return ErrChatEnded
	}
	if c.Offer == nil || c.Offer.AgentID != agentID {
		return ErrNotOffered
	}
	a, ok := ch.agent(agentID)
	if !ok {
		return ErrNotOffered
	}
	if c.Status == StatusActive {
		ch.acceptTransfer(a)
		ch.event(EventChatAssigned, Transfer{})
		return nil
	}
	if c.Offer.Reserved {
		ch.Chat.ReturningMatch = true
	}
	ch.activate(a, StartManual)
	return nil
}

// Decline is an agent turning an offer down: the chat goes to the next one.
func (ch *Change) Decline(agentID string) error {
	c := &ch.Chat
	if !c.Open() {
		return ErrChatEnded
	}
	if c.Offer == nil || c.Offer.AgentID != agentID {
		return ErrNotOffered
	}
	ch.releaseOffer("")
	if c.Status == StatusActive {
		ch.failTransfer(ReasonRefused) // the chat stays with its agent
		return nil
	}
	c.Declined = append(c.Declined, agentID)
	ch.NeedsAgent = true
	return nil
}

// maxRequests bounds the request ids a chat remembers; a console retries
// within seconds, long before 20 more replies are sent.
const maxRequests = 20

// RequestRef returns the message an earlier agent request with this id
// created, so a retried request answers the same without sending again.
func (c Chat) RequestRef(requestID string) (Ref, bool) {
	if requestID == "" {
		return Ref{}, false
	}
	for _, r := range c.Requests {
		id, seq, ok := strings.Cut(r, "=")
		if ok && id == requestID {
			n, err := strconv.ParseInt(seq, 10, 64)
			return Ref{ChatID: c.ID, Seq: n}, err == nil
		}
	}
	return Ref{}, false
}

// Withdraw takes back an offer from an agent who is no longer available:
// a waiting chat goes to the next agent (the leaver is not marked as having
// declined it, so it can come back to them), a transfer fails as offline.
// A chat not offered to the agent is left alone (false).
func (ch *Change) Withdraw(agentID string) bool {
	c := &ch.Chat
	if !c.Open() || c.Offer == nil || c.Offer.AgentID != agentID {
		return false
	}
	ch.releaseOffer("")
	if c.Status == StatusActive {
		ch.failTransfer(ReasonOffline)
		return true
	}
	ch.NeedsAgent = true
	return true
}

// AgentMessage is an agent's reply to the consumer. requestID, when set,
// is remembered so RequestRef can recognise a retry.
func (ch *Change) AgentMessage(agentID, body string, media []Media, requestID string) (Ref, error) {
	c := ch.Chat
	if !c.Open() {
		return Ref{}, ErrChatEnded
	}
	if c.Status != StatusActive || c.AgentID != agentID {
		return Ref{}, ErrNotAssigned
	}
	if strings.TrimSpace(body) == "" && len(media) == 0 {
		return Ref{}, ErrEmptyMessage
	}
	ref := ch.append(Message{Author: AuthorAgent, AgentID: agentID, Kind: KindText, Body: body, Media: media})
	if requestID != "" {
		reqs := append(slices.Clone(ch.Chat.Requests), requestID+"="+strconv.FormatInt(ref.Seq, 10))
		ch.Chat.Requests = reqs[max(0, len(reqs)-maxRequests):]
	}
	ch.Replies = append(ch.Replies, ref)
	ch.Chat.Outbox = append(ch.Chat.Outbox, ref.Seq)
	ch.disarm(TimerAgentInactivity)
	ch.arm(TimerEndUserInactivity, minutes(ch.timeouts().EndUserInactivityMinutes))
	return ref, nil
}

// Finish is the agent ending the chat, with an optional wrap-up note.
func (ch *Change) Finish(agentID, wrapUp string) error {
	c := ch.Chat
	if !c.Open() {
		return ErrChatEnded
	}
	if c.Status != StatusActive || c.AgentID != agentID {
		return ErrNotAssigned
	}
	ch.Chat.WrapUp = clip(wrapUp, 2000)
	ch.say(KindChatEnded, MsgChatEnded, nil)
	ch.end(EndFinished)
	return nil
}

// Fire applies a timer the caller checked is current (Chat.IsCurrent).
func (ch *Change) Fire(kind TimerKind) {
	c := &ch.Chat
	// The firing timer is spent, not cancelled: its task is running.
	c.Timers = slices.DeleteFunc(c.Timers, func(t Timer) bool { return t.Kind == kind })
	switch kind {
	case TimerQueue:
		ch.failTransfer(ReasonTimedOut)
		ch.say(KindQueueTimeout, MsgQueueTimeout, nil)
		ch.end(EndExpired)
	case TimerExpiry:
		ch.say(KindChatEnded, MsgChatEnded, nil)
		ch.end(EndExpired)
	case TimerDismissal:
		ch.end(EndDismissed) // told when they write again
	case TimerOpening:
		ch.opened()
	case TimerEndUserInactivity:
		ch.say(KindChatEnded, MsgChatEnded, nil)
		ch.end(EndTimeoutEndUser)
	case TimerAgentInactivity:
		if !ch.Tree.RequeueOnAgentInactivity(c.QueueID) || c.AgentID == "" {
			ch.say(KindChatEnded, MsgChatEnded, nil)
			ch.end(EndTimeoutAgentNoMessage)
			return
		}
		ch.release(c.AgentID)
		c.Declined = append(c.Declined, c.AgentID)
		c.AgentID, c.Status, c.AssignedAt = "", StatusQueued, time.Time{}
		ch.disarm(TimerEndUserInactivity)
		ch.arm(TimerQueue, minutes(ch.timeouts().QueueMinutes))
		ch.NeedsAgent, ch.justQueued = true, true
	case TimerOffer:
		if ch.reservationLapsed() {
			return
		}
		if c.Status == StatusActive {
			ch.releaseOffer("") // a transfer target who did not answer
			ch.failTransfer(ReasonTimedOut)
			return
		}
		if c.Offer != nil {
			id := c.Offer.AgentID
			ch.releaseOffer("missed offer")
			c.Declined = append(c.Declined, id)
		}
		ch.NeedsAgent = true
	}
}

// PickWaiting chooses the chat a newly free agent is offered: the longest
// waiting among those they may take.
func PickWaiting(a Agent, waiting []Chat) (Chat, bool) {
	var best Chat
	found := false
	for _, c := range waiting {
		if !Eligible(a, c) {
			continue
		}
		if !found || c.QueuedAt.Before(best.QueuedAt) {
			best, found = c, true
		}
	}
	return best, found
}

// FillCapacity gives an agent who gained capacity the longest-waiting
// chats of waiting (their queues' queued chats, read once) they may take,
// one after another until they are full or none is left. Each returned
// change holds the agent as it left them.
func FillCapacity(a Agent, waiting []Chat, tree *Tree, now time.Time, cause string) []*Change {
	var out []*Change
	left := slices.Clone(waiting)
	for a.Free() {
		pick, ok := PickWaiting(a, left)
		if !ok {
			break
		}
		left = slices.DeleteFunc(left, func(c Chat) bool { return c.ID == pick.ID })
		ch := Begin(pick, tree, now, cause)
		ch.Assign([]Agent{a})
		took, ok := ch.Agents[a.ID]
		if !ok || took.Load == a.Load {
			break // never loop on a chat the agent could not take
		}
		a = took
		out = append(out, ch)
	}
	return out
}
