// Package app holds smsdesk's use cases and the ports they need. Functions
// call these use cases; adapters (Firestore, Pub/Sub, Cloud Tasks, carriers
// and their embedded twins) implement the ports.
package app

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

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
	// ConfigRevision changes with every write of settings, queues or teams
	// (in the same commit), so the routing configuration can be cached and
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
	// then id, at most limit (at least 1). At most 30 queue ids (Firestore's
	// "in" limit); the caller splits longer lists.
	OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	// ConsumerChats returns a consumer's chats on every business number,
	// newest first by createdAt then id descending, at most limit (at least 1).
	ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error)

	// PutCanned creates or replaces a canned message (canned/{id}).
	PutCanned(ctx context.Context, c chat.Canned) error
	// CannedMessages lists every canned message in id order.
	CannedMessages(ctx context.Context) ([]chat.Canned, error)
	// DeleteCanned returns nil when the canned message does not exist.
	DeleteCanned(ctx context.Context, id string) error
}

// MaxOpenAgentChats bounds the offered and the held chats AgentChats
// returns: an agent's capacity is at most 100, and they hold no more.
const MaxOpenAgentChats = 100

// MaxQueryQueues is the most queue ids one OpenChats or WaitingChats call
// takes: Firestore's limit on the values of an "in" filter.
const MaxQueryQueues = 30

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
	// transaction's snapshot with its own staged chat writes applied. At
	// most 30 queue ids (Firestore's "in" limit).
	WaitingChats(queueIDs []string, limit int) ([]chat.Chat, error)

	Chat(id string) (chat.Chat, error)
	PutChat(c chat.Chat)
	Message(ref chat.Ref) (chat.Message, error)
	PutMessage(m chat.Message)
}

// MediaStore keeps MMS media: a private Cloud Storage bucket in production,
// an in-memory twin for scripts/dev. Object names are chosen by the app
// (inbound/{inboundID}/{index}, outbound/{chatID}/{random}); writing a name
// again replaces the object, so a retried copy stores one object.
type MediaStore interface {
	// Put stores what r yields under name. It reads at most limit bytes: a
	// longer r fails with ErrMediaTooLarge and stores nothing. The returned
	// object has the size that was stored.
	Put(ctx context.Context, name, contentType string, r io.Reader, limit int64) (MediaObject, error)
	// Open reads an object; ErrNotFound (wrapped) when there is none. The
	// caller closes the reader.
	Open(ctx context.Context, name string) (io.ReadCloser, MediaObject, error)
	// SignedURL is a URL that reads the object with GET, without
	// credentials, until ttl has passed. It does not check that the object
	// exists.
	SignedURL(ctx context.Context, name string, ttl time.Duration) (string, error)
}

// Carrier sends texts through one provider.
type Carrier interface {
	Send(ctx context.Context, msg OutboundSMS) (SendResult, error)
}

// OutboundSMS is one text to hand to a carrier.
type OutboundSMS struct {
	From, To          string
	Body              string
	MediaURLs         []string
	StatusCallbackURL string
	// IdempotencyKey is honoured by carriers that support it (Telnyx); for
	// the others, SendSMS's claim protocol prevents the second call.
	IdempotencyKey string
}

// SendResult is what the carrier answered to a send.
type SendResult struct {
	ProviderMessageID string
	Status            chat.DeliveryStatus
}

// ErrorClass tells SendSMS what a carrier error means for retrying.
type ErrorClass int

const (
	// Retryable: the carrier did not take the message (rate limit, 5xx, no
	// connection); sending again is safe.
	Retryable ErrorClass = iota
	// Permanent: the carrier refused the message for good (opted out,
	// invalid number, unregistered 10DLC); sending again cannot help.
	Permanent
	// Ambiguous: the request may have reached the carrier and no answer came
	// back; sending again could text the consumer twice.
	Ambiguous
)

// CarrierError is a classified send failure.
type CarrierError struct {
	Class      ErrorClass
	Code       string // the provider's error code, e.g. "21610"
	HTTPStatus int
	Message    string
	// OptedOut is set when the carrier says the consumer opted out at the
	// carrier level: consent is revoked on our side too.
	OptedOut bool
}

func (e *CarrierError) Error() string {
	if e.Code != "" {
		return "carrier error " + e.Code + ": " + e.Message
	}
	return "carrier error: " + e.Message
}
