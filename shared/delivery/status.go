package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sending"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ErrProviderIDMismatch means a callback names a message whose recorded
// provider id differs: it is not about this message.
var ErrProviderIDMismatch = sending.ErrProviderIDMismatch

// StatusOutcome says what ApplyStatus did with a report.
type StatusOutcome string

const (
	// StatusApplied: the report moved the message forward.
	StatusApplied StatusOutcome = "applied"
	// StatusStale: a duplicate or late report; nothing changed.
	StatusStale StatusOutcome = "stale"
	// StatusRetried: the provider's retry of the report applied last (the
	// same idempotency token); acknowledged without applying it again.
	StatusRetried StatusOutcome = "retried"
)

// ApplyStatus records a provider's delivery report for a message. Reports
// arrive out of order and more than once; only a report that moves the
// message forward is written. A report carrying the idempotency token of
// the one applied last is the provider's retry of it (Twilio retries a
// callback that got no answer at once, before the next status) and is not
// applied again; a report without a token is judged by its status alone.
// A report that says the consumer opted out at the carrier revokes
// consent; one that says the number cannot receive texts marks it so.
func (s *Service) ApplyStatus(ctx context.Context, provider string, ref chat.Ref, st carrier.Status) (StatusOutcome, error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": ref.ChatID, "message_seq": ref.Seq, "provider_message_id": st.ProviderMessageID})
	outcome := StatusStale
	err := s.Store.RunTx(ctx, func(tx store.Tx) error {
		outcome = StatusStale
		m, err := tx.Message(ref)
		if err != nil {
			return fmt.Errorf("load message: %w", err)
		}
		if st.IdempotencyToken != "" && m.Delivery.Token == st.IdempotencyToken && m.ProviderMessageID == st.ProviderMessageID {
			outcome = StatusRetried
			return nil
		}
		now := s.Clock.Time()
		next, moved, err := sending.ApplyReport(m, sending.StatusReport{
			ProviderMessageID: st.ProviderMessageID, Status: st.Status,
			ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
		}, now)
		if err != nil || !moved {
			return err
		}
		outcome = StatusApplied
		next.Delivery.Token = st.IdempotencyToken
		tx.PutMessage(next)
		if !st.OptedOut && !st.Undeliverable {
			return nil
		}
		c, err := tx.Chat(ref.ChatID)
		if err != nil {
			return fmt.Errorf("load chat: %w", err)
		}
		if st.Undeliverable {
			if err := markUndeliverable(tx, c, st.ErrorCode, st.ErrorMessage, now); err != nil {
				return err
			}
		}
		if !st.OptedOut {
			return nil
		}
		return revokeAtCarrier(tx, c, "carrier_"+provider+"_"+st.ProviderMessageID, st.ErrorCode, now)
	})
	if err != nil {
		return outcome, fmt.Errorf("apply status %s for %s: %w", st.Status, st.ProviderMessageID, err)
	}
	if st.Unregistered && outcome == StatusApplied {
		c, err := s.Store.Chat(ctx, ref.ChatID)
		if err != nil {
			return outcome, fmt.Errorf("load chat %s: %w", ref.ChatID, err)
		}
		if err := s.markUnregistered(ctx, c.Number, st.ErrorCode); err != nil {
			return outcome, err
		}
	}
	log := logging.From(ctx).WithField("status", st.Status).WithField("outcome", outcome)
	if st.Alert && outcome == StatusApplied {
		log.WithField("carrier_code", st.ErrorCode).Error("the carrier refused a text for a reason the business must fix: " + st.ErrorMessage)
		return outcome, nil
	}
	log.Info("delivery status")
	return outcome, nil
}

// markUndeliverable records, in tx, that the carrier says the consumer's
// number cannot receive texts (unknown, a landline): proactive texts to it
// are refused from then on, with the carrier's reason
// (chat/proactive.CheckConsent). Consent itself is untouched: the consumer
// did not opt out.
func markUndeliverable(tx store.Tx, c chat.Chat, code, why string, now time.Time) error {
	consent, err := tx.Consent(c.Number, c.Consumer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("load consent: %w", err)
	}
	reason := why
	if code != "" {
		reason = why + " (carrier error " + code + ")"
	}
	if consent.Undeliverable == reason {
		return nil
	}
	consent.Number, consent.Consumer, consent.Undeliverable = c.Number, c.Consumer, reason
	if consent.UpdatedAt.IsZero() {
		consent.UpdatedAt = now
	}
	tx.PutConsent(consent)
	return nil
}
