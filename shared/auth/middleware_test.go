package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/auth/authtest"
)

// echo answers 200 with the principal Require put in the context.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := auth.From(r.Context())
	if !ok {
		http.Error(w, "no principal in the context", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p)
})

// reply is what one request through the middleware came back with.
type reply struct {
	status    int
	principal auth.Principal // when 200
	errMsg    string         // the JSON error, otherwise
	challenge string         // WWW-Authenticate
}

func call(t *testing.T, ctx context.Context, h http.Handler, authorization string) reply {
	t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/AgentAPI/chats", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := reply{status: rec.Code, challenge: rec.Header().Get("WWW-Authenticate")}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json (body %q)", ct, rec.Body.String())
	}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &got.principal); err != nil {
			t.Fatalf("200 body %q: %v", rec.Body.String(), err)
		}
		return got
	}
	var body struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
		t.Fatalf("%d body %q is not {\"error\": \"...\"}", rec.Code, rec.Body.String())
	}
	got.errMsg = body.Error
	return got
}

// check compares a reply with what a case wants: the status, the principal
// on 200, a phrase of the error message otherwise, and a challenge exactly
// on 401.
func check(t *testing.T, got reply, wantStatus int, wantPrincipal auth.Principal, wantErrHas string) {
	t.Helper()
	if got.status != wantStatus {
		t.Fatalf("status = %d (%q), want %d", got.status, got.errMsg, wantStatus)
	}
	if diff := cmp.Diff(wantPrincipal, got.principal); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.errMsg, wantErrHas) {
		t.Errorf("error = %q, want it to say %q", got.errMsg, wantErrHas)
	}
	if (wantStatus == http.StatusUnauthorized) != strings.HasPrefix(got.challenge, "Bearer ") {
		t.Errorf("WWW-Authenticate = %q on status %d", got.challenge, got.status)
	}
}

