package desk

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/canned"
)

// Canned messages: supervisors (and admins) write them, everyone reads
// them, and the console offers those that fit a chat, rendered for it.

// CannedMessages lists every canned message in id order.
func (s *Service) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	cs, err := s.Store.CannedMessages(ctx)
	if err != nil {
		return nil, fmt.Errorf("load canned messages: %w", err)
	}
	return orEmpty(cs), nil
}

// PutCanned creates or replaces a canned message after validating it (a
// *chat.ValidationError names each problem). Only supervisors write them.
func (s *Service) PutCanned(ctx context.Context, v access.Viewer, c chat.Canned) (chat.Canned, error) {
	if !v.Supervisor {
		return c, access.Forbidden("only supervisors and admins write canned messages")
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return c, err
	}
	if err := canned.Validate(c, func(id string) bool { _, ok := tree.Queue(id); return ok }); err != nil {
		return c, err
	}
	if err := s.Store.PutCanned(ctx, c); err != nil {
		return c, fmt.Errorf("save canned message %s: %w", c.ID, err)
	}
	return c, nil
}

// DeleteCanned removes a canned message; store.ErrNotFound when there is none.
// Only supervisors delete them.
func (s *Service) DeleteCanned(ctx context.Context, v access.Viewer, id string) error {
	if !v.Supervisor {
		return access.Forbidden("only supervisors and admins delete canned messages")
	}
	if _, err := s.Conversation.Canned(ctx, id); err != nil {
		return err
	}
	if err := s.Store.DeleteCanned(ctx, id); err != nil {
		return fmt.Errorf("delete canned message %s: %w", id, err)
	}
	return nil
}

// ChatCanned returns the canned messages that fit a chat the viewer may see
// (its language and queue), each with its body rendered for the chat.
func (s *Service) ChatCanned(ctx context.Context, v access.Viewer, chatID string) ([]chat.Canned, error) {
	c, tree, err := s.viewChat(ctx, v, chatID)
	if err != nil {
		return nil, err
	}
	cs, err := s.CannedMessages(ctx)
	if err != nil {
		return nil, err
	}
	vars, err := s.Conversation.CannedVars(ctx, v, c, tree)
	if err != nil {
		return nil, err
	}
	out := []chat.Canned{}
	for _, cn := range cs {
		if canned.Fits(cn, c.Language, c.QueueID, tree) {
			cn.Body = canned.Render(cn, vars)
			out = append(out, cn)
		}
	}
	return out, nil
}

// RenderCanned renders one canned message for a chat the viewer may see,
// as a reply by the viewer would send it. An unknown canned message is
// store.ErrNotFound.
func (s *Service) RenderCanned(ctx context.Context, v access.Viewer, chatID, cannedID string) (string, error) {
	c, tree, err := s.viewChat(ctx, v, chatID)
	if err != nil {
		return "", err
	}
	cn, err := s.Conversation.Canned(ctx, cannedID)
	if err != nil {
		return "", err
	}
	vars, err := s.Conversation.CannedVars(ctx, v, c, tree)
	if err != nil {
		return "", err
	}
	return canned.Render(cn, vars), nil
}
