package chat

import (
	"maps"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Change is everything one event does to one chat: new transcript entries,
// texts to send, timers to arm and cancel, agents whose state moved. The
// app layer writes it in the event's transaction and then enqueues the
// sends and timers.
type Change struct {
	Chat     Chat
	Tree     *Tree
	Now      time.Time
	Messages []Message // new transcript entries, in sequence order
	Replies  []Ref     // the outbound ones among Messages, to send
	Arm      []Timer   // timers to schedule
	Cancel   []Timer   // superseded timers whose tasks can be deleted
	// Agents are agent documents this change updated.
	Agents map[string]Agent
	// NeedsAgent asks the app to run assignment: the chat waits in a queue
	// without an offer. The app loads the candidates and calls Assign.
	NeedsAgent bool
	// FreedAgents gained capacity; the app offers them waiting chats.
	FreedAgents []string
	// Ended is set when the chat ended in this change.
	Ended bool
	// Events are published on chat-events after the change commits.
	Events []Event
	// ConsumerFirstName is the linked contact's, set by the app before
	// deciding: @{CONSUMER_FIRST_NAME} in system messages ("" renders it empty).
	ConsumerFirstName string

	known map[string]Agent // agent documents as the transaction read them
	// justQueued: the chat reached its queue in this change and the
	// consumer has not yet been told they wait.
	justQueued bool
}

// Know tells the change the current state of agents it may touch: the
// chat's agent, the offered agent, assignment candidates.
func (ch *Change) Know(agents ...Agent) {
	for _, a := range agents {
		ch.known[a.ID] = a
	}
}

// agent is an agent as this change last left it.
func (ch *Change) agent(id string) (Agent, bool) {
	if a, ok := ch.Agents[id]; ok {
		return a, true
	}
	a, ok := ch.known[id]
	return a, ok
}

// Begin starts a change to a chat, bumping its version so every timer
// armed before can tell it is older than this state.
func Begin(c Chat, tree *Tree, now time.Time, cause string) *Change {
	c.Version++
	c.UpdatedAt = now
	c.Outbox, c.Unpublished = nil, nil
	c.LastCause = cause
	c.Timers = slices.Clone(c.Timers)
	return &Change{Chat: c, Tree: tree, Now: now, Agents: map[string]Agent{}, known: map[string]Agent{}}
}

func (ch *Change) append(m Message) Ref {
	m.ChatID = ch.Chat.ID
	m.Seq = ch.Chat.NextSeq
	if m.CreatedAt.IsZero() {
		m.CreatedAt = ch.Now
	}
	ch.Chat.NextSeq++
	if m.Author.Outbound() {
		m.FollowsConsumer = ch.Chat.TailAuthor == AuthorConsumer
		m.Send = Send{State: SendPending}
		meas := sms.Measure(m.Body)
		m.Encoding, m.Segments = string(meas.Encoding), meas.Segments
	}
	ch.Chat.TailAuthor = m.Author
	ch.Messages = append(ch.Messages, m)
	return m.Ref()
}

// reply adds a system text to the transcript and to the sends.
func (ch *Change) reply(kind Kind, body string) Ref {
	ref := ch.append(Message{Author: AuthorSystem, Kind: kind, Body: body})
	ch.Replies = append(ch.Replies, ref)
	ch.Chat.Outbox = append(ch.Chat.Outbox, ref.Seq)
	return ref
}

// say replies with a system message of the chat's queue and language.
func (ch *Change) say(kind Kind, msg SystemMessage, vars Vars) Ref {
	all := Vars{PlaceholderConsumerFirstName: FirstName(ch.ConsumerFirstName)}
	maps.Copy(all, vars)
	return ch.reply(kind, ch.Tree.Text(ch.Chat.QueueID, ch.Chat.Language, msg, all))
}

// arm (re)schedules a timer of a kind after d, superseding the armed one.
func (ch *Change) arm(kind TimerKind, d time.Duration) {
	ch.disarm(kind)
	t := Timer{ChatID: ch.Chat.ID, Kind: kind, Version: ch.Chat.Version, DueAt: ch.Now.Add(d)}
	ch.Chat.Timers = append(ch.Chat.Timers, t)
	ch.Arm = append(ch.Arm, t)
}

// disarm cancels the armed timer of a kind, if any.
func (ch *Change) disarm(kind TimerKind) {
	i := slices.IndexFunc(ch.Chat.Timers, func(t Timer) bool { return t.Kind == kind })
	if i < 0 {
		return
	}
	old := ch.Chat.Timers[i]
	ch.Chat.Timers = slices.Delete(ch.Chat.Timers, i, i+1)
	if j := slices.Index(ch.Arm, old); j >= 0 {
		ch.Arm = slices.Delete(ch.Arm, j, j+1) // armed in this change: never enqueued
		return
	}
	ch.Cancel = append(ch.Cancel, old)
}

// Timeouts are the chat's queue's effective timeouts.
func (ch *Change) timeouts() Timeouts { return ch.Tree.Timeouts(ch.Chat.QueueID) }

// end closes the chat: every timer cancelled, its agent's capacity freed.
func (ch *Change) end(reason EndReason) {
	c := &ch.Chat
	c.Status, c.EndReason, c.EndedAt = StatusEnded, reason, ch.Now
	ch.Ended, ch.NeedsAgent = true, false
	for _, t := range slices.Clone(c.Timers) {
		ch.disarm(t.Kind)
	}
	ch.releaseOffer("")
	ch.failTransfer("chat ended")
	if c.AgentID != "" {
		ch.release(c.AgentID)
	}
	ch.event(EventChatEnded, Transfer{})
}

// release gives an agent back the capacity this chat held.
func (ch *Change) release(id string) {
	a, ok := ch.agent(id)
	if !ok {
		return // deleted since; nothing to give back
	}
	if a.Load > 0 {
		a.Load--
	}
	ch.Agents[id] = a
	ch.FreedAgents = append(ch.FreedAgents, id)
}

// releaseOffer withdraws a pending offer. A non-empty missed reason means
// the agent let it time out: they are set away so routing stops offering
// them chats they are not there to take.
func (ch *Change) releaseOffer(missed string) {
	c := &ch.Chat
	if c.Offer == nil {
		return
	}
	id := c.Offer.AgentID
	c.Offer = nil
	ch.disarm(TimerOffer)
	ch.release(id)
	if missed != "" {
		if a, ok := ch.agent(id); ok {
			a.Status, a.StatusReason, a.StatusSince = AgentAway, missed, ch.Now
			ch.Agents[id] = a
		}
		ch.FreedAgents = slices.DeleteFunc(ch.FreedAgents, func(x string) bool { return x == id })
	}
}
