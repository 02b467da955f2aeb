package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Timer outcomes, for logs and tests.
const (
	TimerFired    = "fired"
	TimerStale    = "stale"
	TimerRepaired = "repaired"
)

// FireTimer applies a chat timer delivered by Cloud Tasks. A timer whose
// chat moved on (another version armed, the chat ended) does nothing, so a
// duplicate delivery ends a chat once; a redelivery of a timer that was
// applied but whose sends a crash interrupted finishes them.
func (s *Service) FireTimer(ctx context.Context, t chat.Timer) (string, error) {
	// Runs to its end once started, as RouteInbound does.
	ctx, cancel := outlive(ctx, routeTimeout)
	defer cancel()
	name := t.TaskName()
	ctx = logging.With(ctx, logrus.Fields{"chat_id": t.ChatID, "timer": string(t.Kind)})
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return "", err
	}
	first := s.consumerFirstName(ctx, t.ChatID)
	var changes []*chat.Change
	var outcome string
	var applied chat.Chat
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		changes, outcome = nil, ""
		c, err := tx.Chat(t.ChatID)
		if errors.Is(err, store.ErrNotFound) {
			outcome = TimerStale
			return nil
		}
		if err != nil {
			return err
		}
		if c.CallID != "" && (t.Kind == chat.TimerEndUserInactivity || t.Kind == chat.TimerAgentInactivity) {
			// A call's chat is quiet while they talk: it ends with the call
			// (or its CallTimeout), not for want of texts.
			outcome = TimerStale
			return nil
		}
		if !c.IsCurrent(t.Kind, t.Version) {
			outcome, applied = TimerStale, c
			if c.LastCause == name {
				outcome = TimerRepaired
			}
			return nil
		}
		ch := chat.Begin(c, tree, s.Clock.Time(), name)
		ch.ConsumerFirstName = first
		agents, err := chatAgents(tx, c)
		if err != nil {
			return err
		}
		ch.Know(agents...)
		ch.Fire(t.Kind)
		changes, err = s.settle(tx, ch)
		outcome = TimerFired
		return err
	})
	if err != nil {
		return "", fmt.Errorf("fire %s: %w", name, err)
	}
	if outcome == TimerRepaired {
		if err := s.repair(ctx, applied); err != nil {
			return "", err
		}
	}
	if err := s.dispatch(ctx, changes); err != nil {
		return "", err
	}
	logging.From(ctx).WithField("outcome", outcome).Info("chat timer")
	return outcome, nil
}
