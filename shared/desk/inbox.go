package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/wrapup"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// What an agent or supervisor reads in the console: their inbox, one chat
// with its transcript and consent, a consumer's history, who they are.

// Inbox limits.
const (
	// EndedWindow is how far back the inbox lists the chats an agent ended.
	EndedWindow = 24 * time.Hour
	// MaxEndedInInbox bounds those chats.
	MaxEndedInInbox = 50
	// MaxWaitingInInbox bounds the waiting chats of an agent's queues.
	MaxWaitingInInbox = 100
	// MaxOpenInInbox bounds the open chats a supervisor's inbox lists.
	MaxOpenInInbox = 500
)

// Inbox is what a viewer works on. Every list is present (empty, not null).
type Inbox struct {
	// Offered are the chats offered to the viewer: waiting chats, and
	// transfers to them; oldest first.
	Offered []chat.Chat `json:"offered"`
	// Active are the chats the viewer holds, oldest first.
	Active []chat.Chat `json:"active"`
	// Ended are the chats the viewer held when they ended in the last 24
	// hours (every agent's, for a supervisor), newest first, at most 50.
	Ended []chat.Chat `json:"ended"`
	// Waiting are the chats queued in the viewer's queues that are offered
	// to nobody yet (every queue's, for a supervisor), oldest first.
	Waiting []chat.Chat `json:"waiting"`
	// Open is, for supervisors only, every open chat by status.
	Open *OpenChats `json:"open,omitempty"`
	// Queues names the queues of the listed chats, by id.
	Queues map[string]string `json:"queues"`
	// GeneratedAt is the server's time of the answer, for "waiting for"
	// clocks that do not trust the browser's.
	GeneratedAt time.Time `json:"generatedAt"`
}

// OpenChats are the open chats of a supervisor's inbox, oldest first, at
// most 500 in all.
type OpenChats struct {
	Menu   []chat.Chat `json:"menu"`
	Queued []chat.Chat `json:"queued"`
	Active []chat.Chat `json:"active"`
}

// Inbox returns a viewer's inbox.
func (s *Service) Inbox(ctx context.Context, v access.Viewer) (Inbox, error) {
	return s.InboxOf(ctx, v, true)
}

// InboxOf is Inbox with or without the recently ended chats: a console
// polling every second reads them far less often, as each listed chat is a
// Firestore read.
func (s *Service) InboxOf(ctx context.Context, v access.Viewer, withEnded bool) (Inbox, error) {
	now := s.Clock.Time()
	in := Inbox{Offered: []chat.Chat{}, Active: []chat.Chat{}, Ended: []chat.Chat{}, Waiting: []chat.Chat{},
		Queues: map[string]string{}, GeneratedAt: now}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return in, err
	}
	if v.AgentID != "" && s.Conversation != nil {
		// The console's poll is the agent's presence; a failed record costs
		// nothing the agent sees, so the inbox is answered anyway.
		if err := s.Conversation.Seen(ctx, v.AgentID); err != nil {
			logging.From(ctx).WithError(err).Warn("could not record the agent's poll")
		}
	}
	if v.AgentID != "" {
		limit := MaxEndedInInbox
		if !withEnded {
			limit = 0
		}
		mine, err := s.Store.AgentChats(ctx, v.AgentID, now.Add(-EndedWindow), limit)
		if err != nil {
			return in, fmt.Errorf("chats of agent %s: %w", v.AgentID, err)
		}
		for _, c := range mine {
			switch {
			case c.Offer != nil && c.Offer.AgentID == v.AgentID:
				in.Offered = append(in.Offered, c)
			case c.Status == chat.StatusActive && c.AgentID == v.AgentID:
				in.Active = append(in.Active, c)
			case c.Status == chat.StatusEnded:
				in.Ended = append(in.Ended, c)
			}
		}
	}
	if v.Supervisor && withEnded {
		if in.Ended, err = s.recentlyEnded(ctx, now, in.Ended); err != nil {
			return in, err
		}
	}
	var open []chat.Chat
	switch {
	case v.Supervisor:
		if open, err = s.Store.OpenChats(ctx, nil, MaxOpenInInbox); err != nil {
			return in, fmt.Errorf("open chats: %w", err)
		}
		in.Open = &OpenChats{Menu: []chat.Chat{}, Queued: []chat.Chat{}, Active: []chat.Chat{}}
		for _, c := range open {
			switch c.Status {
			case chat.StatusMenu:
				in.Open.Menu = append(in.Open.Menu, c)
			case chat.StatusQueued:
				in.Open.Queued = append(in.Open.Queued, c)
			case chat.StatusActive:
				in.Open.Active = append(in.Open.Active, c)
			}
		}
	case v.AgentID != "":
		// An agent with no queues waits for nothing (a nil list would mean
		// every queue to the store). Only queued chats: the active ones of
		// the queues are other agents' (and the agent's own are read above),
		// and every console reads this every second.
		if queues := tree.QueuesOf(v.AgentID); len(queues) > 0 {
			if open, err = s.Store.QueuedChats(ctx, queues, MaxWaitingInInbox); err != nil {
				return in, fmt.Errorf("open chats of %v: %w", queues, err)
			}
		}
	}
	for _, c := range open {
		if c.Status == chat.StatusQueued && c.Offer == nil && len(in.Waiting) < MaxWaitingInInbox {
			in.Waiting = append(in.Waiting, c)
		}
	}
	for _, list := range [][]chat.Chat{in.Offered, in.Active, in.Ended, in.Waiting, open} {
		for _, c := range list {
			if q, ok := tree.Queue(c.QueueID); ok {
				in.Queues[c.QueueID] = q.Name
			}
		}
	}
	return in, nil
}

