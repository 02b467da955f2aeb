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

// changeChat runs one agent action on a chat in a transaction, settles it
// (assignment, writes, offers to freed agents) and dispatches the result.
func (s *Service) changeChat(ctx context.Context, chatID, action string, op func(tx store.Tx, ch *chat.Change) error) (*chat.Change, error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": chatID})
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return nil, err
	}
	var changes []*chat.Change
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		changes = nil
		c, err := tx.Chat(chatID)
		if err != nil {
			return err
		}
		ch := chat.Begin(c, tree, s.Clock.Time(), "")
		agents, err := chatAgents(tx, c)
		if err != nil {
			return err
		}
		ch.Know(agents...)
		if err := op(tx, ch); err != nil {
			return err
		}
		changes, err = s.settle(tx, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s chat %s: %w", action, chatID, err)
	}
	if err := s.dispatch(ctx, changes); err != nil {
		return nil, err
	}
	return changes[0], nil
}

// agentReply stores an agent's text in a chat they hold and sends it; the
// caller has checked the body against the carrier limits. The request id is
// checked again in the transaction: two concurrent retries of one request
// store one message, and the second answers with it, sending nothing again.
func (s *Service) agentReply(ctx context.Context, chatID, agentID, body string, media []chat.Media, requestID string) (chat.Ref, error) {
	var ref chat.Ref
	_, err := s.changeChat(ctx, chatID, "reply in", func(_ store.Tx, ch *chat.Change) error {
		if r, ok := ch.Chat.RequestRef(requestID); ok {
			ref = r
			return errAlreadyDone
		}
		var err error
		ref, err = ch.AgentMessage(agentID, body, media, requestID)
		return err
	})
	if errors.Is(err, errAlreadyDone) {
		// The first attempt may have stopped before enqueueing the send;
		// the task name dedupes if it did not.
		return ref, s.Delivery.Enqueue(ctx, ref)
	}
	return ref, err
}

// transferChat hands a chat held by agentID to another agent or a queue.
// The outcome (pending, ended at once, or failed because the target agent
// is not available) is on the returned chat's last transfer.
func (s *Service) transferChat(ctx context.Context, chatID, agentID string, req chat.TransferRequest) (chat.Chat, error) {
	var target *chat.Agent
	if req.ToAgent != "" {
		ag, err := s.Store.Agent(ctx, req.ToAgent)
		if errors.Is(err, store.ErrNotFound) {
			return chat.Chat{}, fmt.Errorf("transfer chat %s: %w: agent %s", chatID, store.ErrNotFound, req.ToAgent)
		}
		if err != nil {
			return chat.Chat{}, err
		}
		target = &ag
	}
	first := s.consumerFirstName(ctx, chatID)
	ch, err := s.changeChat(ctx, chatID, "transfer", func(tx store.Tx, ch *chat.Change) error {
		ch.ConsumerFirstName = first
		if ch.Chat.AgentID != agentID {
			return chat.ErrNotAssigned
		}
		t := target
		if t != nil {
			// Read again inside the transaction: capacity is decided here.
			cur, err := tx.Agent(req.ToAgent)
			if err != nil {
				return err
			}
			t = &cur
		}
		return ch.StartTransfer(req, t)
	})
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}

// errAlreadyDone ends a transaction that found its work done before.
var errAlreadyDone = errors.New("already done")

// setAgentStatus changes an agent's availability. Going available pulls
// the longest-waiting chats of their queues, up to their capacity; going
// away or offline takes back the chats still offered to them, so they are
// not held until the offers time out.
func (s *Service) setAgentStatus(ctx context.Context, agentID string, status chat.AgentStatus) error {
	if !status.Valid() {
		return fmt.Errorf("status %q: must be available, away or offline", status)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return err
	}
	var changes []*chat.Change
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		changes = nil
		ag, err := tx.Agent(agentID)
		if err != nil {
			return err
		}
		if ag.Status != status || ag.StatusSince.IsZero() {
			ag.StatusSince = s.Clock.Time()
		}
		ag.Status, ag.StatusReason = status, ""
		// A person changing their status is present, whatever their
		// console's last recorded poll says (presence.go).
		ag.LastSeenAt = s.Clock.Time()
		tx.PutAgent(ag)
		if status != chat.AgentAvailable {
			return nil
		}
		changes, err = s.offerWaiting(tx, tree, []string{agentID}, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("set agent %s %s: %w", agentID, status, err)
	}
	if err := s.dispatch(ctx, changes); err != nil {
		return err
	}
	if status == chat.AgentAvailable {
		return nil
	}
	return s.withdrawOffers(ctx, agentID)
}

// withdrawOffers passes on every chat still offered to an agent who left.
// Each chat is its own transaction; a chat accepted or reassigned in the
// meantime is left alone by the domain.
func (s *Service) withdrawOffers(ctx context.Context, agentID string) error {
	chats, err := s.Store.AgentChats(ctx, agentID, s.Clock.Time(), store.MaxOpenAgentChats)
	if err != nil {
		return fmt.Errorf("offers of agent %s: %w", agentID, err)
	}
	for _, c := range chats {
		if c.Offer == nil || c.Offer.AgentID != agentID {
			continue
		}
		_, err := s.changeChat(ctx, c.ID, "withdraw the offer of", func(_ store.Tx, ch *chat.Change) error {
			if !ch.Withdraw(agentID) {
				return errAlreadyDone // accepted or passed on meanwhile
			}
			return nil
		})
		if err != nil && !errors.Is(err, errAlreadyDone) {
			return err
		}
	}
	return nil
}
