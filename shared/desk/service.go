// Package desk is the agent console's read side: an agent's or
// supervisor's inbox, one chat with its transcript, consent and the
// actions the viewer may take, the viewer's profile, the agent directory,
// a consumer's history, and the canned messages that fit a chat. Its view
// types are the console's; the actions themselves are conversation's.
package desk

import (
	"context"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is what the console's read models need of chat state.
type Store interface {
	// RunTx changes a chat's labels (labels.go).
	RunTx(ctx context.Context, fn func(tx store.Tx) error) error
	Chat(ctx context.Context, id string) (chat.Chat, error)
	MessagesAfter(ctx context.Context, chatID string, afterSeq int64) ([]chat.Message, error)
	Consent(ctx context.Context, number, consumer string) (chat.Consent, error)
	Agent(ctx context.Context, id string) (chat.Agent, error)
	Agents(ctx context.Context) ([]chat.Agent, error)
	Queues(ctx context.Context) ([]chat.Queue, error)
	Numbers(ctx context.Context) ([]chat.Number, error)
	AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error)
	OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error)
	CannedMessages(ctx context.Context) ([]chat.Canned, error)
	PutCanned(ctx context.Context, c chat.Canned) error
	DeleteCanned(ctx context.Context, id string) error
}

// Service is the console's read models and canned-message management.
type Service struct {
	Store Store
	Trees *configtree.Cache
	// Media signs stored media for the viewer.
	Media *media.Service
	// Conversation renders canned messages as a reply would send them.
	Conversation *conversation.Service
	Clock        clock.Clock
}

func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
