package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/connect"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"
	"github.com/smsdesk/smsdesk/shared/crm/webhook/webhooktest"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// forEachBackendWebhook runs fn on each backend with the deployment set up
// for HubSpot (its token and stand-in) and the webhook's secret, and an
// admin switching CRM sync to the signed webhook through AdminAPI.
func forEachBackendWebhook(t *testing.T, fn func(t *testing.T, e *env, wh *webhooktest.Server, hs *hubspottest.Server)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			hs := hubspottest.New(t)
			wh := webhooktest.New(t)
			e := newEnv(t, b, map[string]string{
				"HUBSPOT_ACCESS_TOKEN": hubspottest.Token, "HUBSPOT_API_BASE_URL": hs.URL(),
				"CRM_WEBHOOK_SECRET": webhooktest.Secret,
			})
			e.putCRM(crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL(), WebhookContactURL: "https://crm.example.com/c/{id}"})
			fn(t, e, wh, hs)
			if n := len(hs.Requests()); n != 0 {
				t.Errorf("HubSpot got %d requests after the admin chose the webhook", n)
			}
		})
	}
}

// adminJSON calls AdminAPI as an admin with headers, decoding a 2xx
// answer into out; it returns the status, body and headers.
func (e *env) adminJSON(method, path string, in any, headers map[string]string, out any) (int, string, http.Header) {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			e.t.Fatal(err)
		}
		body = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, e.urls.Function(wire.FnAdminAPI)+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	token, err := e.dev.Mint(auth.Principal{UID: "u-admin", Email: "admin@acme.example", Role: auth.RoleAdmin}, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw), resp.Header
}

// putCRM saves the CRM settings through AdminAPI.
func (e *env) putCRM(s crm.Settings) adminapi.CRMConnection {
	e.t.Helper()
	var out adminapi.CRMConnection
	if code, body, _ := e.adminJSON("PUT", "/crm", s, nil, &out); code != http.StatusOK {
		e.t.Fatalf("PUT /crm: %d %s", code, body)
	}
	return out
}

// notesOf are the contact's notes' keys, oldest first.
func notesOf(wh *webhooktest.Server, contactID string) []string {
	var out []string
	for _, n := range wh.Notes(contactID) {
		out = append(out, n.Key)
	}
	return out
}

