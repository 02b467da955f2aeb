package ivr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// CallTimeout ends a call's chats when the IVR never says the call ended
// (a lost call-ended): no call center call lasts longer.
const CallTimeout = 4 * time.Hour

// Reasons of the wait-time and in-call tags.
const (
	ReasonAlreadyAsked   = "already-asked"
	ReasonDeclined       = "declined"
	ReasonAccepted       = "accepted"
	ReasonNoInCallNumber = "no-in-call-number"
	ReasonCallEnded      = "call-ended"
)

// ErrNoAgent: call-connected names no agent of this deployment.
var ErrNoAgent = errors.New("agent_id is not an agent of this deployment")

// chatIDFor is a call's chat of one kind: one per call and kind, so a
// retry, or a caller saying yes twice, finds it.
func chatIDFor(kind, session string) string {
	sum := sha256.Sum256([]byte("ivr-" + kind + "\x00" + session))
	return "ivr_" + hex.EncodeToString(sum[:12])
}

// WaitTimeChatID and InCallChatID are a call's wait-time and in-call chats.
func WaitTimeChatID(session string) string { return chatIDFor("wait-time", session) }
func InCallChatID(session string) string   { return chatIDFor("in-call", session) }

// updateCall changes a call's record, creating it on the call's first tag.
func (s *Service) updateCall(ctx context.Context, call Call, fn func(c *ivrrec.Call) error) (ivrrec.Call, error) {
	now := s.Clock.Time()
	c, err := s.Store.UpdateCall(ctx, call.ID, func(c *ivrrec.Call, found bool) error {
		if !found {
			c.Session, c.Created = call.Session, now
		}
		if c.Caller == "" {
			c.Caller = call.Caller
		}
		c.ExpireAt = now.Add(ivrrec.CallRetention)
		return fn(c)
	})
	if err != nil {
		return ivrrec.Call{}, fmt.Errorf("call %s: %w", call.ID, err)
	}
	return c, nil
}

// WaitTimeAsk is the answer to waittime-consent.
type WaitTimeAsk struct {
	Ask    bool
	Prompt string
	// Reason says why not: disabled, no-caller-id, already-asked,
	// declined, accepted, call-ended.
	Reason string
}

// AskWaitTime decides whether the IVR asks a waiting caller if they want
// to send details by text: once per call, whatever they answered.
func (s *Service) AskWaitTime(ctx context.Context, call Call, ivrQueue string) (WaitTimeAsk, error) {
	q, err := s.queue(ctx, ivrQueue)
	if err != nil {
		return WaitTimeAsk{}, err
	}
	switch {
	case !q.WaitTime:
		return WaitTimeAsk{Reason: ReasonDisabled}, nil
	case call.Caller == "":
		return WaitTimeAsk{Reason: ReasonNoCaller}, nil
	}
	var out WaitTimeAsk
	_, err = s.updateCall(ctx, call, func(c *ivrrec.Call) error {
		out = WaitTimeAsk{}
		switch {
		case !c.EndedAt.IsZero():
			out.Reason = ReasonCallEnded
		case c.WaitTimeAnswer == ivrrec.WaitTimeNo:
			out.Reason = ReasonDeclined
		case c.WaitTimeAnswer == ivrrec.WaitTimeYes:
			out.Reason = ReasonAccepted
		case c.WaitTimeAsked:
			out.Reason = ReasonAlreadyAsked
		default:
			c.WaitTimeAsked, c.IVRQueue = true, q.ID
			texts, _ := q.For(call.Language)
			out.Ask, out.Prompt = true, Fill(texts.WaitTimeAsk, map[string]string{"COMPANY_NAME": q.CompanyName})
		}
		return nil
	})
	return out, err
}

// WaitTimeResult is the answer to waittime-answer.
type WaitTimeResult struct {
	// Texted: the invitation is on its way; ChatID is the chat the
	// caller's replies land in.
	Texted bool
	ChatID string
	Reason string
	Detail string
}

