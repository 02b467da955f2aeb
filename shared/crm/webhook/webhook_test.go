package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"
	"github.com/smsdesk/smsdesk/shared/crm/webhook/webhooktest"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func TestVerify(t *testing.T) {
	secret := []byte(webhooktest.Secret)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"x","type":"connection.test"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := webhook.Sign(secret, now.Unix(), body)
	tests := []struct {
		name     string
		ts, sig  string
		body     []byte
		secret   []byte
		at       time.Time
		want     error
		wantText string
	}{
		{"signed now", ts, good, body, secret, now, nil, ""},
		{"299 s late is in the window", ts, good, body, secret, now.Add(299 * time.Second), nil, ""},
		{"301 s late is stale", ts, good, body, secret, now.Add(301 * time.Second), webhook.ErrStale, ""},
		{"301 s early is stale", ts, good, body, secret, now.Add(-301 * time.Second), webhook.ErrStale, ""},
		{"another body", ts, good, []byte(`{"id":"y"}`), secret, now, webhook.ErrBadSignature, ""},
		{"another secret", ts, good, body, []byte("not the secret"), now, webhook.ErrBadSignature, ""},
		{"another timestamp", strconv.FormatInt(now.Unix()+1, 10), good, body, secret, now, webhook.ErrBadSignature, ""},
		{"no signature", ts, "", body, secret, now, webhook.ErrNoSignature, ""},
		{"timestamp not a number", "yesterday", good, body, secret, now, nil, "not Unix seconds"},
		{"hex without the prefix", ts, strings.TrimPrefix(good, "sha256="), body, secret, now, webhook.ErrBadSignature, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.ts, tc.sig, tc.body, tc.at)
			switch {
			case tc.wantText != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("Verify: %v, want %q", err, tc.wantText)
				}
			case !errors.Is(err, tc.want):
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://crm.example.com/smsdesk": true, "http://localhost:9000/x": true, "http://127.0.0.1:1/": true,
		"http://crm.example.com/": false, "ftp://crm.example.com": false, "crm.example.com": false, "": false,
		"https://user:pw@crm.example.com/": false,
	} {
		if err := webhook.CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

const consumer = "+14155550123"

type world struct {
	wh    *webhooktest.Server
	svc   *crm.Service
	links *memlink.Store
	st    *memstore.Store
}

func newWorld(t *testing.T) world {
	wh := webhooktest.New(t)
	c := webhook.New(wh.URL(), webhooktest.Secret, "https://crm.example/c/{id}")
	c.Backoff = []time.Duration{time.Millisecond, time.Millisecond}
	st := memstore.New()
	links := memlink.New()
	return world{wh: wh, links: links, st: st, svc: &crm.Service{CRM: c, Links: links, Chats: st}}
}

func assigned(id string) chat.Event {
	return chat.Event{ID: id, Type: chat.EventChatAssigned, ChatID: "c1", Consumer: consumer, AgentID: "a1", StartType: chat.StartManual, Language: "en"}
}

// TestLookupCases: the three cases through the signed webhook: none
// creates, one is linked, several wait for the agent.
func TestLookupCases(t *testing.T) {
	tests := []struct {
		name       string
		stored     []webhook.Contact
		wantState  crm.State
		wantCreate int
		wantCands  int
	}{
		{"no contact creates one", []webhook.Contact{{Phone: "+14155550999"}}, crm.StateLinked, 1, 0},
		{"one contact, stored nationally, is linked", []webhook.Contact{{FirstName: "Ana", Phone: "(415) 555-0123"}}, crm.StateLinked, 0, 0},
		{"several wait for the agent", []webhook.Contact{{Phone: "415.555.0123"}, {MobilePhone: "+1 415-555-0123"}}, crm.StateChoosing, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for _, c := range tc.stored {
				w.wh.AddContact(c)
			}
			if err := w.svc.Apply(context.Background(), assigned("c1-1"), 1); err != nil {
				t.Fatal(err)
			}
			l, _ := w.links.Link(context.Background(), "c1")
			if l.State != tc.wantState || len(l.Candidates) != tc.wantCands {
				t.Fatalf("link %+v, want state %q with %d candidates", l, tc.wantState, tc.wantCands)
			}
			if n := w.wh.Count(webhook.TypeCreate); n != tc.wantCreate {
				t.Errorf("%d creates, want %d", n, tc.wantCreate)
			}
			switch tc.wantState {
			case crm.StateLinked:
				notes := w.wh.Notes(l.ContactID)
				if len(notes) != 1 || notes[0].Key != "c1-1" || notes[0].Event == nil || notes[0].Event.Type != chat.EventChatAssigned || notes[0].ChatID != "c1" {
					t.Fatalf("notes %+v, want the assignment with its event", notes)
				}
				if c := w.wh.Contacts()[l.ContactID]; !crm.SamePhone(c.Phone, consumer) || c.Language != "en" {
					t.Errorf("contact %+v: want the consumer's phone and language", c)
				}
				v, _ := w.svc.ViewOf(context.Background(), "c1")
				if v.Contact == nil || v.Contact.URL != "https://crm.example/c/"+l.ContactID {
					t.Errorf("view %+v: want the contact's link", v.Contact)
				}
			case crm.StateChoosing:
				if len(w.wh.AllNotes()) != 0 {
					t.Errorf("notes %+v before the choice", w.wh.AllNotes())
				}
			}
		})
	}
}

// TestRetries: a 429 with a short Retry-After and a 5xx are retried in
// process with the same id; a duplicate delivery of the note's request is
// deduped by the receiver; a 4xx is not retried.
func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		n        int
		wantErr  bool
		wantSent int // note.create requests received
	}{
		{"429 then 200", http.StatusTooManyRequests, 1, false, 2},
		{"two 503s then 200", http.StatusServiceUnavailable, 2, false, 3},
		{"three 503s go back to Pub/Sub", http.StatusServiceUnavailable, 3, true, 3},
		{"a 400 is not retried", http.StatusBadRequest, 1, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.wh.AddContact(webhook.Contact{Phone: consumer})
			c := webhook.New(w.wh.URL(), webhooktest.Secret, "")
			c.Backoff = []time.Duration{time.Millisecond, time.Millisecond}
			w.wh.FailNext(tc.n, tc.status, 1)
			if tc.status == http.StatusTooManyRequests {
				c.Backoff = []time.Duration{0, 0} // Retry-After's 1 s is waited out
			}
			_, err := c.AddNote(context.Background(), id, crm.Note{Key: "ev-1", Body: "hello"})
			if (err != nil) != tc.wantErr {
				t.Fatalf("AddNote: %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && tc.status >= 500 && !crm.Retryable(err) {
				t.Errorf("%v should be retryable", err)
			}
			if tc.wantErr && tc.status < 500 && crm.Retryable(err) {
				t.Errorf("%v should not be retryable", err)
			}
			var ids []string
			for _, r := range w.wh.Requests() {
				if r.Type == webhook.TypeNote {
					ids = append(ids, r.ID)
				}
			}
			if len(ids) != tc.wantSent {
				t.Fatalf("%d note requests, want %d", len(ids), tc.wantSent)
			}
			for _, got := range ids {
				if got != "ev-1" {
					t.Errorf("request id %q, want the note's key on every retry", got)
				}
			}
			if want := map[bool]int{false: 1, true: 0}[tc.wantErr]; len(w.wh.Notes(id)) != want {
				t.Errorf("%d notes stored, want %d", len(w.wh.Notes(id)), want)
			}
			// The same note again (a redelivery after a crash) is deduped.
			if !tc.wantErr {
				if _, err := c.AddNote(context.Background(), id, crm.Note{Key: "ev-1", Body: "hello"}); err != nil {
					t.Fatal(err)
				}
				if len(w.wh.Notes(id)) != 1 || w.wh.Repeats("ev-1") != 1 {
					t.Errorf("after a repeat: %d notes, %d repeats; want 1 and 1", len(w.wh.Notes(id)), w.wh.Repeats("ev-1"))
				}
			}
		})
	}
}

// TestTestConnection: a wrong secret is 401, a dead URL a dial error.
func TestTestConnection(t *testing.T) {
	wh := webhooktest.New(t)
	tests := []struct {
		name   string
		client *webhook.Client
		want   string
	}{
		{"works", webhook.New(wh.URL(), webhooktest.Secret, ""), ""},
		{"wrong secret", webhook.New(wh.URL(), strings.Repeat("x", 64), ""), "HTTP 401: " + webhook.ErrBadSignature.Error()},
		{"unreachable", webhook.New("http://127.0.0.1:1/x", webhooktest.Secret, ""), "unreachable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.client.TestConnection(context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("TestConnection: %v, want %q", err, tc.want)
			}
		})
	}
}
