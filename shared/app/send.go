package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// SendLease is how long a claim on a message protects a send attempt. It
// outlasts CarrierTimeout plus the store writes around it, so a claim older
// than this belongs to an attempt that died.
const SendLease = 2 * time.Minute

// CarrierTimeout bounds one carrier API call.
const CarrierTimeout = 20 * time.Second

// ErrSendInProgress means another attempt holds the message's claim; the
// task should be retried later, when that attempt has finished.
var ErrSendInProgress = errors.New("another attempt is sending this message")

// SendTask is the body of an sms-send task.
type SendTask struct {
	ChatID string `json:"chatId"`
	Seq    int64  `json:"seq"`
}

// Ref is the message the task sends.
func (t SendTask) Ref() chat.Ref { return chat.Ref{ChatID: t.ChatID, Seq: t.Seq} }

// SendTaskName names the one task that sends a message, so a retried
// producer cannot create a second send.
func SendTaskName(ref chat.Ref) string {
	return "send-" + ref.ChatID + "-" + strconv.FormatInt(ref.Seq, 10)
}

// EnqueueSend schedules the send of an outbound message.
func (a *App) EnqueueSend(ctx context.Context, ref chat.Ref) error {
	body, err := json.Marshal(SendTask{ChatID: ref.ChatID, Seq: ref.Seq})
	if err != nil {
		return fmt.Errorf("encode send task: %w", err)
	}
	t := tasks.Task{
		Name:    SendTaskName(ref),
		URL:     a.URLs.Function(FnSendSMS),
		Body:    body,
		Headers: map[string]string{"Content-Type": "application/json"},
	}
	if err := a.Tasks.Enqueue(ctx, tasks.QueueSend, t); err != nil {
		return fmt.Errorf("enqueue %s: %w", t.Name, err)
	}
	return nil
}

// SendOutcome says how a send attempt ended.
type SendOutcome string

const (
	SendOutcomeSent       SendOutcome = "sent"
	SendOutcomeDone       SendOutcome = "already-done"
	SendOutcomeSuppressed SendOutcome = "suppressed"
	SendOutcomeFailed     SendOutcome = "failed"
)

type sendPlan struct {
	msg      chat.Message
	chat     chat.Chat
	outcome  SendOutcome // set when no carrier call is to be made
	inFlight bool
}

// SendMessage hands one outbound message to its carrier, at most once.
//
// It claims the message in a transaction (checking consent at this moment,
// not when the message was written), calls the carrier outside any
// transaction, then records the result. A second delivery of the task finds
// the message sent, or claimed and backs off; a claim left by a crashed
// attempt is never followed by a second carrier call, because the first may
// have gone through: the message is marked failed with that reason, and a
// later status callback from the carrier repairs it to sent.
func (a *App) SendMessage(ctx context.Context, ref chat.Ref) (SendOutcome, error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": ref.ChatID, "message_seq": ref.Seq})
	var plan sendPlan
	err := a.Store.RunTx(ctx, func(tx Tx) error {
		plan = sendPlan{}
		m, err := tx.Message(ref)
		if err != nil {
			return fmt.Errorf("load message: %w", err)
		}
		now := a.now()
		switch {
		case m.Send.Done():
			plan.outcome = SendOutcomeDone
			return nil
		case m.Send.State == chat.SendClaimed && now.Sub(m.Send.ClaimedAt) < SendLease:
			plan.inFlight = true
			return nil
		case m.Send.State == chat.SendClaimed:
			m.Send.State = chat.SendFailed
			m.Send.Error = "the send attempt stopped before the carrier's answer was recorded; not resent, to never text the consumer twice"
			tx.PutMessage(m)
			plan.outcome = SendOutcomeFailed
			return nil
		}
		c, err := tx.Chat(ref.ChatID)
		if err != nil {
			return fmt.Errorf("load chat: %w", err)
		}
		consent, err := tx.Consent(c.Number, c.Consumer)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("load consent: %w", err)
		}
		if !chat.MaySend(consent, m) {
			m.Send.State = chat.SendSuppressed
			m.Send.Error = "consumer has not consented to texts"
			if consent.State == chat.ConsentOptedOut {
				m.Send.Error = "consumer opted out"
			}
			tx.PutMessage(m)
			plan.outcome = SendOutcomeSuppressed
			return nil
		}
		if ref.Seq > 1 {
			// Texts of one chat go out in sequence order: a consumer must read
			// the opt-in notice before the menu. The previous one's send
			// enqueues this one when it finishes; until then, wait.
			prev, err := tx.Message(chat.Ref{ChatID: ref.ChatID, Seq: ref.Seq - 1})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("load previous message: %w", err)
			}
			if err == nil && prev.Author.Outbound() && !prev.Send.Done() {
				plan.inFlight = true
				return nil
			}
		}
		if err := sms.CheckBody(m.Body); err != nil {
			m.Send.State, m.Send.Error = chat.SendSuppressed, err.Error()
			tx.PutMessage(m)
			plan.outcome = SendOutcomeSuppressed
			return nil
		}
		m.Send.State, m.Send.ClaimedAt = chat.SendClaimed, now
		m.Send.Attempts++
		tx.PutMessage(m)
		plan.msg, plan.chat = m, c
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("claim %s: %w", SendTaskName(ref), err)
	}
	if plan.inFlight {
		return "", ErrSendInProgress
	}
	outcome := plan.outcome
	if outcome != "" {
		logging.From(ctx).WithField("outcome", outcome).Info("send skipped")
	} else if outcome, err = a.callCarrier(ctx, plan.chat, plan.msg); err != nil {
		return outcome, err
	}
	return outcome, a.sendNext(ctx, ref)
}