// recentlyEnded is a supervisor's "Recently ended": the chats every agent
// held when they ended in the last EndedWindow, newest first, at most
// MaxEndedInInbox, merged with the supervisor's own (mine). The store has
// no query across agents for ended chats, so it is one query per agent;
// the console asks for the ended list every 30 polls, not every poll.
func (s *Service) recentlyEnded(ctx context.Context, now time.Time, mine []chat.Chat) ([]chat.Chat, error) {
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return nil, fmt.Errorf("load agents: %w", err)
	}
	seen := map[string]bool{}
	out := slices.Clone(mine)
	for _, c := range mine {
		seen[c.ID] = true
	}
	for _, a := range agents {
		cs, err := s.Store.AgentChats(ctx, a.ID, now.Add(-EndedWindow), MaxEndedInInbox)
		if err != nil {
			return nil, fmt.Errorf("chats of agent %s: %w", a.ID, err)
		}
		for _, c := range cs {
			if c.Status == chat.StatusEnded && !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(x, y chat.Chat) int { return y.EndedAt.Compare(x.EndedAt) })
	if len(out) > MaxEndedInInbox {
		out = out[:MaxEndedInInbox]
	}
	return out, nil
}

// ConsentSummary is a consumer's consent for the chat's business number as
// the agent sees it.
type ConsentSummary struct {
	// State is opted-in, opted-out or unknown (no consent on record).
	State   string             `json:"state"`
	Source  chat.ConsentSource `json:"source,omitempty"`
	Keyword string             `json:"keyword,omitempty"`
	// UpdatedAt is when the consent last changed.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// ConsentUnknown is ConsentSummary.State when no consent is on record.
const ConsentUnknown = "unknown"

// ChatView is one chat as the console shows it: the transcript, the
// consumer's consent, and what the viewer may do now.
type ChatView struct {
	Chat     chat.Chat      `json:"chat"`
	Messages []chat.Message `json:"messages"`
	Consent  ConsentSummary `json:"consent"`
	// QueueName is the name of the chat's queue.
	QueueName string `json:"queueName,omitempty"`
	// CanReply is whether the viewer's reply would be sent now; when it
	// would not, ReplyBlocked says why, for the person.
	CanReply     bool   `json:"canReply"`
	ReplyBlocked string `json:"replyBlocked,omitempty"`
	// Actions the viewer may take now: accept, decline, reply, transfer, end.
	Actions []access.Action `json:"actions"`
	// Notes are the chat's private notes, oldest first (notes.go).
	Notes []store.Note `json:"notes"`
	// WrapUp is the wrap-up codes the chat's queue offers on ending it.
	WrapUp wrapup.Policy `json:"wrapUp"`
}

// ChatView returns a chat the viewer may see with its transcript. Media
// kept in the media bucket carry a short-lived signed URL (SignMedia); a
// medium that cannot be signed is shown without a URL and with the reason
// in Error, and the rest of the chat is still returned.
func (s *Service) ChatView(ctx context.Context, v access.Viewer, chatID string) (ChatView, error) {
	return s.ChatViewAfter(ctx, v, chatID, 0)
}

// ChatViewAfter is ChatView with only the messages after afterSeq: a
// poller that has the transcript up to there reads just what is new.
func (s *Service) ChatViewAfter(ctx context.Context, v access.Viewer, chatID string, afterSeq int64) (ChatView, error) {
	c, tree, err := s.viewChat(ctx, v, chatID)
	if err != nil {
		return ChatView{}, err
	}
	msgs, err := s.Store.MessagesAfter(ctx, chatID, afterSeq)
	if err != nil {
		return ChatView{}, fmt.Errorf("messages of chat %s: %w", chatID, err)
	}
	for i := range msgs {
		msgs[i].Media = s.Media.SignAll(ctx, msgs[i].Media)
	}
	consent, err := s.Store.Consent(ctx, c.Number, c.Consumer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ChatView{}, fmt.Errorf("consent of chat %s: %w", chatID, err)
	}
	view := ChatView{Chat: c, Messages: orEmpty(msgs), Consent: summarize(consent), Actions: access.Allowed(v, c, tree), Notes: []store.Note{}}
	// A chat's note counter is on the chat: one without notes costs no query.
	if ns, ok := s.Store.(store.NoteStore); ok && c.Notes > 0 {
		if view.Notes, err = ns.Notes(ctx, chatID, 0); err != nil {
			return ChatView{}, fmt.Errorf("notes of chat %s: %w", chatID, err)
		}
	}
	if q, ok := tree.Queue(c.QueueID); ok {
		view.QueueName = q.Name
	}
	view.WrapUp = wrapup.Of(tree, c.QueueID)
	view.ReplyBlocked = replyBlocked(v, c, consent, tree)
	view.CanReply = view.ReplyBlocked == ""
	return view, nil
}

func summarize(c chat.Consent) ConsentSummary {
	s := ConsentSummary{State: string(c.State), Source: c.Source, Keyword: c.Keyword, UpdatedAt: c.UpdatedAt}
	if c.State == chat.ConsentUnknown {
		s.State = ConsentUnknown
	}
	return s
}

// replyBlocked says why a reply by v in c would not reach the consumer,
// "" when it would. Consent comes first: it outlives the chat and is what
// the agent must know.
func replyBlocked(v access.Viewer, c chat.Chat, consent chat.Consent, tree *chat.Tree) string {
	switch consent.State {
	case chat.ConsentOptedOut:
		how := "opted out"
		switch {
		case consent.Source == chat.SourceKeyword && consent.Keyword != "":
			how = "opted out by texting " + consent.Keyword
		case consent.Source == chat.SourceCarrier:
			how = "opted out at their carrier"
		}
		return fmt.Sprintf("The consumer %s on %s; no message can be sent to them until they text START",
			how, consent.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"))
	case chat.ConsentUnknown:
		return "The consumer has not opted in to texts from this number"
	}
	if !c.Open() {
		return "The chat has ended"
	}
	if _, err := access.Authorize(v, c, tree, access.ActReply); err != nil {
		if chat.IsStateError(err) {
			return "Accept the chat to reply"
		}
		return "Only the agent holding the chat can reply"
	}
	return ""
}

// QueueRef names a queue.
type QueueRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Profile is what the console needs to know about the signed-in person.
type Profile struct {
	// Agent is the viewer's agent document; nil for a supervisor or admin
	// who takes no chats, or an agent id with no document.
	Agent *chat.Agent `json:"agent"`
	// Queues are the queues the viewer works (every queue, for a
	// supervisor), by name.
	Queues []QueueRef `json:"queues"`
	// TransferQueues are the queues a chat can be transferred to: every
	// queue that is not a menu, by name.
	TransferQueues []QueueRef `json:"transferQueues"`
	// OutboundNumbers are the business numbers the viewer may text a
	// consumer first from (see Senders); empty for someone who is no
	// agent, and while outbound SMS is off.
	OutboundNumbers []OutboundNumber `json:"outboundNumbers"`
	// OutboundFrom is the recipient's local time ("08:00") a text that
	// quiet hours hold goes out at; "" when quiet hours are off.
	OutboundFrom string `json:"outboundFrom,omitempty"`
}

// Profile returns the viewer's agent and queues.
func (s *Service) Profile(ctx context.Context, v access.Viewer) (Profile, error) {
	p := Profile{Queues: []QueueRef{}, TransferQueues: []QueueRef{}, OutboundNumbers: []OutboundNumber{}}
	if v.AgentID != "" {
		ag, err := s.Store.Agent(ctx, v.AgentID)
		switch {
		case err == nil:
			p.Agent = &ag
		case !errors.Is(err, store.ErrNotFound):
			return p, fmt.Errorf("agent %s: %w", v.AgentID, err)
		}
	}
	queues, err := s.Store.Queues(ctx)
	if err != nil {
		return p, fmt.Errorf("load queues: %w", err)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return p, err
	}
	var works []string
	if v.AgentID != "" {
		works = tree.QueuesOf(v.AgentID)
	}
	for _, q := range queues {
		ref := QueueRef{ID: q.ID, Name: q.Name}
		if v.Supervisor || slices.Contains(works, q.ID) {
			p.Queues = append(p.Queues, ref)
		}
		if len(tree.Menu(q.ID)) == 0 {
			p.TransferQueues = append(p.TransferQueues, ref)
		}
	}
	byName := func(x, y QueueRef) int { return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.ID, y.ID)) }
	slices.SortFunc(p.Queues, byName)
	slices.SortFunc(p.TransferQueues, byName)
	if p.OutboundNumbers, p.OutboundFrom, err = s.senders(ctx, tree, v.AgentID); err != nil {
		return p, err
	}
	return p, nil
}

