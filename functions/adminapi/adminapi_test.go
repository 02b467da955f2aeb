package adminapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// fixture is a small valid configuration: a menu en with children a (with
// its own child b) and c, one number, two agents and a team.
const fixture = `{
  "settings": {"channelEnabled": true, "program": {"name": "Acme"}, "defaultLanguage": "en",
               "backWords": ["PREVIOUS"], "timeouts": {"queueMinutes": 30}},
  "numbers": [{"e164": "+14155550101", "provider": "twilio", "entryQueue": "en", "language": "en", "enabled": true}],
  "queues": [
    {"id": "en", "name": "English", "order": 1, "language": "en"},
    {"id": "a", "parentId": "en", "name": "Billing", "order": 1, "keywords": ["1"], "teams": ["t1"]},
    {"id": "b", "parentId": "a", "name": "Refunds", "order": 1, "agents": ["ben"]},
    {"id": "c", "parentId": "en", "name": "Tech", "order": 2, "keywords": ["2"], "agents": ["ben"]}
  ],
  "teams": [{"id": "t1", "name": "Billing team", "members": ["ana"]}],
  "agents": [
    {"id": "ana", "name": "Ana", "status": "available", "capacity": 2},
    {"id": "ben", "name": "Ben", "status": "away", "capacity": 1}
  ]
}`

type env struct {
	t     *testing.T
	store *memstore.Store
	app   *admin.Service
	h     http.Handler
}

func open(h http.Handler) http.Handler { return h }

func newEnv(t *testing.T) *env {
	t.Helper()
	s := memstore.New()
	a := jobs.Compose(jobs.Clients{Store: s}).Admin
	e := &env{t: t, store: s, app: a, h: adminapi.New(a, open)}
	if rec := e.do("PUT", "/AdminAPI/config", fixture); rec.Code != http.StatusOK {
		t.Fatalf("import fixture: %d %s", rec.Code, rec.Body)
	}
	return e
}

func (e *env) do(method, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *env) config() chat.Config {
	e.t.Helper()
	c, err := e.app.Config(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) adminapi.ErrorBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var b adminapi.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %q: %v", rec.Body, err)
	}
	if b.Error == "" {
		t.Errorf("error body %q has no message", rec.Body)
	}
	return b
}