func TestRequireWithFirebaseEmulator(t *testing.T) {
	emu := authtest.New(t)
	guard := auth.NewGuard(emu.Verifier())
	agentRoute := guard.Require(auth.RoleAgent)(echo)
	supervisorRoute := guard.Require(auth.RoleSupervisor, auth.RoleAdmin)(echo)
	anyRoleRoute := guard.Require()(echo)

	agent := emu.NewUser(t, map[string]any{"role": "agent", "agentId": "alice"})
	supervisor := emu.NewUser(t, map[string]any{"role": "supervisor"})
	noRole := emu.NewUser(t, nil)
	otherClaims := emu.NewUser(t, map[string]any{"team": "billing"})
	unknownRole := emu.NewUser(t, map[string]any{"role": "owner"})
	agentWithoutID := emu.NewUser(t, map[string]any{"role": "agent"})
	deleted := emu.NewUser(t, map[string]any{"role": "admin"})
	if err := emu.Client().DeleteUser(context.Background(), deleted.UID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	tests := []struct {
		name          string
		route         http.Handler
		authorization string
		wantStatus    int
		wantPrincipal auth.Principal
		wantErrHas    string
	}{
		{
			name: "agent token on an agent route", route: agentRoute,
			authorization: "Bearer " + agent.IDToken, wantStatus: http.StatusOK,
			wantPrincipal: auth.Principal{UID: agent.UID, Email: agent.Email, Role: auth.RoleAgent, AgentID: "alice"},
		},
		{
			name: "supervisor token on a supervisor route", route: supervisorRoute,
			authorization: "Bearer " + supervisor.IDToken, wantStatus: http.StatusOK,
			wantPrincipal: auth.Principal{UID: supervisor.UID, Email: supervisor.Email, Role: auth.RoleSupervisor},
		},
		{
			name: "any role admitted", route: anyRoleRoute,
			authorization: "Bearer " + supervisor.IDToken, wantStatus: http.StatusOK,
			wantPrincipal: auth.Principal{UID: supervisor.UID, Email: supervisor.Email, Role: auth.RoleSupervisor},
		},
		{
			name: "scheme in lower case", route: agentRoute,
			authorization: "bearer " + agent.IDToken, wantStatus: http.StatusOK,
			wantPrincipal: auth.Principal{UID: agent.UID, Email: agent.Email, Role: auth.RoleAgent, AgentID: "alice"},
		},
		{name: "no header", route: agentRoute, wantStatus: http.StatusUnauthorized, wantErrHas: "missing bearer token"},
		{name: "basic credentials", route: agentRoute, authorization: "Basic YWxpY2U6c2VjcmV0", wantStatus: http.StatusUnauthorized, wantErrHas: `scheme "Basic"`},
		{name: "empty bearer", route: agentRoute, authorization: "Bearer ", wantStatus: http.StatusUnauthorized, wantErrHas: "empty Bearer token"},
		{name: "garbage token", route: agentRoute, authorization: "Bearer not-a-jwt", wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token"},
		{
			name: "expired token", route: agentRoute, wantStatus: http.StatusUnauthorized, wantErrHas: "expired",
			authorization: "Bearer " + unsignedToken(t, authtest.ProjectID, agent.UID, now.Add(-2*time.Hour), now.Add(-time.Hour), map[string]any{"role": "agent", "agentId": "alice"}),
		},
		{
			name: "token for another project", route: agentRoute, wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token",
			authorization: "Bearer " + unsignedToken(t, "demo-other", agent.UID, now, now.Add(time.Hour), map[string]any{"role": "agent", "agentId": "alice"}),
		},
		{name: "user deleted since sign-in", route: anyRoleRoute, authorization: "Bearer " + deleted.IDToken, wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token"},
		{name: "no custom claims", route: anyRoleRoute, authorization: "Bearer " + noRole.IDToken, wantStatus: http.StatusForbidden, wantErrHas: `has no "role" claim`},
		{name: "claims without a role", route: anyRoleRoute, authorization: "Bearer " + otherClaims.IDToken, wantStatus: http.StatusForbidden, wantErrHas: `has no "role" claim`},
		{name: "unknown role", route: anyRoleRoute, authorization: "Bearer " + unknownRole.IDToken, wantStatus: http.StatusForbidden, wantErrHas: `"owner" is not agent`},
		{name: "agent without agent id", route: agentRoute, authorization: "Bearer " + agentWithoutID.IDToken, wantStatus: http.StatusForbidden, wantErrHas: `no "agentId" claim`},
		{name: "agent on a supervisor route", route: supervisorRoute, authorization: "Bearer " + agent.IDToken, wantStatus: http.StatusForbidden, wantErrHas: "role agent may not do this; it needs supervisor or admin"},
		{name: "supervisor on an agent route", route: agentRoute, authorization: "Bearer " + supervisor.IDToken, wantStatus: http.StatusForbidden, wantErrHas: "it needs agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, context.Background(), tt.route, tt.authorization)
			check(t, got, tt.wantStatus, tt.wantPrincipal, tt.wantErrHas)
		})
	}
}

func TestRequireWithDevVerifier(t *testing.T) {
	t.Setenv("K_SERVICE", "")
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	guard := auth.NewGuard(dev)
	agentRoute := guard.Require(auth.RoleAgent)(echo)
	adminRoute := guard.Require(auth.RoleAdmin)(echo)
	alice := auth.Principal{UID: "dev-alice", Email: "alice@example.com", Role: auth.RoleAgent, AgentID: "alice"}
	token, err := dev.Mint(alice, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		route         http.Handler
		authorization string
		wantStatus    int
		wantPrincipal auth.Principal
		wantErrHas    string
	}{
		{name: "minted token", route: agentRoute, authorization: "Bearer " + token, wantStatus: http.StatusOK, wantPrincipal: alice},
		{name: "wrong role", route: adminRoute, authorization: "Bearer " + token, wantStatus: http.StatusForbidden, wantErrHas: "role agent may not do this; it needs admin"},
		{name: "tampered", route: agentRoute, authorization: "Bearer " + token + "A", wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token"},
		{name: "no header", route: agentRoute, wantStatus: http.StatusUnauthorized, wantErrHas: "missing bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, context.Background(), tt.route, tt.authorization)
			check(t, got, tt.wantStatus, tt.wantPrincipal, tt.wantErrHas)
		})
	}
}

// TestRequireIdentityServiceDown points the Admin SDK at an address where
// nothing listens: a token that may well be valid but cannot be checked is
// a 503, never a 401 that would sign the user out.
func TestRequireIdentityServiceDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(auth.EmulatorHostEnv, closed)
	t.Setenv("K_SERVICE", "")
	v, err := auth.NewFirebaseVerifier(context.Background(), authtest.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	route := auth.NewGuard(v).Require()(echo)
	now := time.Now()
	token := unsignedToken(t, authtest.ProjectID, "u1", now, now.Add(time.Hour), map[string]any{"role": "admin"})
	// The SDK retries a refused connection for seconds; the request's
	// deadline ends that sooner, as a client's would.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got := call(t, ctx, route, "Bearer "+token)
	if got.status != http.StatusServiceUnavailable || got.errMsg != "could not check the ID token; try again" {
		t.Errorf("got %d %q, want 503 saying to try again", got.status, got.errMsg)
	}
}

func TestRequireVerifierError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantErrHas string
	}{
		{name: "no token", err: auth.ErrNoToken, wantStatus: http.StatusUnauthorized, wantErrHas: "missing bearer token"},
		{name: "invalid", err: auth.ErrInvalidToken, wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token; sign in again"},
		{name: "expired", err: auth.ErrTokenExpired, wantStatus: http.StatusUnauthorized, wantErrHas: "ID token expired; refresh it"},
		{name: "no role", err: auth.ErrNoRole, wantStatus: http.StatusForbidden, wantErrHas: "no smsdesk role"},
		{name: "detail stays in the log", err: errors.Join(auth.ErrInvalidToken, errors.New("expected issuer https://securetoken.google.com/secret-project")), wantStatus: http.StatusUnauthorized, wantErrHas: "invalid ID token; sign in again"},
		{name: "service down", err: errors.New("dial tcp: connection refused"), wantStatus: http.StatusServiceUnavailable, wantErrHas: "try again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			route := auth.NewGuard(failing{tt.err}).Require()(echo)
			got := call(t, context.Background(), route, "Bearer x")
			check(t, got, tt.wantStatus, auth.Principal{}, tt.wantErrHas)
			if strings.Contains(got.errMsg, "secret-project") {
				t.Errorf("error %q leaks the verifier's detail", got.errMsg)
			}
		})
	}
}

func TestRequireUnknownRolePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Require(\"Admin\") did not panic")
		}
	}()
	auth.NewGuard(failing{}).Require("Admin")
}

func TestNewFirebaseVerifierRefusesEmulatorOnCloud(t *testing.T) {
	t.Setenv(auth.EmulatorHostEnv, "127.0.0.1:9099")
	t.Setenv("K_SERVICE", "agentapi")
	_, err := auth.NewFirebaseVerifier(context.Background(), authtest.ProjectID)
	if err == nil || !strings.Contains(err.Error(), "unsigned tokens") {
		t.Errorf("NewFirebaseVerifier on Cloud Run with the emulator set: error = %v, want a refusal", err)
	}
}

// failing is a Verifier that always returns err.
type failing struct{ err error }

func (f failing) Verify(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, f.err
}

// unsignedToken makes an ID token as the Auth emulator does: a JWT with
// algorithm "none" and no signature, which the Admin SDK accepts only in
// emulator mode. It lets a test choose what the emulator will not issue: an
// expired token, another project's.
func unsignedToken(t *testing.T, project, uid string, issued, expires time.Time, claims map[string]any) string {
	t.Helper()
	payload := map[string]any{
		"iss":       "https://securetoken.google.com/" + project,
		"aud":       project,
		"sub":       uid,
		"user_id":   uid,
		"auth_time": issued.Unix(),
		"iat":       issued.Unix(),
		"exp":       expires.Unix(),
		"firebase":  map[string]any{"sign_in_provider": "password", "identities": map[string]any{}},
	}
	for k, v := range claims {
		payload[k] = v
	}
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(payload) + "."
}
