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
	var outcome StatusOutcome
	var err error
	if st.OptedOut || st.Undeliverable {
		// These change the consent too, in the same transaction.
		err = s.Store.RunTx(ctx, func(tx store.Tx) error {
			m, err := tx.Message(ref)
			if err != nil {
				return fmt.Errorf("load message: %w", err)
			}
			var next chat.Message
			if next, outcome, err = s.report(m, st); err != nil || outcome != StatusApplied {
				return err
			}
			tx.PutMessage(next)
			c, err := tx.Chat(ref.ChatID)
			if err != nil {
				return fmt.Errorf("load chat: %w", err)
			}
			now := s.Clock.Time()
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
	} else {
		// A report that changes only the message needs no transaction, so
		// it never holds the message against the sender recording the
		// carrier's answer, nor against the next report.
		_, err = s.Store.UpdateDelivery(ctx, ref, func(m chat.Message) (chat.Message, bool, error) {
			next, o, err := s.report(m, st)
			outcome = o
			return next, o == StatusApplied, err
		})
	}
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

// report decides what a status report does to the message as stored.
func (s *Service) report(m chat.Message, st carrier.Status) (chat.Message, StatusOutcome, error) {
	if st.IdempotencyToken != "" && m.Delivery.Token == st.IdempotencyToken && m.ProviderMessageID == st.ProviderMessageID {
		return m, StatusRetried, nil
	}
	next, moved, err := sending.ApplyReport(m, sending.StatusReport{
		ProviderMessageID: st.ProviderMessageID, Status: st.Status,
		ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
	}, s.Clock.Time())
	if err != nil {
		return m, StatusStale, err
	}
	if !moved {
		return m, StatusStale, nil
	}
	next.Delivery.Token = st.IdempotencyToken
	return next, StatusApplied, nil
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
