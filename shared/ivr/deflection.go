package ivr

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/ewt"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Offer is the answer to deflection-offer.
type Offer struct {
	Offered  bool
	Prompt   string
	Estimate ewt.Estimate
	// Reason says why it was not offered: "below-threshold", "disabled",
	// "no-caller-id".
	Reason string
}

// Reasons an accept leaves the caller in the voice queue.
const (
	ReasonLandline   = "landline"    // the carrier says the number takes no SMS (30006)
	ReasonSendFailed = "send-failed" // the carrier refused the text
	ReasonTimeout    = "carrier-timeout"
	ReasonNoCaller   = "no-caller-id"
	ReasonDisabled   = "disabled"
)

// landlineCodes are the carrier errors meaning the number cannot take SMS:
// 30006, landline or unreachable carrier.
var landlineCodes = map[string]bool{"30006": true}

// Accepted is the answer to deflection-accept.
type Accepted struct {
	// EndCall: the carrier took the first text, the caller may hang up.
	EndCall bool
	Reason  string
	// Detail is the carrier's or the rules' words on a failure.
	Detail string
	ChatID string
}

// queue reads an IVR queue; ErrNoQueue when there is none.
func (s *Service) queue(ctx context.Context, id string) (ivrrec.Queue, error) {
	q, err := s.Store.IVRQueue(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && id == "") {
		return ivrrec.Queue{}, fmt.Errorf("%w: %q", ErrNoQueue, id)
	}
	if err != nil {
		return ivrrec.Queue{}, fmt.Errorf("IVR queue %s: %w", id, err)
	}
	return q, nil
}

// Offer decides whether to offer the caller SMS: the queue's deflection is
// enabled, the caller's number is known, and the SMS queue's wait is above
// the threshold (0 offers always).
func (s *Service) Offer(ctx context.Context, call Call, ivrQueue string) (Offer, error) {
	q, err := s.queue(ctx, ivrQueue)
	if err != nil {
		return Offer{}, err
	}
	est, err := s.EWT(ctx, q.SMSQueue)
	if err != nil {
		return Offer{}, err
	}
	out := Offer{Estimate: est}
	switch {
	case !q.Enabled:
		out.Reason = ReasonDisabled
	case call.Caller == "":
		out.Reason = ReasonNoCaller
	case q.ThresholdMinutes > 0 && !est.Above(q.ThresholdMinutes):
		out.Reason = "below-threshold"
	default:
		texts, _ := q.For(call.Language)
		out.Offered = true
		out.Prompt = Fill(texts.Offer, map[string]string{
			"ESTIMATED_WAIT_TIME_IN_MINUTES": strconv.Itoa(max(0, est.Minutes())), "QUEUE_SIZE": strconv.Itoa(est.QueueSize),
		})
		tree, err := s.Trees.Tree(ctx)
		if err != nil {
			return Offer{}, fmt.Errorf("offer: %w", err)
		}
		logging.From(ctx).WithFields(logrus.Fields{"call_id": call.ID, "ivr_queue": q.ID, "ewt_minutes": est.Minutes()}).
			Info("Pre-session SMS deflection was offered in " + tree.Path(q.SMSQueue))
	}
	return out, nil
}

// ChatID is the SMS chat a call is deflected to: one per call, so a second
// accept on the call (a retry, a caller saying yes twice) finds it.
func ChatID(session string) string {
	sum := sha256.Sum256([]byte("ivr-deflection\x00" + session))
	return "ivr_" + hex.EncodeToString(sum[:12])
}

