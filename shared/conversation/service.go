// Package conversation moves chats through their lives: it routes each
// consumer text (consent, commands, menus, queueing, assignment) in one
// transaction, fires chat timers, and carries out agents' actions (accept,
// decline, reply, transfer, end, status) through one authorized door. The
// domain (chat) decides; this package loads, calls it, stores, and then
// dispatches what was decided: sends, timers and chat events.
package conversation

import (
	"context"
	"time"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Store is what conversation needs of chat state.
type Store interface {
	RunTx(ctx context.Context, fn func(tx store.Tx) error) error
	Chat(ctx context.Context, id string) (chat.Chat, error)
	Message(ctx context.Context, ref chat.Ref) (chat.Message, error)
	Agent(ctx context.Context, id string) (chat.Agent, error)
	// AgentChats lists an agent's offered, held and recently ended chats
	// (store.Store.AgentChats).
	AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error)
	CannedMessages(ctx context.Context) ([]chat.Canned, error)
}

// ConsumerNames knows a chat's consumer's first name once a contact is
// linked to the chat; "" before.
type ConsumerNames interface {
	ConsumerFirstName(ctx context.Context, chatID string) (string, error)
}

// Service is the conversation use cases. Build it once per process.
type Service struct {
	Store Store
	// Trees is the routing configuration.
	Trees    *configtree.Cache
	Bus      bus.Publisher
	Tasks    tasks.Scheduler
	URLs     wire.URLs
	Delivery *delivery.Service
	// Media copies consumers' media before routing and checks agents'
	// attachments; with a nil Bucket media are off.
	Media *media.Service
	Clock clock.Clock
	// AwayAfter is how long an available agent's console may stop polling
	// before routing treats them as away (presence.go); 0 means
	// presence.DefaultAwayAfter (60 s).
	AwayAfter time.Duration
	// Detector tells a first text's language where a number has no fixed
	// one (RouteInbound sets shared/chat/langdetect; nil: the menu decides).
	Detector chat.LanguageDetector
	// Names gives @{CONSUMER_FIRST_NAME} from a chat's linked contact
	// (shared/crm/builtin.FirstNames); nil renders it empty.
	Names ConsumerNames

	seen seenCache
}
