// Package store is the chat-state port: the Store and Tx interfaces every
// use case's own smaller port is a subset of, the records only the store
// holds, and the errors every adapter returns. Adapters: firestore (Cloud
// Firestore and its emulator) and memstore (the embedded twin); storetest
// is the contract suite both pass; counting counts billed operations.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
)

// InboundRetention is how long a dedupe record lives: carriers retry for
// hours at most, Pub/Sub for 7 days.
const InboundRetention = 8 * 24 * time.Hour

// Store errors every adapter returns (wrapped), so use cases can branch on
// them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// InboundRecord is the dedupe record of one carrier delivery and the raw
// message it carried (inbound/{provider}_{messageId}). Routed turns true in
// the same transaction that applies the message to its chat, and Replies
// lists the texts that transaction decided to send, so a redelivery can
// re-enqueue them (task names dedupe) instead of deciding again.
type InboundRecord struct {
	Message chat.Inbound `firestore:"message" json:"message"`
	Routed  bool         `firestore:"routed" json:"routed"`
	// Outcome says what routing did, for operators reading the record.
	Outcome string     `firestore:"outcome,omitempty" json:"outcome,omitempty"`
	ChatID  string     `firestore:"chatId,omitempty" json:"chatId,omitempty"`
	Replies []chat.Ref `firestore:"replies,omitempty" json:"replies,omitempty"`
	// ExpireAt drives the Firestore TTL policy: dedupe only needs to outlive
	// carrier retries.
	ExpireAt time.Time `firestore:"expireAt" json:"expireAt"`
}

// Store is chat state. Reads outside a transaction may be slightly stale;
// every decision that changes state runs in RunTx.
type Store interface {
	// RunTx runs fn in a serializable transaction, retrying it on contention;
	// fn must be safe to run more than once and do no I/O besides tx.
	RunTx(ctx context.Context, fn func(tx Tx) error) error

	// CreateInbound stores a delivery's dedupe record; ErrConflict when the
	// carrier delivered this message before.
	CreateInbound(ctx context.Context, rec InboundRecord) error
	Inbound(ctx context.Context, id string) (InboundRecord, error)

	Number(ctx context.Context, e164 string) (chat.Number, error)
	PutNumber(ctx context.Context, n chat.Number) error
	Numbers(ctx context.Context) ([]chat.Number, error)
	Settings(ctx context.Context) (chat.Settings, error)
	PutSettings(ctx context.Context, s chat.Settings) error
	PutQueue(ctx context.Context, q chat.Queue) error
	Queues(ctx context.Context) ([]chat.Queue, error)
	PutAgent(ctx context.Context, a chat.Agent) error
	Agents(ctx context.Context) ([]chat.Agent, error)
	Agent(ctx context.Context, id string) (chat.Agent, error)
	// ConfigRevision changes with every write of settings, queues, teams or
	// numbers (in the same commit), so the routing configuration can be cached and
	// checked with one read. "" before the first configuration write.
	ConfigRevision(ctx context.Context) (string, error)
	PutTeam(ctx context.Context, t chat.Team) error
	Teams(ctx context.Context) ([]chat.Team, error)
	// DeleteNumber, DeleteQueue, DeleteTeam and DeleteAgent return nil when
	// the document does not exist.
	DeleteNumber(ctx context.Context, e164 string) error
	DeleteQueue(ctx context.Context, id string) error
	DeleteTeam(ctx context.Context, id string) error
	DeleteAgent(ctx context.Context, id string) error

	Chat(ctx context.Context, id string) (chat.Chat, error)
	Messages(ctx context.Context, chatID string) ([]chat.Message, error)
	// MessagesAfter returns the messages with a sequence number above
	// afterSeq, in order: what a poller has not seen yet, at the cost of
	// those documents only.
	MessagesAfter(ctx context.Context, chatID string, afterSeq int64) ([]chat.Message, error)
	Message(ctx context.Context, ref chat.Ref) (chat.Message, error)
	// UpdateDelivery applies fn to a message and stores what fn returns
	// of its send record, delivery and provider message id (write false:
	// nothing), outside any transaction: the write is made only if the
	// message is unchanged since it was read, else it is read again and fn
	// runs again. For the carrier's answer and its status reports, which
	// change nothing else: as transactions, a report posted during the send
	// call held the message against the sender's write (on the emulator,
	// each such pair stalled 2 s until one attempt was aborted).
	// store.ErrNotFound when the message does not exist.
	UpdateDelivery(ctx context.Context, ref chat.Ref, fn func(m chat.Message) (next chat.Message, write bool, err error)) (chat.Message, error)
	// RecordSend stores a message's send record and provider message id
	// without reading it, leaving its delivery reports as they are: the
	// carrier's answer to a claimed send. Nothing else changes the send
	// record while the claim holds, except a report that came first and
	// repaired it to the same outcome (chat/sending.ApplyReport).
	// store.ErrNotFound when the message does not exist.
	RecordSend(ctx context.Context, ref chat.Ref, send chat.Send, providerMessageID string) error
	Consent(ctx context.Context, number, consumer string) (chat.Consent, error)
	ConsentEvents(ctx context.Context, number, consumer string) ([]chat.ConsentEvent, error)

	// AgentChats returns an agent's chats, each once: those offered to them
	// (offer.agentId, any open status) and those they hold (agentId, status
	// active), oldest first by createdAt then id, at most MaxOpenAgentChats
	// of each (by document id, before ordering); then those they held when
	// the chat ended at or after endedSince (agentId, status ended, endedAt
	// >= endedSince), newest first by endedAt then id descending, at most
	// limit. limit 0 leaves the ended chats out (and their query unrun);
	// a negative limit is an error.
	AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error)
	// OpenChats returns the chats with status menu, queued or active in the
	// queues (nil: in every queue; empty: none), oldest first by createdAt
	// then id, at most limit (at least 1), for any number of queue ids.
	OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	// QueuedChats is OpenChats for status queued alone: what an agent's
	// inbox lists as waiting, at the cost of those documents only.
	QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	// ConsumerChats returns a consumer's chats on every business number,
	// newest first by createdAt then id descending, at most limit (at least 1).
	ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error)

	// PutCanned creates or replaces a canned message (canned/{id}).
	PutCanned(ctx context.Context, c chat.Canned) error
	// CannedMessages lists every canned message in id order.
	CannedMessages(ctx context.Context) ([]chat.Canned, error)
	// DeleteCanned returns nil when the canned message does not exist.
	DeleteCanned(ctx context.Context, id string) error

	// Batch returns an outbound batch, ErrNotFound for an unknown one.
	Batch(ctx context.Context, id string) (OutboundBatch, error)
	// PutBatch creates or replaces an outbound batch.
	PutBatch(ctx context.Context, b OutboundBatch) error
}

