package conversation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/wrapup"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The agent actions of the console, as a viewer: each checks access
// (Authorize) on the chat as stored, then runs the domain's action in the
// chat's transaction, which checks the state again, so a chat that changed
// in between (an offer that timed out, a transfer that completed) is a
// state error, never a wrong action. Each returns the chat as the action
// left it.

// Limits of what an agent writes.
const (
	MaxTransferNote = 1000
	MaxWrapUp       = 2000
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

func invalid(field, format string, args ...any) error {
	return &chat.ValidationError{Problems: []chat.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// Accept takes the chat offered to the viewer.
func (s *Service) Accept(ctx context.Context, v access.Viewer, chatID string) (chat.Chat, error) {
	_, actor, err := s.actOn(ctx, v, chatID, access.ActAccept)
	if err != nil {
		return chat.Chat{}, err
	}
	ch, err := s.changeChat(ctx, chatID, "accept", func(_ store.Tx, ch *chat.Change) error { return ch.Accept(actor) })
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}

// Decline turns down the chat offered to the viewer: a waiting chat goes to
// the next agent, a transfer fails and the chat stays with its agent.
func (s *Service) Decline(ctx context.Context, v access.Viewer, chatID string) (chat.Chat, error) {
	_, actor, err := s.actOn(ctx, v, chatID, access.ActDecline)
	if err != nil {
		return chat.Chat{}, err
	}
	ch, err := s.changeChat(ctx, chatID, "decline", func(_ store.Tx, ch *chat.Change) error { return ch.Decline(actor) })
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}

// ReplyInput is an agent's reply: a body or a canned message, optional
// media (uploads of the chat, see UploadMedia), and the request id that
// makes a retried request answer with the message the first one created.
type ReplyInput struct {
	Body      string
	CannedID  string
	Media     []chat.Media
	RequestID string
}

// Reply sends the viewer's reply in a chat they hold and returns the stored
// message. A request id seen before returns the message it created, and
// sends nothing again, even when the chat has changed since.
func (s *Service) Reply(ctx context.Context, v access.Viewer, chatID string, in ReplyInput) (chat.Message, error) {
	if err := checkReply(in); err != nil {
		return chat.Message{}, err
	}
	c, err := s.Store.Chat(ctx, chatID)
	if err != nil {
		return chat.Message{}, fmt.Errorf("chat %s: %w", chatID, err)
	}
	if ref, ok := c.RequestRef(in.RequestID); ok {
		if m, err := s.Store.Message(ctx, ref); err == nil && m.AgentID == v.AgentID && v.AgentID != "" {
			// Re-enqueueing is what agentReply does for a retry too: the
			// first attempt may have stopped before the send was enqueued.
			if err := s.Delivery.Enqueue(ctx, ref); err != nil {
				return chat.Message{}, err
			}
			return s.shown(ctx, m), nil
		}
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return chat.Message{}, err
	}
	actor, err := access.Authorize(v, c, tree, access.ActReply)
	if err != nil {
		return chat.Message{}, err
	}
	body := in.Body // checked by checkReply
	if in.CannedID != "" {
		if body, err = s.renderFor(ctx, v, c, tree, in.CannedID); err != nil {
			return chat.Message{}, err
		}
		if err := sms.CheckBody(body); err != nil {
			return chat.Message{}, invalid("body", "%v", err)
		}
	}
	media, err := s.Media.CheckOutboundMedia(ctx, chatID, in.Media)
	if err != nil {
		return chat.Message{}, err
	}
	ref, err := s.agentReply(ctx, chatID, actor, body, media, in.RequestID)
	if err != nil {
		return chat.Message{}, err
	}
	m, err := s.Store.Message(ctx, ref)
	if err != nil {
		return chat.Message{}, fmt.Errorf("message %s/%d: %w", ref.ChatID, ref.Seq, err)
	}
	return s.shown(ctx, m), nil
}

// shown is a message as a viewer gets it: media signed.
func (s *Service) shown(ctx context.Context, m chat.Message) chat.Message {
	m.Media = s.Media.SignAll(ctx, m.Media)
	return m
}

func checkReply(in ReplyInput) error {
	var ps []chat.FieldError
	add := func(field, format string, args ...any) {
		ps = append(ps, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !requestIDPattern.MatchString(in.RequestID) {
		add("requestId", "required: a unique id per reply (letters, digits, '.', '_', ':', '-'; up to 100), the same when the request is retried")
	}
	switch {
	case in.CannedID != "" && in.Body != "":
		add("cannedId", "send either a body or a canned message, not both")
	case in.CannedID == "" && strings.TrimSpace(in.Body) == "" && len(in.Media) == 0:
		add("body", "a reply needs a body, a canned message or media")
	}
	if err := sms.CheckBody(in.Body); err != nil {
		add("body", "%v", err)
	}
	if len(ps) > 0 {
		return &chat.ValidationError{Problems: ps}
	}
	return nil
}

// TransferInput is a transfer asked for in the console: to an agent or to a
// queue, with an optional note for the next agent. Force queues the chat
// even where no agent could be offered it now (checkQueueServed).
type TransferInput struct {
	ToAgent string
	ToQueue string
	Note    string
	Force   bool
}

// Transfer hands a chat on: to a queue at once, or to an agent, who is
// offered it and takes it by accepting. The viewer holds the chat, or is a
// supervisor acting for the agent who does. A transfer to a queue where no
// agent could be offered the chat now is refused (a state error naming
// why) unless forced. The returned chat's last transfer tells the outcome:
// pending (an agent was offered it, or it waits in the queue), ended (an
// agent of the queue has it) or failed (the agent is not available).
func (s *Service) Transfer(ctx context.Context, v access.Viewer, chatID string, in TransferInput) (chat.Chat, error) {
	c, actor, err := s.actOn(ctx, v, chatID, access.ActTransfer)
	if err != nil {
		return chat.Chat{}, err
	}
	if err := s.checkTransfer(ctx, c, actor, in); err != nil {
		return chat.Chat{}, err
	}
	if in.ToQueue != "" && !in.Force {
		tree, err := s.Trees.Tree(ctx)
		if err != nil {
			return chat.Chat{}, err
		}
		if err := s.checkQueueServed(ctx, tree, c, actor, in.ToQueue); err != nil {
			return chat.Chat{}, err
		}
	}
	by := v.AgentID
	if actor != v.AgentID || by == "" {
		by = v.UID // a supervisor, for the agent
	}
	out, err := s.transferChat(ctx, chatID, actor, chat.TransferRequest{ToAgent: in.ToAgent, ToQueue: in.ToQueue, Note: in.Note, By: by})
	switch {
	case errors.Is(err, chat.ErrTransferToSelf):
		return out, invalid("toAgent", "the chat is already with %s", in.ToAgent)
	case errors.Is(err, chat.ErrUnknownQueue), errors.Is(err, chat.ErrQueueIsMenu):
		return out, invalid("toQueue", "%v", err)
	}
	return out, err
}

func (s *Service) checkTransfer(ctx context.Context, c chat.Chat, actor string, in TransferInput) error {
	var ps []chat.FieldError
	add := func(field, format string, args ...any) {
		ps = append(ps, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case (in.ToAgent == "") == (in.ToQueue == ""):
		add("toAgent", "name exactly one target: toAgent or toQueue")
	case in.ToAgent == actor:
		add("toAgent", "the chat is already with %s", actor)
	case in.ToAgent != "":
		if _, err := s.Store.Agent(ctx, in.ToAgent); errors.Is(err, store.ErrNotFound) {
			add("toAgent", "unknown agent %q", in.ToAgent)
		} else if err != nil {
			return fmt.Errorf("agent %s: %w", in.ToAgent, err)
		}
	default:
		tree, err := s.Trees.Tree(ctx)
		if err != nil {
			return err
		}
		if _, ok := tree.Queue(in.ToQueue); !ok {
			add("toQueue", "unknown queue %q", in.ToQueue)
		} else if len(tree.Menu(in.ToQueue)) > 0 {
			add("toQueue", "queue %q is a menu; transfer to one of its queues", in.ToQueue)
		}
	}
	if n := utf8.RuneCountInString(in.Note); n > MaxTransferNote {
		add("note", "is %d characters; the limit is %d", n, MaxTransferNote)
	}
	if len(ps) > 0 {
		return &chat.ValidationError{Problems: ps}
	}
	return nil
}

// End finishes a chat (end reason Finished) with an optional wrap-up note;
// the consumer gets the chat ended message. The viewer holds the chat, or is
// a supervisor ending it for the agent who does.
func (s *Service) End(ctx context.Context, v access.Viewer, chatID, wrapUp string) (chat.Chat, error) {
	return s.EndWith(ctx, v, chatID, wrapUp, "")
}

// EndWith is End with a wrap-up code, checked against the policy of the
// chat's queue (wrapup.Of) in the transaction that ends it.
func (s *Service) EndWith(ctx context.Context, v access.Viewer, chatID, wrapUp, code string) (chat.Chat, error) {
	if n := utf8.RuneCountInString(wrapUp); n > MaxWrapUp {
		return chat.Chat{}, invalid("wrapUp", "is %d characters; the limit is %d", n, MaxWrapUp)
	}
	_, actor, err := s.actOn(ctx, v, chatID, access.ActEnd)
	if err != nil {
		return chat.Chat{}, err
	}
	first := s.consumerFirstName(ctx, chatID)
	ch, err := s.changeChat(ctx, chatID, "finish", func(tx store.Tx, ch *chat.Change) error {
		ch.ConsumerFirstName = first
		if err := wrapup.Of(ch.Tree, ch.Chat.QueueID).Check(code); err != nil {
			return err
		}
		if err := ch.Finish(actor, wrapUp); err != nil {
			return err
		}
		ch.Chat.WrapUpCode = code
		return s.survey(tx, ch)
	})
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}

// SetStatus changes an agent's availability: the viewer's own, or as a
// supervisor any agent's. It returns the agent as stored afterwards.
func (s *Service) SetStatus(ctx context.Context, v access.Viewer, agentID string, status chat.AgentStatus) (chat.Agent, error) {
	switch {
	case agentID == "":
		return chat.Agent{}, access.Forbidden("you have no agent id, so you have no status; an admin sets the agentId claim")
	case agentID != v.AgentID && !v.Supervisor:
		return chat.Agent{}, access.Forbidden("only supervisors change another agent's status")
	case !status.Valid():
		return chat.Agent{}, invalid("status", "must be available, away or offline, got %q", status)
	}
	if _, err := s.Store.Agent(ctx, agentID); err != nil {
		return chat.Agent{}, fmt.Errorf("agent %s: %w", agentID, err)
	}
	if err := s.setAgentStatus(ctx, agentID, status); err != nil {
		return chat.Agent{}, err
	}
	ag, err := s.Store.Agent(ctx, agentID)
	if err != nil {
		return chat.Agent{}, fmt.Errorf("agent %s: %w", agentID, err)
	}
	return ag, nil
}

// actOn loads a chat and authorizes an action on it.
func (s *Service) actOn(ctx context.Context, v access.Viewer, chatID string, act access.Action) (chat.Chat, string, error) {
	c, err := s.Store.Chat(ctx, chatID)
	if err != nil {
		return c, "", fmt.Errorf("chat %s: %w", chatID, err)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return c, "", err
	}
	actor, err := access.Authorize(v, c, tree, act)
	return c, actor, err
}

// CheckAction reports whether v may take act on a chat now: nil, or
// store.ErrNotFound, a *access.AccessError, or a state error
// (chat.IsStateError). Features that act on a chat outside these use cases
// (an upload of media for a reply) check with it first.
func (s *Service) CheckAction(ctx context.Context, v access.Viewer, chatID string, act access.Action) error {
	_, _, err := s.actOn(ctx, v, chatID, act)
	return err
}
