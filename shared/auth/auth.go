// Package auth turns the bearer token of an agent, supervisor or admin
// request into a Principal: who is calling, with which role, as which agent.
//
// Production tokens are Firebase Authentication (Identity Platform) ID
// tokens, checked by FirebaseVerifier; the role and agent id are custom
// claims that an admin sets on the user (Admin SDK SetCustomUserClaims). The
// local dev server, which has no Firebase project, uses DevVerifier instead.
// Require guards HTTP handlers with either one.
package auth

import (
	"context"
	"errors"
	"fmt"
)

// Role is what a principal may do. Each role is its own grant, not a rank:
// a route that admits several roles names every one of them.
type Role string

// The roles smsdesk knows.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Custom claim names, as an admin tool sets them on a Firebase user.
const (
	ClaimRole    = "role"
	ClaimAgentID = "agentId"
)

// Valid reports whether r is one of the roles smsdesk knows.
func (r Role) Valid() bool {
	switch r {
	case RoleAgent, RoleSupervisor, RoleAdmin:
		return true
	}
	return false
}

// Principal is the authenticated caller.
type Principal struct {
	// UID is the Firebase Authentication user id (the token's subject).
	UID string `json:"uid"`
	// Email is the token's email claim; empty when the account has none.
	Email string `json:"email,omitempty"`
	Role  Role   `json:"role"`
	// AgentID is the agents/{id} document this user works as. Every agent
	// has one; a supervisor or admin has one only if they also take chats.
	AgentID string `json:"agentId,omitempty"`
}

// Verifier checks a bearer token and says whose it is. Implementations
// return errors that wrap ErrNoToken, ErrInvalidToken or ErrNoRole when the
// token is to blame; any other error means the check itself could not be
// made (the identity service is unreachable, say), so the caller should
// answer "try again" rather than "sign in again".
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

var (
	// ErrNoToken: the request carries no bearer token.
	ErrNoToken = errors.New("missing bearer token")
	// ErrInvalidToken: the token is malformed, forged, for another project,
	// revoked, or its user is disabled or deleted. The client must sign in
	// (or refresh its token) again.
	ErrInvalidToken = errors.New("invalid ID token")
	// ErrTokenExpired: the token was genuine but has expired. It wraps
	// ErrInvalidToken, so errors.Is(err, ErrInvalidToken) holds too.
	ErrTokenExpired = fmt.Errorf("%w: expired", ErrInvalidToken)
	// ErrNoRole: the token is genuine, but its custom claims grant no role in
	// smsdesk: the role claim is missing or unknown, or an agent has no
	// agent id. Signing in again does not help; an admin has to set the
	// claims.
	ErrNoRole = errors.New("no smsdesk role")
)

// principalFromClaims reads the smsdesk claims of a verified token. claims
// holds the token's non-registered claims (custom claims and email).
func principalFromClaims(uid string, claims map[string]any) (Principal, error) {
	p := Principal{UID: uid}
	if uid == "" {
		return Principal{}, fmt.Errorf("%w: the token has no subject", ErrInvalidToken)
	}
	email, err := optionalString(claims, "email")
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	p.Email = email

	raw, ok := claims[ClaimRole]
	if !ok {
		return Principal{}, fmt.Errorf("%w: the token of user %s has no %q claim; an admin must assign agent, supervisor or admin", ErrNoRole, uid, ClaimRole)
	}
	role, ok := raw.(string)
	if !ok {
		return Principal{}, fmt.Errorf("%w: the %q claim is a %T, want a string", ErrNoRole, ClaimRole, raw)
	}
	p.Role = Role(role)

	agentID, err := optionalString(claims, ClaimAgentID)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrNoRole, err)
	}
	p.AgentID = agentID

	if err := p.validate(); err != nil {
		return Principal{}, err
	}
	return p, nil
}

// validate checks what every principal, however it was obtained, must
// satisfy.
func (p Principal) validate() error {
	if p.UID == "" {
		return fmt.Errorf("%w: empty user id", ErrInvalidToken)
	}
	if !p.Role.Valid() {
		return fmt.Errorf("%w: the %q claim %q is not agent, supervisor or admin", ErrNoRole, ClaimRole, p.Role)
	}
	// An agent without an agent id could sign in but never see a chat:
	// refuse it here, where the reason can still be named.
	if p.Role == RoleAgent && p.AgentID == "" {
		return fmt.Errorf("%w: user %s has role agent but no %q claim", ErrNoRole, p.UID, ClaimAgentID)
	}
	return nil
}

// optionalString returns claims[name] when it is a string, "" when it is
// absent, and an error for any other type.
func optionalString(claims map[string]any, name string) (string, error) {
	raw, ok := claims[name]
	if !ok || raw == nil {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("the %q claim is a %T, want a string", name, raw)
	}
	return s, nil
}

type principalKey struct{}

// WithPrincipal returns a context carrying p for From. Require does this;
// tests of handlers behind it can too.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the principal Require authenticated, and false when the
// context has none (a handler that was mounted without Require).
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