func TestRefusedChanges(t *testing.T) {
	tests := []struct {
		name         string
		method, path string
		body         string
		contentType  string
		wantStatus   int
		// wantField must be among the problems' fields; wantMessage in one
		// problem's message (or the error when there are none).
		wantField, wantMessage string
	}{
		{"menu keyword is STOP", "PUT", "/queues/c", `{"name": "Tech", "keywords": ["STOP"]}`, "", 400,
			"queues[c].keywords[0]", `"STOP" is an SMS command`},
		{"menu keyword is a natural-language opt-out", "PUT", "/queues/c", `{"name": "Tech", "keywords": ["stop texting me"]}`, "", 400,
			"queues[c].keywords[0]", "SMS command"},
		{"menu keyword is the configured BACK word", "PUT", "/queues/c", `{"name": "Tech", "keywords": ["previous"]}`, "", 400,
			"queues[c].keywords[0]", "SMS command"},
		{"menu keyword is the default EXIT word", "PUT", "/queues/c", `{"name": "Tech", "keywords": ["Exit"]}`, "", 400,
			"queues[c].keywords[0]", "SMS command"},
		{"queue name is a command", "PUT", "/queues/c", `{"name": "Help"}`, "", 400,
			"queues[c].name", "cannot name a queue"},
		{"keyword duplicates a sibling's", "PUT", "/queues/c", `{"parentId": "en", "name": "Tech", "order": 2, "keywords": ["1"]}`, "", 400,
			"queues[c].keywords", `also selects sibling queue "a"`},
		{"name duplicates a sibling's keyword", "PUT", "/queues/c", `{"parentId": "en", "name": "1", "order": 2, "keywords": ["2"]}`, "", 400,
			"queues[c].keywords", `"1" also selects sibling queue "a"`},
		{"cycle a→b→a", "PUT", "/queues/a", `{"parentId": "b", "name": "Billing", "keywords": ["1"]}`, "", 400,
			"queues[a].parentId", "cycle"},
		{"queue is its own parent", "PUT", "/queues/c", `{"parentId": "c", "name": "Tech"}`, "", 400,
			"queues[c].parentId", "cycle"},
		{"unknown parent", "PUT", "/queues/c", `{"parentId": "zz", "name": "Tech"}`, "", 400,
			"queues[c].parentId", `unknown queue "zz"`},
		{"timeout over 7 days", "PUT", "/queues/c", `{"name": "Tech", "timeouts": {"queueMinutes": 10081}}`, "", 400,
			"queues[c].timeouts.queueMinutes", "between 1 and 10080"},
		{"negative timeout", "PUT", "/queues/c", `{"name": "Tech", "timeouts": {"offerMinutes": -1}}`, "", 400,
			"queues[c].timeouts.offerMinutes", "between 1 and 10080"},
		{"fractional timeout", "PUT", "/queues/c", `{"name": "Tech", "timeouts": {"queueMinutes": 0.5}}`, "", 400,
			"timeouts.queueMinutes", "want an integer"},
		{"settings timeout out of range", "PUT", "/settings", `{"channelEnabled": true, "timeouts": {"expiryMinutes": 20000}}`, "", 400,
			"settings.timeouts.expiryMinutes", "between 1 and 10080"},
		{"BACK word is STOP", "PUT", "/settings", `{"channelEnabled": true, "backWords": ["STOP"]}`, "", 400,
			"settings.backWords[0]", "fixed STOP, START or HELP"},
		{"BACK word change makes a keyword a command", "PUT", "/settings", `{"channelEnabled": true, "backWords": ["2"]}`, "", 400,
			"queues[c].keywords[0]", "SMS command"},
		{"settings without channelEnabled", "PUT", "/settings", `{"defaultLanguage": "en"}`, "", 400,
			"channelEnabled", "required"},
		{"settings null", "PUT", "/settings", `null`, "", 400,
			"", "not null"},
		{"unknown entry queue", "PUT", "/numbers/+14155550102", `{"provider": "twilio", "entryQueue": "nope", "enabled": true}`, "", 400,
			"numbers[+14155550102].entryQueue", `unknown queue "nope"`},
		{"unknown provider", "PUT", "/numbers/+14155550102", `{"provider": "carrier-pigeon", "entryQueue": "en", "enabled": true}`, "", 400,
			"numbers[+14155550102].provider", "twilio, telnyx"},
		{"number not a number", "PUT", "/numbers/call-me", `{"provider": "twilio", "entryQueue": "en", "enabled": true}`, "", 400,
			"numbers[call-me].e164", "invalid phone number"},
		{"number without enabled", "PUT", "/numbers/+14155550102", `{"provider": "twilio", "entryQueue": "en"}`, "", 400,
			"enabled", "required"},
		{"body number differs from path", "PUT", "/numbers/+14155550102", `{"e164": "+14155550103", "provider": "twilio", "entryQueue": "en", "enabled": true}`, "", 400,
			"e164", "differs"},
		{"unknown agent on a queue", "PUT", "/queues/c", `{"name": "Tech", "agents": ["zoe"]}`, "", 400,
			"queues[c].agents[0]", `unknown agent "zoe"`},
		{"unknown team on a queue", "PUT", "/queues/c", `{"name": "Tech", "teams": ["t9"]}`, "", 400,
			"queues[c].teams[0]", `unknown team "t9"`},
		{"unknown team member", "PUT", "/teams/t1", `{"name": "Billing team", "members": ["zoe"]}`, "", 400,
			"teams[t1].members[0]", `unknown agent "zoe"`},
		{"agent capacity 0", "PUT", "/agents/ana", `{"name": "Ana", "capacity": 0}`, "", 400,
			"agents[ana].capacity", "between 1 and 100"},
		{"agent bad status", "PUT", "/agents/ana", `{"name": "Ana", "capacity": 1, "status": "napping"}`, "", 400,
			"agents[ana].status", "available, away or offline"},
		{"bad id", "PUT", "/queues/has%20space", `{"name": "X"}`, "", 400,
			"queues[has space].id", "not a valid id"},
		{"deleting an entry queue with children", "DELETE", "/queues/en", "", "", 400,
			"numbers[+14155550101].entryQueue", `unknown queue "en"`},
		{"deleting a parent queue", "DELETE", "/queues/a", "", "", 400,
			"queues[b].parentId", `unknown queue "a"`},
		{"deleting an agent a team names", "DELETE", "/agents/ana", "", "", 400,
			"teams[t1].members[0]", `unknown agent "ana"`},
		{"deleting an agent a queue names", "DELETE", "/agents/ben", "", "", 400,
			"queues[c].agents[0]", `unknown agent "ben"`},
		{"deleting a team a queue names", "DELETE", "/teams/t1", "", "", 400,
			"queues[a].teams[0]", `unknown team "t1"`},
		{"body id differs from path", "PUT", "/queues/c", `{"id": "d", "name": "Tech"}`, "", 400,
			"id", "differs"},
		{"unknown member", "PUT", "/queues/c", `{"name": "Tech", "colour": "blue"}`, "", 400,
			"colour", "unknown member"},
		{"malformed JSON", "PUT", "/queues/c", `{"name": "Tech",`, "", 400,
			"", "cut short"},
		{"wrong type", "PUT", "/queues/c", `{"name": 7}`, "", 400,
			"name", "want a string"},
		{"two documents", "PUT", "/queues/c", `{"name": "Tech"} {"name": "Other"}`, "", 400,
			"", "more than one JSON document"},
		{"empty body", "PUT", "/queues/c", ``, "application/json", 400,
			"", "empty"},
		{"not JSON", "PUT", "/queues/c", `name=Tech`, "application/x-www-form-urlencoded", 415,
			"", "application/json"},
		{"body too large", "PUT", "/queues/c", `{"name": "` + strings.Repeat("x", 300<<10) + `"}`, "", 413,
			"", "larger than"},
		{"import without numbers", "PUT", "/config", `{"settings": {"channelEnabled": true}, "queues": [], "agents": []}`, "", 400,
			"numbers", "required"},
		{"import with a number lacking enabled", "PUT", "/config",
			`{"settings": {"channelEnabled": true}, "numbers": [{"e164": "+14155550101", "provider": "twilio", "entryQueue": "q"}], "queues": [{"id": "q", "name": "Q"}], "agents": []}`, "", 400,
			"numbers[0].enabled", "required"},
		{"import invalid, named by index", "PUT", "/config",
			`{"settings": {"channelEnabled": true}, "numbers": [], "queues": [{"id": "q", "name": "Q"}, {"id": "r", "name": "R", "keywords": ["UNSUBSCRIBE"]}], "agents": []}`, "", 400,
			"queues[1].keywords[0]", "SMS command"},
		{"unknown number", "GET", "/numbers/+14155550199", "", "", 404, "", "not found"},
		{"delete unknown number", "DELETE", "/numbers/+14155550199", "", "", 404, "", "not found"},
		{"unknown queue", "GET", "/queues/zz", "", "", 404, "", "not found"},
		{"delete unknown queue", "DELETE", "/queues/zz", "", "", 404, "", "not found"},
		{"unknown team", "GET", "/teams/zz", "", "", 404, "", "not found"},
		{"delete unknown agent", "DELETE", "/agents/zz", "", "", 404, "", "not found"},
		{"unknown path", "GET", "/AdminAPI/nothing", "", "", 404, "", "no such resource"},
		{"POST a collection", "POST", "/queues", `{}`, "", 405, "", "use GET"},
		{"PATCH a queue", "PATCH", "/queues/c", `{}`, "", 405, "", "GET, PUT, DELETE"},
		{"DELETE settings", "DELETE", "/AdminAPI/settings", "", "", 405, "", "GET, PUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.config()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			} else if tc.body != "" {
				req.Header.Set("Content-Type", "application/json; charset=utf-8")
			}
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, rec.Code, rec.Body, tc.wantStatus)
			}
			b := decodeError(t, rec)
			var fields []string
			found := false
			for _, p := range b.Problems {
				fields = append(fields, p.Field)
				if p.Field == tc.wantField && strings.Contains(p.Message, tc.wantMessage) {
					found = true
				}
			}
			if len(b.Problems) == 0 && tc.wantField == "" && strings.Contains(b.Error, tc.wantMessage) {
				found = true
			}
			if !found {
				t.Errorf("answer %s lacks a problem on %q mentioning %q (fields %q)", rec.Body, tc.wantField, tc.wantMessage, fields)
			}
			if tc.wantStatus == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if diff := cmp.Diff(before, e.config()); diff != "" {
				t.Errorf("a refused request changed the configuration (-before +after):\n%s", diff)
			}
		})
	}
}

