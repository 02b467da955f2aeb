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

	IVRQueue(ctx context.Context, id string) (Queue, error)
	// IVRQueues lists every IVR queue by id.
	IVRQueues(ctx context.Context) ([]Queue, error)
	PutIVRQueue(ctx context.Context, q Queue) error
	// DeleteIVRQueue returns nil when it does not exist.
	DeleteIVRQueue(ctx context.Context, id string) error
}
