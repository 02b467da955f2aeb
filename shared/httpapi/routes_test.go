package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// testAPI is a small API of the toolkit's kind, as a function named
// TestAPI: the OpenAPI document, a collection with GET and POST, an item
// with GET, PUT and DELETE, and a route for supervisors and admins.
type testAPI struct {
	t   *testing.T
	h   http.Handler
	dev *auth.DevVerifier
}

func newTestAPI(t *testing.T, guarded bool, origins *httpapi.OriginPolicy) *testAPI {
	t.Helper()
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	echo := func(what string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			httpapi.WriteJSON(w, http.StatusOK, map[string]string{"served": what, "id": r.PathValue("id"), "uid": p.UID})
		})
	}
	c := httpapi.Config{
		Name: "TestAPI",
		Routes: []httpapi.Route{
			httpapi.OpenAPI(),
			{Method: "GET", Path: "/things", Handler: echo("list")},
			{Method: "POST", Path: "/things", Handler: echo("create")},
			{Method: "GET", Path: "/things/{id}", Handler: echo("get")},
			{Method: "PUT", Path: "/things/{id}", Handler: echo("put")},
			{Method: "DELETE", Path: "/things/{id}", Handler: echo("delete")},
			{Method: "POST", Path: "/things/{id}/approve", Roles: []auth.Role{auth.RoleSupervisor, auth.RoleAdmin}, Handler: echo("approve")},
		},
		Origins: origins,
	}
	if guarded {
		c.Guard = auth.NewGuard(dev).Require()
	}
	return &testAPI{t: t, h: httpapi.New(c), dev: dev}
}

// do sends a request as role ("" for no token) with header pairs.
func (x *testAPI) do(role auth.Role, method, path string, headers ...string) *httptest.ResponseRecorder {
	x.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if role != "" {
		p := auth.Principal{UID: "u-" + string(role), Role: role}
		if role == auth.RoleAgent {
			p.AgentID = "ana"
		}
		token, err := x.dev.Mint(p, time.Minute)
		if err != nil {
			x.t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	x.h.ServeHTTP(rec, req)
	return rec
}

func TestRouting(t *testing.T) {
	tests := []struct {
		name         string
		role         auth.Role
		method, path string
		want         int
		wantServed   string // the route that answered
		wantError    string // in the ErrorBody
		wantAllow    string
	}{
		{"a route", auth.RoleAgent, "GET", "/things", 200, "list", "", ""},
		{"a route with the function's name", auth.RoleAgent, "GET", "/TestAPI/things", 200, "list", "", ""},
		{"a path parameter", auth.RoleAgent, "DELETE", "/TestAPI/things/t1", 200, "delete", "", ""},
		{"HEAD of a GET route", auth.RoleAgent, "HEAD", "/things/t1", 200, "", "", ""},
		{"an unknown path", auth.RoleAgent, "GET", "/TestAPI/nothing", 404, "", "no such resource: /nothing", ""},
		{"a path under a known one", auth.RoleAgent, "GET", "/things/t1/more", 404, "", "no such resource", ""},
		{"another method on a collection", auth.RoleAgent, "DELETE", "/things", 405, "", "method DELETE not allowed on /things; use GET, POST, HEAD", "GET, POST, HEAD, OPTIONS"},
		{"another method on an item", auth.RoleAgent, "PATCH", "/TestAPI/things/t1", 405, "", "not allowed on /things/{id}; use GET, PUT, DELETE, HEAD", "GET, PUT, DELETE, HEAD, OPTIONS"},
		{"a POST-only route, GET", auth.RoleAdmin, "GET", "/things/t1/approve", 405, "", "use POST", "POST, OPTIONS"},
		{"the public document's path, POST", auth.RoleAgent, "POST", "/openapi.yaml", 405, "", "use GET, HEAD", "GET, HEAD, OPTIONS"},
		{"OPTIONS of a known path", "", "OPTIONS", "/things/t1", 204, "", "", "GET, PUT, DELETE, HEAD, OPTIONS"},
		{"OPTIONS of an unknown path", "", "OPTIONS", "/nothing", 404, "", "no such resource", ""},
		{"no token", "", "GET", "/things", 401, "", "Authorization", ""},
		{"no token, unknown path: nothing told", "", "GET", "/nothing", 401, "", "Authorization", ""},
		{"no token, wrong method: nothing told", "", "DELETE", "/things", 401, "", "Authorization", ""},
		{"the document without a token", "", "GET", "/TestAPI/openapi.yaml", 200, "", "", ""},
		{"a role requirement met", auth.RoleSupervisor, "POST", "/things/t1/approve", 200, "approve", "", ""},
		{"a role requirement met by another role", auth.RoleAdmin, "POST", "/things/t1/approve", 200, "approve", "", ""},
		{"a role requirement not met", auth.RoleAgent, "POST", "/things/t1/approve", 403, "", "role agent may not do this; it needs supervisor or admin", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newTestAPI(t, true, nil).do(tc.role, tc.method, tc.path)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if got := rec.Header().Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow %q, want %q", got, tc.wantAllow)
			}
			if tc.wantServed != "" {
				var got map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got["served"] != tc.wantServed {
					t.Errorf("served %s, want %s", rec.Body, tc.wantServed)
				}
			}
			if tc.wantError != "" {
				var e httpapi.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, tc.wantError) {
					t.Errorf("error body %s, want one saying %q", rec.Body, tc.wantError)
				}
			}
		})
	}
}

