package adminapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// keysEnv is AdminAPI behind the real role guard with dev tokens.
type keysEnv struct {
	t      *testing.T
	h      http.Handler
	keys   *apikey.Service
	tokens map[auth.Role]string
}

func newKeysEnv(t *testing.T) *keysEnv {
	t.Helper()
	s := memstore.New()
	a := jobs.Compose(jobs.Clients{Store: s}).Admin
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	e := &keysEnv{t: t, h: adminapi.New(a, auth.NewGuard(dev).Require(auth.RoleAdmin)), keys: a.Keys, tokens: map[auth.Role]string{}}
	for _, p := range []auth.Principal{
		{UID: "u-admin", Email: "root@acme.example", Role: auth.RoleAdmin},
		{UID: "u-sup", Role: auth.RoleSupervisor},
		{UID: "u-ana", Role: auth.RoleAgent, AgentID: "ana"},
	} {
		if e.tokens[p.Role], err = dev.Mint(p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if rec := e.do(auth.RoleAdmin, "PUT", "/AdminAPI/config", fixture); rec.Code != http.StatusOK {
		t.Fatalf("import fixture: %d %s", rec.Code, rec.Body)
	}
	return e
}

func (e *keysEnv) do(role auth.Role, method, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *keysEnv) authenticate(secret string) error {
	r := httptest.NewRequest("POST", "/OutboundAPI/v1/sms", nil)
	r.SetBasicAuth("", secret)
	_, err := e.keys.Authenticate(context.Background(), r)
	return err
}

func TestAPIKeysCreateListRevoke(t *testing.T) {
	e := newKeysEnv(t)
	rec := e.do(auth.RoleAdmin, "POST", "/AdminAPI/apiKeys",
		`{"name": "CRM", "numbers": ["(415) 555-0101"], "scopes": ["session", "sessionless"], "ratePerSecond": 5}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var created adminapi.APIKeyCreated
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rec.Body.String(), "hash") || strings.Contains(rec.Body.String(), "sha256") {
		t.Errorf("the answer shows the hash: %s", rec.Body)
	}
	want := apikey.View{ID: created.Key.ID, Name: "CRM", Numbers: []string{"+14155550101"},
		Scopes: []apikey.Scope{"session", "sessionless"}, RatePerSecond: 5, CreatedAt: created.Key.CreatedAt, CreatedBy: "root@acme.example"}
	if d := cmp.Diff(want, created.Key); d != "" {
		t.Errorf("created key (-want +got):\n%s", d)
	}
	if err := e.authenticate(created.Secret); err != nil {
		t.Fatalf("the new secret does not authenticate: %v", err)
	}

	rec = e.do(auth.RoleAdmin, "GET", "/AdminAPI/apiKeys", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), created.Secret) || strings.Contains(rec.Body.String(), "sha256") {
		t.Errorf("the list shows a secret or a hash: %s", rec.Body)
	}
	var list []apikey.View
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]apikey.View{want}, list); d != "" {
		t.Errorf("list (-want +got):\n%s", d)
	}

	if rec = e.do(auth.RoleAdmin, "DELETE", "/AdminAPI/apiKeys/"+created.Key.ID, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if err := e.authenticate(created.Secret); !errors.Is(err, apikey.ErrUnauthenticated) {
		t.Errorf("a revoked key authenticates: %v", err)
	}
	if rec = e.do(auth.RoleAdmin, "DELETE", "/AdminAPI/apiKeys/"+created.Key.ID, ""); rec.Code != http.StatusNoContent {
		t.Errorf("revoke again: %d %s, want 204", rec.Code, rec.Body)
	}
	if rec = e.do(auth.RoleAdmin, "DELETE", "/AdminAPI/apiKeys/key_nosuchkeyatall00", ""); rec.Code != http.StatusNotFound {
		t.Errorf("revoke unknown: %d %s, want 404", rec.Code, rec.Body)
	}
	rec = e.do(auth.RoleAdmin, "GET", "/AdminAPI/apiKeys", "")
	list = nil
	_ = json.Unmarshal(rec.Body.Bytes(), &list)
	if len(list) != 1 || list[0].RevokedAt == nil {
		t.Errorf("after revoking, the list is %s; want the key with revokedAt", rec.Body)
	}
}

func TestAPIKeysRefused(t *testing.T) {
	for _, tc := range []struct {
		name      string
		role      auth.Role
		method    string
		path      string
		body      string
		status    int
		wantField string
	}{
		{"no name", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"numbers": ["+14155550101"], "scopes": ["session"]}`, 400, "name"},
		{"empty name", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "", "numbers": ["+14155550101"], "scopes": ["session"]}`, 400, "name"},
		{"unknown business number", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["+14155550101", "+14155550199"], "scopes": ["session"]}`, 400, "numbers[1]"},
		{"not a number", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["abc"], "scopes": ["session"]}`, 400, "numbers[0]"},
		{"unknown scope", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["+14155550101"], "scopes": ["everything"]}`, 400, "scopes[0]"},
		{"rate out of range", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["+14155550101"], "scopes": ["session"], "ratePerSecond": 100000}`, 400, "ratePerSecond"},
		{"unknown member", auth.RoleAdmin, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["+14155550101"], "scopes": ["session"], "secret": "mine"}`, 400, "secret"},
		{"agent may not create", auth.RoleAgent, "POST", "/AdminAPI/apiKeys", `{"name": "x", "numbers": ["+14155550101"], "scopes": ["session"]}`, 403, ""},
		{"supervisor may not list", auth.RoleSupervisor, "GET", "/AdminAPI/apiKeys", "", 403, ""},
		{"agent may not revoke", auth.RoleAgent, "DELETE", "/AdminAPI/apiKeys/key_aaaaaaaaaaaaaaaa", "", 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newKeysEnv(t)
			rec := e.do(tc.role, tc.method, tc.path, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.status)
			}
			b := decodeError(t, rec)
			if tc.wantField != "" {
				var fields []string
				for _, p := range b.Problems {
					fields = append(fields, p.Field)
				}
				if !strings.Contains(strings.Join(fields, " "), tc.wantField) {
					t.Errorf("problems %v do not name %s", b.Problems, tc.wantField)
				}
			}
			if ks, _ := e.keys.List(context.Background()); len(ks) != 0 {
				t.Errorf("a refused request stored a key: %v", ks)
			}
		})
	}
}
