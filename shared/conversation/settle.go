package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/search"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// maxWaitingScan bounds how many waiting chats a freed agent's pull looks
// at; the longest waiting eligible one is almost always among the first.
const maxWaitingScan = 50

// txAgents reads agents in a transaction, skipping ids no longer on file.
func txAgents(tx store.Tx, ids ...string) ([]chat.Agent, error) {
	var out []chat.Agent
	for _, id := range ids {
		if id == "" {
			continue
		}
		ag, err := tx.Agent(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	return out, nil
}

// chatAgents are the agents a chat holds capacity of.
func chatAgents(tx store.Tx, c chat.Chat) ([]chat.Agent, error) {
	ids := []string{c.AgentID}
	if c.Offer != nil {
		ids = append(ids, c.Offer.AgentID)
	}
	return txAgents(tx, ids...)
}

// settle finishes a change inside its transaction: assignment if the chat
// waits for an agent, the writes, the thread's open-chat pointer when the
// chat ended, and offers to agents the change freed. It returns every
// change made, the given one first.
func (s *Service) settle(tx store.Tx, ch *chat.Change) ([]*chat.Change, error) {
	if ch.NeedsAgent {
		cands, err := txAgents(tx, ch.Tree.Agents(ch.Chat.QueueID)...)
		if err != nil {
			return nil, err
		}
		ch.Assign(s.present(tx, ch, cands))
	}
	write(tx, ch)
	if ch.Ended && !ch.Chat.KeepsThread() {
		// A dismissed, surveyed or handled chat stays the thread's pointer so
		// the consumer's next text can be told what happened, answer the
		// survey or return to its agent (chat.KeepsThread); it is no longer
		// open either way.
		if id, err := tx.ActiveChatID(ch.Chat.Number, ch.Chat.Consumer); err == nil && id == ch.Chat.ID {
			tx.ClearActiveChat(ch.Chat.Number, ch.Chat.Consumer)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	more, err := s.offerWaiting(tx, ch.Tree, ch.FreedAgents, ch.Chat.LastCause)
	if err != nil {
		return nil, err
	}
	return append([]*chat.Change{ch}, more...), nil
}

func write(tx store.Tx, ch *chat.Change) {
	// The inbox's preview and the console's search read the chat alone.
	search.Index(&ch.Chat, ch.Messages)
	tx.PutChat(ch.Chat)
	for _, m := range ch.Messages {
		tx.PutMessage(m)
	}
	ids := make([]string, 0, len(ch.Agents))
	for id := range ch.Agents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		tx.PutAgent(ch.Agents[id])
	}
}

// offerWaiting gives agents who gained capacity the longest-waiting chats
// of their queues, as many as their capacity allows, in the same
// transaction that freed them. The domain picks from one read of each
// agent's waiting chats (chat.FillCapacity).
func (s *Service) offerWaiting(tx store.Tx, tree *chat.Tree, agentIDs []string, cause string) ([]*chat.Change, error) {
	var out []*chat.Change
	seen := map[string]bool{}
	for _, id := range agentIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		queues := tree.QueuesOf(id)
		if len(queues) == 0 {
			continue
		}
		ag, err := tx.Agent(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !ag.Free() || !s.presentAgent(tx, ag) {
			continue
		}
		waiting, err := tx.WaitingChats(queues, maxWaitingScan)
		if err != nil {
			return nil, fmt.Errorf("waiting chats for %s: %w", id, err)
		}
		for _, ch := range chat.FillCapacity(ag, waiting, tree, s.Clock.Time(), cause) {
			write(tx, ch)
			out = append(out, ch)
		}
	}
	return out, nil
}

// dispatch carries out what committed changes decided: the sends, the new
// timers, and the deletion of superseded timers. Every step is idempotent
// (named tasks), so running it again after a crash is safe.
func (s *Service) dispatch(ctx context.Context, changes []*chat.Change) error {
	ctx, cancel := afterCommit(ctx)
	defer cancel()
	for _, ch := range changes {
		if err := s.Delivery.EnqueueReplies(ctx, ch.Replies, ch.Messages...); err != nil {
			return err
		}
		for _, t := range ch.Arm {
			if err := s.enqueueTimer(ctx, t); err != nil {
				return err
			}
		}
		if err := s.publish(ctx, ch.Events); err != nil {
			return err
		}
		for _, t := range ch.Cancel {
			// A stale timer is harmless (it checks its version), so a failed
			// delete only costs one no-op delivery later.
			if err := s.Tasks.Delete(ctx, wire.QueueTimers, t.TaskName()); err != nil {
				logging.From(ctx).WithError(err).WithField("task", t.TaskName()).Warn("could not delete superseded timer")
			}
		}
	}
	return nil
}

// dispatchTimeout bounds the enqueues and publishes after a commit.
const dispatchTimeout = 30 * time.Second

// afterCommit is the context for handing a committed change over (its
// replies, timers and events): it outlives the request's, so a dropped
// connection, a push deadline or an agent closing the console mid-request
// does not leave a committed reply unsent. A redelivery would repair it,
// but only one that comes: a restarted Pub/Sub emulator lost one, and an
// agent's closed tab sends no retry.
func afterCommit(ctx context.Context) (context.Context, context.CancelFunc) {
	return outlive(ctx, dispatchTimeout)
}

// outlive is ctx without its cancellation, bounded by d instead.
func outlive(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// repair re-runs the dispatch of a chat's latest change from what the chat
// document records: its outbox and its armed timers.
func (s *Service) repair(ctx context.Context, c chat.Chat) error {
	refs := make([]chat.Ref, len(c.Outbox))
	for i, seq := range c.Outbox {
		refs[i] = chat.Ref{ChatID: c.ID, Seq: seq}
	}
	if err := s.Delivery.EnqueueReplies(ctx, refs); err != nil {
		return err
	}
	for _, t := range c.Timers {
		if err := s.enqueueTimer(ctx, t); err != nil {
			return err
		}
	}
	return s.publish(ctx, c.Unpublished)
}

// publish sends chat events to chat-events, ordered per chat. Consumers
// dedupe on the event id: a repair publishes the same events again.
func (s *Service) publish(ctx context.Context, events []chat.Event) error {
	for _, ev := range events {
		msg, err := wire.EventMessage(ev)
		if err != nil {
			return err
		}
		if err := s.Bus.Publish(ctx, wire.TopicChatEvents, msg); err != nil {
			return fmt.Errorf("publish %s: %w", ev.ID, err)
		}
	}
	return nil
}

func (s *Service) enqueueTimer(ctx context.Context, t chat.Timer) error {
	task, err := s.URLs.TimerTask(t)
	if err != nil {
		return err
	}
	if err := s.Tasks.Enqueue(ctx, wire.QueueTimers, task); err != nil {
		return fmt.Errorf("enqueue %s: %w", task.Name, err)
	}
	return nil
}
