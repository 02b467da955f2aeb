package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// changeChat runs one agent action on a chat in a transaction, settles it
// (assignment, writes, offers to freed agents) and dispatches the result.
func (a *App) changeChat(ctx context.Context, chatID, action string, op func(tx Tx, ch *chat.Change) error) (*chat.Change, error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": chatID})
	tree, err := a.Tree(ctx)
	if err != nil {
		return nil, err
	}
	var changes []*chat.Change
	err = a.Store.RunTx(ctx, func(tx Tx) error {
		changes = nil
		c, err := tx.Chat(chatID)
		if err != nil {
			return err
		}
		ch := chat.Begin(c, tree, a.now(), "")
		agents, err := chatAgents(tx, c)
		if err != nil {
			return err
		}
		ch.Know(agents...)
		if err := op(tx, ch); err != nil {
			return err
		}
		changes, err = a.settle(tx, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s chat %s: %w", action, chatID, err)
	}
	if err := a.dispatch(ctx, changes); err != nil {
		return nil, err
	}
	return changes[0], nil
}

// AcceptOffer is an agent taking the chat offered to them.
func (a *App) AcceptOffer(ctx context.Context, chatID, agentID string) error {
	_, err := a.changeChat(ctx, chatID, "accept", func(_ Tx, ch *chat.Change) error { return ch.Accept(agentID) })
	return err
}

// DeclineOffer passes an offered chat to the next agent.
func (a *App) DeclineOffer(ctx context.Context, chatID, agentID string) error {
	_, err := a.changeChat(ctx, chatID, "decline", func(_ Tx, ch *chat.Change) error { return ch.Decline(agentID) })
	return err
}

// AgentReply sends an agent's text in a chat they hold. The body is checked
// against the carrier limits before anything is stored. A requestID seen
// before answers with the message it created, sending nothing again.
func (a *App) AgentReply(ctx context.Context, chatID, agentID, body string, media []chat.Media, requestID string) (chat.Ref, error) {
	if err := sms.CheckBody(body); err != nil {
		return chat.Ref{}, err
	}
	var ref chat.Ref
	_, err := a.changeChat(ctx, chatID, "reply in", func(_ Tx, ch *chat.Change) error {
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
		return ref, a.EnqueueSend(ctx, ref)
	}
	return ref, err
}

// FinishChat is the agent ending a chat (end reason Finished) with an
// optional wrap-up note.
func (a *App) FinishChat(ctx context.Context, chatID, agentID, wrapUp string) error {
	_, err := a.changeChat(ctx, chatID, "finish", func(_ Tx, ch *chat.Change) error { return ch.Finish(agentID, wrapUp) })
	return err
}

// TransferChat hands a chat held by agentID to another agent or a queue.
// The outcome (pending, ended at once, or failed because the target agent
// is not available) is on the returned chat's last transfer.
func (a *App) TransferChat(ctx context.Context, chatID, agentID string, req chat.TransferRequest) (chat.Chat, error) {
	var target *chat.Agent
	if req.ToAgent != "" {
		ag, err := a.Store.Agent(ctx, req.ToAgent)
		if errors.Is(err, ErrNotFound) {
			return chat.Chat{}, fmt.Errorf("transfer chat %s: %w: agent %s", chatID, ErrNotFound, req.ToAgent)
		}
		if err != nil {
			return chat.Chat{}, err
		}
		target = &ag
	}
	ch, err := a.changeChat(ctx, chatID, "transfer", func(tx Tx, ch *chat.Change) error {
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

// SetAgentStatus changes an agent's availability. Going available pulls
// the longest-waiting chats of their queues, up to their capacity; going
// away or offline takes back the chats still offered to them, so they are
// not held until the offers time out.
func (a *App) SetAgentStatus(ctx context.Context, agentID string, status chat.AgentStatus) error {
	if !status.Valid() {
		return fmt.Errorf("status %q: must be available, away or offline", status)
	}
	tree, err := a.Tree(ctx)
	if err != nil {
		return err
	}
	var changes []*chat.Change
	err = a.Store.RunTx(ctx, func(tx Tx) error {
		changes = nil
		ag, err := tx.Agent(agentID)
		if err != nil {
			return err
		}
		ag.Status, ag.StatusReason = status, ""
		tx.PutAgent(ag)
		if status != chat.AgentAvailable {
			return nil
		}
		changes, err = a.offerWaiting(tx, tree, []string{agentID}, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("set agent %s %s: %w", agentID, status, err)
	}
	if err := a.dispatch(ctx, changes); err != nil {
		return err
	}
	if status == chat.AgentAvailable {
		return nil
	}
	return a.withdrawOffers(ctx, agentID)
}

// withdrawOffers passes on every chat still offered to an agent who left.
// Each chat is its own transaction; a chat accepted or reassigned in the
// meantime is left alone by the domain.
func (a *App) withdrawOffers(ctx context.Context, agentID string) error {
	chats, err := a.Store.AgentChats(ctx, agentID, a.now(), MaxOpenAgentChats)
	if err != nil {
		return fmt.Errorf("offers of agent %s: %w", agentID, err)
	}
	for _, c := range chats {
		if c.Offer == nil || c.Offer.AgentID != agentID {
			continue
		}
		_, err := a.changeChat(ctx, c.ID, "withdraw the offer of", func(_ Tx, ch *chat.Change) error {
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

// IsStateError reports whether err is an agent action on a chat in the
// wrong state (a conflict for the caller, not a failure).
func IsStateError(err error) bool {
	for _, e := range []error{chat.ErrNotOffered, chat.ErrNotAssigned, chat.ErrChatEnded, chat.ErrEmptyMessage, chat.ErrTransferPending} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
