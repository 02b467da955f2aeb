package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// StatusUpdate is a carrier's delivery report for one outbound message.
type StatusUpdate struct {
	Ref               chat.Ref
	Provider          string
	ProviderMessageID string
	Status            chat.DeliveryStatus
	ErrorCode         string
	ErrorMessage      string
}

// ErrProviderIDMismatch means a callback names a message whose recorded
// provider id differs: it is not about this message.
var ErrProviderIDMismatch = errors.New("provider message id does not match the message")

// Carrier error codes that mean the consumer opted out at the carrier.
var optOutCodes = map[string]bool{"21610": true}

// ApplyStatus records a delivery report. Reports arrive out of order and
// more than once; only a report that moves the message forward is written.
// A report for a message whose send outcome was never recorded (the sender
// crashed after the carrier accepted it) repairs the record to sent.
func (a *App) ApplyStatus(ctx context.Context, u StatusUpdate) (changed bool, err error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": u.Ref.ChatID, "message_seq": u.Ref.Seq, "provider_message_id": u.ProviderMessageID})
	err = a.Store.RunTx(ctx, func(tx Tx) error {
		changed = false
		m, err := tx.Message(u.Ref)
		if err != nil {
			return fmt.Errorf("load message: %w", err)
		}
		if m.ProviderMessageID != "" && m.ProviderMessageID != u.ProviderMessageID {
			return ErrProviderIDMismatch
		}
		now := a.now()
		if m.ProviderMessageID == "" {
			m.ProviderMessageID = u.ProviderMessageID
			if m.Send.State != chat.SendSent {
				m.Send.State, m.Send.SentAt, m.Send.Error = chat.SendSent, now, ""
			}
			changed = true
		}
		if d, ok := m.Delivery.Advance(u.Status, u.ErrorCode, u.ErrorMessage, now); ok {
			m.Delivery, changed = d, true
		}
		if !changed {
			return nil
		}
		tx.PutMessage(m)
		if optOutCodes[u.ErrorCode] {
			c, err := tx.Chat(u.Ref.ChatID)
			if err != nil {
				return fmt.Errorf("load chat: %w", err)
			}
			consent, err := tx.Consent(c.Number, c.Consumer)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("load consent: %w", err)
			}
			if next, ev, ok := chat.RevokeByCarrier(consent, c.Number, c.Consumer, "carrier_"+u.Provider+"_"+u.ProviderMessageID, u.ErrorCode, now); ok {
				ev.ChatID = c.ID
				tx.PutConsent(next)
				tx.AddConsentEvent(c.Number, c.Consumer, ev)
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("apply status %s for %s: %w", u.Status, u.ProviderMessageID, err)
	}
	logging.From(ctx).WithField("status", u.Status).WithField("changed", changed).Info("delivery status")
	return changed, nil
}
