package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// OutboundStart asks to text a consumer first.
type OutboundStart struct {
	Number, Consumer string
	// AgentID assigns the chat; "" leaves it to the entry queue.
	AgentID string
	// CheckAgentQueues: the agent must work a queue of the number's tree
	// (an agent starting a chat themselves; an API may assign anyone).
	CheckAgentQueues bool
	Bodies           []string
	Media            []chat.Media
	Origin           proactive.Origin
	TicketID         string
	Sessionless      bool
	Hold             bool
	// ChatID makes the start idempotent: a retry with the same id finds
	// the chat and only repairs its dispatch. "" takes a fresh id.
	ChatID string
	// Block is a run of send slots reserved for the texts (a paced batch);
	// a text it does not cover reserves its slot at send time.
	Block *Block
	// StartType, QueueID and Requested are proactive.Start's: a caller's
	// deflection to SMS waits in a queue as a requested, deflected chat.
	StartType chat.StartType
	QueueID   string
	Requested bool
	// CallID, Parked and CallTimeout are proactive.Start's: a wait-time or
	// in-call chat belongs to a voice call.
	CallID      string
	Parked      bool
	CallTimeout time.Duration
}

// Block is consecutive ticks of one lane of the sender's pace.
type Block struct {
	At    time.Time
	Tick  time.Duration
	Ticks int
	Lane  int
}

// lay gives each text its slot in the block, one tick per segment, in
// order; texts past the block's end get none.
func (b Block) lay(msgs []chat.Message) {
	at, end := b.At, b.At.Add(time.Duration(b.Ticks)*b.Tick)
	for i := range msgs {
		if !msgs[i].Author.Outbound() {
			continue
		}
		next := at.Add(time.Duration(max(1, msgs[i].Segments)) * b.Tick)
		if next.After(end) {
			return
		}
		msgs[i].Send.NotBefore, msgs[i].Send.SlotLane, msgs[i].Send.SlotUntil = at, b.Lane, delivery.SlotUntil(at, b.Tick)
		at = next
	}
}

// OutboundResult is the started chat.
type OutboundResult struct {
	Chat      chat.Chat
	Messages  []chat.Message
	HeldUntil time.Time
	// Existing: the chat was started by an earlier attempt.
	Existing bool
}

// ErrUnknownNumber means the business number is not configured.
var ErrUnknownNumber = errors.New("outbound_number is not found")

// StartOutbound starts a chat (or sends without one) as chat/proactive
// decides, in one transaction, then dispatches its texts and timers.
func (s *Service) StartOutbound(ctx context.Context, req OutboundStart) (OutboundResult, error) {
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return OutboundResult{}, fmt.Errorf("start outbound: %w", err)
	}
	id := req.ChatID
	if id == "" {
		id = s.Clock.ID()
	}
	var res OutboundResult
	var changes []*chat.Change
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		res, changes = OutboundResult{}, nil
		if c, err := tx.Chat(id); err == nil {
			res = OutboundResult{Chat: c, Existing: true}
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		number, err := tx.Number(req.Number)
		if errors.Is(err, store.ErrNotFound) {
			return ErrUnknownNumber
		}
		if err != nil {
			return err
		}
		in := proactive.Start{
			Settings: tree.Settings, Tree: tree, Number: number, Consumer: req.Consumer,
			Bodies: req.Bodies, Media: req.Media, Origin: req.Origin, TicketID: req.TicketID,
			Sessionless: req.Sessionless, Hold: req.Hold, ChatID: id, Now: s.Clock.Time(),
			StartType: req.StartType, QueueID: req.QueueID, Requested: req.Requested,
			CallID: req.CallID, Parked: req.Parked, CallTimeout: req.CallTimeout,
		}
		if in.Consent, err = tx.Consent(req.Number, req.Consumer); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if open, err := tx.ActiveChatID(req.Number, req.Consumer); err == nil {
			c, err := tx.Chat(open)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil {
				in.Open = &c
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if req.AgentID != "" {
			a, err := tx.Agent(req.AgentID)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("agent", "no agent %q", req.AgentID)
			}
			if err != nil {
				return err
			}
			if req.CheckAgentQueues && !proactive.WorksNumber(tree, number, a.ID) {
				return invalid("number", "%s routes to queues you do not work", number.E164)
			}
			in.Agent = &a
		}
		out, err := proactive.Begin(in)
		if err != nil {
			return err
		}
		ch := out.Change
		if req.Block != nil {
			req.Block.lay(ch.Messages)
		}
		tx.PutConsent(out.Consent)
		for _, ev := range out.Events {
			tx.AddConsentEvent(req.Number, req.Consumer, ev)
		}
		if out.ThreadOpen {
			tx.SetActiveChat(req.Number, req.Consumer, id)
		}
		if changes, err = s.settle(tx, ch); err != nil {
			return err
		}
		res = OutboundResult{Chat: ch.Chat, Messages: ch.Messages, HeldUntil: out.HeldUntil}
		return nil
	})
	if err != nil {
		return OutboundResult{}, fmt.Errorf("start outbound to %s: %w", req.Consumer, err)
	}
	ctx = logging.With(ctx, logrus.Fields{"chat_id": res.Chat.ID})
	if res.Existing {
		return res, s.repair(ctx, res.Chat)
	}
	logging.From(ctx).WithField("start_type", res.Chat.StartType).WithField("held_until", res.HeldUntil).Info("outbound chat started")
	return res, s.dispatch(ctx, changes)
}

// EndStarted ends a chat a start opened whose first text did not go (a
// deflected caller on a landline): it must not wait for an agent. An ended
// chat stays ended.
func (s *Service) EndStarted(ctx context.Context, chatID string, reason chat.EndReason) error {
	_, err := s.changeChat(ctx, chatID, "end-started", func(_ store.Tx, ch *chat.Change) error {
		if ch.Chat.Open() {
			ch.End(reason)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("end started chat %s: %w", chatID, err)
	}
	return nil
}