// TestCRMWebhookLookupCases: each lookup case through the signed webhook,
// end to end: the consumer texts, an agent is connected, and the
// receiver's contacts and notes show the outcome; the chat's end posts
// the summary and the transcript as chat-{id}.txt. It also counts the
// calls a typical chat costs.
func TestCRMWebhookLookupCases(t *testing.T) {
	forEachBackendWebhook(t, func(t *testing.T, e *env, wh *webhooktest.Server, hs *hubspottest.Server) {
		none, one, several := "+14155550171", "+14155550172", "+14155550173"
		known := wh.AddContact(webhook.Contact{FirstName: "Ana", Phone: "(415) 555-0172"})
		twinA := wh.AddContact(webhook.Contact{Phone: "415.555.0173"})
		twinB := wh.AddContact(webhook.Contact{MobilePhone: "+1 415-555-0173"})
		tests := []struct {
			name     string
			consumer string
			pick     string // the agent's pick when several match
			want     func(v crm.View) string
		}{
			{"no contact: one is created", none, "", func(v crm.View) string {
				if c, ok := wh.Contacts()[v.ContactID]; !ok || c.Phone != none || c.ID == known {
					return "want a new contact with the consumer's phone"
				}
				return ""
			}},
			{"one contact: it is linked", one, "", func(v crm.View) string {
				if v.ContactID != known || v.Contact.Name != "Ana" || v.Contact.URL != "https://crm.example.com/c/"+known {
					return "want Ana's contact with its link"
				}
				return ""
			}},
			{"several: the agent picks", several, twinB, func(v crm.View) string {
				if v.ContactID != twinB || len(notesOf(wh, twinA)) != 0 {
					return "want the picked contact and nothing on the other"
				}
				return ""
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := len(wh.Requests())
				chatID, agentID := e.assignedChat(tc.consumer)
				me := principalOf(agentID)
				var v crm.View
				if tc.pick != "" {
					testenv.WaitFor(t, waitLimit, "the candidates offered", func() bool {
						v = e.crmView(me, chatID)
						return v.State == crm.StateChoosing
					})
					if len(v.Candidates) != 2 || len(wh.AllNotes()) > 0 && slices.ContainsFunc(wh.AllNotes(), func(n webhooktest.Note) bool { return n.ChatID == chatID }) {
						t.Fatalf("view %+v: want two candidates and no note yet", v)
					}
					e.mustAgentAPI(me, http.StatusOK, "POST", "/chats/"+chatID+"/crm", map[string]any{"contactId": tc.pick}, nil)
				}
				testenv.WaitFor(t, waitLimit, "the chat linked", func() bool {
					v = e.crmView(me, chatID)
					return v.State == crm.StateLinked && len(notesOf(wh, v.ContactID)) > 0
				})
				if msg := tc.want(v); msg != "" {
					t.Fatalf("view %+v: %s", v, msg)
				}
				e.say(tc.consumer, numberEN, "my card was charged twice")
				e.say(tc.consumer, numberEN, "thanks")
				if err := e.end(chatID, agentID); err != nil {
					t.Fatal(err)
				}
				wantNotes := 3 // assigned, end summary, transcript
				if tc.pick != "" {
					wantNotes = 4 // and the pick
				}
				testenv.WaitFor(t, waitLimit, "the end and the transcript posted", func() bool { return len(notesOf(wh, v.ContactID)) == wantNotes })
				notes := wh.Notes(v.ContactID)
				var types []string
				for _, n := range notes {
					types = append(types, string(n.Event.Type))
				}
				wantTypes := []string{"chat.assigned", "chat.ended", "chat.ended"}
				if tc.pick != "" {
					wantTypes = []string{"chat.assigned", "crm.chosen", "chat.ended", "chat.ended"}
				}
				if !slices.Equal(types, wantTypes) {
					t.Fatalf("notes %v, want %v", types, wantTypes)
				}
				last := notes[len(notes)-1]
				if len(last.Attachments) != 1 || last.Attachments[0].Name != "chat-"+chatID+".txt" {
					t.Fatalf("transcript note %+v: want chat-%s.txt", last, chatID)
				}
				text, err := base64.StdEncoding.DecodeString(last.Attachments[0].Data)
				if err != nil || !strings.Contains(string(text), "my card was charged twice") || !strings.Contains(string(text), "thanks") {
					t.Errorf("transcript %q (%v) lacks the consumer's texts", text, err)
				}
				calls := map[string]int{}
				for _, r := range wh.Requests()[before:] {
					calls[r.Type]++
				}
				t.Logf("webhook calls for a chat (assign, 2 texts, end): %v", calls)
				want := map[string]int{webhook.TypeLookup: 1, webhook.TypeNote: 3}
				switch {
				case tc.consumer == none:
					want[webhook.TypeCreate] = 1
				case tc.pick != "":
					want[webhook.TypeUpdate], want[webhook.TypeNote] = 1, 4
				default:
					want[webhook.TypeUpdate] = 1
				}
				if !maps(calls, want) {
					t.Errorf("calls %v, want %v", calls, want)
				}
			})
		}
	})
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCRMWebhookOutageAndDuplicates: the receiver answers 503 for a while
// (the chat goes on), then recovers: every event is posted once, in
// order; a redelivered event posts nothing; a 429 with Retry-After is
// waited out.
func TestCRMWebhookOutageAndDuplicates(t *testing.T) {
	forEachBackendWebhook(t, func(t *testing.T, e *env, wh *webhooktest.Server, _ *hubspottest.Server) {
		const consumer = "+14155550174"
		contact := wh.AddContact(webhook.Contact{Phone: consumer})
		wh.FailNext(1, http.StatusTooManyRequests, 1)
		wh.FailNext(4, http.StatusServiceUnavailable, 0) // more than one delivery's in-process retries
		chatID, agentID := e.assignedChat(consumer)
		if err := e.end(chatID, agentID); err != nil {
			t.Fatal(err)
		}
		if c := e.chat(chatID); c.Status != chat.StatusEnded {
			t.Fatalf("the chat is %s: an outage of the CRM held it up", c.Status)
		}
		testenv.WaitFor(t, waitLimit, "every note posted once the receiver recovered", func() bool { return len(notesOf(wh, contact)) == 3 })
		var refused int
		for _, r := range wh.Requests() {
			if r.Status == http.StatusServiceUnavailable || r.Status == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused != 5 {
			t.Errorf("%d refused requests, want the 5 faults retried", refused)
		}
		notes := wh.Notes(contact)
		if notes[0].Event.Type != chat.EventChatAssigned || notes[1].Key != notes[2].Key+"#summary" {
			t.Fatalf("notes out of order: %+v", notes)
		}

		// Pub/Sub delivers the assignment again: nothing is sent.
		sent := len(wh.Requests())
		b, err := busenv.Bus(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := wire.EventMessage(*notes[0].Event)
		if err != nil {
			t.Fatal(err)
		}
		acked := e.calls.OK(wire.FnCRMSync)
		if err := b.Publish(e.ctx(), wire.TopicChatEvents, msg); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, waitLimit, "the redelivery acked", func() bool { return e.calls.OK(wire.FnCRMSync) > acked })
		if n := len(wh.Requests()); n != sent || len(notesOf(wh, contact)) != 3 {
			t.Fatalf("after the redelivery: %d requests (was %d), %d notes", n, sent, len(notesOf(wh, contact)))
		}
	})
}

// TestCRMWebhookParkedThenReplayed: the receiver refuses the assignment
// (a 4xx: parked at once); the chat shows "CRM sync pending", its end
// waits behind; once the receiver is fixed one replay posts both, in
// order.
func TestCRMWebhookParkedThenReplayed(t *testing.T) {
	forEachBackendWebhook(t, func(t *testing.T, e *env, wh *webhooktest.Server, _ *hubspottest.Server) {
		const consumer = "+14155550175"
		contact := wh.AddContact(webhook.Contact{Phone: consumer})
		chatID := ""
		wh.FailNext(1, http.StatusUnprocessableEntity, 0) // the lookup
		var agentID string
		chatID, agentID = e.assignedChat(consumer)
		me := principalOf(agentID)
		testenv.WaitFor(t, waitLimit, "CRM sync pending on the chat", func() bool { return e.crmView(me, chatID).SyncPending })
		if err := e.end(chatID, agentID); err != nil {
			t.Fatal(err)
		}
		var pending []adminapi.CRMPending
		testenv.WaitFor(t, waitLimit, "the end held behind the parked event", func() bool {
			e.adminJSON("GET", "/crm/pending", nil, nil, &pending)
			return len(pending) == 1 && pending[0].ChatID == chatID && pending[0].Waiting == 2
		})
		if p := pending[0].Parked; len(p) != 1 || !strings.Contains(p[0].Error, "HTTP 422") {
			t.Fatalf("parked %+v: want the receiver's 422", p)
		}
		if len(notesOf(wh, contact)) != 0 {
			t.Fatal("a note was posted before the parked event")
		}

		// A replay while the receiver still refuses parks the event again.
		var out adminapi.CRMReplay
		wh.FailNext(1, http.StatusUnprocessableEntity, 0)
		if code, body, _ := e.adminJSON("POST", "/crm/replay", nil, nil, &out); code != http.StatusOK || !slices.Equal(out.StillPending, []string{chatID}) || len(out.Replayed) != 0 {
			t.Fatalf("replay against a refusing receiver: %d %s", code, body)
		}
		if !e.crmView(me, chatID).SyncPending || len(notesOf(wh, contact)) != 0 {
			t.Fatal("after a refused replay the chat should still be pending, with no note")
		}
		if code, body, _ := e.adminJSON("POST", "/crm/replay", nil, nil, &out); code != http.StatusOK {
			t.Fatalf("replay: %d %s", code, body)
		}
		if !slices.Equal(out.Replayed, []string{chatID}) || len(out.StillPending) != 0 {
			t.Fatalf("replay %+v", out)
		}
		var types []string
		for _, n := range wh.Notes(contact) {
			types = append(types, string(n.Event.Type))
		}
		if !slices.Equal(types, []string{"chat.assigned", "chat.ended", "chat.ended"}) {
			t.Fatalf("after the replay: notes %v", types)
		}
		if v := e.crmView(me, chatID); v.SyncPending || v.State != crm.StateLinked {
			t.Fatalf("view after the replay %+v", v)
		}
		// A second replay finds nothing to do.
		e.adminJSON("POST", "/crm/replay?chat="+chatID, nil, nil, &out)
		if len(notesOf(wh, contact)) != 3 {
			t.Fatalf("the second replay posted again: %v", notesOf(wh, contact))
		}
	})
}

// TestCRMAdminConnection: the settings through AdminAPI (no secret in any
// answer, a bad field named, a stale save refused) and the connection
// test's reports.
func TestCRMAdminConnection(t *testing.T) {
	forEachBackendWebhook(t, func(t *testing.T, e *env, wh *webhooktest.Server, hs *hubspottest.Server) {
		var got adminapi.CRMConnection
		code, body, h := e.adminJSON("GET", "/crm", nil, nil, &got)
		if code != http.StatusOK || got.Settings.Adapter != crm.AdapterWebhook || !got.Secrets.WebhookSecret || !got.Secrets.HubSpotToken {
			t.Fatalf("GET /crm: %d %s", code, body)
		}
		if strings.Contains(body, webhooktest.Secret) || strings.Contains(body, hubspottest.Token) {
			t.Fatalf("GET /crm shows a secret: %s", body)
		}
		etag := h.Get("ETag")

		code, body, _ = e.adminJSON("PUT", "/crm", map[string]any{"adapter": "webhook", "webhookUrl": "http://crm.example.com/hook"}, nil, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, `"field":"webhookUrl"`) {
			t.Fatalf("plain-http URL: %d %s", code, body)
		}
		code, body, _ = e.adminJSON("PUT", "/crm", map[string]any{"adapter": "webhook", "webhookUrl": wh.URL(), "webhookSecret": "x"}, nil, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, "webhookSecret") {
			t.Fatalf("a secret in the document: %d %s", code, body)
		}
		code, _, _ = e.adminJSON("PUT", "/crm", crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL(), MinConsumerTexts: 1}, map[string]string{"If-Match": etag}, nil)
		if code != http.StatusOK {
			t.Fatalf("a save on the current revision: %d", code)
		}
		code, body, _ = e.adminJSON("PUT", "/crm", crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL()}, map[string]string{"If-Match": etag}, nil)
		if code != http.StatusConflict || !strings.Contains(body, "changed by someone else") {
			t.Fatalf("a stale save: %d %s", code, body)
		}

		other := webhooktest.NewWithSecret(t, strings.Repeat("0", 64))
		tests := []struct {
			name    string
			s       *crm.Settings
			scopes  []string
			ok      bool
			problem string
			text    string
		}{
			{"the saved webhook", nil, nil, true, "", ""},
			{"a receiver with another secret", &crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: other.URL()}, nil, false, "unauthorized", "HTTP 401"},
			{"an unreachable receiver", &crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "http://127.0.0.1:1/hook"}, nil, false, "unreachable", "connection refused"},
			{"a bad URL", &crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "crm.example.com/hook"}, nil, false, "bad_url", "webhookUrl"},
			{"hubspot works", &crm.Settings{Adapter: crm.AdapterHubSpot}, nil, true, "", ""},
			{"hubspot without the write scope", &crm.Settings{Adapter: crm.AdapterHubSpot}, []string{"crm.objects.contacts.read"}, false, "forbidden", "lacks the scope crm.objects.contacts.write"},
			{"hubspot without the read scope", &crm.Settings{Adapter: crm.AdapterHubSpot}, []string{"crm.objects.contacts.write"}, false, "forbidden", "required scopes: crm.objects.contacts.read"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				scopes := tc.scopes
				if scopes == nil {
					scopes = hubspottest.AllScopes
				}
				hs.SetScopes(scopes...)
				var r connect.Report
				code, body, _ := e.adminJSON("POST", "/crm/test", adminapi.CRMTestRequest{Settings: tc.s}, nil, &r)
				if code != http.StatusOK || r.OK != tc.ok || r.Problem != tc.problem || !strings.Contains(r.Error, tc.text) {
					t.Fatalf("test: %d %s; want ok %v, problem %q, error with %q", code, body, tc.ok, tc.problem, tc.text)
				}
			})
		}
		hs.SetScopes(hubspottest.AllScopes...)
		// The HubSpot tests above are the only HubSpot calls: reset its
		// record so forEachBackendWebhook's check sees none from the sync.
		hs.ResetRequests()
	})
}
