// Package delivery hands outbound messages to carriers: it enqueues one
// named send task per message, claims and sends each at most once with
// consent checked at send time, records the carrier's answer, and applies
// the carrier's delivery reports. The decisions are chat's send lifecycle;
// this package loads, calls them and stores.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/chat/sending"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Store is what delivery needs of chat state.
type Store interface {
	RunTx(ctx context.Context, fn func(tx store.Tx) error) error
	Message(ctx context.Context, ref chat.Ref) (chat.Message, error)
	UpdateDelivery(ctx context.Context, ref chat.Ref, fn func(chat.Message) (chat.Message, bool, error)) (chat.Message, error)
	RecordSend(ctx context.Context, ref chat.Ref, send chat.Send, providerMessageID string) error
	Number(ctx context.Context, e164 string) (chat.Number, error)
	PutNumber(ctx context.Context, n chat.Number) error
	Chat(ctx context.Context, id string) (chat.Chat, error)
}

// Service sends messages and records their delivery.
type Service struct {
	Store    Store
	Tasks    tasks.Scheduler
	Carriers map[string]carrier.Sender // by provider name
	URLs     wire.URLs
	// Media signs stored media for the carrier; nil when media are off.
	Media *media.Service
	// Pacing reserves each send's slot on its sender's pace.
	Pacing pacing.Reserver
	Clock  clock.Clock
	// Bus publishes outbound.sent when a proactive text is sent; nil
	// publishes nothing.
	Bus bus.Publisher
}

// ErrSendInProgress means another attempt holds the message's claim, or the
// chat's previous text is not done; the task should be retried later.
var ErrSendInProgress = errors.New("another attempt is sending this message")

// Enqueue schedules the send of an outbound message.
func (s *Service) Enqueue(ctx context.Context, ref chat.Ref) error {
	return s.enqueueAt(ctx, ref, time.Time{}, "")
}

// enqueueAt schedules the send at a time (zero: now); a suffix names a
// later attempt apart from the message's first task.
func (s *Service) enqueueAt(ctx context.Context, ref chat.Ref, at time.Time, suffix string) error {
	t, err := s.URLs.SendTask(ref)
	if err != nil {
		return err
	}
	t.Name += suffix
	if at.After(s.Clock.Time()) {
		t.ScheduleAt = at
	}
	if err := s.Tasks.Enqueue(ctx, wire.QueueSend, t); err != nil {
		return fmt.Errorf("enqueue %s: %w", t.Name, err)
	}
	return nil
}

// EnqueueReplies enqueues the first of each run of consecutive replies;
// each send enqueues the next when it is done, so a consumer reads them in
// order. A reply among written that is held (quiet hours, a reserved
// slot) is scheduled for then.
func (s *Service) EnqueueReplies(ctx context.Context, refs []chat.Ref, written ...chat.Message) error {
	for i, ref := range refs {
		if i > 0 && refs[i-1].ChatID == ref.ChatID && refs[i-1].Seq+1 == ref.Seq {
			continue
		}
		var at time.Time
		for _, m := range written {
			if m.Ref() == ref {
				at = m.Send.NotBefore
			}
		}
		if err := s.enqueueAt(ctx, ref, at, ""); err != nil {
			return err
		}
	}
	return nil
}

// Outcome says how a send attempt ended.
type Outcome string

const (
	OutcomeSent       Outcome = "sent"
	OutcomeDone       Outcome = "already-done"
	OutcomeSuppressed Outcome = "suppressed"
	OutcomeFailed     Outcome = "failed"
	// OutcomeHeld: the message waits for its slot or the end of quiet
	// hours; a task is scheduled for then.
	OutcomeHeld Outcome = "held"
)

// claimLater: the claim would be granted but the message may not go yet.
const claimLater sending.Claim = "later"

// claimed is what the claim transaction hands to the carrier call.
type claimed struct {
	msg   chat.Message
	chat  chat.Chat
	claim sending.Claim
	later time.Time
	// number is the sender's configuration (zero when it was removed):
	// a Twilio number may send through its Messaging Service.
	number chat.Number
}