// AnswerWaitTime records the caller's answer. Yes texts them the
// invitation from the IVR queue's number into a wait-time chat of the
// call, parked (no menu, no queue) until the agent who takes the call gets
// it; no means they are not asked again on this call. The caller asked on
// the call, so quiet hours do not hold the text; an opt-out refuses it.
func (s *Service) AnswerWaitTime(ctx context.Context, call Call, ivrQueue string, yes bool) (WaitTimeResult, error) {
	q, err := s.queue(ctx, ivrQueue)
	if err != nil {
		return WaitTimeResult{}, err
	}
	switch {
	case !q.WaitTime:
		return WaitTimeResult{Reason: ReasonDisabled}, nil
	case call.Caller == "":
		return WaitTimeResult{Reason: ReasonNoCaller}, nil
	}
	log := logging.From(ctx).WithFields(logrus.Fields{"call_id": call.ID, "ivr_queue": q.ID})
	if !yes {
		_, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error {
			if c.WaitTimeAnswer == "" {
				c.WaitTimeAsked, c.WaitTimeAnswer, c.IVRQueue = true, ivrrec.WaitTimeNo, q.ID
			}
			return nil
		})
		log.Info("Wait-time SMS was declined")
		return WaitTimeResult{Reason: ReasonDeclined}, err
	}
	rec, err := s.Store.Call(ctx, call.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return WaitTimeResult{}, fmt.Errorf("wait-time answer: %w", err)
	}
	if !rec.EndedAt.IsZero() {
		return WaitTimeResult{Reason: ReasonCallEnded}, nil
	}
	texts, _ := q.For(call.Language)
	id := WaitTimeChatID(call.Session)
	_, err = s.Start.StartOutbound(ctx, conversation.OutboundStart{
		Number: q.Number, Consumer: call.Caller, Bodies: []string{Fill(texts.WaitTimeInvite, map[string]string{"COMPANY_NAME": q.CompanyName})},
		Origin: proactive.Origin{Call: call.ID}, ChatID: id, StartType: chat.StartWaitTime, Requested: true,
		CallID: call.ID, Parked: true, CallTimeout: CallTimeout,
	})
	var refusal *proactive.Refusal
	if errors.As(err, &refusal) {
		log.WithField("reason", refusal.Code).Warn("Wait-time SMS was refused")
		return WaitTimeResult{Reason: string(refusal.Code), Detail: refusal.Message}, nil
	}
	if err != nil {
		return WaitTimeResult{}, fmt.Errorf("wait-time answer: %w", err)
	}
	if _, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error {
		c.WaitTimeAsked, c.WaitTimeAnswer, c.WaitTimeChatID, c.IVRQueue = true, ivrrec.WaitTimeYes, id, q.ID
		return nil
	}); err != nil {
		return WaitTimeResult{}, err
	}
	if rec.AgentID != "" {
		// The call was taken meanwhile: the texts go to its agent.
		if _, err := s.Start.ConnectCallChat(ctx, id, call.ID, rec.AgentID); err != nil {
			return WaitTimeResult{}, fmt.Errorf("wait-time answer: %w", err)
		}
	}
	log.WithField("chat_id", id).Info("Wait-time SMS was accepted")
	return WaitTimeResult{Texted: true, ChatID: id}, nil
}

// Connected is the answer to call-connected.
type Connected struct {
	WaitTimeChatID string
	// InCallChatID is the in-call chat; empty with InCallReason when none
	// could be opened (no in-call number, an opt-out, ...).
	InCallChatID string
	InCallNumber string
	InCallReason string
	InCallDetail string
}

