package outbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ChatTypes are the chat_type values the reference product's clients send.
var ChatTypes = []string{"Messaging (SMS)", "SMS"}

// SessionRequest is POST /OutboundAPI/v1/sms, with the reference product's
// field names (both spellings of the agent fields).
type SessionRequest struct {
	ChatType        string `json:"chat_type"`
	EndUserNumber   string `json:"end_user_number"`
	OutboundNumber  string `json:"outbound_number"`
	Message         string `json:"message"`
	TicketID        string `json:"ticket_id,omitempty"`
	AgentID         string `json:"agent_id,omitempty"`
	AgentIDCamel    string `json:"agentId,omitempty"`
	AgentEmail      string `json:"agent_email,omitempty"`
	AgentEmailCamel string `json:"agentEmail,omitempty"`
	// Hold false refuses a text in the recipient's quiet hours instead of
	// holding it until they end.
	Hold *bool `json:"hold,omitempty"`
}

// AgentInfo is the assigned agent as the reference product shows it.
type AgentInfo struct {
	ID    string `json:"id"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name"`
}

// EndUser is the consumer of a chat.
type EndUser struct {
	PhoneNumber string `json:"phone_number"`
}

// ChatView is the chat object OutboundAPI answers with.
type ChatView struct {
	ID             string     `json:"id"`
	Lang           string     `json:"lang"`
	ChatType       string     `json:"chat_type"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	QueuedAt       *time.Time `json:"queued_at"`
	AssignedAt     *time.Time `json:"assigned_at"`
	AgentInfo      *AgentInfo `json:"agent_info,omitempty"`
	EndUser        EndUser    `json:"end_user"`
	EndUserNumber  string     `json:"end_user_number"`
	OutboundNumber string     `json:"outbound_number"`
	TicketID       string     `json:"ticket_id,omitempty"`
	// HeldUntil is when the texts go out, when the recipient's quiet hours
	// hold them.
	HeldUntil *time.Time `json:"held_until,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// View is the API's view of a chat.
func View(c chat.Chat, a *chat.Agent, held time.Time) ChatView {
	v := ChatView{
		ID: c.ID, Lang: c.Language, ChatType: "Messaging (SMS)", Status: "selecting",
		CreatedAt: c.CreatedAt, QueuedAt: timePtr(c.QueuedAt), AssignedAt: timePtr(c.AssignedAt),
		EndUser: EndUser{PhoneNumber: c.Consumer}, EndUserNumber: c.Consumer, OutboundNumber: c.Number,
		TicketID: c.TicketID, HeldUntil: timePtr(held),
	}
	switch c.Status {
	case chat.StatusActive:
		v.Status = "assigned"
	case chat.StatusQueued:
		v.Status = "queued"
	case chat.StatusEnded:
		v.Status = "ended"
	}
	if a != nil {
		v.AgentInfo = &AgentInfo{ID: a.ID, Email: a.Email, Name: a.Name}
	}
	return v
}

// StartSession is the session-based Outbound API: it validates in the
// reference product's order with its messages, then starts the chat.
// keyID and numbers are the API key's; idem its Idempotency-Key.
func (s *Service) StartSession(ctx context.Context, keyID string, allowed func(number string) bool, idem string, req SessionRequest) (ChatView, error) {
	ct := strings.TrimSpace(req.ChatType)
	switch {
	case ct == "":
		return ChatView{}, badRequest("chat_type needs to be provided")
	case !containsFold(ChatTypes, ct):
		return ChatView{}, badRequest("valid chat type needs to be provided")
	}
	st, _, err := s.settings(ctx)
	if err != nil {
		return ChatView{}, err
	}
	if err := enabled(st); err != nil {
		return ChatView{}, err
	}
	if strings.TrimSpace(req.EndUserNumber) == "" {
		return ChatView{}, badRequest("end_user_number is required")
	}
	consumer, ok := ParseNumber(req.EndUserNumber)
	if !ok {
		return ChatView{}, badRequest("end_user_number is invalid")
	}
	if r := proactive.CheckRecipient(st, consumer); r != nil {
		return ChatView{}, refusal(r)
	}
	n, err := s.sender(ctx, req.OutboundNumber, st)
	if err != nil {
		return ChatView{}, err
	}
	if allowed != nil && !allowed(n.E164) {
		return ChatView{}, &Error{Status: 403, Message: "this API key may not send from " + n.E164}
	}
	if strings.TrimSpace(req.Message) == "" {
		return ChatView{}, badRequest("message is required")
	}
	if err := sms.CheckBody(req.Message); err != nil {
		return ChatView{}, badRequest("message is invalid: %v", err)
	}
	agent, err := s.agentFor(ctx, req)
	if err != nil {
		return ChatView{}, err
	}
	start := conversation.OutboundStart{
		Number: n.E164, Consumer: consumer, Bodies: []string{req.Message},
		Origin: proactive.Origin{APIKeyID: keyID}, TicketID: req.TicketID,
		Hold: req.Hold == nil || *req.Hold, ChatID: idFor("api-", keyID, idem),
	}
	if agent != nil {
		start.AgentID = agent.ID
	}
	res, err := s.Conversation.StartOutbound(ctx, start)
	if err != nil {
		return ChatView{}, refusal(err)
	}
	if res.Existing && res.Chat.Consumer != consumer {
		return ChatView{}, &Error{Status: 409, Message: "Idempotency-Key was used for a chat with another consumer"}
	}
	if agent == nil && res.Chat.AgentID != "" {
		if a, err := s.Store.Agent(ctx, res.Chat.AgentID); err == nil {
			agent = &a
		}
	}
	return View(res.Chat, agent, heldOf(res)), nil
}

// heldOf is a start's hold, also for a retry that found the chat.
func heldOf(res conversation.OutboundResult) time.Time {
	if !res.HeldUntil.IsZero() || !res.Existing {
		return res.HeldUntil
	}
	return time.Time{}
}

// agentFor resolves agent_id/agentId or agent_email/agentEmail.
func (s *Service) agentFor(ctx context.Context, req SessionRequest) (*chat.Agent, error) {
	id := firstNonEmpty(req.AgentID, req.AgentIDCamel)
	email := firstNonEmpty(req.AgentEmail, req.AgentEmailCamel)
	switch {
	case id != "":
		a, err := s.Store.Agent(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, badRequest("agent_id is not found")
		}
		if err != nil {
			return nil, fmt.Errorf("load agent %s: %w", id, err)
		}
		return &a, nil
	case email != "":
		agents, err := s.Store.Agents(ctx)
		if err != nil {
			return nil, fmt.Errorf("list agents: %w", err)
		}
		for _, a := range agents {
			if a.Email != "" && strings.EqualFold(a.Email, email) {
				return &a, nil
			}
		}
		return nil, badRequest("agent_email is not found")
	}
	return nil, nil
}

// AgentStart is an agent texting a consumer first from the console.
type AgentStart struct {
	Number    string       `json:"number"`
	Consumer  string       `json:"consumer"`
	Body      string       `json:"body"`
	Media     []chat.Media `json:"-"`
	RequestID string       `json:"requestId"`
	// Hold false refuses a text in the consumer's quiet hours instead of
	// holding it.
	Hold *bool `json:"hold,omitempty"`
}

// StartByAgent starts an agent-initiated chat, assigned to the agent, from
// a number of the agent's queues. A retried request (same requestId)
// answers with the chat it started.
func (s *Service) StartByAgent(ctx context.Context, agentID string, req AgentStart) (chat.Chat, time.Time, error) {
	if agentID == "" {
		return chat.Chat{}, time.Time{}, &Error{Status: 403, Message: "you have no agent id; an admin sets the agentId claim"}
	}
	problems := []chat.FieldError{}
	consumer, ok := ParseNumber(req.Consumer)
	if !ok {
		problems = append(problems, chat.FieldError{Field: "consumer", Message: fmt.Sprintf("%q is not a valid phone number", req.Consumer)})
	}
	if strings.TrimSpace(req.Body) == "" && len(req.Media) == 0 {
		problems = append(problems, chat.FieldError{Field: "body", Message: "is required"})
	} else if err := sms.CheckBody(req.Body); err != nil {
		problems = append(problems, chat.FieldError{Field: "body", Message: err.Error()})
	}
	if strings.TrimSpace(req.RequestID) == "" {
		problems = append(problems, chat.FieldError{Field: "requestId", Message: "is required, so a retried request starts one chat"})
	}
	if len(problems) > 0 {
		return chat.Chat{}, time.Time{}, &chat.ValidationError{Problems: problems}
	}
	st, _, err := s.settings(ctx)
	if err != nil {
		return chat.Chat{}, time.Time{}, err
	}
	if r := proactive.CheckRecipient(st, consumer); r != nil {
		return chat.Chat{}, time.Time{}, refusal(r)
	}
	res, err := s.Conversation.StartOutbound(ctx, conversation.OutboundStart{
		Number: sms.NormalizeE164(req.Number), Consumer: consumer, AgentID: agentID, CheckAgentQueues: true,
		Bodies: []string{req.Body}, Media: req.Media, Origin: proactive.Origin{AgentID: agentID},
		Hold: req.Hold == nil || *req.Hold, ChatID: idFor("agent-", agentID, req.RequestID),
	})
	if err != nil {
		var r *proactive.Refusal
		if errors.As(err, &r) && r.Code == proactive.CodeActiveSession {
			return chat.Chat{}, time.Time{}, &Error{Status: 409, ChatID: r.ChatID,
				Message: fmt.Sprintf("%s is already in an open chat on %s: %s", consumer, req.Number, r.ChatID)}
		}
		return chat.Chat{}, time.Time{}, refusal(err)
	}
	return res.Chat, res.HeldUntil, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