// Send hands one outbound message to its carrier, at most once.
//
// It claims the message in a transaction (consent checked at this moment,
// not when the message was written), calls the carrier outside any
// transaction, then records the result. A second delivery of the task finds
// the message sent, or claimed and backs off; a claim left by a crashed
// attempt is never followed by a second carrier call, because the first may
// have gone through: the message is marked failed with that reason, and a
// later status callback from the carrier repairs it to sent.
func (s *Service) Send(ctx context.Context, ref chat.Ref) (Outcome, error) {
	ctx = logging.With(ctx, logrus.Fields{"chat_id": ref.ChatID, "message_seq": ref.Seq})
	var cl claimed
	err := s.Store.RunTx(ctx, func(tx store.Tx) error {
		cl = claimed{}
		var err error
		cl, err = s.claim(tx, ref, s.Clock.Time())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("claim %s: %w", wire.SendTaskName(ref), err)
	}
	var outcome Outcome
	switch cl.claim {
	case sending.ClaimBusy:
		return "", ErrSendInProgress
	case claimLater:
		logging.From(ctx).WithField("not_before", cl.later).Info("send held")
		return OutcomeHeld, s.enqueueAt(ctx, ref, cl.later, "-at"+strconv.FormatInt(cl.later.Unix(), 10))
	case sending.ClaimGranted:
		if outcome, err = s.callCarrier(ctx, cl.chat, cl.number, cl.msg); err != nil {
			return outcome, err
		}
	default:
		outcome = Outcome(cl.claim)
		logging.From(ctx).WithField("outcome", outcome).Info("send skipped")
	}
	if cl.chat.ID != "" && ref.Seq+1 >= cl.chat.NextSeq {
		// The claim read the chat: no message came after this one then, and
		// one written since is enqueued by the change that wrote it.
		return outcome, nil
	}
	return outcome, s.enqueueNext(ctx, ref)
}

// claim loads what the claim decision reads and stores what it decided.
func (s *Service) claim(tx store.Tx, ref chat.Ref, now time.Time) (claimed, error) {
	m, err := tx.Message(ref)
	if err != nil {
		return claimed{}, fmt.Errorf("load message: %w", err)
	}
	in := sending.ClaimInput{Message: m, Now: now}
	if m.Send.Done() || m.Send.State == chat.SendClaimed {
		// Decided by the message alone: spare the other reads.
		next, cl := sending.ClaimSend(in)
		if cl == sending.ClaimAbandoned {
			tx.PutMessage(next)
		}
		return claimed{msg: next, claim: cl}, nil
	}
	c, err := tx.Chat(ref.ChatID)
	if err != nil {
		return claimed{}, fmt.Errorf("load chat: %w", err)
	}
	if in.Consent, err = tx.Consent(c.Number, c.Consumer); err != nil && !errors.Is(err, store.ErrNotFound) {
		return claimed{}, fmt.Errorf("load consent: %w", err)
	}
	in.Consent.Number, in.Consent.Consumer = c.Number, c.Consumer
	if chat.MaySend(in.Consent, m) && ref.Seq > 1 && !m.FollowsConsumer {
		prev, err := tx.Message(chat.Ref{ChatID: ref.ChatID, Seq: ref.Seq - 1})
		switch {
		case err == nil:
			in.Previous = &prev
		case !errors.Is(err, store.ErrNotFound):
			return claimed{}, fmt.Errorf("load previous message: %w", err)
		}
	}
	if chat.LastWords(in.Consent, m) {
		// Serialised on the consent document: a claim committed before the
		// opt-out is listed here, one after it read the opt-out.
		for _, r := range in.Consent.InFlight(ref, now) {
			o, err := tx.Message(r)
			switch {
			case err == nil:
				in.InFlight = append(in.InFlight, o)
			case !errors.Is(err, store.ErrNotFound):
				return claimed{}, fmt.Errorf("load message %s/%d sent before: %w", r.ChatID, r.Seq, err)
			}
		}
	}
	in.BodyError = sms.CheckBody(m.Body)
	next, cl := sending.ClaimSend(in)
	var number chat.Number
	if cl == sending.ClaimGranted {
		var found bool
		if number, found, err = loadNumber(tx, c.Number); err != nil {
			return claimed{}, err
		}
		paced, later, suppress, err := s.gate(tx, c, number, found, m, now)
		switch {
		case err != nil:
			return claimed{}, err
		case suppress != "":
			m.Send.State, m.Send.Error = chat.SendSuppressed, suppress
			tx.PutMessage(m)
			return claimed{msg: m, chat: c, claim: sending.ClaimSuppressed}, nil
		case !later.IsZero():
			tx.PutMessage(paced)
			return claimed{msg: paced, chat: c, claim: claimLater, later: later}, nil
		}
		next.Send.NotBefore, next.Send.SlotLane, next.Send.SlotUntil = paced.Send.NotBefore, paced.Send.SlotLane, paced.Send.SlotUntil
	}
	if cl != sending.ClaimBusy {
		tx.PutMessage(next)
	}
	if cl == sending.ClaimGranted {
		seen := in.InFlight
		if in.Previous != nil {
			seen = append(seen, *in.Previous)
		}
		consent := in.Consent.WithClaim(ref, now, seen...)
		if c.StartType == chat.StartSessionless {
			// A reply soon after is answered, not routed (chat.ReceiveInbound).
			consent.SessionlessAt, consent.SessionlessAnswered = now, false
		}
		tx.PutConsent(consent)
	}
	return claimed{msg: next, chat: c, claim: cl, number: number}, nil
}

// loadNumber reads a business number's configuration; found is false when
// it was removed.
func loadNumber(tx store.Tx, e164 string) (n chat.Number, found bool, err error) {
	n, err = tx.Number(e164)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return chat.Number{}, false, nil
	case err != nil:
		return chat.Number{}, false, fmt.Errorf("load number: %w", err)
	}
	return n, true, nil
}

