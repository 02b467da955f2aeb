package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// maxWaitingScan bounds how many waiting chats a freed agent's pull looks
// at; the longest waiting eligible one is almost always among the first.
const maxWaitingScan = 50

// treeCache keeps the routing configuration of the last revision seen.
type treeCache struct {
	mu       sync.Mutex
	revision string
	tree     *chat.Tree
}

// Tree returns the routing configuration, read outside the event's
// transaction: configuration is not contended state. It is cached per
// configuration revision, so an admin's change takes effect for the next
// message without a redeploy while an unchanged configuration costs one
// document read per event instead of one per queue.
func (a *App) Tree(ctx context.Context) (*chat.Tree, error) {
	rev, err := a.Store.ConfigRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("configuration revision: %w", err)
	}
	a.trees.mu.Lock()
	cached := a.trees.tree
	if rev == "" || rev != a.trees.revision {
		cached = nil
	}
	a.trees.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	tree, err := a.loadTree(ctx)
	if err != nil {
		return nil, err
	}
	if rev != "" {
		// Read before the documents: a write racing the load leaves a newer
		// tree under an older revision, which the next check replaces.
		a.trees.mu.Lock()
		a.trees.revision, a.trees.tree = rev, tree
		a.trees.mu.Unlock()
	}
	return tree, nil
}

func (a *App) loadTree(ctx context.Context) (*chat.Tree, error) {
	settings, err := settingsOrDefault(a.Store.Settings(ctx))
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	queues, err := a.Store.Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("load queues: %w", err)
	}
	teams, err := a.Store.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("load teams: %w", err)
	}
	return chat.NewTree(settings, queues, teams), nil
}

