// Package apikey is how business systems call OutboundAPI: API keys
// (created, listed and revoked by admins, shown once, stored as a hash),
// each scoped to business numbers and to session or sessionless sending;
// authentication by Bearer or HTTP Basic; a per-key rate limit exact across
// function instances; and Idempotency-Key records that replay the first
// response to a retried request.
//
// Collections (through the Store port): apiKeys/{id},
// ratelimit/{keyId}_{unixSecond}_{slot} and outboundRequests/{keyId}_{hash},
// the last two with an expireAt TTL field.
package apikey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/apikey/keyrec"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The records and the store port live in keyrec, which store adapters
// import without this package's crypto.
type (
	Scope    = keyrec.Scope
	Key      = keyrec.Key
	Store    = keyrec.Store
	State    = keyrec.State
	Response = keyrec.Response
	Record   = keyrec.Record
)

// Limits of a key's name and numbers.
const (
	maxNameLen = 100
	maxNumbers = 100
)

// Re-exported constants of keyrec.
const (
	ScopeSession         = keyrec.ScopeSession
	ScopeSessionless     = keyrec.ScopeSessionless
	DefaultRatePerSecond = keyrec.DefaultRatePerSecond
	MaxRatePerSecond     = keyrec.MaxRatePerSecond
	StateInProgress      = keyrec.StateInProgress
	StateDone            = keyrec.StateDone
	IdempotencyRetention = keyrec.IdempotencyRetention
)

// Scopes are every scope, in the order the API documents them.
var Scopes = keyrec.Scopes

// View is a key as AdminAPI shows it: everything but the hash.
type View struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Numbers       []string   `json:"numbers"`
	Scopes        []Scope    `json:"scopes"`
	RatePerSecond int        `json:"ratePerSecond"`
	CreatedAt     time.Time  `json:"createdAt"`
	CreatedBy     string     `json:"createdBy,omitempty"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty"`
}

// ViewOf is k without its hash.
func ViewOf(k Key) View {
	v := View{
		ID: k.ID, Name: k.Name, Numbers: slices.Clone(k.Numbers), Scopes: slices.Clone(k.Scopes),
		RatePerSecond: k.Rate(), CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
	}
	if k.Revoked() {
		at := k.RevokedAt
		v.RevokedAt = &at
	}
	return v
}

// Errors.
var (
	// ErrUnauthenticated: no key, an unknown or revoked one, or a wrong
	// secret (401). The wrapped message says which for logs; answers do
	// not tell an unknown key from a revoked one.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrNoCredentials wraps ErrUnauthenticated when no key was sent.
	ErrNoCredentials = fmt.Errorf("%w: no API key", ErrUnauthenticated)
	// ErrIdempotencyMismatch: an Idempotency-Key used before with another
	// request body (409).
	ErrIdempotencyMismatch = errors.New("Idempotency-Key was used with a different request body")
)

// Service is API keys over a store. Use it by pointer: it keeps the
// limiter's view of the current second.
type Service struct {
	Store Store
	Clock clock.Clock
	// Pepper, when set (a secret from Secret Manager), makes new keys'
	// hashes HMAC-SHA-256 under it instead of SHA-256. See hashSecret.
	Pepper []byte

	lim limiter
}

// secretPrefix starts every secret, so a leaked one is recognisable by
// secret scanners.
const secretPrefix = "sk_"

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b32.EncodeToString(b)
}

// newID is "key_" and 80 random bits.
func newID() string { return "key_" + randomText(10) }

// newSecret is "sk_" + id + "_" + 160 random bits: the id tells which
// document to read; the random part is the secret proper.
func newSecret(id string) string { return secretPrefix + id + "_" + randomText(20) }

// idLen is len(newID()).
const idLen = 4 + 16

// idOf reads the key id out of a secret; false when it is not shaped as
// one.
func idOf(secret string) (string, bool) {
	rest, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok || len(rest) < idLen+2 || rest[idLen] != '_' || !strings.HasPrefix(rest, "key_") {
		return "", false
	}
	id := rest[:idLen]
	if _, err := b32.DecodeString(id[4:]); err != nil {
		return "", false
	}
	return id, true
}

// Hash schemes, stored as the hash's prefix so keys made before a pepper
// was configured keep working after.
const (
	schemeSHA256 = "sha256:"
	schemeHMAC   = "hmac-sha256:"
)

// hashSecret digests a secret for storage. A fast hash is right here,
// unlike for passwords: the secret carries 160 random bits, so a leaked
// hash cannot be reversed by guessing, and a slow KDF (bcrypt, Argon2)
// would add tens of milliseconds of CPU to every API request for no
// gain. With a pepper (kept outside Firestore) a leaked apiKeys
// collection alone does not even let one check a candidate secret.
func (s *Service) hashSecret(secret string) string {
	if len(s.Pepper) > 0 {
		m := hmac.New(sha256.New, s.Pepper)
		m.Write([]byte(secret))
		return schemeHMAC + hex.EncodeToString(m.Sum(nil))
	}
	sum := sha256.Sum256([]byte(secret))
	return schemeSHA256 + hex.EncodeToString(sum[:])
}

