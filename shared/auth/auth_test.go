package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPrincipalFromClaims(t *testing.T) {
	tests := []struct {
		name    string
		uid     string
		claims  map[string]any
		want    Principal
		wantErr error
		errHas  string
	}{
		{
			name:   "agent",
			uid:    "u1",
			claims: map[string]any{"role": "agent", "agentId": "alice", "email": "a@example.com"},
			want:   Principal{UID: "u1", Email: "a@example.com", Role: RoleAgent, AgentID: "alice"},
		},
		{
			name:   "supervisor without agent id",
			uid:    "u2",
			claims: map[string]any{"role": "supervisor"},
			want:   Principal{UID: "u2", Role: RoleSupervisor},
		},
		{
			name:   "admin who also takes chats",
			uid:    "u3",
			claims: map[string]any{"role": "admin", "agentId": "bob"},
			want:   Principal{UID: "u3", Role: RoleAdmin, AgentID: "bob"},
		},
		{name: "no claims", uid: "u4", claims: nil, wantErr: ErrNoRole, errHas: `has no "role" claim`},
		{name: "unknown role", uid: "u5", claims: map[string]any{"role": "root"}, wantErr: ErrNoRole, errHas: `"root" is not agent`},
		{name: "role is not a string", uid: "u6", claims: map[string]any{"role": 7.0}, wantErr: ErrNoRole, errHas: "float64"},
		{name: "role in the wrong case", uid: "u7", claims: map[string]any{"role": "Admin"}, wantErr: ErrNoRole},
		{name: "agent without agent id", uid: "u8", claims: map[string]any{"role": "agent"}, wantErr: ErrNoRole, errHas: `no "agentId" claim`},
		{name: "agent id is not a string", uid: "u9", claims: map[string]any{"role": "agent", "agentId": 12.0}, wantErr: ErrNoRole, errHas: "agentId"},
		{name: "email is not a string", uid: "u10", claims: map[string]any{"role": "admin", "email": true}, wantErr: ErrInvalidToken},
		{name: "no subject", uid: "", claims: map[string]any{"role": "admin"}, wantErr: ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := principalFromClaims(tt.uid, tt.claims)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("principalFromClaims() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %q does not say %q", err, tt.errHas)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if _, ok := From(context.Background()); ok {
		t.Error("From(empty context) reported a principal")
	}
	want := Principal{UID: "u", Role: RoleAdmin}
	got, ok := From(WithPrincipal(context.Background(), want))
	if !ok || got != want {
		t.Errorf("From(WithPrincipal(p)) = %+v, %v; want %+v, true", got, ok, want)
	}
}

func TestNewDevVerifier(t *testing.T) {
	tests := []struct {
		name     string
		enabled  bool
		kService string
		wantErr  string
	}{
		{name: "enabled", enabled: true},
		{name: "disabled", enabled: false, wantErr: ErrDevDisabled.Error()},
		{name: "enabled on Cloud Run", enabled: true, kService: "agentapi", wantErr: "K_SERVICE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("K_SERVICE", tt.kService)
			v, err := NewDevVerifier(tt.enabled)
			if tt.wantErr == "" {
				if err != nil || v == nil {
					t.Fatalf("NewDevVerifier(%v) = %v, %v; want a verifier", tt.enabled, v, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewDevVerifier(%v) error = %v, want one saying %q", tt.enabled, err, tt.wantErr)
			}
			if v != nil {
				t.Errorf("NewDevVerifier(%v) returned a verifier with its error", tt.enabled)
			}
		})
	}
}

// devAt returns a dev verifier whose clock reads *now.
func devAt(t *testing.T, now *time.Time) *DevVerifier {
	t.Helper()
	t.Setenv("K_SERVICE", "")
	d, err := NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	d.now = func() time.Time { return *now }
	return d
}

func TestDevVerifier(t *testing.T) {
	agent := Principal{UID: "dev-alice", Email: "alice@example.com", Role: RoleAgent, AgentID: "alice"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	d := devAt(t, &now)
	other := devAt(t, &now)
	token, err := d.Mint(agent, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	prefix, rest, _ := strings.Cut(token, ".")
	body, sig, _ := strings.Cut(rest, ".")
	flip := func(s string) string { // changes the first character
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}

	tests := []struct {
		name    string
		v       *DevVerifier
		token   string
		at      time.Time
		want    Principal
		wantErr error
	}{
		{name: "roundtrip", v: d, token: token, at: now, want: agent},
		{name: "just before expiry", v: d, token: token, at: now.Add(time.Hour - time.Second), want: agent},
		{name: "expired", v: d, token: token, at: now.Add(time.Hour), wantErr: ErrTokenExpired},
		{name: "tampered body", v: d, token: prefix + "." + flip(body) + "." + sig, at: now, wantErr: ErrInvalidToken},
		{name: "tampered signature", v: d, token: prefix + "." + body + "." + flip(sig), at: now, wantErr: ErrInvalidToken},
		{name: "signature dropped", v: d, token: prefix + "." + body, at: now, wantErr: ErrInvalidToken},
		{name: "other process's key", v: other, token: token, at: now, wantErr: ErrInvalidToken},
		{name: "not a dev token", v: d, token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", at: now, wantErr: ErrInvalidToken},
		{name: "bare prefix", v: d, token: devPrefix, at: now, wantErr: ErrInvalidToken},
		{name: "empty", v: d, token: "", at: now, wantErr: ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			got, err := tt.v.Verify(context.Background(), tt.token)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDevVerifierMintRefuses(t *testing.T) {
	now := time.Now()
	d := devAt(t, &now)
	tests := []struct {
		name    string
		p       Principal
		ttl     time.Duration
		wantErr error
	}{
		{name: "no role", p: Principal{UID: "u"}, ttl: time.Hour, wantErr: ErrNoRole},
		{name: "agent without agent id", p: Principal{UID: "u", Role: RoleAgent}, ttl: time.Hour, wantErr: ErrNoRole},
		{name: "no uid", p: Principal{Role: RoleAdmin}, ttl: time.Hour, wantErr: ErrInvalidToken},
		{name: "zero ttl", p: Principal{UID: "u", Role: RoleAdmin}, ttl: 0},
		{name: "negative ttl", p: Principal{UID: "u", Role: RoleAdmin}, ttl: -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := d.Mint(tt.p, tt.ttl)
			if err == nil {
				t.Fatalf("Mint(%+v, %v) = %q, want an error", tt.p, tt.ttl, token)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Mint error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestJoinRoles(t *testing.T) {
	tests := []struct {
		roles []Role
		want  string
	}{
		{[]Role{RoleAdmin}, "admin"},
		{[]Role{RoleSupervisor, RoleAdmin}, "supervisor or admin"},
		{[]Role{RoleAgent, RoleSupervisor, RoleAdmin}, "agent, supervisor or admin"},
	}
	for _, tt := range tests {
		if got := joinRoles(tt.roles); got != tt.want {
			t.Errorf("joinRoles(%v) = %q, want %q", tt.roles, got, tt.want)
		}
	}
}
