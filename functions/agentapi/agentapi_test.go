package agentapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

type discardBus struct{}

func (discardBus) Publish(context.Context, string, bus.Message) error { return nil }

type discardTasks struct{}

func (discardTasks) Enqueue(context.Context, string, tasks.Task) error { return nil }
func (discardTasks) Delete(context.Context, string, string) error      { return nil }

const consoleOrigin = "https://console.acme.example"

// callers of the API. Ana works Billing, where her chats are; Carla works
// only the Spanish queues, so none of them is hers.
var callers = map[string]auth.Principal{
	"ana":        {UID: "u-ana", Email: "ana@acme.example", Role: auth.RoleAgent, AgentID: "ana"},
	"ben":        {UID: "u-ben", Role: auth.RoleAgent, AgentID: "ben"},
	"carla":      {UID: "u-carla", Role: auth.RoleAgent, AgentID: "carla"},
	"supervisor": {UID: "u-sup", Role: auth.RoleSupervisor},
	"admin":      {UID: "u-admin", Role: auth.RoleAdmin},
}

type api struct {
	t       *testing.T
	h       http.Handler
	store   *memstore.Store
	dev     *auth.DevVerifier
	handled []string // requests an extra route served
}

func newAPI(t *testing.T, opts ...agentapi.Option) *api {
	t.Helper()
	ctx := context.Background()
	s := memstore.New()
	set := jobs.Compose(jobs.Clients{Store: s, Bus: discardBus{}, Tasks: discardTasks{},
		URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}})
	a := agentapi.FromSet(set)
	if err := set.Admin.ImportConfig(ctx, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	mk := func(id, consumer, queue string, status chat.Status) chat.Chat {
		c := chat.Chat{ID: id, Number: "+14155550101", Consumer: consumer, Provider: "twilio", Language: "en",
			QueueID: queue, Status: status, StartType: chat.StartInbound, CreatedAt: at, UpdatedAt: at, Version: 2, NextSeq: 2}
		if status == chat.StatusQueued {
			c.QueuedAt = at
		}
		return c
	}
	offered := mk("offered-ana", "+14155550171", "en-billing", chat.StatusQueued)
	offered.Offer = &chat.Offer{AgentID: "ana", OfferedAt: at, ExpiresAt: at.Add(time.Hour)}
	held := mk("held-ana", "+14155550171", "en-billing", chat.StatusActive)
	held.AgentID = "ana"
	ended := mk("ended-ana", "+14155550171", "en-billing", chat.StatusEnded)
	ended.AgentID, ended.EndReason, ended.EndedAt = "ana", chat.EndFinished, at.Add(time.Minute)
	pending := mk("transfer-pending", "+14155550172", "en-billing", chat.StatusActive)
	pending.AgentID = "ana"
	pending.Offer = &chat.Offer{AgentID: "ben", OfferedAt: at, ExpiresAt: at.Add(time.Hour)}
	pending.Transfers = []chat.Transfer{{ID: "transfer-pending-t1", FromAgent: "ana", ToAgent: "ben", State: chat.TransferPending, StartedAt: at}}
	err := s.RunTx(ctx, func(tx store.Tx) error {
		for _, c := range []chat.Chat{offered, held, ended, pending} {
			tx.PutChat(c)
			tx.PutMessage(chat.Message{ChatID: c.ID, Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "hello", CreatedAt: at})
		}
		for _, who := range []string{"+14155550171", "+14155550172"} {
			tx.PutConsent(chat.Consent{Number: "+14155550101", Consumer: who, State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage, UpdatedAt: at})
		}
		for id, load := range map[string]int{"ana": 3, "ben": 1} {
			ag, err := tx.Agent(id)
			if err != nil {
				return err
			}
			ag.Load, ag.Capacity = load, 5
			tx.PutAgent(ag)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutCanned(ctx, chat.Canned{ID: "bye", Title: "Bye", Body: "Bye from @{AGENT}!"}); err != nil {
		t.Fatal(err)
	}
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	x := &api{t: t, store: s, dev: dev}
	opts = append([]agentapi.Option{agentapi.AllowOrigins(consoleOrigin)}, opts...)
	x.h = agentapi.New(a, auth.NewGuard(dev), opts...)
	return x
}

// do sends a request as a caller ("" for no token) with extra headers.
func (x *api) do(caller, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	x.t.Helper()
	req := httptest.NewRequest(method, "/AgentAPI"+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if caller != "" {
		p, ok := callers[caller]
		if !ok {
			x.t.Fatalf("unknown caller %s", caller)
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

// TestAccessOnEveryEndpoint calls every route as nobody, as the agent whose
// chat it is, as an agent with no part in it, and as a supervisor and an
// admin, each on a fresh deployment.
func TestAccessOnEveryEndpoint(t *testing.T) {
	type want struct{ none, owner, other, supervisor, admin int }
	const (
		ok      = http.StatusOK
		noToken = http.StatusUnauthorized
		denied  = http.StatusForbidden
		gone    = http.StatusNoContent
	)
	tests := []struct {
		method, path, body string
		want               want
	}{
		{"GET", "/openapi.yaml", "", want{ok, ok, ok, ok, ok}},
		{"GET", "/me", "", want{noToken, ok, ok, ok, ok}},
		{"PUT", "/me/status", `{"status":"away"}`, want{noToken, ok, ok, denied, denied}}, // no agent id, no status
		{"GET", "/agents", "", want{noToken, ok, ok, ok, ok}},
		{"GET", "/transfer-targets", "", want{noToken, ok, ok, ok, ok}},
		{"PUT", "/agents/ben/status", `{"status":"away"}`, want{noToken, denied, denied, ok, ok}},
		{"GET", "/inbox", "", want{noToken, ok, ok, ok, ok}},
		{"GET", "/chats/held-ana", "", want{noToken, ok, denied, ok, ok}},
		{"POST", "/chats/offered-ana/accept", "", want{noToken, ok, denied, denied, denied}},
		{"POST", "/chats/offered-ana/decline", "{}", want{noToken, ok, denied, denied, denied}},
		// An agent of the chat's queue takes it (Ana's own offer: accepted);
		// Carla works other queues, supervisors take no chats.
		{"POST", "/chats/offered-ana/take", "", want{noToken, ok, denied, denied, denied}},
		{"POST", "/chats/held-ana/messages", `{"body":"Hi there","requestId":"r-1"}`, want{noToken, ok, denied, denied, denied}},
		{"POST", "/chats/held-ana/transfer", `{"toQueue":"en-tech","note":"tech question"}`, want{noToken, ok, denied, ok, ok}},
		{"POST", "/chats/held-ana/end", `{"wrapUp":"solved"}`, want{noToken, ok, denied, ok, ok}},
		{"GET", "/chats/held-ana/canned", "", want{noToken, ok, denied, ok, ok}},
		{"GET", "/consumers/+14155550171/chats", "", want{noToken, ok, denied, ok, ok}},
		{"GET", "/canned", "", want{noToken, ok, ok, ok, ok}},
		{"PUT", "/canned/hello", `{"title":"Hello","body":"Hi, I am @{AGENT}."}`, want{noToken, denied, denied, ok, ok}},
		{"DELETE", "/canned/bye", "", want{noToken, denied, denied, gone, gone}},
		{"POST", "/measure", `{"body":"Hello €"}`, want{noToken, ok, ok, ok, ok}},
		// Agents reach the outbound rules (off in this fixture); supervisors
		// and admins without an agent id cannot start a chat.
		{"POST", "/outbound", `{"number":"+14155550100","consumer":"+12125550123","body":"Hi","requestId":"o-1"}`, want{noToken, http.StatusBadRequest, http.StatusBadRequest, denied, denied}},
		// The owner passes the access check and meets the body check (no
		// multipart here); media_test.go covers uploads.
		{"POST", "/chats/held-ana/media", "", want{noToken, http.StatusUnsupportedMediaType, denied, denied, denied}},
		// Agents read their own row of by=agent; other groupings are supervisors'.
		{"GET", "/stats", "", want{noToken, http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest}},
		{"GET", "/stats/me", "", want{noToken, ok, ok, denied, denied}}, // supervisors and admins without an agent id have no own figures
		{"GET", "/stats/history?from=2026-12-01&to=2026-12-01", "", want{noToken, denied, denied, ok, ok}},
		{"GET", "/monitor", "", want{noToken, denied, denied, ok, ok}},
		{"GET", "/stats?from=2026-11-25&by=agent", "", want{noToken, ok, ok, ok, ok}},
		{"GET", "/stats?from=2026-11-25&by=queue", "", want{noToken, denied, denied, ok, ok}},
		// CRM sync is off in this fixture: the panel says so; a pick has nothing to pick.
		{"GET", "/chats/held-ana/crm", "", want{noToken, ok, denied, ok, ok}},
		{"POST", "/chats/held-ana/crm", `{"create":true}`, want{noToken, http.StatusConflict, denied, http.StatusConflict, http.StatusConflict}},
		// The contact panel: whoever sees the chat; without built-in
		// contacts there is no contact to edit (contact_test.go has them).
		{"GET", "/chats/held-ana/contact", "", want{noToken, ok, denied, ok, ok}},
		{"PATCH", "/contacts/k1", `{"firstName":"Ana"}`, want{noToken, http.StatusNotFound, http.StatusNotFound, http.StatusNotFound, http.StatusNotFound}},
		{"PUT", "/contacts/k1", `{"phones":["+14155550171"]}`, want{noToken, http.StatusNotFound, http.StatusNotFound, http.StatusNotFound, http.StatusNotFound}},
		// Private notes and labels: whoever sees the chat (notes.go).
		{"GET", "/chats/held-ana/notes", "", want{noToken, ok, denied, ok, ok}},
		{"POST", "/chats/held-ana/notes", `{"body":"Refund approved @ben","requestId":"n-1"}`, want{noToken, ok, denied, ok, ok}},
		{"GET", "/mentions", "", want{noToken, ok, ok, ok, ok}},
		{"POST", "/mentions/held-ana/read", "", want{noToken, gone, gone, gone, gone}},
		{"POST", "/chats/held-ana/labels", `{"add":["vip"]}`, want{noToken, ok, denied, ok, ok}},
		{"GET", "/labels", "", want{noToken, ok, ok, ok, ok}},
		{"GET", "/chats/offered-ana/preview", "", want{noToken, ok, denied, ok, ok}},
		{"GET", "/search", "", want{noToken, http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest}},
		{"GET", "/search?q=hello", "", want{noToken, ok, ok, ok, ok}},
		// Voice blending (ivr.go): anyone signed in reads a queue's wait and
		// the preset links; only the holder sends links, in a call's chat.
		{"GET", "/queues/en-tech/ewt", "", want{noToken, ok, ok, ok, ok}},
		{"GET", "/incall/links", "", want{noToken, ok, ok, ok, ok}},
		{"POST", "/chats/held-ana/link", `{"url":"https://m.acme.example/x","requestId":"k-1"}`, want{noToken, http.StatusConflict, denied, denied, denied}},
		{"POST", "/chats/held-ana/app-link", `{"requestId":"k-2"}`, want{noToken, http.StatusConflict, denied, denied, denied}},
	}
	served := map[string]bool{}
	for _, tc := range tests {
		served[tc.method+" "+tc.path] = true
		for _, c := range []struct {
			caller string
			want   int
		}{{"", tc.want.none}, {"ana", tc.want.owner}, {"carla", tc.want.other}, {"supervisor", tc.want.supervisor}, {"admin", tc.want.admin}} {
			name := c.caller
			if name == "" {
				name = "no token"
			}
			t.Run(tc.method+" "+tc.path+" as "+name, func(t *testing.T) {
				rec := newAPI(t).do(c.caller, tc.method, tc.path, tc.body)
				if rec.Code != c.want {
					t.Fatalf("%d %s, want %d", rec.Code, rec.Body, c.want)
				}
				if c.want >= 400 {
					var e agentapi.ErrorBody
					if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
						t.Errorf("error body %q is not an ErrorBody", rec.Body)
					}
				}
			})
		}
	}
	// Every route is in the table (with its path's parameters filled in).
	for _, r := range agentapi.Routes() {
		found := false
		for key := range served {
			method, path, _ := strings.Cut(key, " ")
			path, _, _ = strings.Cut(path, "?")
			found = found || (method == r.Method && matches(r.Path, path))
		}
		if !found {
			t.Errorf("%s %s is not in the access table", r.Method, r.Path)
		}
	}
}

// matches reports whether a concrete path fits a route pattern.
func matches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		name, caller, method, path, body string
		want                             int
		wantText                         string
		wantField                        string
	}{
		{"the forbidden message is clear", "carla", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, 403, "is not yours", ""},
		{"replying in a chat another agent holds", "ben", "POST", "/chats/transfer-pending/messages", `{"body":"x","requestId":"r"}`, 403, "only the agent holding the chat can reply", ""},
		{"accepting an ended chat", "ana", "POST", "/chats/ended-ana/accept", "", 409, "ended", ""},
		{"replying in an ended chat", "ana", "POST", "/chats/ended-ana/messages", `{"body":"x","requestId":"r"}`, 409, "ended", ""},
		{"replying before accepting", "ana", "POST", "/chats/offered-ana/messages", `{"body":"x","requestId":"r"}`, 409, "accept the chat first", ""},
		{"a second transfer while one is pending", "ana", "POST", "/chats/transfer-pending/transfer", `{"toQueue":"en-tech"}`, 409, "already pending", ""},
		{"declining a transfer refuses it", "ben", "POST", "/chats/transfer-pending/decline", "", 200, `"state":"failed"`, ""},
		{"taking a colleague's offer in one's queue", "ben", "POST", "/chats/offered-ana/take", "", 200, `"agentId":"ben"`, ""},
		{"taking a chat no longer waiting", "ana", "POST", "/chats/held-ana/take", "", 409, "no longer waiting", ""},
		{"taking a chat of another's queue", "carla", "POST", "/chats/offered-ana/take", "", 403, "not waiting in one of your queues", ""},
		{"members on take", "ana", "POST", "/chats/offered-ana/take", `{"now":true}`, 400, "unknown member", "now"},
		{"a transfer to a queue nobody else can serve now", "ana", "POST", "/chats/held-ana/transfer", `{"toQueue":"es-internet"}`, 409, "no other agent is available in Internet now", ""},
		{"the same transfer, forced", "ana", "POST", "/chats/held-ana/transfer", `{"toQueue":"es-internet","force":true}`, 200, `"status":"queued"`, ""},
		{"force must be a boolean", "ana", "POST", "/chats/held-ana/transfer", `{"toQueue":"es-internet","force":"yes"}`, 400, "want", "force"},
		{"an unknown chat", "supervisor", "GET", "/chats/nope", "", 404, "not found", ""},
		{"an unknown canned message", "supervisor", "DELETE", "/canned/nope", "", 404, "not found", ""},
		{"an unknown path", "ana", "GET", "/nope", "", 404, "no such resource", ""},
		{"a wrong method", "ana", "DELETE", "/inbox", "", 405, "use GET", ""},
		{"no request id", "ana", "POST", "/chats/held-ana/messages", `{"body":"x"}`, 400, "required", "requestId"},
		{"an unknown member", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r","bodyy":"y"}`, 400, "unknown member", "bodyy"},
		{"a wrong type", "ana", "POST", "/chats/held-ana/messages", `{"body":5,"requestId":"r"}`, 400, "want a string", "body"},
		{"malformed JSON", "ana", "POST", "/chats/held-ana/messages", `{"body":`, 400, "cut short", ""},
		{"a body too long", "ana", "POST", "/chats/held-ana/messages", `{"body":"` + strings.Repeat("x", 1601) + `","requestId":"r"}`, 400, "1,601 characters", "body"},
		{"members on accept", "ana", "POST", "/chats/offered-ana/accept", `{"force":true}`, 400, "unknown member", "force"},
		{"a bad status", "ana", "PUT", "/me/status", `{"status":"busy"}`, 400, "available, away or offline", "status"},
		{"a transfer to nobody", "ana", "POST", "/chats/held-ana/transfer", `{}`, 400, "exactly one target", "toAgent"},
		{"a transfer to a menu", "ana", "POST", "/chats/held-ana/transfer", `{"toQueue":"en"}`, 400, "is a menu", "toQueue"},
		{"a canned message with an unknown placeholder", "supervisor", "PUT", "/canned/x", `{"title":"X","body":"Hi @{NAME}"}`, 400, "unknown placeholder", "body"},
		{"a canned message without a title", "supervisor", "PUT", "/canned/x", `{"body":"Hi"}`, 400, "required", "title"},
		{"a canned message named twice", "supervisor", "PUT", "/canned/x", `{"id":"y","title":"X","body":"Hi"}`, 400, "differs", "id"},
		{"a reply with a canned message", "ana", "POST", "/chats/held-ana/messages", `{"cannedId":"bye","requestId":"r"}`, 200, `"body":"Bye from Ana!"`, ""},
		{"the canned messages of a chat, rendered", "ana", "GET", "/chats/held-ana/canned", "", 200, `"body":"Bye from Ana!"`, ""},
		{"media while media are off", "ana", "POST", "/chats/held-ana/messages", `{"media":[{"name":"outbound/held-ana/x","url":"","contentType":"image/png"}],"requestId":"r"}`, 503, "MEDIA_BUCKET", ""},
		{"measuring a UCS-2 body", "ana", "POST", "/measure", `{"body":"Olá 😀"}`, 200, `"encoding":"UCS-2"`, ""},
		{"the consumer's history by a national number", "supervisor", "GET", "/consumers/(415)%20555-0171/chats", "", 200, `"id":"ended-ana"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newAPI(t).do(tc.caller, tc.method, tc.path, tc.body)
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.wantText) {
				t.Fatalf("%d %s, want %d with %q", rec.Code, rec.Body, tc.want, tc.wantText)
			}
			if tc.wantField != "" {
				var e agentapi.ErrorBody
				_ = json.Unmarshal(rec.Body.Bytes(), &e)
				if !slices.ContainsFunc(e.Problems, func(p chat.FieldError) bool { return p.Field == tc.wantField }) {
					t.Errorf("problems %+v do not name %s", e.Problems, tc.wantField)
				}
			}
		})
	}
	t.Run("405 lists the methods", func(t *testing.T) {
		rec := newAPI(t).do("supervisor", "POST", "/canned/x", "{}")
		if rec.Code != 405 || rec.Header().Get("Allow") != "PUT, DELETE, OPTIONS" {
			t.Errorf("%d Allow %q", rec.Code, rec.Header().Get("Allow"))
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		rec := newAPI(t).do("ana", "POST", "/measure", `body=x`, "Content-Type", "application/x-www-form-urlencoded")
		if rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		rec := newAPI(t).do("ana", "POST", "/measure", `{"body":"`+strings.Repeat("x", agentapi.MaxBodyBytes)+`"}`)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestAnswers(t *testing.T) {
	x := newAPI(t)
	var me agentapi.Me
	decode(t, x.do("ana", "GET", "/me", ""), &me)
	if me.UID != "u-ana" || me.Role != auth.RoleAgent || me.AgentID != "ana" || me.Supervisor || me.Agent == nil || me.Agent.Name != "Ana García" || len(me.Queues) == 0 || len(me.TransferQueues) == 0 {
		t.Errorf("me = %+v", me)
	}
	if len(me.OutboundNumbers) != 2 || me.OutboundNumbers[0].E164 != "+14155550101" || me.OutboundFrom != "08:00" {
		t.Errorf("ana's outbound numbers %+v from %q, want both demo numbers from 08:00", me.OutboundNumbers, me.OutboundFrom)
	}
	rec := x.do("admin", "GET", "/me", "")
	decode(t, rec, &me)
	if !me.Supervisor || me.Agent != nil {
		t.Errorf("admin me = %+v", me)
	}
	// The console hides New SMS on an empty list: it must be one, not null.
	if !strings.Contains(rec.Body.String(), `"outboundNumbers":[]`) {
		t.Errorf("admin me = %s, want an empty outboundNumbers list", rec.Body)
	}
	var in desk.Inbox
	decode(t, x.do("ana", "GET", "/inbox", ""), &in)
	if len(in.Offered) != 1 || in.Offered[0].ID != "offered-ana" || len(in.Active) != 2 || len(in.Ended) != 1 {
		t.Errorf("inbox = %d offered, %d active, %d ended", len(in.Offered), len(in.Active), len(in.Ended))
	}
	var view desk.ChatView
	decode(t, x.do("ana", "GET", "/chats/held-ana", ""), &view)
	if !view.CanReply || view.Consent.State != "opted-in" || len(view.Messages) != 1 || view.QueueName != "Billing" {
		t.Errorf("chat view = %+v", view)
	}
	var m agentapi.Measurement
	decode(t, x.do("ana", "POST", "/measure", `{"body":"Hello €"}`), &m)
	if m != (agentapi.Measurement{Characters: 7, Encoding: "GSM-7", Segments: 1, Units: 8, MaxCharacters: 1600}) {
		t.Errorf("measure = %+v", m)
	}
	var msg chat.Message
	body := `{"body":"On it","requestId":"same"}`
	decode(t, x.do("ana", "POST", "/chats/held-ana/messages", body), &msg)
	var again chat.Message
	decode(t, x.do("ana", "POST", "/chats/held-ana/messages", body), &again)
	if msg.Seq == 0 || again.Seq != msg.Seq || msg.Body != "On it" {
		t.Errorf("reply seq %d, retried %d", msg.Seq, again.Seq)
	}
	var agents []chat.Agent
	decode(t, x.do("ana", "GET", "/agents", ""), &agents)
	if len(agents) != 3 || agents[0].Email != "" {
		t.Errorf("agents for an agent: %+v", agents)
	}
	var c chat.Chat
	decode(t, x.do("supervisor", "POST", "/chats/held-ana/end", ""), &c)
	if c.Status != chat.StatusEnded || c.EndReason != chat.EndFinished {
		t.Errorf("ended by a supervisor: %s %s", c.Status, c.EndReason)
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatal(err)
	}
}

func TestCrossOrigin(t *testing.T) {
	preflight := func(origin string) []string {
		return []string{"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type"}
	}
	tests := []struct {
		name, caller, method, path, body string
		headers                          []string
		want                             int
		wantAllowOrigin                  string
	}{
		{"preflight from the console's origin", "", "OPTIONS", "/chats/held-ana/messages", "", preflight(consoleOrigin), 204, consoleOrigin},
		{"preflight with the origin spelt differently", "", "OPTIONS", "/chats/held-ana/messages", "", preflight("HTTPS://Console.Acme.Example:443"), 204, consoleOrigin},
		{"preflight from the API's own host", "", "OPTIONS", "/inbox", "", preflight("http://example.com"), 204, "http://example.com"},
		{"preflight from another origin", "", "OPTIONS", "/chats/held-ana/messages", "", preflight("https://evil.example"), 403, ""},
		{"preflight of an unknown path", "", "OPTIONS", "/nope", "", preflight(consoleOrigin), 404, ""},
		{"a reply from the console's origin", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, []string{"Origin", consoleOrigin}, 200, consoleOrigin},
		{"a reply from the API's own host", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, []string{"Origin", "http://example.com"}, 200, ""},
		{"a reply from another origin, with a valid token", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, []string{"Origin", "https://evil.example"}, 403, ""},
		{"a reply from an opaque origin", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, []string{"Origin", "null"}, 403, ""},
		{"a reply from a look-alike host", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, []string{"Origin", "http://example.com.evil.example"}, 403, ""},
		{"a reply without an Origin (not a browser)", "ana", "POST", "/chats/held-ana/messages", `{"body":"x","requestId":"r"}`, nil, 200, ""},
		{"a read from another origin is answered, but not shared", "ana", "GET", "/inbox", "", []string{"Origin", "https://evil.example"}, 200, ""},
		{"a forged request without a token", "", "POST", "/chats/held-ana/end", "", []string{"Origin", consoleOrigin}, 401, consoleOrigin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newAPI(t)
			rec := x.do(tc.caller, tc.method, tc.path, tc.body, tc.headers...)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tc.wantAllowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.wantAllowOrigin)
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if tc.method == "OPTIONS" && tc.want == 204 {
				if got := rec.Header().Get("Access-Control-Allow-Headers"); got != "Authorization, Content-Type" {
					t.Errorf("Access-Control-Allow-Headers %q", got)
				}
				method := "POST"
				if tc.path == "/inbox" {
					method = "GET"
				}
				if got := rec.Header().Get("Access-Control-Allow-Methods"); !strings.Contains(got, method) || !strings.Contains(got, "OPTIONS") {
					t.Errorf("Access-Control-Allow-Methods %q", got)
				}
			}
			if tc.want == 403 && tc.method == "POST" {
				// Refused before anything was done.
				msgs, _ := x.store.Messages(context.Background(), "held-ana")
				if len(msgs) != 1 {
					t.Errorf("%d messages after a refused cross-origin reply", len(msgs))
				}
			}
		})
	}
}

func TestExtraRoutes(t *testing.T) {
	var served []string
	extra := agentapi.Route{Method: "POST", Path: "/chats/{id}/extra", Handle: func(a *agentapi.Services, w http.ResponseWriter, r *http.Request) {
		v := agentapi.ViewerOf(r)
		served = append(served, v.AgentID+" "+r.PathValue("id"))
		agentapi.WriteJSON(w, http.StatusCreated, map[string]string{"ok": "yes"})
	}}
	sup := agentapi.Route{Method: "GET", Path: "/supervised", Supervisor: true, Handle: func(a *agentapi.Services, w http.ResponseWriter, r *http.Request) {
		agentapi.WriteJSON(w, http.StatusOK, "fine")
	}}
	needsReply := agentapi.Route{Method: "POST", Path: "/chats/{id}/needs-reply", Requires: access.ActReply, Handle: func(a *agentapi.Services, w http.ResponseWriter, r *http.Request) {
		agentapi.WriteJSON(w, http.StatusCreated, "uploaded")
	}}
	x := newAPI(t, agentapi.WithRoutes(extra, sup, needsReply))
	for _, tc := range []struct {
		caller, chat string
		want         int
	}{
		{"ana", "held-ana", http.StatusCreated},
		{"carla", "held-ana", http.StatusForbidden},
		{"ana", "ended-ana", http.StatusConflict},
		{"ana", "nope", http.StatusNotFound},
		{"supervisor", "held-ana", http.StatusForbidden},
	} {
		if rec := x.do(tc.caller, "POST", "/chats/"+tc.chat+"/needs-reply", ""); rec.Code != tc.want {
			t.Errorf("route requiring reply, %s on %s: %d %s, want %d", tc.caller, tc.chat, rec.Code, rec.Body, tc.want)
		}
	}
	if rec := x.do("", "POST", "/chats/held-ana/extra", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("extra route without a token: %d", rec.Code)
	}
	if rec := x.do("ana", "POST", "/chats/held-ana/extra", ""); rec.Code != http.StatusCreated {
		t.Errorf("extra route: %d %s", rec.Code, rec.Body)
	}
	if rec := x.do("ana", "GET", "/chats/held-ana/extra", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("extra route, wrong method: %d", rec.Code)
	}
	if !slices.Equal(served, []string{"ana held-ana"}) {
		t.Errorf("served %v", served)
	}
	if rec := x.do("ben", "GET", "/supervised", ""); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "needs supervisor or admin") {
		t.Errorf("supervisor route as an agent: %d %s", rec.Code, rec.Body)
	}
	if rec := x.do("admin", "GET", "/supervised", ""); rec.Code != http.StatusOK {
		t.Errorf("supervisor route as an admin: %d", rec.Code)
	}
}

func TestWithoutGuardEverythingIsRefused(t *testing.T) {
	h := agentapi.New(agentapi.FromSet(jobs.Compose(jobs.Clients{Store: memstore.New()})), nil)
	for _, path := range []string{"/AgentAPI/inbox", "/me"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s without a guard: %d", path, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/AgentAPI/openapi.yaml", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("the OpenAPI document without a guard: %d", rec.Code)
	}
}

func TestChatViewAfter(t *testing.T) {
	x := newAPI(t)
	if err := x.store.RunTx(context.Background(), func(tx store.Tx) error {
		for seq := int64(2); seq <= 3; seq++ {
			tx.PutMessage(chat.Message{ChatID: "held-ana", Seq: seq, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "more"})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	full := x.do("ana", "GET", "/chats/held-ana", "")
	var all struct{ Messages []chat.Message }
	decode(t, full, &all)
	if len(all.Messages) != 3 {
		t.Fatalf("set-up: %d messages", len(all.Messages))
	}
	tests := []struct {
		query    string
		wantCode int
		wantN    int
	}{
		{"", 200, len(all.Messages)},
		{"?after=0", 200, len(all.Messages)},
		{"?after=1", 200, len(all.Messages) - 1},
		{"?after=999", 200, 0},
		{"?after=-1", 400, 0},
		{"?after=two", 400, 0},
	}
	for _, tc := range tests {
		rec := x.do("ana", "GET", "/chats/held-ana"+tc.query, "")
		if rec.Code != tc.wantCode {
			t.Errorf("%s: %d %s", tc.query, rec.Code, rec.Body)
			continue
		}
		if tc.wantCode != 200 {
			if !strings.Contains(rec.Body.String(), "after:") {
				t.Errorf("%s: error does not name the parameter: %s", tc.query, rec.Body)
			}
			continue
		}
		var got struct{ Messages []chat.Message }
		decode(t, rec, &got)
		if len(got.Messages) != tc.wantN {
			t.Errorf("%s: %d messages, want %d", tc.query, len(got.Messages), tc.wantN)
		}
	}
}

func TestInboxWithoutEnded(t *testing.T) {
	x := newAPI(t)
	tests := []struct {
		query     string
		wantCode  int
		wantEnded int
	}{
		{"", 200, 1},
		{"?ended=true", 200, 1},
		{"?ended=false", 200, 0},
		{"?ended=maybe", 400, 0},
	}
	for _, tc := range tests {
		rec := x.do("ana", "GET", "/inbox"+tc.query, "")
		if rec.Code != tc.wantCode {
			t.Errorf("%s: %d %s", tc.query, rec.Code, rec.Body)
			continue
		}
		if tc.wantCode != 200 {
			if !strings.Contains(rec.Body.String(), "ended:") {
				t.Errorf("%s: error does not name the parameter: %s", tc.query, rec.Body)
			}
			continue
		}
		var in struct {
			Ended  []chat.Chat
			Active []chat.Chat
		}
		decode(t, rec, &in)
		if len(in.Ended) != tc.wantEnded || len(in.Active) == 0 {
			t.Errorf("%s: %d ended, %d active; want %d ended and the held chat", tc.query, len(in.Ended), len(in.Active), tc.wantEnded)
		}
	}
}