// verify compares a secret with a stored hash in constant time.
func (s *Service) verify(stored, secret string) bool {
	var want string
	switch {
	case strings.HasPrefix(stored, schemeHMAC):
		if len(s.Pepper) == 0 {
			return false // the pepper was removed: fail closed
		}
		want = s.hashSecret(secret)
	case strings.HasPrefix(stored, schemeSHA256):
		sum := sha256.Sum256([]byte(secret))
		want = schemeSHA256 + hex.EncodeToString(sum[:])
	default:
		return false
	}
	return subtle.ConstantTimeCompare([]byte(stored), []byte(want)) == 1
}

// Normalize checks and canonicalises the fields an admin sets: name (1 to
// 100 characters), numbers (1 to 100, E.164, no duplicates), scopes (at
// least one, known, no duplicates), ratePerSecond (0 for the default, else
// 1 to MaxRatePerSecond). Problems name the JSON member.
func Normalize(k Key) (Key, []chat.FieldError) {
	var p []chat.FieldError
	add := func(field, format string, args ...any) {
		p = append(p, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	k.Name = strings.TrimSpace(k.Name)
	switch n := utf8.RuneCountInString(k.Name); {
	case n == 0:
		add("name", "required")
	case n > maxNameLen:
		add("name", "at most %d characters, got %d", maxNameLen, n)
	}
	switch {
	case len(k.Numbers) == 0:
		add("numbers", "at least one business number the key may send from")
	case len(k.Numbers) > maxNumbers:
		add("numbers", "at most %d numbers, got %d", maxNumbers, len(k.Numbers))
	}
	numbers := make([]string, 0, len(k.Numbers))
	for i, raw := range k.Numbers {
		field := fmt.Sprintf("numbers[%d]", i)
		n, err := sms.NormalizeNumber(raw, sms.DefaultRegion)
		switch {
		case err != nil:
			add(field, "%q is not a phone number in E.164 (+14155550101) or a short code", raw)
		case slices.Contains(numbers, n):
			add(field, "%s is listed twice", n)
		default:
			numbers = append(numbers, n)
		}
	}
	k.Numbers = numbers
	if len(k.Scopes) == 0 {
		add("scopes", "at least one of session, sessionless")
	}
	for i, sc := range k.Scopes {
		field := fmt.Sprintf("scopes[%d]", i)
		switch {
		case !slices.Contains(Scopes, sc):
			add(field, "must be session or sessionless, got %q", sc)
		case slices.Index(k.Scopes, sc) < i:
			add(field, "%s is listed twice", sc)
		}
	}
	switch {
	case k.RatePerSecond == 0:
		k.RatePerSecond = DefaultRatePerSecond
	case k.RatePerSecond < 1 || k.RatePerSecond > MaxRatePerSecond:
		add("ratePerSecond", "must be between 1 and %d, got %d", MaxRatePerSecond, k.RatePerSecond)
	}
	return k, p
}

// Create makes a key from k's name, numbers, scopes, rate and creator and
// returns it with its secret, which is shown this once and never stored.
// Invalid fields are a *chat.ValidationError naming each.
func (s *Service) Create(ctx context.Context, k Key) (Key, string, error) {
	k, problems := Normalize(k)
	if len(problems) > 0 {
		return Key{}, "", &chat.ValidationError{Problems: problems}
	}
	k.ID = newID()
	secret := newSecret(k.ID)
	k.Hash = s.hashSecret(secret)
	k.CreatedAt = s.Clock.Time()
	k.RevokedAt = time.Time{}
	if err := s.Store.CreateAPIKey(ctx, k); err != nil {
		return Key{}, "", fmt.Errorf("create API key %s: %w", k.ID, err)
	}
	return k, secret, nil
}

// List is every key, revoked ones too, by id.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	ks, err := s.Store.APIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return ks, nil
}

// Revoke revokes a key: it stops authenticating with the next request,
// on every instance (authentication reads the key each time). Revoking a
// revoked key changes nothing; an unknown one is store.ErrNotFound.
func (s *Service) Revoke(ctx context.Context, id string) error {
	if _, err := s.Store.RevokeAPIKey(ctx, id, s.Clock.Time()); err != nil {
		return fmt.Errorf("revoke API key %s: %w", id, err)
	}
	return nil
}

// key looks a key up for authentication: a missing one is
// ErrUnauthenticated.
func (s *Service) key(ctx context.Context, id string) (Key, error) {
	k, err := s.Store.APIKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Key{}, fmt.Errorf("%w: unknown API key %s", ErrUnauthenticated, id)
	}
	if err != nil {
		return Key{}, fmt.Errorf("read API key %s: %w", id, err)
	}
	return k, nil
}
