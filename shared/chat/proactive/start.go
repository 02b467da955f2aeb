package proactive

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Start is a request to text a consumer first, with the state it is
// decided on, all read in one transaction.
type Start struct {
	Settings chat.Settings
	Tree     *chat.Tree
	Number   chat.Number
	Consumer string
	Consent  chat.Consent
	// Open is the consumer's open chat on the number, if any.
	Open *chat.Chat
	// Agent is who the chat is assigned to; nil leaves it to the number's
	// entry queue when the consumer replies.
	Agent *chat.Agent
	// Bodies are sent in order; Media go with the first.
	Bodies   []string
	Media    []chat.Media
	Origin   Origin
	TicketID string
	// Sessionless sends without a chat: the chat only records the texts.
	Sessionless bool
	// Hold sends a text refused by quiet hours when they end instead.
	Hold   bool
	ChatID string
	Now    time.Time
	// StartType overrides the chat's start type ("" is outbound).
	StartType chat.StartType
	// QueueID queues the chat in that leaf queue, waiting for an agent,
	// instead of awaiting the consumer's reply in the entry queue.
	QueueID string
	// Requested: the consumer asked for these texts (a caller who accepted
	// SMS on the call). They are not proactive, so quiet hours do not hold
	// them; the first body confirms the opt-in, so no disclosure precedes it.
	Requested bool
	// CallID links the chat to a voice call (wait-time and in-call chats);
	// Parked keeps an unassigned one out of every menu and queue: the
	// consumer's texts wait in it for the agent who takes the call.
	// CallTimeout ends the chat if the call's end is never told.
	CallID      string
	Parked      bool
	CallTimeout time.Duration
}

// Result is everything a proactive start changes.
type Result struct {
	Change  *chat.Change
	Consent chat.Consent
	Events  []chat.ConsentEvent
	// HeldUntil is when the texts go out, when quiet hours hold them.
	HeldUntil time.Time
	// ThreadOpen: the chat is the consumer's open chat on the number.
	ThreadOpen bool
}