// MaxOpenAgentChats bounds the offered and the held chats AgentChats
// returns: an agent's capacity is at most 100, and they hold no more.
const MaxOpenAgentChats = 100

// Tx is a transaction's view of the store. All reads see one snapshot and
// see the transaction's own writes; writes apply together at commit.
type Tx interface {
	Inbound(id string) (InboundRecord, error)
	PutInbound(rec InboundRecord)

	Number(e164 string) (chat.Number, error)
	Settings() (chat.Settings, error)

	Consent(number, consumer string) (chat.Consent, error)
	PutConsent(c chat.Consent)
	AddConsentEvent(number, consumer string, ev chat.ConsentEvent)

	// ActiveChatID returns the open chat of a thread, ErrNotFound if none.
	ActiveChatID(number, consumer string) (string, error)
	SetActiveChat(number, consumer, chatID string)
	ClearActiveChat(number, consumer string)

	Agent(id string) (chat.Agent, error)
	PutAgent(a chat.Agent)

	// WaitingChats returns chats with status queued in any of the queues,
	// longest waiting (QueuedAt) first, at most limit, as of the
	// transaction's snapshot with its own staged chat writes applied, for
	// any number of queue ids.
	WaitingChats(queueIDs []string, limit int) ([]chat.Chat, error)

	Chat(id string) (chat.Chat, error)
	PutChat(c chat.Chat)
	Message(ref chat.Ref) (chat.Message, error)
	PutMessage(m chat.Message)

	// Lane is a number's pacing lane (pacing/{number}_{index}).
	Lane(number string, index int) (lane.State, error)
	PutLane(l lane.State)
}