// gate decides, for a claim the send lifecycle grants, whether the message
// goes now: a proactive text is checked again against the rules (quiet
// hours, the sender's campaign), and every text takes a slot on its
// sender's pace. It returns the message with its slot, or when to try
// again, or why it may never go.
func (s *Service) gate(tx store.Tx, c chat.Chat, number chat.Number, found bool, m chat.Message, now time.Time) (chat.Message, time.Time, string, error) {
	if !found {
		// The number was removed since: a reply still reaches the consumer
		// the carrier knows; nothing proactive goes from an unknown number.
		if m.Proactive {
			return m, time.Time{}, "outbound_number " + c.Number + " is not found", nil
		}
		return m, time.Time{}, "", nil
	}
	zone := time.UTC
	if m.Proactive || number.DailyCap > 0 {
		settings, err := tx.Settings()
		if errors.Is(err, store.ErrNotFound) {
			settings, err = chat.DefaultSettings(), nil
		}
		if err != nil {
			return m, time.Time{}, "", fmt.Errorf("load settings: %w", err)
		}
		if loc, err := time.LoadLocation(settings.QuietHours.TimeZone); err == nil && settings.QuietHours.TimeZone != "" {
			zone = loc
		}
		d := proactive.Gate(settings, number, c.Consumer, m, now)
		if d.Suppress != "" {
			return m, time.Time{}, d.Suppress, nil
		}
		if !d.Later.IsZero() {
			m.Send.NotBefore, m.Send.SlotUntil = d.Later, time.Time{}
			return m, d.Later, "", nil
		}
	}
	switch {
	case now.Before(m.Send.NotBefore):
		return m, m.Send.NotBefore, "", nil
	case !m.Send.SlotUntil.IsZero() && now.Before(m.Send.SlotUntil):
		return m, time.Time{}, "", nil // within the slot reserved for it
	}
	plan := pacing.PlanFor(number, zone)
	// Each text of a chat hashes to its own lane, so a chat's texts need not
	// queue behind each other on a number with several lanes; their order is
	// the claim's (the previous one must be done first).
	slot, err := s.Pacing.ReserveAt(tx, plan, pacing.LaneFor(plan, wire.SendTaskName(m.Ref())), now, max(1, m.Segments))
	if err != nil {
		return m, time.Time{}, "", fmt.Errorf("reserve a send slot on %s: %w", number.E164, err)
	}
	m.Send.NotBefore, m.Send.SlotLane, m.Send.SlotUntil = slot.At, slot.Lane, SlotUntil(slot.At, slot.Tick)
	if slot.Early(now) {
		return m, slot.At, "", nil
	}
	return m, time.Time{}, "", nil
}

