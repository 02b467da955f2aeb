package admin

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/canned"
)

// Canned messages as admins edit them: the same documents (canned/{id}) and
// the same check (chat.Canned.Validate against the queue tree) as the
// supervisors' AgentAPI routes, with the revision precondition of every
// other admin change, since they are part of what the revision covers.

// CannedMessages lists every canned message in id order.
func (a *Service) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	cs, err := a.Store.CannedMessages(ctx)
	if err != nil {
		return nil, fmt.Errorf("load canned messages: %w", err)
	}
	sortByID(cs, func(c chat.Canned) string { return c.ID })
	return orEmpty(cs), nil
}

// PutCanned creates or replaces a canned message after validating it
// against the queue tree (a *chat.ValidationError names each problem).
func (a *Service) PutCanned(ctx context.Context, c chat.Canned) (chat.Canned, error) {
	cfg, err := a.Config(ctx)
	if err != nil {
		return c, err
	}
	if err := a.checkRevision(ctx, cfg); err != nil {
		return c, err
	}
	known := map[string]bool{}
	for _, q := range cfg.Queues {
		known[q.ID] = true
	}
	if err := canned.Validate(c, func(id string) bool { return known[id] }); err != nil {
		return c, err
	}
	if err := a.Store.PutCanned(ctx, c); err != nil {
		return c, fmt.Errorf("save canned message %s: %w", c.ID, err)
	}
	return c, nil
}

// DeleteCanned removes a canned message; store.ErrNotFound when there is
// none.
func (a *Service) DeleteCanned(ctx context.Context, id string) error {
	cfg, err := a.Config(ctx)
	if err != nil {
		return err
	}
	if err := a.checkRevision(ctx, cfg); err != nil {
		return err
	}
	cs, err := a.CannedMessages(ctx)
	if err != nil {
		return err
	}
	if _, err := find(cs, "canned message", id, func(c chat.Canned) string { return c.ID }); err != nil {
		return err
	}
	if err := a.Store.DeleteCanned(ctx, id); err != nil {
		return fmt.Errorf("delete canned message %s: %w", id, err)
	}
	return nil
}

// CannedSample is a canned message rendered as an agent would send it.
type CannedSample struct {
	// Case says which chat it is rendered for.
	Case string `json:"case"`
	Text string `json:"text"`
}

// PreviewCanned renders a canned message (saved or not) with sample values:
// for a consumer whose first name is known and one whose is not (the
// placeholder and its gap are left out), by agent "Ana García" in the
// first queue it is limited to (or a sample queue).
func (a *Service) PreviewCanned(ctx context.Context, c chat.Canned) ([]CannedSample, error) {
	queue := chat.Queue{ID: "sample", Name: "Billing"}
	if len(c.QueueIDs) > 0 {
		cfg, err := a.Config(ctx)
		if err != nil {
			return nil, err
		}
		// An unknown queue (which saving refuses) keeps the sample one.
		if q, err := find(cfg.Queues, "queue", c.QueueIDs[0], func(q chat.Queue) string { return q.ID }); err == nil {
			queue = q
		}
	}
	agent := chat.Agent{Name: "Ana García"}
	return []CannedSample{
		{Case: "consumer's first name known (Maria)", Text: canned.Render(c, canned.VarsFor(agent, queue, "Maria"))},
		{Case: "first name unknown", Text: canned.Render(c, canned.VarsFor(agent, queue, ""))},
	}, nil
}