func TestOpenAPIDocument(t *testing.T) {
	rec := newTestAPI(t, false, nil).do("", "GET", "/TestAPI/openapi.yaml")
	if rec.Code != 200 || rec.Body.String() != string(api.OpenAPI) {
		t.Fatalf("%d, %d bytes; want the embedded %d", rec.Code, rec.Body.Len(), len(api.OpenAPI))
	}
	for k, want := range map[string]string{"Content-Type": api.ContentType, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s %q, want %q", k, got, want)
		}
	}
}

func TestWithoutGuard(t *testing.T) {
	x := newTestAPI(t, false, nil)
	for _, path := range []string{"/things", "/TestAPI/things/t1", "/nothing"} {
		rec := x.do(auth.RoleAdmin, "GET", path)
		var e httpapi.ErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != http.StatusServiceUnavailable || e.Error != httpapi.DefaultUnguarded {
			t.Errorf("GET %s without a guard: %d %s", path, rec.Code, rec.Body)
		}
	}
	if rec := x.do("", "GET", "/openapi.yaml"); rec.Code != 200 {
		t.Errorf("the document without a guard: %d", rec.Code)
	}
	own := httpapi.New(httpapi.Config{Routes: []httpapi.Route{{Method: "GET", Path: "/x", Handler: http.NotFoundHandler()}}, Unguarded: "sign-in is off"})
	rec := httptest.NewRecorder()
	own.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "sign-in is off") {
		t.Errorf("own message: %d %s", rec.Code, rec.Body)
	}
}

func TestRouteTableMistakesPanic(t *testing.T) {
	h := http.NotFoundHandler()
	for name, routes := range map[string][]httpapi.Route{
		"a public route requiring a role": {{Method: "GET", Path: "/x", Public: true, Roles: []auth.Role{auth.RoleAdmin}, Handler: h}},
		"an unknown role":                 {{Method: "GET", Path: "/x", Roles: []auth.Role{"root"}, Handler: h}},
		"a route twice":                   {{Method: "GET", Path: "/x", Handler: h}, {Method: "GET", Path: "/x", Handler: h}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			httpapi.New(httpapi.Config{Routes: routes})
		})
	}
}

func TestOriginPolicy(t *testing.T) {
	const allowed = "https://console.example"
	policy := &httpapi.OriginPolicy{Allowed: []string{"HTTPS://Console.Example:443", "not an origin"}, Client: "the console", Setting: "CONSOLE_ORIGINS"}
	preflight := func(origin string) []string {
		return []string{"Origin", origin, "Access-Control-Request-Method", "PUT"}
	}
	tests := []struct {
		name            string
		policy          *httpapi.OriginPolicy
		role            auth.Role
		method, path    string
		headers         []string
		want            int
		wantAllowOrigin string
		wantError       string
	}{
		{"preflight from an allowed origin", policy, "", "OPTIONS", "/things/t1", preflight(allowed), 204, allowed, ""},
		{"preflight from the API's host", policy, "", "OPTIONS", "/things/t1", preflight("http://example.com"), 204, "http://example.com", ""},
		{"preflight from another origin", policy, "", "OPTIONS", "/things/t1", preflight("https://evil.example"), 403, "", "list the console's origin in CONSOLE_ORIGINS"},
		{"preflight without a policy", nil, "", "OPTIONS", "/things/t1", preflight(allowed), 204, "", ""},
		{"a change from an allowed origin", policy, auth.RoleAgent, "PUT", "/things/t1", []string{"Origin", allowed}, 200, allowed, ""},
		{"a change from the API's host", policy, auth.RoleAgent, "PUT", "/things/t1", []string{"Origin", "http://example.com"}, 200, "", ""},
		{"a change from another origin", policy, auth.RoleAgent, "PUT", "/things/t1", []string{"Origin", "https://evil.example"}, 403, "", "may not change anything here"},
		{"a change from an opaque origin", policy, auth.RoleAgent, "DELETE", "/things/t1", []string{"Origin", "null"}, 403, "", "requests from null"},
		{"a read from another origin", policy, auth.RoleAgent, "GET", "/things/t1", []string{"Origin", "https://evil.example"}, 200, "", ""},
		{"a change without an Origin", policy, auth.RoleAgent, "PUT", "/things/t1", nil, 200, "", ""},
		{"a change from another origin without a policy", nil, auth.RoleAgent, "PUT", "/things/t1", []string{"Origin", "https://evil.example"}, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newTestAPI(t, true, tc.policy).do(tc.role, tc.method, tc.path, tc.headers...)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tc.wantAllowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.wantAllowOrigin)
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if tc.wantAllowOrigin != "" && tc.method == "OPTIONS" {
				if got := rec.Header().Get("Access-Control-Allow-Methods"); got != "GET, PUT, DELETE, HEAD, OPTIONS" {
					t.Errorf("Access-Control-Allow-Methods %q", got)
				}
			}
			if tc.wantError != "" && !strings.Contains(rec.Body.String(), tc.wantError) {
				t.Errorf("body %s, want %q", rec.Body, tc.wantError)
			}
		})
	}
}
