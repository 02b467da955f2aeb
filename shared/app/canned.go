package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Canned messages: supervisors (and admins) write them, everyone reads
// them, and the console offers those that fit a chat, rendered for it.

// CannedMessages lists every canned message in id order.
func (a *App) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	cs, err := a.Store.CannedMessages(ctx)
	if err != nil {
		return nil, fmt.Errorf("load canned messages: %w", err)
	}
	return orEmpty(cs), nil
}

// PutCanned creates or replaces a canned message after validating it (a
// *chat.ValidationError names each problem). Only supervisors write them.
func (a *App) PutCanned(ctx context.Context, v Viewer, c chat.Canned) (chat.Canned, error) {
	if !v.Supervisor {
		return c, forbidden("only supervisors and admins write canned messages")
	}
	tree, err := a.Tree(ctx)
	if err != nil {
		return c, err
	}
	if err := c.Validate(func(id string) bool { _, ok := tree.Queue(id); return ok }); err != nil {
		return c, err
	}
	if err := a.Store.PutCanned(ctx, c); err != nil {
		return c, fmt.Errorf("save canned message %s: %w", c.ID, err)
	}
	return c, nil
}

// DeleteCanned removes a canned message; ErrNotFound when there is none.
// Only supervisors delete them.
func (a *App) DeleteCanned(ctx context.Context, v Viewer, id string) error {
	if !v.Supervisor {
		return forbidden("only supervisors and admins delete canned messages")
	}
	if _, err := a.canned(ctx, id); err != nil {
		return err
	}
	if err := a.Store.DeleteCanned(ctx, id); err != nil {
		return fmt.Errorf("delete canned message %s: %w", id, err)
	}
	return nil
}

func (a *App) canned(ctx context.Context, id string) (chat.Canned, error) {
	cs, err := a.CannedMessages(ctx)
	if err != nil {
		return chat.Canned{}, err
	}
	return find(cs, "canned message", id, func(c chat.Canned) string { return c.ID })
}

// ChatCanned returns the canned messages that fit a chat the viewer may see
// (its language and queue), each with its body rendered for the chat.
func (a *App) ChatCanned(ctx context.Context, v Viewer, chatID string) ([]chat.Canned, error) {
	c, tree, err := a.viewChat(ctx, v, chatID)
	if err != nil {
		return nil, err
	}
	cs, err := a.CannedMessages(ctx)
	if err != nil {
		return nil, err
	}
	vars, err := a.cannedVars(ctx, v, c, tree)
	if err != nil {
		return nil, err
	}
	out := []chat.Canned{}
	for _, cn := range cs {
		if cn.Fits(c.Language, c.QueueID, tree) {
			cn.Body = chat.Render(cn, vars)
			out = append(out, cn)
		}
	}
	return out, nil
}

// RenderCanned renders one canned message for a chat the viewer may see,
// as a reply by the viewer would send it. An unknown canned message is
// ErrNotFound.
func (a *App) RenderCanned(ctx context.Context, v Viewer, chatID, cannedID string) (string, error) {
	c, tree, err := a.viewChat(ctx, v, chatID)
	if err != nil {
		return "", err
	}
	cn, err := a.canned(ctx, cannedID)
	if err != nil {
		return "", err
	}
	vars, err := a.cannedVars(ctx, v, c, tree)
	if err != nil {
		return "", err
	}
	return chat.Render(cn, vars), nil
}

// renderFor renders the canned message a reply names; an unknown one is a
// problem of the request's cannedId.
func (a *App) renderFor(ctx context.Context, v Viewer, c chat.Chat, tree *chat.Tree, cannedID string) (string, error) {
	cn, err := a.canned(ctx, cannedID)
	if errors.Is(err, ErrNotFound) {
		return "", invalid("cannedId", "unknown canned message %q", cannedID)
	}
	if err != nil {
		return "", err
	}
	vars, err := a.cannedVars(ctx, v, c, tree)
	if err != nil {
		return "", err
	}
	return chat.Render(cn, vars), nil
}

// cannedVars are the placeholder values of a reply in c: the agent is the
// viewer (the one who would send it), or for a supervisor who takes no
// chats the agent holding it; the consumer's first name is unknown until
// the chat has a CRM record.
func (a *App) cannedVars(ctx context.Context, v Viewer, c chat.Chat, tree *chat.Tree) (chat.Vars, error) {
	agentID := v.AgentID
	if agentID == "" {
		agentID = c.AgentID
	}
	var ag chat.Agent
	if agentID != "" {
		var err error
		ag, err = a.Store.Agent(ctx, agentID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("agent %s: %w", agentID, err)
		}
	}
	q, _ := tree.Queue(c.QueueID)
	return chat.CannedVars(ag, q, ""), nil
}