func TestAcceptedChanges(t *testing.T) {
	tests := []struct {
		name         string
		method, path string
		body         string
		wantStatus   int
		check        func(t *testing.T, c chat.Config)
	}{
		{"timeout 0 inherits", "PUT", "/queues/c", `{"name": "Tech", "order": 2, "keywords": ["2"], "timeouts": {"queueMinutes": 0}}`, 200,
			func(t *testing.T, c chat.Config) {
				if got := c.Tree().Timeouts("c").QueueMinutes; got != 30 {
					t.Errorf("c's queue timeout %d, want the settings' 30", got)
				}
			}},
		{"timeout of exactly 7 days", "PUT", "/queues/c", `{"name": "Tech", "timeouts": {"queueMinutes": 10080}}`, 200,
			func(t *testing.T, c chat.Config) {
				if got := c.Tree().Timeouts("c").QueueMinutes; got != 10080 {
					t.Errorf("c's queue timeout %d", got)
				}
			}},
		{"keyword free again after the BACK word changes", "PUT", "/settings", `{"channelEnabled": true, "backWords": ["RETURN"]}`, 200,
			func(t *testing.T, c chat.Config) {
				if c.Settings.BackWord() != "RETURN" {
					t.Errorf("back word %q", c.Settings.BackWord())
				}
			}},
		{"new number, formatted, path with %2B", "PUT", "/AdminAPI/numbers/%2B14155550102", `{"e164": "(415) 555-0102", "provider": "twilio", "entryQueue": "c", "enabled": true}`, 200,
			func(t *testing.T, c chat.Config) {
				if len(c.Numbers) != 2 || c.Numbers[1].E164 != "+14155550102" || c.Numbers[1].EntryQueue != "c" {
					t.Errorf("numbers %+v", c.Numbers)
				}
			}},
		{"number id from the path", "PUT", "/numbers/+14155550101", `{"provider": "twilio", "entryQueue": "c", "enabled": false}`, 200,
			func(t *testing.T, c chat.Config) {
				if n := c.Numbers[0]; n.E164 != "+14155550101" || n.Enabled || n.EntryQueue != "c" {
					t.Errorf("number %+v", n)
				}
			}},
		{"delete a leaf queue", "DELETE", "/queues/b", "", 204,
			func(t *testing.T, c chat.Config) {
				if len(c.Queues) != 3 {
					t.Errorf("queues %+v", c.Queues)
				}
			}},
		{"delete a number", "DELETE", "/numbers/+14155550101", "", 204,
			func(t *testing.T, c chat.Config) {
				if len(c.Numbers) != 0 {
					t.Errorf("numbers %+v", c.Numbers)
				}
			}},
		{"new team, then on a queue", "PUT", "/teams/t2", `{"name": "Tech team", "members": ["ana", "ben"]}`, 200,
			func(t *testing.T, c chat.Config) {
				if len(c.Teams) != 2 || c.Teams[1].ID != "t2" {
					t.Errorf("teams %+v", c.Teams)
				}
			}},
		{"new agent starts offline", "PUT", "/agents/cy", `{"name": "Cy", "capacity": 3}`, 200,
			func(t *testing.T, c chat.Config) {
				if ag := c.Agents[2]; ag.ID != "cy" || ag.Status != chat.AgentOffline {
					t.Errorf("agent %+v", ag)
				}
			}},
		{"move a subtree", "PUT", "/queues/b", `{"parentId": "c", "name": "Refunds", "agents": ["ben"]}`, 200,
			func(t *testing.T, c chat.Config) {
				if m := c.Tree().Menu("c"); len(m) != 1 || m[0].Queue.ID != "b" {
					t.Errorf("c's children %+v", m)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rec := e.do(tc.method, tc.path, tc.body)
			if rec.Code != tc.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, rec.Code, rec.Body, tc.wantStatus)
			}
			tc.check(t, e.config())
		})
	}
}

