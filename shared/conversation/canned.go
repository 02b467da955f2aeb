package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/canned"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Canned looks up one canned message; store.ErrNotFound when there is none.
func (s *Service) Canned(ctx context.Context, id string) (chat.Canned, error) {
	cs, err := s.Store.CannedMessages(ctx)
	if err != nil {
		return chat.Canned{}, fmt.Errorf("load canned messages: %w", err)
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return chat.Canned{}, fmt.Errorf("canned message %q: %w", id, store.ErrNotFound)
}

// renderFor renders the canned message a reply names; an unknown one is a
// problem of the request's cannedId.
func (s *Service) renderFor(ctx context.Context, v access.Viewer, c chat.Chat, tree *chat.Tree, cannedID string) (string, error) {
	cn, err := s.Canned(ctx, cannedID)
	if errors.Is(err, store.ErrNotFound) {
		return "", invalid("cannedId", "unknown canned message %q", cannedID)
	}
	if err != nil {
		return "", err
	}
	vars, err := s.CannedVars(ctx, v, c, tree)
	if err != nil {
		return "", err
	}
	return canned.Render(cn, vars), nil
}

// CannedVars are the placeholder values of a reply in c: the agent is the
// viewer (the one who would send it), or for a supervisor who takes no
// chats the agent holding it; the consumer's first name is the linked
// contact's, empty until the chat has one.
func (s *Service) CannedVars(ctx context.Context, v access.Viewer, c chat.Chat, tree *chat.Tree) (chat.Vars, error) {
	agentID := v.AgentID
	if agentID == "" {
		agentID = c.AgentID
	}
	var ag chat.Agent
	if agentID != "" {
		var err error
		ag, err = s.Store.Agent(ctx, agentID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("agent %s: %w", agentID, err)
		}
	}
	q, _ := tree.Queue(c.QueueID)
	return canned.VarsFor(ag, q, s.consumerFirstName(ctx, c.ID)), nil
}

// consumerFirstName is the chat's consumer's first name from the linked
// contact. A failing read renders it empty rather than hold up the
// agent's reply: the name is a courtesy.
func (s *Service) consumerFirstName(ctx context.Context, chatID string) string {
	if s.Names == nil {
		return ""
	}
	name, err := s.Names.ConsumerFirstName(ctx, chatID)
	if err != nil {
		logging.From(ctx).WithError(err).WithField("chat_id", chatID).Warn("no consumer first name for @{CONSUMER_FIRST_NAME}")
		return ""
	}
	return name
}