// txAgents reads agents in a transaction, skipping ids no longer on file.
func txAgents(tx Tx, ids ...string) ([]chat.Agent, error) {
	var out []chat.Agent
	for _, id := range ids {
		if id == "" {
			continue
		}
		ag, err := tx.Agent(id)
		if errors.Is(err, ErrNotFound) {
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
func chatAgents(tx Tx, c chat.Chat) ([]chat.Agent, error) {
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
func (a *App) settle(tx Tx, ch *chat.Change) ([]*chat.Change, error) {
	if ch.NeedsAgent {
		cands, err := txAgents(tx, ch.Tree.Agents(ch.Chat.QueueID)...)
		if err != nil {
			return nil, err
		}
		ch.Assign(cands)
	}
	write(tx, ch)
	if ch.Ended && ch.Chat.EndReason != chat.EndDismissed {
		// A dismissed chat stays the thread's pointer so the consumer's next
		// text can be told what happened; it is no longer open either way.
		if id, err := tx.ActiveChatID(ch.Chat.Number, ch.Chat.Consumer); err == nil && id == ch.Chat.ID {
			tx.ClearActiveChat(ch.Chat.Number, ch.Chat.Consumer)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	more, err := a.offerWaiting(tx, ch.Tree, ch.FreedAgents, ch.Chat.LastCause)
	if err != nil {
		return nil, err
	}
	return append([]*chat.Change{ch}, more...), nil
}

func write(tx Tx, ch *chat.Change) {
	tx.PutChat(ch.Chat)
	for _, m := range ch.Messages {
		tx.PutMessage(m)
	}
	for _, id := range sortedKeys(ch.Agents) {
		tx.PutAgent(ch.Agents[id])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// offerWaiting gives agents who gained capacity the longest-waiting chats
// of their queues, as many as their capacity allows, in the same
// transaction that freed them.
func (a *App) offerWaiting(tx Tx, tree *chat.Tree, agentIDs []string, cause string) ([]*chat.Change, error) {
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
		if len(queues) > 30 {
			queues = queues[:30] // Firestore's "in" bound; more is a misconfiguration
		}
		for {
			ag, err := tx.Agent(id)
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return nil, err
			}
			if !ag.Free() {
				break
			}
			waiting, err := tx.WaitingChats(queues, maxWaitingScan)
			if err != nil {
				return nil, fmt.Errorf("waiting chats for %s: %w", id, err)
			}
			pick, ok := chat.PickWaiting(ag, waiting)
			if !ok {
				break
			}
			ch := chat.Begin(pick, tree, a.now(), cause)
			ch.Assign([]chat.Agent{ag})
			if _, took := ch.Agents[id]; !took {
				break // not eligible after all; never loop on the same chat
			}
			write(tx, ch)
			out = append(out, ch)
		}
	}
	return out, nil
}

// TimerTask is the body of a chat-timers task.
type TimerTask struct {
	ChatID  string         `json:"chatId"`
	Kind    chat.TimerKind `json:"kind"`
	Version int64          `json:"version"`
}

// dispatch carries out what committed changes decided: the sends, the new
// timers, and the deletion of superseded timers. Every step is idempotent
// (named tasks), so running it again after a crash is safe.
func (a *App) dispatch(ctx context.Context, changes []*chat.Change) error {
	for _, ch := range changes {
		if err := a.enqueueReplies(ctx, ch.Replies); err != nil {
			return err
		}
		for _, t := range ch.Arm {
			if err := a.enqueueTimer(ctx, t); err != nil {
				return err
			}
		}
		if err := a.publish(ctx, ch.Events); err != nil {
			return err
		}
		for _, t := range ch.Cancel {
			// A stale timer is harmless (it checks its version), so a failed
			// delete only costs one no-op delivery later.
			if err := a.Tasks.Delete(ctx, tasks.QueueTimers, t.TaskName()); err != nil {
				logging.From(ctx).WithError(err).WithField("task", t.TaskName()).Warn("could not delete superseded timer")
			}
		}
	}
	return nil
}

// repair re-runs the dispatch of a chat's latest change from what the chat
// document records: its outbox and its armed timers.
func (a *App) repair(ctx context.Context, c chat.Chat) error {
	refs := make([]chat.Ref, len(c.Outbox))
	for i, seq := range c.Outbox {
		refs[i] = chat.Ref{ChatID: c.ID, Seq: seq}
	}
	if err := a.enqueueReplies(ctx, refs); err != nil {
		return err
	}
	for _, t := range c.Timers {
		if err := a.enqueueTimer(ctx, t); err != nil {
			return err
		}
	}
	return a.publish(ctx, c.Unpublished)
}

// publish sends chat events to chat-events, ordered per chat. Consumers
// dedupe on the event id: a repair publishes the same events again.
func (a *App) publish(ctx context.Context, events []chat.Event) error {
	for _, ev := range events {
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode event %s: %w", ev.ID, err)
		}
		msg := bus.Message{Data: data, OrderingKey: ev.ChatID, Attributes: map[string]string{
			chat.EventTypeAttributeKey: string(ev.Type), "eventId": ev.ID,
		}}
		if err := a.Bus.Publish(ctx, bus.TopicChatEvents, msg); err != nil {
			return fmt.Errorf("publish %s: %w", ev.ID, err)
		}
	}
	return nil
}

func (a *App) enqueueTimer(ctx context.Context, t chat.Timer) error {
	body, err := json.Marshal(TimerTask{ChatID: t.ChatID, Kind: t.Kind, Version: t.Version})
	if err != nil {
		return fmt.Errorf("encode timer task: %w", err)
	}
	task := tasks.Task{
		Name:       t.TaskName(),
		URL:        a.URLs.Function(FnChatTimers),
		Body:       body,
		Headers:    map[string]string{"Content-Type": "application/json"},
		ScheduleAt: t.DueAt,
	}
	if err := a.Tasks.Enqueue(ctx, tasks.QueueTimers, task); err != nil {
		return fmt.Errorf("enqueue %s: %w", task.Name, err)
	}
	return nil
}
