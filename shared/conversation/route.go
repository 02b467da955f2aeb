package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Routing outcomes recorded on the inbound record.
const (
	OutcomeRouted          = "routed"
	OutcomeUnknownNumber   = "unknown-number"
	OutcomeNumberDisabled  = "number-disabled"
	OutcomeChannelDisabled = "channel-disabled"
)

// routeTimeout bounds one routing or timer, a media copy included.
const routeTimeout = 120 * time.Second

// RouteInbound applies one inbound text to its chat in one transaction and
// then enqueues the replies that transaction decided on. Safe to run any
// number of times for the same message: the inbound record says whether it
// was applied, and what to (re-)enqueue.
func (s *Service) RouteInbound(ctx context.Context, in chat.Inbound) error {
	// Once started, a routing runs to its end even when the push request
	// that brought it ends (the emulator killed, a push deadline): a commit
	// whose answer was cut off would otherwise be reported as failed while
	// it stands, and only a redelivery, which a lost message never gets,
	// would hand its replies over.
	ctx, cancel := outlive(ctx, routeTimeout)
	defer cancel()
	in, err := s.Media.CopyInboundMedia(ctx, in)
	if err != nil {
		return fmt.Errorf("route inbound %s: %w", in.ID, err)
	}
	cfg, err := s.Trees.Config(ctx)
	if err != nil {
		return fmt.Errorf("route inbound %s: %w", in.ID, err)
	}
	tree := cfg.Tree
	var replies []chat.Ref
	var changes []*chat.Change
	var outcome, chatID string
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		replies, changes, outcome, chatID = nil, nil, "", ""
		rec, err := tx.Inbound(in.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The publish is only ever after the record's creation, but a
			// record expired by TTL before a very late redelivery is routed
			// as new rather than dropped.
			rec = store.InboundRecord{Message: in, ExpireAt: in.ReceivedAt.Add(store.InboundRetention)}
		case err != nil:
			return err
		}
		if rec.Routed {
			replies, outcome, chatID = rec.Replies, "already-routed", rec.ChatID
			return nil
		}
		rec.Routed = true

		// From the configuration's revision, not read in the transaction:
		// numbers are configuration, not contended state.
		number, ok := cfg.Numbers[in.Number]
		if !ok {
			rec.Outcome, outcome = OutcomeUnknownNumber, OutcomeUnknownNumber
			tx.PutInbound(rec)
			return nil
		}
		settings := tree.Settings
		if !settings.ChannelEnabled || !number.Enabled {
			outcome = OutcomeChannelDisabled
			if !number.Enabled {
				outcome = OutcomeNumberDisabled
			}
			rec.Outcome = outcome
			tx.PutInbound(rec)
			return nil
		}

		consent, err := tx.Consent(in.Number, in.Consumer)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st := chat.InboundState{Settings: settings, Tree: tree, Number: number, Consent: consent, Detector: s.Detector}
		if id, err := tx.ActiveChatID(in.Number, in.Consumer); err == nil {
			c, err := tx.Chat(id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			case c.Open():
				st.OpenChat = &c
				if st.Agents, err = chatAgents(tx, c); err != nil {
					return err
				}
			default:
				st.Previous = &c
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}

		out := chat.ReceiveInbound(st, in, s.Clock.ID(), s.Clock.Time())
		if out.Consent != nil {
			tx.PutConsent(*out.Consent)
		}
		for _, ev := range out.Events {
			tx.AddConsentEvent(in.Number, in.Consumer, ev)
		}
		if out.ThreadOpen && out.NewChat {
			tx.SetActiveChat(in.Number, in.Consumer, out.Chat.ID)
		}
		if changes, err = s.settle(tx, out.Change); err != nil {
			return err
		}
		if !out.ThreadOpen && st.Previous != nil {
			// A new chat that ended at once (STOP) replaces a dismissed
			// chat's pointer: there is nothing left to tell about it.
			tx.ClearActiveChat(in.Number, in.Consumer)
		}
		rec.Outcome, rec.ChatID, rec.Replies = OutcomeRouted, out.Chat.ID, out.Replies
		tx.PutInbound(rec)
		outcome, chatID = OutcomeRouted, out.Chat.ID
		return nil
	})
	if err != nil {
		return fmt.Errorf("route inbound %s: %w", in.ID, err)
	}
	ctx = logging.With(ctx, logrus.Fields{"chat_id": chatID})
	logging.From(ctx).WithField("outcome", outcome).Info("inbound routed")
	if outcome == "already-routed" {
		// Re-enqueue what the first attempt decided; task names dedupe. The
		// chat's timers too, if this text was its latest change.
		if err := s.Delivery.EnqueueReplies(ctx, replies); err != nil {
			return err
		}
		if c, err := s.Store.Chat(ctx, chatID); err == nil && c.LastCause == in.ID {
			return s.repair(ctx, c)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("route inbound %s: reload chat: %w", in.ID, err)
		}
		return nil
	}
	return s.dispatch(ctx, changes)
}

func settingsOrDefault(s chat.Settings, err error) (chat.Settings, error) {
	if errors.Is(err, store.ErrNotFound) {
		return chat.DefaultSettings(), nil
	}
	return s, err
}
