package auth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// Guard authenticates requests with one Verifier.
type Guard struct {
	verifier Verifier
}

// NewGuard returns a Guard that checks bearer tokens with v.
func NewGuard(v Verifier) *Guard {
	return &Guard{verifier: v}
}

// errorBody is every error answer of Require, so the console handles one
// shape.
type errorBody struct {
	Error string `json:"error"`
}

// Require returns middleware that lets a request through only with an
// "Authorization: Bearer <token>" header whose token the verifier accepts
// and whose principal has one of roles (any role, when none are named). The
// handler finds the principal with From.
//
// Answers, all JSON {"error": "..."}:
//   - 401 with WWW-Authenticate: no token, or a token that is invalid or
//     expired; the client should refresh its token or sign in again.
//   - 403: a genuine token whose claims grant no role (ErrNoRole), or a role
//     this route does not admit. A fresh token would carry the same claims,
//     so 401 (which tells the client to sign in again) would loop.
//   - 503: the token could not be checked (the identity service is down).
func (g *Guard) Require(roles ...Role) func(http.Handler) http.Handler {
	for _, r := range roles {
		if !r.Valid() {
			// A typo in a route table must not quietly lock a route.
			panic(fmt.Sprintf("auth: Require(%q): not a role", r))
		}
	}
	roles = slices.Clone(roles)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			token, err := bearerToken(r)
			var p Principal
			if err == nil {
				p, err = g.verifier.Verify(ctx, token)
			}
			if err != nil {
				deny(w, r, err)
				return
			}
			if len(roles) > 0 && !slices.Contains(roles, p.Role) {
				logging.From(ctx).WithFields(logrus.Fields{"uid": p.UID, "role": p.Role}).
					Info("request denied: role not admitted")
				httpx.JSON(w, http.StatusForbidden, errorBody{Error: fmt.Sprintf("role %s may not do this; it needs %s", p.Role, joinRoles(roles))})
				return
			}
			ctx = logging.With(ctx, logrus.Fields{"uid": p.UID, "role": p.Role})
			next.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, p)))
		})
	}
}

// bearerToken reads the token of an "Authorization: Bearer <token>" header.
// The scheme is case-insensitive (RFC 9110 §11.1).
func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", ErrNoToken
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", fmt.Errorf("%w: the Authorization header uses scheme %q, want Bearer", ErrNoToken, scheme)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%w: the Authorization header has an empty Bearer token", ErrNoToken)
	}
	return token, nil
}

// deny answers a request whose token was missing, refused or uncheckable.
// Messages about the token are fixed phrases, so a verifier's detail (which
// may name the project or the expected issuer) stays in the log; the
// ErrNoRole and ErrNoToken texts are ours and say what to do.
func deny(w http.ResponseWriter, r *http.Request, err error) {
	log := logging.From(r.Context()).WithError(err)
	switch {
	case errors.Is(err, ErrNoToken):
		// RFC 6750 §3.1: no error code when the request had no credentials.
		w.Header().Set("WWW-Authenticate", `Bearer realm="smsdesk"`)
		httpx.JSON(w, http.StatusUnauthorized, errorBody{Error: err.Error() + "; send Authorization: Bearer <ID token>"})
	case errors.Is(err, ErrInvalidToken):
		msg := "invalid ID token; sign in again"
		if errors.Is(err, ErrTokenExpired) {
			msg = "ID token expired; refresh it and retry"
		}
		log.Info("request denied: invalid token")
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="smsdesk", error="invalid_token", error_description=%q`, msg))
		httpx.JSON(w, http.StatusUnauthorized, errorBody{Error: msg})
	case errors.Is(err, ErrNoRole):
		log.Warn("request denied: token grants no role")
		httpx.JSON(w, http.StatusForbidden, errorBody{Error: err.Error()})
	default:
		log.Error("could not verify a bearer token")
		w.Header().Set("Retry-After", "1")
		httpx.JSON(w, http.StatusServiceUnavailable, errorBody{Error: "could not check the ID token; try again"})
	}
}

func joinRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
