// Package keyrec holds the API-key records the stores keep and the store
// port they implement: data only, so a store adapter linked into a carrier
// webhook does not pull in the key service's crypto.
package keyrec

import (
	"context"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Scope is what kind of OutboundAPI sending a key may do.
type Scope string

// The scopes.
const (
	ScopeSession     Scope = "session"
	ScopeSessionless Scope = "sessionless"
)

// Scopes are every scope, in the order the API documents them.
var Scopes = []Scope{ScopeSession, ScopeSessionless}

// Limits of a key's fields.
const (
	DefaultRatePerSecond = 10
	// MaxRatePerSecond bounds the limiter's token documents: their ids
	// grow with time, and Firestore advises staying under 500 writes/s on
	// a monotonically increasing key range.
	MaxRatePerSecond = 500
)

// Key is one API key. The secret is never stored: Hash is its digest.
type Key struct {
	// ID is public ("key_" and 16 base32 characters) and part of the
	// secret, so authentication reads one document by id.
	ID            string
	Name          string
	Numbers       []string // business numbers (E.164) the key may send from
	Scopes        []Scope
	RatePerSecond int
	Hash          string
	CreatedAt     time.Time
	RevokedAt     time.Time // zero while the key is valid
	CreatedBy     string
}

// Revoked tells whether the key was revoked.
func (k Key) Revoked() bool { return !k.RevokedAt.IsZero() }

// HasScope tells whether the key may do scope's kind of sending.
func (k Key) HasScope(scope Scope) bool { return slices.Contains(k.Scopes, scope) }

// Allows tells whether the key may send with scope from number (any
// spelling NormalizeE164 reads).
func (k Key) Allows(scope Scope, number string) bool {
	return !k.Revoked() && k.HasScope(scope) && slices.Contains(k.Numbers, sms.NormalizeE164(number))
}

// Rate is the key's requests per second (the default when unset).
func (k Key) Rate() int {
	if k.RatePerSecond <= 0 {
		return DefaultRatePerSecond
	}
	return k.RatePerSecond
}

// Store is what API keys need of the store. Errors wrap store.ErrNotFound
// and store.ErrConflict.
type Store interface {
	// CreateAPIKey stores a new key; ErrConflict when its id exists.
	CreateAPIKey(ctx context.Context, k Key) error
	APIKey(ctx context.Context, id string) (Key, error)
	// APIKeys lists every key, revoked ones too, by id.
	APIKeys(ctx context.Context) ([]Key, error)
	// RevokeAPIKey sets RevokedAt unless the key is revoked already (the
	// first revocation is kept) and returns the key; ErrNotFound when
	// there is no such key.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) (Key, error)

	// CreateRateToken creates ratelimit/{id}; ErrConflict when it exists.
	// Each token document is written once and never again.
	CreateRateToken(ctx context.Context, id string, expireAt time.Time) error

	// BeginRequest stores rec unless outboundRequests/{rec.ID} exists and
	// has not expired at now (a record past its ExpireAt is replaced: the
	// TTL policy deletes documents only eventually). It returns the record
	// that holds, and whether it is rec.
	BeginRequest(ctx context.Context, rec Record, now time.Time) (Record, bool, error)
	// FinishRequest marks a record done with resp, unless it is done
	// already (the first response is the one replayed); ErrNotFound when
	// there is no such record.
	FinishRequest(ctx context.Context, id string, resp Response) error
}

// IdempotencyRetention is how long a request's record, and so its replay,
// lasts.
const IdempotencyRetention = 24 * time.Hour

// State is where a request's record is.
type State string

// The states.
const (
	StateInProgress State = "in-progress"
	StateDone       State = "done"
)

// Response is an answer as it is replayed.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Record is outboundRequests/{keyId}_{sha256(idempotencyKey)}.
type Record struct {
	ID       string
	KeyID    string
	BodyHash string // hex SHA-256 of the request body
	State    State
	Response Response // when done
	Created  time.Time
	ExpireAt time.Time // Created + IdempotencyRetention; the TTL field
}