// Connect records that an agent took the call: the call's wait-time chat,
// if the caller sent details, becomes the agent's, and an in-call chat on
// an in-call number opens, assigned to them, for the texts and links they
// send during the call. Nothing is texted until the agent writes. The
// caller talks to the agent who offers the texts, so the consent ledger
// records the call as the basis and quiet hours do not hold the texts;
// an opt-out refuses the chat.
func (s *Service) Connect(ctx context.Context, call Call, agentID, ivrQueue, inCallNumber string) (Connected, error) {
	if _, err := s.Store.Agent(ctx, agentID); errors.Is(err, store.ErrNotFound) {
		return Connected{}, fmt.Errorf("%w: %q", ErrNoAgent, agentID)
	} else if err != nil {
		return Connected{}, fmt.Errorf("call-connected: %w", err)
	}
	rec, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error {
		if c.ConnectedAt.IsZero() || c.AgentID != agentID {
			c.ConnectedAt = s.Clock.Time()
		}
		c.AgentID = agentID
		if ivrQueue != "" {
			c.IVRQueue = ivrQueue
		}
		return nil
	})
	if err != nil {
		return Connected{}, err
	}
	log := logging.From(ctx).WithFields(logrus.Fields{"call_id": call.ID, "agent_id": agentID})
	var out Connected
	if rec.WaitTimeChatID != "" {
		c, err := s.Start.ConnectCallChat(ctx, rec.WaitTimeChatID, call.ID, agentID)
		if err != nil {
			return Connected{}, fmt.Errorf("call-connected: %w", err)
		}
		if c.Open() {
			out.WaitTimeChatID = c.ID
		}
	}
	if call.Caller == "" {
		out.InCallReason = ReasonNoCaller
		return out, nil
	}
	n, err := s.inCallNumber(ctx, inCallNumber)
	if err != nil {
		return Connected{}, err
	}
	if n == "" {
		out.InCallReason = ReasonNoInCallNumber
		return out, nil
	}
	id := InCallChatID(call.Session)
	res, err := s.Start.StartOutbound(ctx, conversation.OutboundStart{
		Number: n, Consumer: call.Caller, AgentID: agentID, Origin: proactive.Origin{Call: call.ID, AgentID: agentID},
		ChatID: id, StartType: chat.StartInCall, Requested: true, CallID: call.ID, CallTimeout: CallTimeout,
	})
	var refusal *proactive.Refusal
	if errors.As(err, &refusal) {
		out.InCallReason, out.InCallDetail = string(refusal.Code), refusal.Message
		log.WithField("reason", refusal.Code).Warn("In-call SMS could not open")
		return out, nil
	}
	if err != nil {
		return Connected{}, fmt.Errorf("call-connected: %w", err)
	}
	if res.Existing && res.Chat.AgentID != agentID {
		// A transferred call: its in-call chat follows it.
		if _, err := s.Start.ConnectCallChat(ctx, id, call.ID, agentID); err != nil {
			return Connected{}, fmt.Errorf("call-connected: %w", err)
		}
	}
	if _, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error {
		c.InCallChatID, c.InCallNumber = id, n
		return nil
	}); err != nil {
		return Connected{}, err
	}
	out.InCallChatID, out.InCallNumber = id, n
	log.WithField("chat_id", id).Info("In-call SMS opened")
	return out, nil
}

// inCallNumber is the number in-call chats start from: the one the tag
// names (it must be an enabled in-call number), else the first enabled
// in-call number; "" when there is none.
func (s *Service) inCallNumber(ctx context.Context, want string) (string, error) {
	numbers, err := s.Store.Numbers(ctx)
	if err != nil {
		return "", fmt.Errorf("call-connected: numbers: %w", err)
	}
	slices.SortFunc(numbers, func(a, b chat.Number) int { return strings.Compare(a.E164, b.E164) })
	want = sms.NormalizeE164(want)
	for _, n := range numbers {
		if n.InCall && n.Enabled && (want == "" || n.E164 == want) {
			return n.E164, nil
		}
	}
	return "", nil
}

// End records the end of the call and ends its chats: the wait-time texts
// and the in-call chat last as long as the call.
func (s *Service) End(ctx context.Context, call Call) (ivrrec.Call, error) {
	rec, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error {
		if c.EndedAt.IsZero() {
			c.EndedAt = s.Clock.Time()
		}
		return nil
	})
	if err != nil {
		return ivrrec.Call{}, err
	}
	for _, id := range []string{rec.WaitTimeChatID, rec.InCallChatID} {
		if id == "" {
			continue
		}
		if err := s.Start.EndStarted(ctx, id, chat.EndFinished); err != nil && !errors.Is(err, store.ErrNotFound) {
			return ivrrec.Call{}, fmt.Errorf("call-ended: %w", err)
		}
	}
	logging.From(ctx).WithField("call_id", call.ID).Info("Call ended: its SMS chats ended")
	return rec, nil
}