func TestPutThenGetRoundTrips(t *testing.T) {
	e := newEnv(t)
	in := chat.Queue{
		ID: "d", ParentID: "en", Name: "Sales", Order: 3, Keywords: []string{"3", "SALES"}, Language: "en",
		Timeouts: chat.Timeouts{QueueMinutes: 5, OfferMinutes: 1},
		Messages: map[string]map[string]string{"en": {"waiting": "Hold on!"}},
		Agents:   []string{"ana"}, Teams: []string{"t1"}, RequeueOnAgentInactivity: new(true),
	}
	body, _ := json.Marshal(in)
	for _, path := range []string{"/AdminAPI/queues/d", "/queues/d"} {
		if rec := e.do("PUT", path, string(body)); rec.Code != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", path, rec.Code, rec.Body)
		}
		rec := e.do("GET", path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		var got chat.Queue
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, got); diff != "" {
			t.Errorf("GET %s after PUT (-put +got):\n%s", path, diff)
		}
	}
	// Every collection lists what was put, and a GET answer can be sent back.
	for _, path := range []string{"/settings", "/numbers/+14155550101", "/teams/t1", "/agents/ana", "/queues/a"} {
		rec := e.do("GET", path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if back := e.do("PUT", path, rec.Body.String()); back.Code != http.StatusOK || back.Body.String() != rec.Body.String() {
			t.Errorf("PUT %s of its own GET: %d %s, want 200 %s", path, back.Code, back.Body, rec.Body)
		}
	}
	for _, path := range []string{"/numbers", "/queues", "/teams", "/agents"} {
		rec := e.do("GET", path, "")
		var list []json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &list); rec.Code != 200 || err != nil || len(list) == 0 {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

func TestImportThenExport(t *testing.T) {
	e := newEnv(t)
	// The fixture again, with a formatted number, lists out of order, and
	// agent routing state an import must ignore.
	doc := strings.Replace(fixture, `"+14155550101"`, `"(415) 555-0101"`, 1)
	doc = strings.Replace(doc, `"capacity": 2}`, `"capacity": 2, "load": 7, "statusReason": "forged"}`, 1)
	var in chat.Config
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		t.Fatal(err)
	}
	in.Queues[0], in.Queues[3] = in.Queues[3], in.Queues[0]

	body, _ := json.Marshal(in)
	rec := e.do("PUT", "/config", string(body))
	if rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	var imported chat.Config
	if err := json.Unmarshal(rec.Body.Bytes(), &imported); err != nil {
		t.Fatal(err)
	}
	rec = e.do("GET", "/config", "")
	var exported chat.Config
	if err := json.Unmarshal(rec.Body.Bytes(), &exported); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(imported, exported); diff != "" {
		t.Errorf("PUT answer and GET differ:\n%s", diff)
	}
	want := in
	want.Numbers[0].E164 = "+14155550101"
	want.Agents[0].Load, want.Agents[0].StatusReason = 0, ""
	byID := cmpopts.SortSlices(func(a, b chat.Queue) bool { return a.ID < b.ID })
	if diff := cmp.Diff(want, exported, byID, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("export differs from the import (-import +export):\n%s", diff)
	}

	// A smaller import deletes what it no longer lists.
	small := `{"settings": {"channelEnabled": false}, "numbers": [], "queues": [{"id": "solo", "name": "Solo"}], "agents": []}`
	if rec := e.do("PUT", "/config", small); rec.Code != http.StatusOK {
		t.Fatalf("small import: %d %s", rec.Code, rec.Body)
	}
	c := e.config()
	if len(c.Numbers)+len(c.Teams)+len(c.Agents) != 0 || len(c.Queues) != 1 || c.Settings.ChannelEnabled {
		t.Errorf("after the small import: %+v", c)
	}
	if rec := e.do("GET", "/config", ""); !strings.Contains(rec.Body.String(), `"numbers":[]`) {
		t.Errorf("empty lists should export as [], got %s", rec.Body)
	}
}

func TestAgentProfileKeepsRoutingState(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	ana, err := e.store.Agent(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	ana.Load, ana.LastAssignedAt = 2, at
	if err := e.store.PutAgent(ctx, ana); err != nil {
		t.Fatal(err)
	}
	// An admin renames Ana with a stale copy claiming no load.
	rec := e.do("PUT", "/agents/ana", `{"name": "Ana García", "capacity": 3, "languages": ["en", "es"], "load": 0}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var answered chat.Agent
	if err := json.Unmarshal(rec.Body.Bytes(), &answered); err != nil {
		t.Fatal(err)
	}
	stored, err := e.store.Agent(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	want := chat.Agent{ID: "ana", Name: "Ana García", Languages: []string{"en", "es"}, Status: chat.AgentAvailable,
		Capacity: 3, Load: 2, LastAssignedAt: at}
	for what, got := range map[string]chat.Agent{"answer": answered, "store": stored} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}
	// A status in the profile changes it.
	if rec := e.do("PUT", "/agents/ana", `{"name": "Ana García", "capacity": 3, "status": "away"}`); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got, _ := e.store.Agent(ctx, "ana"); got.Status != chat.AgentAway || got.Load != 2 {
		t.Errorf("after status change: %+v", got)
	}
}

func TestGuard(t *testing.T) {
	s := memstore.New()
	a := jobs.Compose(jobs.Clients{Store: s}).Admin
	deny := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "no token", http.StatusUnauthorized)
		})
	}
	for _, tc := range []struct {
		name  string
		guard func(http.Handler) http.Handler
		want  int
	}{
		{"refuse all", adminapi.RefuseAll, http.StatusServiceUnavailable},
		{"nil guard refuses", nil, http.StatusServiceUnavailable},
		{"custom guard", deny, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := adminapi.New(a, tc.guard)
			for _, r := range []struct{ method, path string }{
				{"GET", "/AdminAPI/config"}, {"PUT", "/AdminAPI/settings"}, {"GET", "/AdminAPI/no-such-thing"}, {"DELETE", "/queues/x"},
			} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, strings.NewReader(`{"channelEnabled": false}`)))
				if rec.Code != tc.want {
					t.Errorf("%s %s: %d %s, want %d", r.method, r.path, rec.Code, rec.Body, tc.want)
				}
			}
			if tc.want == http.StatusServiceUnavailable {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/AdminAPI/config", nil))
				if b := decodeError(t, rec); b.Error != "admin authentication is not configured" {
					t.Errorf("error %q", b.Error)
				}
			}
		})
	}
	if _, err := s.Settings(context.Background()); err == nil {
		t.Error("a refused request saved settings")
	}
}

func TestChatTranscript(t *testing.T) {
	e := newEnv(t)
	c := chat.Chat{ID: "c1", Number: "+14155550101", Consumer: "+14155550142", Language: "en", QueueID: "c", Status: chat.StatusQueued, StartType: chat.StartInbound, NextSeq: 3}
	msgs := []chat.Message{
		{ChatID: "c1", Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "hi"},
		{ChatID: "c1", Seq: 2, Author: chat.AuthorSystem, Kind: chat.KindWaiting, Body: "Thanks, you are in line for Tech.", Send: chat.Send{State: chat.SendSent}},
	}
	if err := e.store.RunTx(context.Background(), func(tx store.Tx) error {
		tx.PutChat(c)
		for _, m := range msgs {
			tx.PutMessage(m)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, wantType, wantDisposition string
		wantCode                        int
		want                            []string
	}{
		{"/AdminAPI/chats/c1", "application/json", "", 200, []string{`"queueId":"c"`, `"body":"Thanks, you are in line for Tech."`}},
		{"/AdminAPI/chats/c1/transcript.json", "application/json", `attachment; filename="chat-c1.json"`, 200, []string{`"seq":2`}},
		{"/AdminAPI/chats/c1/transcript.txt", "text/plain; charset=utf-8", `attachment; filename="chat-c1.txt"`, 200, []string{"#1 consumer (text): hi\n", "#2 system (waiting): Thanks, you are in line for Tech. [sent]\n"}},
		{"/AdminAPI/chats/nope", "application/json", "", 404, []string{"not found"}},
		{"/AdminAPI/chats/nope/transcript.txt", "application/json", "", 404, []string{"not found"}},
	}
	for _, tc := range tests {
		rec := e.do("GET", tc.path, "")
		if rec.Code != tc.wantCode || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.wantType) || rec.Header().Get("Content-Disposition") != tc.wantDisposition {
			t.Errorf("%s: %d %q %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
		}
		for _, w := range tc.want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s: body lacks %q:\n%s", tc.path, w, rec.Body)
			}
		}
	}
}
