// Package ivrrec holds the records the IVR webhook keeps in the store and
// the store port they need: data only, so the store adapters can implement
// it without importing the IVR use case.
package ivrrec

import (
	"context"
	"time"
)

// TurnState is how far the webhook got with one turn.
type TurnState string

// The turn states.
const (
	// TurnPending: a request is working on the turn; LeaseUntil bounds how
	// long a retry waits before it takes the turn over.
	TurnPending TurnState = "pending"
	// TurnDone: Response is the answer every retry gets.
	TurnDone TurnState = "done"
)

// TurnRetention is how long a turn's record lives: Dialogflow CX retries
// within a turn's seconds; a call lasts hours at most.
const TurnRetention = 24 * time.Hour

// Turn is the idempotency record of one webhook call (ivrTurns/{id}): the
// id is a digest of the session, the tag and the turn, so a retried call
// finds it and is answered what the first one was, sending nothing again.
type Turn struct {
	ID         string
	Session    string
	Tag        string
	State      TurnState
	LeaseUntil time.Time
	// Response is the WebhookResponse JSON once done.
	Response []byte
	Created  time.Time
	ExpireAt time.Time
}

// Queue is one IVR queue's SMS deflection setup (ivrQueues/{id}): the id
// is what the CX flow passes as the ivr_queue parameter.
type Queue struct {
	ID      string `json:"id"`
	Enabled bool   `json:"enabled"`
	// ThresholdMinutes: deflection is offered only when the estimated wait
	// is above it; 0 offers it always.
	ThresholdMinutes int `json:"thresholdMinutes"`
	// SMSQueue is the leaf queue deflected chats wait in.
	SMSQueue string `json:"smsQueue"`
	// Number is the business number the texts are sent from.
	Number      string `json:"number"`
	CompanyName string `json:"companyName,omitempty"`
	// DefaultLanguage answers a call whose language has no texts.
	DefaultLanguage string `json:"defaultLanguage"`
	// Texts are by language code (the CX session's languageCode, "en").
	Texts map[string]Texts `json:"texts"`
	// WaitTime offers waiting callers to send details by text (the
	// waittime-consent and waittime-answer tags); Enabled is deflection's.
	WaitTime bool `json:"waitTime,omitempty"`
}

// Texts are one language's deflection texts. Offer may use
// @{ESTIMATED_WAIT_TIME_IN_MINUTES} and @{QUEUE_SIZE}; Greeting may use
// @{END_USER}, @{COMPANY_NAME} and @{QUEUE_NAME}.
type Texts struct {
	// Offer is what the IVR says to offer the text.
	Offer string `json:"offer"`
	// OptedIn is the first text: it confirms the caller asked for texts
	// and says how to stop them.
	OptedIn string `json:"optedIn"`
	// Greeting follows it and opens the chat.
	Greeting string `json:"greeting"`
	// WaitTimeAsk is what the IVR says to ask a waiting caller whether
	// they want to send details by text; WaitTimeInvite is the text they
	// get when they say yes. Required when the queue's WaitTime is on.
	WaitTimeAsk    string `json:"waitTimeAsk,omitempty"`
	WaitTimeInvite string `json:"waitTimeInvite,omitempty"`
}

// For returns the texts of a language, else of the default language.
func (q Queue) For(lang string) (Texts, string) {
	if t, ok := q.Texts[lang]; ok {
		return t, lang
	}
	return q.Texts[q.DefaultLanguage], q.DefaultLanguage
}

// Store is what the IVR webhook needs of the store besides chats. Errors
// wrap store.ErrNotFound.
type Store interface {
	// BeginTurn creates a turn's record, or returns the one held: done, or
	// pending with a lease not yet over at now (created false). A pending
	// record whose lease is over is replaced by rec (created true).
	BeginTurn(ctx context.Context, rec Turn, now time.Time) (held Turn, created bool, err error)
	// Turn reads a turn's record.
	Turn(ctx context.Context, id string) (Turn, error)
	// FinishTurn stores a pending turn's answer; a done turn keeps its
	// first answer. ErrNotFound when there is no such turn.
	FinishTurn(ctx context.Context, id string, response []byte) error

	// Call reads a call's record; UpdateCall runs fn on it (found false
	// and a zero Call with the id when there is none) in a transaction
	// and stores what fn leaves, unless fn fails.
	Call(ctx context.Context, id string) (Call, error)
	UpdateCall(ctx context.Context, id string, fn func(c *Call, found bool) error) (Call, error)
	// PutAppToken stores a new app-link token; UpdateAppToken runs fn on
	// one (ErrNotFound when there is none) in a transaction, so two
	// exchanges of one token cannot both find it unused.
	PutAppToken(ctx context.Context, t AppToken) error
	UpdateAppToken(ctx context.Context, digest string, fn func(t *AppToken) error) (AppToken, error)

	IVRQueue(ctx context.Context, id string) (Queue, error)
	// IVRQueues lists every IVR queue by id.
	IVRQueues(ctx context.Context) ([]Queue, error)
	PutIVRQueue(ctx context.Context, q Queue) error
	// DeleteIVRQueue returns nil when it does not exist.
	DeleteIVRQueue(ctx context.Context, id string) error
}

// CallRetention is how long a call's record lives after its last change.
const CallRetention = 24 * time.Hour

// WaitTimeAnswer is what a caller said to the wait-time SMS question.
type WaitTimeAnswer string

// The answers.
const (
	WaitTimeYes WaitTimeAnswer = "yes"
	WaitTimeNo  WaitTimeAnswer = "no"
)

// Call is what the webhook remembers of one voice call (ivrCalls/{id},
// the id the CX session's): the wait-time question asked once, the chats
// linked to it and who took it.
type Call struct {
	ID       string
	Session  string
	Caller   string
	IVRQueue string
	// WaitTimeAsked: the caller was asked; WaitTimeAnswer what they said.
	WaitTimeAsked  bool
	WaitTimeAnswer WaitTimeAnswer
	WaitTimeChatID string
	// AgentID took the call (call-connected); InCallChatID is the in-call
	// chat on InCallNumber.
	AgentID      string
	InCallChatID string
	InCallNumber string
	ConnectedAt  time.Time
	EndedAt      time.Time
	Created      time.Time
	ExpireAt     time.Time
}

// AppTokenTTL is how long an app-link token may be exchanged.
const AppTokenTTL = 10 * time.Minute

// AppToken is a one-time token an app link carries (ivrAppTokens/{digest}):
// only its SHA-256 digest is stored, so the store never holds a usable
// token. UsedAt is set by the one exchange that succeeds.
type AppToken struct {
	Digest    string
	CallID    string
	AgentID   string
	IVRQueue  string
	ChatID    string
	Created   time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	// ExpireAt is the TTL policy's field: a day after creation.
	ExpireAt time.Time
}
