package adminapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/adminapi"
)

func (e *env) doIfMatch(method, path, body, ifMatch string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// Two admins load the configuration; the first saves; the second's save,
// made against what it loaded, is refused with 409 whatever it changes,
// and nothing is written. Reloaded, it succeeds.
func TestStaleSavesAreRefused(t *testing.T) {
	changes := []struct{ name, method, path, body string }{
		{"the same queue", "PUT", "/AdminAPI/queues/c", `{"id": "c", "parentId": "en", "name": "Support", "order": 2, "keywords": ["2"]}`},
		{"another queue", "PUT", "/AdminAPI/queues/b", `{"id": "b", "parentId": "a", "name": "Returns", "order": 1}`},
		{"a queue deleted", "DELETE", "/AdminAPI/queues/b", ""},
		{"settings", "PUT", "/AdminAPI/settings", `{"channelEnabled": false, "program": {"name": "Acme"}, "defaultLanguage": "en"}`},
		{"a number", "PUT", "/AdminAPI/numbers/+14155550101", `{"provider": "twilio", "entryQueue": "en", "enabled": false}`},
		{"a team", "PUT", "/AdminAPI/teams/t1", `{"name": "Renamed", "members": ["ana"]}`},
		{"an agent", "PUT", "/AdminAPI/agents/ben", `{"name": "Benjamin", "capacity": 1}`},
		{"an import", "PUT", "/AdminAPI/config", fixture},
		{"a canned message", "PUT", "/AdminAPI/canned/hello", `{"title": "Hello", "body": "Hi, I am @{AGENT}."}`},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			first := e.do("GET", "/AdminAPI/queues/c", "")
			loaded := first.Header().Get("ETag")
			if !strings.HasPrefix(loaded, `"`) || len(loaded) < 10 {
				t.Fatalf("GET answered ETag %q, want a quoted revision", loaded)
			}
			if got := e.do("GET", "/AdminAPI/config", "").Header().Get("ETag"); got != loaded {
				t.Fatalf("GET /config ETag %s, GET /queues/c %s: one configuration, one revision", got, loaded)
			}
			// The first admin renames queue c.
			saved := e.doIfMatch("PUT", "/AdminAPI/queues/c", `{"id": "c", "parentId": "en", "name": "Tech support", "order": 2, "keywords": ["2"], "agents": ["ben"]}`, loaded)
			if saved.Code != http.StatusOK {
				t.Fatalf("first save: %d %s", saved.Code, saved.Body)
			}
			current := saved.Header().Get("ETag")
			if current == "" || current == loaded {
				t.Fatalf("the save answered ETag %q (loaded %s): want the new revision", current, loaded)
			}
			if got := e.do("GET", "/AdminAPI/settings", "").Header().Get("ETag"); got != current {
				t.Fatalf("after the save GET answers ETag %s, the save answered %s", got, current)
			}

			before := e.config()
			rec := e.doIfMatch(tc.method, tc.path, tc.body, loaded)
			if rec.Code != http.StatusConflict {
				t.Fatalf("second save against the old revision: %d %s, want 409", rec.Code, rec.Body)
			}
			if b := decodeError(t, rec); b.Error != adminapi.StaleMessage {
				t.Errorf("409 says %q, want %q", b.Error, adminapi.StaleMessage)
			}
			if rec.Header().Get("ETag") != "" {
				t.Errorf("a refused save answered an ETag")
			}
			if diff := cmp.Diff(before, e.config()); diff != "" {
				t.Fatalf("the refused save changed the configuration:\n%s", diff)
			}

			// Reloaded: the same change goes through, weak or strong tag alike.
			if rec := e.doIfMatch(tc.method, tc.path, tc.body, "W/"+current); rec.Code >= 300 {
				t.Fatalf("save against the current revision: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

// Without If-Match, or with "*", a change is applied as before: scripts
// that PUT the whole document keep working.
func TestSavesWithoutAPreconditionAreApplied(t *testing.T) {
	e := newEnv(t)
	if rec := e.doIfMatch("PUT", "/AdminAPI/queues/b", `{"parentId": "a", "name": "Returns", "order": 1}`, ""); rec.Code != http.StatusOK {
		t.Fatalf("no If-Match: %d %s", rec.Code, rec.Body)
	}
	if rec := e.doIfMatch("PUT", "/AdminAPI/queues/b", `{"parentId": "a", "name": "Refunds", "order": 1}`, "*"); rec.Code != http.StatusOK {
		t.Fatalf("If-Match *: %d %s", rec.Code, rec.Body)
	}
	// A refused change keeps its 400 (the precondition held).
	rev := e.do("GET", "/AdminAPI/config", "").Header().Get("ETag")
	rec := e.doIfMatch("PUT", "/AdminAPI/queues/b", `{"parentId": "a", "name": "Refunds", "order": 1, "keywords": ["STOP"]}`, rev)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("a command word as keyword: %d %s, want 400", rec.Code, rec.Body)
	}
	if b := decodeError(t, rec); len(b.Problems) == 0 || b.Problems[0].Field != "queues[b].keywords[0]" {
		t.Errorf("problems %+v, want one on queues[b].keywords[0]", b.Problems)
	}
}