// Accept texts the caller the opted-in SMS and the greeting in a chat
// waiting in the mapped SMS queue, then waits (bounded) for the carrier's
// word on the first text: EndCall only once it took it. The caller asked
// for the texts on the call, so quiet hours do not hold them; an opt-out,
// a disabled number or an open chat still refuse them.
func (s *Service) Accept(ctx context.Context, call Call, ivrQueue string) (Accepted, error) {
	q, err := s.queue(ctx, ivrQueue)
	if err != nil {
		return Accepted{}, err
	}
	switch {
	case !q.Enabled:
		return Accepted{Reason: ReasonDisabled}, nil
	case call.Caller == "":
		return Accepted{Reason: ReasonNoCaller}, nil
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return Accepted{}, fmt.Errorf("accept: %w", err)
	}
	texts, lang := q.For(call.Language)
	smsQueue, _ := tree.Queue(q.SMSQueue)
	greeting := Fill(texts.Greeting, map[string]string{
		"END_USER": call.Caller, "COMPANY_NAME": q.CompanyName, "QUEUE_NAME": cmp.Or(smsQueue.Name, smsQueue.ID),
	})
	id := ChatID(call.Session)
	res, err := s.Start.StartOutbound(ctx, conversation.OutboundStart{
		Number: q.Number, Consumer: call.Caller, Bodies: []string{texts.OptedIn, greeting},
		Origin: proactive.Origin{Call: call.ID}, ChatID: id,
		StartType: chat.StartDeflected, QueueID: q.SMSQueue, Requested: true,
	})
	var refusal *proactive.Refusal
	if errors.As(err, &refusal) {
		return Accepted{Reason: string(refusal.Code), Detail: refusal.Message}, nil
	}
	if err != nil {
		return Accepted{}, fmt.Errorf("accept: %w", err)
	}
	log := logging.From(ctx).WithFields(logrus.Fields{"call_id": call.ID, "chat_id": id, "ivr_queue": q.ID, "language": lang})
	first, err := s.firstText(ctx, res)
	if err != nil {
		return Accepted{}, err
	}
	m, err := s.waitSent(ctx, first)
	if err != nil {
		return Accepted{}, err
	}
	out := Accepted{ChatID: id}
	switch {
	case m.Send.State == chat.SendSent:
		out.EndCall = true
		log.Info("Pre-session SMS deflection was accepted in " + tree.Path(q.SMSQueue))
	case !m.Send.Done():
		out.Reason, out.Detail = ReasonTimeout, "the carrier did not answer in time"
	case landlineCodes[m.Send.ErrorCode]:
		out.Reason, out.Detail = ReasonLandline, m.Send.Error
	default:
		out.Reason, out.Detail = ReasonSendFailed, cmp.Or(m.Send.Error, string(m.Send.State))
	}
	if !out.EndCall && out.Reason != ReasonTimeout {
		// The caller stays on the call: the chat must not wait for an agent.
		if err := s.Start.EndStarted(ctx, id, chat.EndFailed); err != nil {
			return Accepted{}, fmt.Errorf("accept: %w", err)
		}
	}
	if !out.EndCall {
		log.WithFields(logrus.Fields{"reason": out.Reason, "detail": out.Detail}).Warn("Pre-session SMS deflection failed: the caller stays in the voice queue")
	}
	return out, nil
}

// Decline records that the caller said no.
func (s *Service) Decline(ctx context.Context, call Call, ivrQueue string) error {
	q, err := s.queue(ctx, ivrQueue)
	if err != nil {
		return err
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return fmt.Errorf("decline: %w", err)
	}
	logging.From(ctx).WithFields(logrus.Fields{"call_id": call.ID, "ivr_queue": q.ID}).
		Info("Pre-session SMS deflection was declined in " + tree.Path(q.SMSQueue))
	return nil
}

// firstText is the first outbound message of the started (or found) chat.
func (s *Service) firstText(ctx context.Context, res conversation.OutboundResult) (chat.Ref, error) {
	msgs := res.Messages
	if res.Existing {
		var err error
		if msgs, err = s.Store.Messages(ctx, res.Chat.ID); err != nil {
			return chat.Ref{}, fmt.Errorf("accept: messages of %s: %w", res.Chat.ID, err)
		}
	}
	for _, m := range msgs {
		if m.Author.Outbound() {
			return m.Ref(), nil
		}
	}
	return chat.Ref{}, fmt.Errorf("accept: chat %s has no outbound text", res.Chat.ID)
}

// waitSent reads a text until its send is done or the wait is over; it
// returns the last state read.
func (s *Service) waitSent(ctx context.Context, ref chat.Ref) (chat.Message, error) {
	wait, poll := s.SendWait, s.Poll
	if wait <= 0 {
		wait = DefaultSendWait
	}
	if poll <= 0 {
		poll = DefaultPoll
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		m, err := s.Store.Message(ctx, ref)
		if err != nil {
			return chat.Message{}, fmt.Errorf("accept: read %s/%d: %w", ref.ChatID, ref.Seq, err)
		}
		if m.Send.Done() {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return m, nil
		case <-deadline.C:
			return m, nil
		case <-tick.C:
		}
	}
}