// Directory lists every agent with their status and load, for transfers
// and monitoring. Agents other than supervisors do not see e-mail
// addresses.
func (s *Service) Directory(ctx context.Context, v access.Viewer) ([]chat.Agent, error) {
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return nil, fmt.Errorf("load agents: %w", err)
	}
	if !v.Supervisor {
		for i := range agents {
			agents[i].Email = ""
		}
	}
	return orEmpty(agents), nil
}

// ConsumerHistory lists a consumer's latest chats on every business
// number, newest first (at most 50). Supervisors see any consumer's; an
// agent only the history of a consumer one of whose chats they see.
func (s *Service) ConsumerHistory(ctx context.Context, v access.Viewer, consumer string) ([]chat.Chat, error) {
	consumer = sms.NormalizeE164(consumer)
	cs, err := s.Store.ConsumerChats(ctx, consumer, historyLimit)
	if err != nil {
		return nil, fmt.Errorf("chats of %s: %w", consumer, err)
	}
	if v.Supervisor {
		return orEmpty(cs), nil
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if v.AgentID == "" || !slices.ContainsFunc(cs, func(c chat.Chat) bool { return access.CanSee(v, c, tree) }) {
		return nil, access.Forbidden("you have no chat with %s; only supervisors see every consumer's history", consumer)
	}
	return cs, nil
}