// enqueueNext enqueues the chat's next message when it is a text waiting
// to go out: replies decided together are sent one after the other, each
// enqueued by the previous one's send, so they reach the phone in order.
func (s *Service) enqueueNext(ctx context.Context, ref chat.Ref) error {
	next, err := s.Store.Message(ctx, chat.Ref{ChatID: ref.ChatID, Seq: ref.Seq + 1})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load next message: %w", err)
	}
	if !next.Author.Outbound() || next.Send.Done() {
		return nil
	}
	return s.enqueueAt(ctx, next.Ref(), next.Send.NotBefore, "")
}

func (s *Service) callCarrier(ctx context.Context, c chat.Chat, number chat.Number, m chat.Message) (Outcome, error) {
	ref := m.Ref()
	// The number's provider as configured now: a number moved to another
	// provider keeps its chats (they are keyed by the number), and their
	// next texts go out through the carrier that has the number.
	if number.Provider != "" {
		c.Provider = number.Provider
	}
	sender, ok := s.Carriers[c.Provider]
	if !ok {
		err := &carrier.Error{Class: carrier.Permanent, Message: "no carrier is configured for provider " + strconv.Quote(c.Provider)}
		return s.recordFailure(ctx, ref, c, err)
	}
	var urls []string
	if len(m.Media) > 0 {
		var ce *carrier.Error
		if urls, ce = s.Media.CarrierURLs(ctx, m.Media); ce != nil {
			return s.recordFailure(ctx, ref, c, ce)
		}
	}
	callCtx, cancel := context.WithTimeout(ctx, carrier.SendTimeout)
	res, err := sender.Send(callCtx, carrier.OutboundSMS{
		From: c.Number, MessagingServiceSID: number.MessagingServiceSID, To: c.Consumer, Body: m.Body, MediaURLs: urls,
		StatusCallbackURL: s.URLs.StatusCallback(c.Provider, ref),
		IdempotencyKey:    wire.SendTaskName(ref),
	})
	cancel()
	if err != nil {
		var ce *carrier.Error
		if !errors.As(err, &ce) {
			ce = &carrier.Error{Class: carrier.Ambiguous, Message: err.Error()}
		}
		return s.recordFailure(ctx, ref, c, ce)
	}
	// Not a transaction: the carrier's status reports for this text may
	// be arriving now, and each would hold the message against this write.
	// An answer that only says the carrier took the text is the claim's
	// outcome alone, written without reading the message again.
	now := s.Clock.Time()
	if sending.Taken(res.Status) {
		sent := sending.MarkSent(m, res.ProviderMessageID, res.Status, now)
		err = s.Store.RecordSend(ctx, ref, sent.Send, sent.ProviderMessageID)
	} else {
		_, err = s.Store.UpdateDelivery(ctx, ref, func(m chat.Message) (chat.Message, bool, error) {
			return sending.MarkSent(m, res.ProviderMessageID, res.Status, now), true, nil
		})
	}
	if err != nil {
		// The text went out; the claim stays and a status callback will
		// record the provider id. Retrying the task must not send again.
		return "", fmt.Errorf("record send of %s (carrier id %s): %w", wire.SendTaskName(ref), res.ProviderMessageID, err)
	}
	logging.From(ctx).WithField("provider_message_id", res.ProviderMessageID).Info("text sent")
	if m.Proactive {
		s.publishSent(ctx, c)
	}
	return OutcomeSent, nil
}