// Begin decides a proactive start: every rule checked, then the chat with
// its texts (after the opt-in disclosure a consumer with no consent on
// record gets first) and the ledger entries recording the legal basis.
func Begin(in Start) (Result, error) {
	s, n := in.Settings, in.Number
	if r := checkInCall(n, in.StartType); r != nil {
		return Result{}, r
	}
	for _, r := range []*Refusal{CheckSender(s, n), CheckRecipient(s, in.Consumer), CheckConsent(in.Consent)} {
		if r != nil {
			return Result{}, r
		}
	}
	if !in.Sessionless && in.Open != nil && in.Open.Open() {
		return Result{}, &Refusal{Code: CodeActiveSession, ChatID: in.Open.ID,
			Message: "Outbound SMS failed. Consumer is already in an active SMS session."}
	}
	var until time.Time
	var held bool
	if !in.Requested {
		var err error
		if until, held, err = HoldUntil(s, in.Consumer, in.Now); err != nil {
			return Result{}, err
		}
	}
	if held && !in.Hold {
		return Result{}, &Refusal{Code: CodeQuietHours, Until: until,
			Message: "quiet hours in the recipient's time zone: texts may go out from " + until.UTC().Format(time.RFC3339)}
	}

	tree := in.Tree
	if tree == nil {
		tree = chat.NewTree(s, nil, nil)
	}
	c := chat.Chat{
		ID: in.ChatID, Number: n.E164, Consumer: in.Consumer, Provider: n.Provider,
		Language: s.LanguageFor(n), QueueID: n.EntryQueue, Status: chat.StatusMenu,
		StartType: chat.StartOutbound, CreatedAt: in.Now, NextSeq: 1, TicketID: in.TicketID, CallID: in.CallID,
	}
	if lang := tree.Language(c.QueueID); lang != "" {
		c.Language = lang
	}
	if in.Sessionless {
		c.StartType = chat.StartSessionless
	}
	if in.StartType != "" {
		c.StartType = in.StartType
	}
	if in.QueueID != "" {
		c.QueueID = in.QueueID
	}
	ch := chat.Begin(c, tree, in.Now, "outbound:"+in.ChatID)
	out := Result{Change: ch, HeldUntil: until, ThreadOpen: !in.Sessionless}
	timeouts := tree.Timeouts(c.QueueID)
	switch {
	case in.Agent != nil:
		a := *in.Agent
		a.Load++
		ch.Chat.Status, ch.Chat.AgentID, ch.Chat.AssignedAt = chat.StatusActive, a.ID, in.Now
		ch.Agents[a.ID] = a
		ch.Emit(chat.EventChatAssigned)
	case in.Parked:
		// In no queue, so no agent is offered it; Queued, so a text is
		// neither a menu choice nor the start of a conversation.
		ch.Chat.Status, ch.Chat.QueueID, ch.Chat.QueuedAt = chat.StatusQueued, "", in.Now
	case in.QueueID != "" && !in.Sessionless:
		ch.Chat.Status, ch.Chat.QueuedAt, ch.NeedsAgent = chat.StatusQueued, in.Now, true
		ch.ArmTimer(chat.TimerQueue, time.Duration(timeouts.QueueMinutes)*time.Minute)
	case !in.Sessionless:
		ch.Chat.AwaitingReply = true
		ch.ArmTimer(chat.TimerExpiry, time.Duration(timeouts.ExpiryMinutes)*time.Minute)
	}

	consent := in.Consent
	consent.Number, consent.Consumer = n.E164, in.Consumer
	basis := in.Origin.Basis()
	post := func(m chat.Message) {
		m.SentBy, m.Proactive = basis, !in.Requested
		m.Send.NotBefore = until
		ch.Post(m)
	}
	switch {
	case in.Requested:
		// The consumer opted in themselves; the ledger names where.
		consent.State, consent.Source, consent.Keyword, consent.UpdatedAt = chat.ConsentOptedIn, chat.ConsentSource(basis), "", in.Now
		out.Events = append(out.Events, chat.ConsentEvent{ID: "optin_" + in.ChatID, Action: chat.ActionOptIn,
			Source: chat.ConsentSource(basis), ChatID: in.ChatID, Detail: basis, At: in.Now})
	case consent.State == chat.ConsentUnknown:
		// The business attests consent by texting first; the consumer is
		// told what they signed up for before anything else, once.
		consent.State, consent.Source, consent.Keyword, consent.UpdatedAt = chat.ConsentOptedIn, chat.SourceBusiness, "", in.Now
		out.Events = append(out.Events, chat.ConsentEvent{ID: "optin_" + in.ChatID, Action: chat.ActionOptIn,
			Source: chat.SourceBusiness, ChatID: in.ChatID, Detail: basis, At: in.Now})
		post(chat.Message{Author: chat.AuthorSystem, Kind: chat.KindOptIn, Body: s.Text(c.Language, chat.MsgOutboundOptIn)})
	}
	if !in.Requested {
		out.Events = append(out.Events, chat.ConsentEvent{ID: "proactive_" + in.ChatID, Action: chat.ActionProactive,
			Source: chat.SourceBusiness, ChatID: in.ChatID, Detail: basis, At: in.Now})
	}
	out.Consent = consent
	author, agentID := chat.AuthorSystem, ""
	if in.Origin.AgentID != "" {
		author, agentID = chat.AuthorAgent, in.Origin.AgentID
	}
	for i, body := range in.Bodies {
		m := chat.Message{Author: author, AgentID: agentID, Kind: chat.KindOutbound, Body: body}
		if i == 0 {
			m.Media = in.Media
		}
		post(m)
	}
	switch {
	case in.Sessionless:
		ch.End(chat.EndFinished)
	case in.CallTimeout > 0:
		// A call's chat lasts as long as the call, not as its texts.
		ch.ArmTimer(chat.TimerExpiry, in.CallTimeout)
	case in.Agent != nil:
		ch.ArmTimer(chat.TimerEndUserInactivity, time.Duration(timeouts.EndUserInactivityMinutes)*time.Minute)
	}
	return out, nil
}

// CodeInCallNumber: an in-call number starts only in-call chats, and an
// in-call chat only from one.
const CodeInCallNumber Code = "in-call-number"

func checkInCall(n chat.Number, start chat.StartType) *Refusal {
	switch {
	case n.InCall && start != chat.StartInCall:
		return &Refusal{Code: CodeInCallNumber, Message: n.E164 + " is reserved for in-call SMS"}
	case !n.InCall && start == chat.StartInCall:
		return &Refusal{Code: CodeInCallNumber, Message: n.E164 + " is not configured for in-call SMS (inCall)"}
	}
	return nil
}
