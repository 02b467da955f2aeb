// Package admin is the channel configuration behind AdminAPI: settings,
// numbers, the queue tree, teams and agents, each change validated against
// the whole resulting configuration; import and export of the whole; and
// chat transcripts for export.
package admin

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is what the configuration use cases need of the store.
type Store interface {
	RunTx(ctx context.Context, fn func(tx store.Tx) error) error

	Settings(ctx context.Context) (chat.Settings, error)
	PutSettings(ctx context.Context, s chat.Settings) error
	Number(ctx context.Context, e164 string) (chat.Number, error)
	Numbers(ctx context.Context) ([]chat.Number, error)
	PutNumber(ctx context.Context, n chat.Number) error
	DeleteNumber(ctx context.Context, e164 string) error
	Queues(ctx context.Context) ([]chat.Queue, error)
	PutQueue(ctx context.Context, q chat.Queue) error
	DeleteQueue(ctx context.Context, id string) error
	Teams(ctx context.Context) ([]chat.Team, error)
	PutTeam(ctx context.Context, t chat.Team) error
	DeleteTeam(ctx context.Context, id string) error
	Agent(ctx context.Context, id string) (chat.Agent, error)
	Agents(ctx context.Context) ([]chat.Agent, error)
	DeleteAgent(ctx context.Context, id string) error
	CannedMessages(ctx context.Context) ([]chat.Canned, error)
	PutCanned(ctx context.Context, c chat.Canned) error
	DeleteCanned(ctx context.Context, id string) error

	Chat(ctx context.Context, id string) (chat.Chat, error)
	Messages(ctx context.Context, chatID string) ([]chat.Message, error)
}

// StatusSetter changes an agent's availability with everything that
// follows from it (conversation.Service).
type StatusSetter interface {
	SetStatus(ctx context.Context, v access.Viewer, agentID string, status chat.AgentStatus) (chat.Agent, error)
}

// Service is the configuration use cases.
type Service struct {
	Store Store
	// Statuses applies an agent's status change; nil refuses them.
	Statuses StatusSetter
	// Keys are OutboundAPI's API keys (apikeys.go); nil refuses them.
	Keys *apikey.Service
	// Accounts are people's sign-in accounts (accounts.go); nil refuses
	// invitations and password resets.
	Accounts Accounts
}
