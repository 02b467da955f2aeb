package apikey_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// outbound is a stand-in OutboundAPI: it counts the texts it would send
// and answers with the key and the body it saw.
type outbound struct{ sends atomic.Int32 }

func (o *outbound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k, ok := apikey.KeyFrom(r.Context())
	if !ok {
		http.Error(w, "no key in the context", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if strings.Contains(string(body), "fail") {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	n := o.sends.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"key":"`+k.ID+`","send":`+strconv.Itoa(int(n))+`,"body":`+string(body)+`}`)
}

func scopeOf(r *http.Request) apikey.Scope {
	if strings.HasPrefix(r.URL.Path, "/v1/sessionless_sms") {
		return apikey.ScopeSessionless
	}
	return apikey.ScopeSession
}

type call struct {
	method, path, auth, idem, body string
	advance                        time.Duration
	status                         int
	header                         map[string]string // expected headers ("" absent)
	bodyHas                        string
	sends                          int32 // sends so far, after the call
}

func TestMiddleware(t *testing.T) {
	type fixture struct{ secret, revoked, sessionless string }
	for _, tc := range []struct {
		name  string
		rate  int
		calls func(f fixture) []call
	}{
		{"no key: 401 with both challenges", 10, func(f fixture) []call {
			return []call{{path: "/v1/sms", status: 401, bodyHas: `"message":"an API key is required`,
				header: map[string]string{"WWW-Authenticate": `Bearer realm="OutboundAPI"`}}}
		}},
		{"revoked key: 401", 10, func(f fixture) []call {
			return []call{{path: "/v1/sms", auth: "Bearer " + f.revoked, status: 401, bodyHas: `{"message":"invalid API key"}`}}
		}},
		{"key without the scope: 403", 10, func(f fixture) []call {
			return []call{{path: "/v1/sms", auth: "Bearer " + f.sessionless, status: 403, bodyHas: "does not have the session scope"}}
		}},
		{"Basic auth and a POST without Idempotency-Key", 10, func(f fixture) []call {
			return []call{
				{path: "/v1/sms", auth: basic("acme", f.secret), body: `{"m":1}`, status: 200, sends: 1, header: map[string]string{apikey.HeaderReplayed: ""}},
				{path: "/v1/sms", auth: basic("acme", f.secret), body: `{"m":1}`, status: 200, sends: 2},
			}
		}},
		{"past the rate: 429 with Retry-After, then allowed next second", 2, func(f fixture) []call {
			a := "Bearer " + f.secret
			return []call{
				{path: "/v1/sms", auth: a, status: 200, sends: 1},
				{path: "/v1/sms", auth: a, status: 200, sends: 2},
				{path: "/v1/sms", auth: a, status: 429, sends: 2, bodyHas: `{"message":"rate limit exceeded: 2 requests per second"}`,
					header: map[string]string{"Retry-After": "1"}},
				{advance: time.Second, path: "/v1/sms", auth: a, status: 200, sends: 3},
			}
		}},
		{"replay, mismatch, another endpoint", 10, func(f fixture) []call {
			a := "Bearer " + f.secret
			return []call{
				{path: "/v1/sms", auth: a, idem: "order-1", body: `{"m":"hi"}`, status: 200, sends: 1, bodyHas: `"send":1`},
				{path: "/v1/sms", auth: a, idem: "order-1", body: `{"m":"hi"}`, status: 200, sends: 1, bodyHas: `"send":1`,
					header: map[string]string{apikey.HeaderReplayed: "true", "Content-Type": "application/json"}},
				{path: "/v1/sms", auth: a, idem: "order-1", body: `{"m":"other"}`, status: 409, sends: 1,
					bodyHas: `{"message":"Idempotency-Key was used with a different request body"}`},
				{path: "/v1/sessionless_sms", auth: "Bearer " + f.sessionless, idem: "order-1", body: `{"m":"hi"}`, status: 200, sends: 2},
				{advance: 24 * time.Hour, path: "/v1/sms", auth: a, idem: "order-1", body: `{"m":"other"}`, status: 200, sends: 3},
			}
		}},
		{"a 5xx is not stored: the retry runs again", 10, func(f fixture) []call {
			a := "Bearer " + f.secret
			return []call{
				{path: "/v1/sms", auth: a, idem: "k", body: `"fail"`, status: 502, sends: 0},
				{path: "/v1/sms", auth: a, idem: "k", body: `"fail"`, status: 502, sends: 0, header: map[string]string{apikey.HeaderReplayed: ""}},
			}
		}},
		{"bad Idempotency-Key: 400 naming it", 10, func(f fixture) []call {
			return []call{{path: "/v1/sms", auth: "Bearer " + f.secret, idem: strings.Repeat("x", 256), status: 400, bodyHas: "Idempotency-Key must be"}}
		}},
		{"GET ignores Idempotency-Key", 10, func(f fixture) []call {
			a := "Bearer " + f.secret
			return []call{
				{method: "GET", path: "/v1/sms/x", auth: a, idem: "g", status: 200, sends: 1},
				{method: "GET", path: "/v1/sms/x", auth: a, idem: "g", status: 200, sends: 2},
			}
		}},
		{"body over 1 MiB: 413", 10, func(f fixture) []call {
			return []call{{path: "/v1/sms", auth: "Bearer " + f.secret, idem: "big", body: strings.Repeat("x", apikey.MaxBodyBytes+1), status: 413}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock(t0)
			s := newService(memstore.New(), c)
			k := validKey()
			k.RatePerSecond = tc.rate
			_, secret := create(t, s, k)
			rk, revoked := create(t, s, validKey())
			if err := s.Revoke(context.Background(), rk.ID); err != nil {
				t.Fatal(err)
			}
			sl := validKey()
			sl.Scopes = []apikey.Scope{apikey.ScopeSessionless}
			_, sessionless := create(t, s, sl)
			o := &outbound{}
			h := s.Middleware(scopeOf, o)
			for i, cl := range tc.calls(fixture{secret, revoked, sessionless}) {
				c.add(cl.advance)
				method := cl.method
				if method == "" {
					method = http.MethodPost
				}
				r := httptest.NewRequest(method, cl.path, strings.NewReader(cl.body))
				if cl.auth != "" {
					r.Header.Set("Authorization", cl.auth)
				}
				if cl.idem != "" {
					r.Header.Set(apikey.HeaderIdempotencyKey, cl.idem)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != cl.status {
					t.Errorf("call %d: status %d, want %d: %s", i, w.Code, cl.status, w.Body)
				}
				if !strings.Contains(w.Body.String(), cl.bodyHas) {
					t.Errorf("call %d: body %s, want it to contain %s", i, w.Body, cl.bodyHas)
				}
				for name, want := range cl.header {
					if got := w.Header().Get(name); got != want {
						t.Errorf("call %d: %s = %q, want %q", i, name, got, want)
					}
				}
				if got := o.sends.Load(); got != cl.sends {
					t.Errorf("call %d: %d sends so far, want %d", i, got, cl.sends)
				}
			}
		})
	}
}
