package delivery

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ErrProviderIDMismatch means a callback names a message whose recorded
// provider id differs: it is not about this message.
var ErrProviderIDMismatch = chat.ErrProviderIDMismatch

// ApplyStatus records a provider's delivery report for a message. Reports
// arrive out of order and more than once; only a report that moves the
// message forward is written. A report that says the consumer opted out at
// the carrier revokes consent.
func (s *Service) ApplyStatus(ctx context.Context, provider string, ref chat.Ref, st carrier.Status) (changed bool, err error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": ref.ChatID, "message_seq": ref.Seq, "provider_message_id": st.ProviderMessageID})
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		changed = false
		m, err := tx.Message(ref)
		if err != nil {
			return fmt.Errorf("load message: %w", err)
		}
		now := s.Clock.Time()
		next, moved, err := m.ApplyReport(chat.StatusReport{
			ProviderMessageID: st.ProviderMessageID, Status: st.Status,
			ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
		}, now)
		if err != nil || !moved {
			return err
		}
		changed = true
		tx.PutMessage(next)
		if !st.OptedOut {
			return nil
		}
		c, err := tx.Chat(ref.ChatID)
		if err != nil {
			return fmt.Errorf("load chat: %w", err)
		}
		return revokeAtCarrier(tx, c, "carrier_"+provider+"_"+st.ProviderMessageID, st.ErrorCode, now)
	})
	if err != nil {
		return false, fmt.Errorf("apply status %s for %s: %w", st.Status, st.ProviderMessageID, err)
	}
	if st.Unregistered && changed {
		c, err := s.Store.Chat(ctx, ref.ChatID)
		if err != nil {
			return changed, fmt.Errorf("load chat %s: %w", ref.ChatID, err)
		}
		if err := s.markUnregistered(ctx, c.Number, st.ErrorCode); err != nil {
			return changed, err
		}
	}
	logging.From(ctx).WithField("status", st.Status).WithField("changed", changed).Info("delivery status")
	return changed, nil
}