// sendNext enqueues the chat's next message when it is a text waiting to
// go out: replies decided together are sent one after the other, each
// enqueued by the previous one's send, so they reach the phone in order.
func (a *App) sendNext(ctx context.Context, ref chat.Ref) error {
	next, err := a.Store.Message(ctx, chat.Ref{ChatID: ref.ChatID, Seq: ref.Seq + 1})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load next message: %w", err)
	}
	if !next.Author.Outbound() || next.Send.Done() {
		return nil
	}
	return a.EnqueueSend(ctx, next.Ref())
}

// enqueueReplies enqueues the first of each run of consecutive replies;
// sendNext enqueues the rest in order.
func (a *App) enqueueReplies(ctx context.Context, refs []chat.Ref) error {
	for i, ref := range refs {
		if i > 0 && refs[i-1].ChatID == ref.ChatID && refs[i-1].Seq+1 == ref.Seq {
			continue
		}
		if err := a.EnqueueSend(ctx, ref); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) callCarrier(ctx context.Context, c chat.Chat, m chat.Message) (SendOutcome, error) {
	ref := m.Ref()
	carrier, ok := a.Carriers[c.Provider]
	if !ok {
		err := &CarrierError{Class: Permanent, Message: "no carrier is configured for provider " + strconv.Quote(c.Provider)}
		return a.recordSendFailure(ctx, ref, c, err)
	}
	media, ce := a.carrierMediaURLs(ctx, m.Media)
	if ce != nil {
		return a.recordSendFailure(ctx, ref, c, ce)
	}
	callCtx, cancel := context.WithTimeout(ctx, CarrierTimeout)
	res, err := carrier.Send(callCtx, OutboundSMS{
		From: c.Number, To: c.Consumer, Body: m.Body, MediaURLs: media,
		StatusCallbackURL: a.URLs.StatusCallback(ref),
		IdempotencyKey:    SendTaskName(ref),
	})
	cancel()
	if err != nil {
		var ce *CarrierError
		if !errors.As(err, &ce) {
			ce = &CarrierError{Class: Ambiguous, Message: err.Error()}
		}
		return a.recordSendFailure(ctx, ref, c, ce)
	}
	err = a.Store.RunTx(ctx, func(tx Tx) error {
		m, err := tx.Message(ref)
		if err != nil {
			return err
		}
		now := a.now()
		m.Send.State, m.Send.SentAt, m.Send.Error, m.Send.ErrorCode = chat.SendSent, now, "", ""
		m.ProviderMessageID = res.ProviderMessageID
		if d, ok := m.Delivery.Advance(res.Status, "", "", now); ok {
			m.Delivery = d
		}
		tx.PutMessage(m)
		return nil
	})
	if err != nil {
		// The text went out; the claim stays and a status callback will
		// record the provider id. Retrying the task must not send again.
		return "", fmt.Errorf("record send of %s (carrier id %s): %w", SendTaskName(ref), res.ProviderMessageID, err)
	}
	logging.From(ctx).WithField("provider_message_id", res.ProviderMessageID).Info("text sent")
	return SendOutcomeSent, nil
}

func (a *App) recordSendFailure(ctx context.Context, ref chat.Ref, c chat.Chat, ce *CarrierError) (SendOutcome, error) {
	log := logging.From(ctx).WithField("carrier_code", ce.Code).WithField("class", ce.Class)
	err := a.Store.RunTx(ctx, func(tx Tx) error {
		m, err := tx.Message(ref)
		if err != nil {
			return err
		}
		var consent chat.Consent
		if ce.OptedOut {
			if consent, err = tx.Consent(c.Number, c.Consumer); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		now := a.now()
		m.Send.ErrorCode, m.Send.Error = ce.Code, ce.Message
		switch ce.Class {
		case Retryable:
			m.Send.State = chat.SendPending
		case Ambiguous:
			m.Send.State = chat.SendFailed
			m.Send.Error = "the carrier did not answer (" + ce.Message + "); not resent, to never text the consumer twice"
		default:
			m.Send.State = chat.SendFailed
			if d, ok := m.Delivery.Advance(chat.DeliveryFailed, ce.Code, ce.Message, now); ok {
				m.Delivery = d
			}
		}
		tx.PutMessage(m)
		if ce.OptedOut {
			next, ev, changed := chat.RevokeByCarrier(consent, c.Number, c.Consumer, "carrier_"+SendTaskName(ref), ce.Code, now)
			if changed {
				ev.ChatID = ref.ChatID
				tx.PutConsent(next)
				tx.AddConsentEvent(c.Number, c.Consumer, ev)
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("record failed send of %s: %w", SendTaskName(ref), err)
	}
	if ce.Class == Retryable {
		log.WithError(ce).Warn("carrier refused for now; the task will retry")
		return "", fmt.Errorf("send %s: %w", SendTaskName(ref), ce)
	}
	log.WithError(ce).Error("send failed")
	return SendOutcomeFailed, nil
}
