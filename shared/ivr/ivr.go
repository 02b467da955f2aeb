// Package ivr is the use case behind the IVRWebhook function: what a
// Dialogflow CX agent asks of the SMS channel during a voice call. It
// estimates a queue's wait, offers callers to continue by SMS above a
// queue's threshold (pre-session deflection) and, when they accept, texts
// them and queues an SMS chat, answering the call may end only once the
// carrier took the first text. Every webhook turn runs once (Once): a CX
// retry is answered what the first call was.
package ivr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/ewt"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

// Store is what the IVR needs of the store.
type Store interface {
	ivrrec.Store
	Agents(ctx context.Context) ([]chat.Agent, error)
	QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error)
	Messages(ctx context.Context, chatID string) ([]chat.Message, error)
	Message(ctx context.Context, ref chat.Ref) (chat.Message, error)
	Agent(ctx context.Context, id string) (chat.Agent, error)
	Chat(ctx context.Context, id string) (chat.Chat, error)
	Numbers(ctx context.Context) ([]chat.Number, error)
}

// Trees is the routing configuration.
type Trees interface {
	Tree(ctx context.Context) (*chat.Tree, error)
}

// Starter starts SMS chats (conversation.Service).
type Starter interface {
	StartOutbound(ctx context.Context, req conversation.OutboundStart) (conversation.OutboundResult, error)
	EndStarted(ctx context.Context, chatID string, reason chat.EndReason) error
	ConnectCallChat(ctx context.Context, chatID, callID, agentID string) (chat.Chat, error)
}

// Defaults of the Service's bounds.
const (
	// DefaultSendWait bounds how long an accept waits for the carrier's
	// word on the first text: Dialogflow CX gives a webhook 5 s by default
	// and the answer still has to travel back.
	DefaultSendWait = 3500 * time.Millisecond
	// DefaultPoll is how often the wait reads the text's state.
	DefaultPoll = 50 * time.Millisecond
	// maxQueued bounds the waiting chats an estimate reads.
	maxQueued = 500
	// handleWindow and handlesPerAgent bound the recent chats the handle
	// time is learned from.
	handleWindow    = 24 * time.Hour
	handlesPerAgent = 20
)

// Service is the IVR use case.
type Service struct {
	Store Store
	Trees Trees
	Start Starter
	Clock clock.Clock
	// SendWait and Poll: zero means the defaults.
	SendWait, Poll time.Duration
}

// Call is a webhook request's view of the call.
type Call struct {
	// Session is the CX session path; ID its last segment, the call id.
	Session, ID string
	// Caller is the caller's number in E.164 ("" when the telephony
	// payload carried none).
	Caller   string
	Language string
}

// ErrNoQueue: the ivr_queue parameter names no configured IVR queue.
var ErrNoQueue = errors.New("ivr_queue is not a configured IVR queue")

// EWT estimates the wait of a new chat in an SMS queue.
func (s *Service) EWT(ctx context.Context, queueID string) (ewt.Estimate, error) {
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return ewt.Estimate{}, fmt.Errorf("estimate %s: %w", queueID, err)
	}
	waiting, err := s.Store.QueuedChats(ctx, []string{queueID}, maxQueued)
	if err != nil {
		return ewt.Estimate{}, fmt.Errorf("estimate %s: waiting chats: %w", queueID, err)
	}
	all, err := s.Store.Agents(ctx)
	if err != nil {
		return ewt.Estimate{}, fmt.Errorf("estimate %s: agents: %w", queueID, err)
	}
	works := map[string]bool{}
	for _, id := range tree.Agents(queueID) {
		works[id] = true
	}
	in := ewt.Input{Waiting: len(waiting)}
	since := s.Clock.Time().Add(-handleWindow)
	for _, a := range all {
		if !works[a.ID] {
			continue
		}
		in.Agents = append(in.Agents, ewt.Agent{Available: a.Status == chat.AgentAvailable, Capacity: a.Capacity, Load: a.Load})
		if a.Status != chat.AgentAvailable {
			continue // only who takes chats now shapes the wait
		}
		recent, err := s.Store.AgentChats(ctx, a.ID, since, handlesPerAgent)
		if err != nil {
			return ewt.Estimate{}, fmt.Errorf("estimate %s: chats of %s: %w", queueID, a.ID, err)
		}
		for _, c := range recent {
			if c.QueueID == queueID && c.Status == chat.StatusEnded && !c.AssignedAt.IsZero() && c.EndedAt.After(c.AssignedAt) {
				in.Handles = append(in.Handles, c.EndedAt.Sub(c.AssignedAt))
			}
		}
	}
	if cl, closed := tree.Closure(queueID, "", s.Clock.Time()); closed && !cl.Reopen.IsZero() {
		in.ClosedFor = cl.Reopen.Sub(s.Clock.Time()) // business hours (shared/chat/hours)
	}
	return ewt.Of(in), nil
}

// Fill replaces @{NAME} placeholders.
func Fill(text string, vars map[string]string) string {
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "@{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