func (s *Service) recordFailure(ctx context.Context, ref chat.Ref, c chat.Chat, ce *carrier.Error) (Outcome, error) {
	log := logging.From(ctx).WithField("carrier_code", ce.Code).WithField("class", ce.Class)
	err := s.Store.RunTx(ctx, func(tx store.Tx) error {
		m, err := tx.Message(ref)
		if err != nil {
			return err
		}
		now := s.Clock.Time()
		tx.PutMessage(sending.MarkFailed(m, ce.Failure(), now))
		if ce.Undeliverable {
			if err := markUndeliverable(tx, c, ce.Code, ce.Message, now); err != nil {
				return err
			}
		}
		if ce.OptedOut {
			return revokeAtCarrier(tx, c, "carrier_"+wire.SendTaskName(ref), ce.Code, now)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("record failed send of %s: %w", wire.SendTaskName(ref), err)
	}
	if ce.Unregistered {
		if err := s.markUnregistered(ctx, c.Number, ce.Code); err != nil {
			return "", err
		}
	}
	if ce.Class == carrier.Retryable {
		log.WithError(ce).Warn("carrier refused for now; the task will retry")
		return "", fmt.Errorf("send %s: %w", wire.SendTaskName(ref), ce)
	}
	if ce.Alert {
		log.WithError(ce).Error("the carrier refused a text for a reason the business must fix: " + ce.Message)
		return OutcomeFailed, nil
	}
	log.WithError(ce).Error("send failed")
	return OutcomeFailed, nil
}

// revokeAtCarrier records, in tx, that the carrier says the consumer of c
// opted out: a send refused for it, or a delivery report saying so.
func revokeAtCarrier(tx store.Tx, c chat.Chat, eventID, code string, now time.Time) error {
	consent, err := tx.Consent(c.Number, c.Consumer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("load consent: %w", err)
	}
	next, ev, changed := chat.RevokeByCarrier(consent, c.Number, c.Consumer, eventID, code, now)
	if changed {
		ev.ChatID = c.ID
		tx.PutConsent(next)
		tx.AddConsentEvent(c.Number, c.Consumer, ev)
	}
	return nil
}

// markUnregistered records that the carrier refused the number as a US
// long code without a registered 10DLC campaign, so proactive texts stop
// at the door (chat/proactive.CheckSender) instead of failing one by one.
func (s *Service) markUnregistered(ctx context.Context, e164, code string) error {
	logging.From(ctx).WithField("number", e164).WithField("carrier_code", code).
		Error("the carrier refused the number as an unregistered 10DLC long code; proactive texts from it are stopped until its campaign is registered")
	n, err := s.Store.Number(ctx, e164)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load number %s: %w", e164, err)
	}
	if n.CampaignStatus == CampaignUnregistered {
		return nil
	}
	n.CampaignStatus = CampaignUnregistered
	if err := s.Store.PutNumber(ctx, n); err != nil {
		return fmt.Errorf("mark %s unregistered: %w", e164, err)
	}
	return nil
}

// SlotUntil is the last instant a send may be claimed in a slot starting
// at at: the claim must leave the carrier request time to arrive within the
// tick (pacing.MinLead), or a text claimed at the tick's end would be
// counted by the carrier in the next second beside that second's own.
func SlotUntil(at time.Time, tick time.Duration) time.Time {
	if tick <= pacing.MinLead {
		return at.Add(tick)
	}
	return at.Add(tick - pacing.MinLead)
}

// CampaignUnregistered is the campaign status a carrier's 10DLC refusal sets.
const CampaignUnregistered = "unregistered"
