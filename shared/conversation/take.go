package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/presence"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Take gives the viewer a chat waiting in one of their queues at once, as
// if they had accepted an offer of it (the consumer gets the Agent Assigned
// text); an offer out to a colleague is withdrawn, and the colleague is
// offered other waiting chats. The queue is checked again in the
// transaction: a chat moved to another queue meanwhile is not taken.
func (s *Service) Take(ctx context.Context, v access.Viewer, chatID string) (chat.Chat, error) {
	_, actor, err := s.actOn(ctx, v, chatID, access.ActTake)
	if err != nil {
		return chat.Chat{}, err
	}
	ch, err := s.changeChat(ctx, chatID, "take", func(tx store.Tx, ch *chat.Change) error {
		if _, err := access.Authorize(v, ch.Chat, ch.Tree, access.ActTake); err != nil {
			return err
		}
		ag, err := tx.Agent(actor)
		if err != nil {
			return fmt.Errorf("agent %s: %w", actor, err)
		}
		ch.Know(ag)
		return ch.Take(actor)
	})
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}

// checkQueueServed refuses a transfer of c by actor to a queue where no
// agent could be offered it now (chat.Eligible: available, with room, who
// speaks its language; the actor left out, as routing leaves them out of
// the first offer), naming why, so the agent does not leave the consumer
// waiting for nobody without knowing. It is advice of the moment, read
// outside the transfer's transaction: TransferInput.Force skips it.
func (s *Service) checkQueueServed(ctx context.Context, tree *chat.Tree, c chat.Chat, actor, queueID string) error {
	probe := c
	probe.Status, probe.QueueID, probe.Offer, probe.Declined = chat.StatusQueued, queueID, nil, []string{actor}
	now := s.Clock.Time()
	anyFree := false
	for _, id := range tree.Agents(queueID) {
		if id == actor {
			continue
		}
		ag, err := s.Store.Agent(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // an agent of the tree with no document takes no chats
		}
		if err != nil {
			return fmt.Errorf("agent %s: %w", id, err)
		}
		ag, _ = presence.Check(ag, now, s.awayAfter())
		if chat.Eligible(ag, probe) {
			return nil
		}
		anyFree = anyFree || ag.Free()
	}
	q, _ := tree.Queue(queueID)
	who := "agent"
	if slices.Contains(tree.Agents(queueID), actor) {
		who = "other agent"
	}
	if anyFree && c.Language != "" {
		who += " who speaks " + c.Language
	}
	return fmt.Errorf("%w: no %s is available in %s now; the chat would wait in the queue (send \"force\": true to transfer anyway)",
		chat.ErrNoAgentNow, who, q.Name)
}
