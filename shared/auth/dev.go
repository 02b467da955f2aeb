package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrDevDisabled is what NewDevVerifier returns when it is not enabled.
var ErrDevDisabled = errors.New("dev verifier: not enabled")

// devPrefix starts every dev token, so one is never mistaken for (or sent
// to) Firebase, and a log line shows at once which kind a request carried.
const devPrefix = "smsdesk-dev."

// DevVerifier signs people in on the local dev server without any setup:
// the server mints tokens itself (Mint) for whatever user and role the
// sign-in page asks for, and checks them (Verify). Tokens are
// HMAC-SHA256-signed with a key drawn at random when the verifier is created
// and never stored, so they die with the process and no secret has to be
// configured.
//
// Because whoever reaches the minting page can become an admin, it must
// never run in production; see NewDevVerifier.
type DevVerifier struct {
	key []byte
	now func() time.Time
}

// NewDevVerifier returns a DevVerifier when enabled is true and
// ErrDevDisabled otherwise.
//
// The flag is explicit, rather than read from the environment here, so that
// the one line of wiring that switches dev sign-in on names its condition
// (scripts/dev's embedded mode) where a reviewer sees it, and so that
// wiring which reaches this constructor without that condition fails at
// start-up instead of serving self-minted admin tokens. As a second guard it
// refuses to run on Cloud Run or Cloud Functions (K_SERVICE set) even when
// enabled.
func NewDevVerifier(enabled bool) (*DevVerifier, error) {
	if !enabled {
		return nil, ErrDevDisabled
	}
	if onGoogleCloud() {
		return nil, errors.New("dev verifier: refusing to run on a deployed service (K_SERVICE is set); use Firebase Authentication")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("dev verifier: drawing a signing key: %w", err)
	}
	return &DevVerifier{key: key, now: time.Now}, nil
}

// devClaims is the signed body of a dev token.
type devClaims struct {
	UID     string `json:"uid"`
	Email   string `json:"email,omitempty"`
	Role    Role   `json:"role"`
	AgentID string `json:"agentId,omitempty"`
	// Expires is in Unix seconds, as in a JWT's exp.
	Expires int64 `json:"exp"`
}

// Mint returns a token for p that Verify accepts until ttl has passed. p
// must be a principal Verify would return: a known role, and an agent id for
// an agent.
func (d *DevVerifier) Mint(p Principal, ttl time.Duration) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("dev verifier: minting: %w", err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("dev verifier: minting: ttl %v is not positive", ttl)
	}
	body, err := json.Marshal(devClaims{
		UID: p.UID, Email: p.Email, Role: p.Role, AgentID: p.AgentID,
		Expires: d.now().Add(ttl).Unix(),
	})
	if err != nil {
		return "", fmt.Errorf("dev verifier: minting: %w", err)
	}
	signed := devPrefix + base64.RawURLEncoding.EncodeToString(body)
	return signed + "." + base64.RawURLEncoding.EncodeToString(d.mac(signed)), nil
}

// Verify implements Verifier.
func (d *DevVerifier) Verify(_ context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrNoToken
	}
	if !strings.HasPrefix(token, devPrefix) {
		return Principal{}, fmt.Errorf("%w: not a dev sign-in token", ErrInvalidToken)
	}
	dot := strings.LastIndexByte(token, '.')
	signed, sig := token[:dot], token[dot+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac(signed)) {
		// Also the answer for a token from an earlier run of the dev server,
		// whose key is gone.
		return Principal{}, fmt.Errorf("%w: bad signature (was the dev server restarted?)", ErrInvalidToken)
	}
	body, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(signed, devPrefix))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: malformed body: %w", ErrInvalidToken, err)
	}
	var c devClaims
	if err := json.Unmarshal(body, &c); err != nil {
		return Principal{}, fmt.Errorf("%w: malformed body: %w", ErrInvalidToken, err)
	}
	if now := d.now().Unix(); now >= c.Expires {
		return Principal{}, fmt.Errorf("%w: dev token of %s expired %ds ago", ErrTokenExpired, c.UID, now-c.Expires)
	}
	p := Principal{UID: c.UID, Email: c.Email, Role: c.Role, AgentID: c.AgentID}
	if err := p.validate(); err != nil {
		return Principal{}, err
	}
	return p, nil
}

func (d *DevVerifier) mac(signed string) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}
