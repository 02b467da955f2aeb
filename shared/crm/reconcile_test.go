package crm_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"
	"github.com/smsdesk/smsdesk/shared/crm/webhook/webhooktest"
	"github.com/smsdesk/smsdesk/shared/store/firestore"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

var errCrash = errors.New("injected crash after the CRM answered")

// crashingLinks fails, once, the write that records crashOn as posted:
// the CRM took the note but we never wrote that it did, as when the
// instance dies between the two.
type crashingLinks struct {
	crm.Store
	crashOn string
	crashed bool
}

func (c *crashingLinks) UpdateLink(ctx context.Context, chatID string, fn func(l *crm.Link) error) (crm.Link, error) {
	return c.Store.UpdateLink(ctx, chatID, func(l *crm.Link) error {
		before := l.HasPosted(c.crashOn)
		if err := fn(l); err != nil {
			return err
		}
		if !c.crashed && !before && l.HasPosted(c.crashOn) {
			c.crashed = true
			return errCrash
		}
		return nil
	})
}

// TestCrashBetweenAnswerAndWrite: the retry after a crash between the
// CRM's answer and our write posts no second note, on each adapter.
func TestCrashBetweenAnswerAndWrite(t *testing.T) {
	ev := chat.Event{ID: "c1-2-1", Type: chat.EventChatAssigned, ChatID: "c1", Consumer: consumer, AgentID: "a1", StartType: chat.StartManual}
	tests := []struct {
		name  string
		setUp func(t *testing.T) (crm.CRM, func() (notes int, sends int))
	}{
		{"hubspot: the note is found by its marker", func(t *testing.T) (crm.CRM, func() (int, int)) {
			hs := hubspottest.New(t)
			id := hs.AddContact(map[string]string{"phone": consumer})
			return hubspot.New(hs.URL(), hubspottest.Token, ""), func() (int, int) {
				sends := 0
				for _, r := range hs.Requests() {
					if r.Method == http.MethodPost && r.Path == "/crm/v3/objects/notes" {
						sends++
					}
				}
				return len(hs.Notes(id)), sends
			}
		}},
		{"webhook: the receiver dedupes the resent id", func(t *testing.T) (crm.CRM, func() (int, int)) {
			wh := webhooktest.New(t)
			wh.AddContact(webhook.Contact{Phone: consumer})
			c := webhook.New(wh.URL(), webhooktest.Secret, "")
			return c, func() (int, int) {
				return len(wh.AllNotes()), wh.Count(webhook.TypeNote) - wh.Repeats(ev.ID)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, count := tc.setUp(t)
			links := &crashingLinks{Store: memlink.New(), crashOn: ev.ID}
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			svc := &crm.Service{CRM: c, Links: links, Chats: fakeChats{}, Clock: clockOf(func() time.Time { return now })}
			if err := svc.Apply(context.Background(), ev, 1); !errors.Is(err, errCrash) {
				t.Fatalf("first delivery: %v, want the injected crash", err)
			}
			if notes, _ := count(); notes != 1 {
				t.Fatalf("%d notes after the crash, want 1 (the CRM took it)", notes)
			}
			// Pub/Sub redelivers after its backoff (10 s and more), past
			// HubSpot's search lag.
			now = now.Add(hubspot.DefaultSearchLag + time.Second)
			if err := svc.Apply(context.Background(), ev, 2); err != nil {
				t.Fatalf("redelivery: %v", err)
			}
			notes, sends := count()
			if notes != 1 {
				t.Errorf("%d notes after the retry, want 1", notes)
			}
			l, _ := links.Link(context.Background(), "c1")
			if !l.HasPosted(ev.ID) || len(l.Intents) != 0 {
				t.Errorf("link posted %v intents %v: want the event posted, no intent left", l.Posted, l.Intents)
			}
			if sends != 1 {
				t.Errorf("%d note requests the CRM acted on, want 1", sends)
			}
			if err := svc.Apply(context.Background(), ev, 3); err != nil {
				t.Fatal(err)
			}
			if n2, s2 := count(); n2 != 1 || s2 != sends {
				t.Errorf("a third delivery: %d notes, %d sends (was %d)", n2, s2, sends)
			}
		})
	}
}

// TestRateLimitAcrossInstances: three instances (limiters over one token
// store) making 250 calls each never exceed 100 calls in a 10 s window,
// and every call gets through; on the embedded twin's tokens and, with
// the emulator, Firestore's.
func TestRateLimitAcrossInstances(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) crm.TokenStore
	}{
		{"memstore", func(t *testing.T) crm.TokenStore { return memstore.New() }},
		{"firestore", func(t *testing.T) crm.TokenStore {
			testenv.Require(t, "FIRESTORE_EMULATOR_HOST")
			s, err := firestore.Open(context.Background(), testenv.UniqueID(t, "crmrate"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			tokens := &countingTokens{TokenStore: st.open(t), perWindow: map[string]int{}}
			var mu sync.Mutex
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(d)
				return nil
			}
			const instances, calls = 3, 250
			done := make(chan error, instances*calls)
			for range instances {
				l := &crm.Limiter{Tokens: tokens, Name: "hubspot", Limit: 100, Window: 10 * time.Second, MaxWait: time.Hour, Clock: clockOf(clk), Sleep: advance}
				go func() {
					for range calls {
						done <- l.Take(context.Background())
					}
				}()
			}
			for range instances * calls {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			total := 0
			for w, n := range tokens.windows() {
				if n > 100 {
					t.Errorf("window %s: %d calls, limit 100", w, n)
				}
				total += n
			}
			if total != instances*calls {
				t.Errorf("%d calls got a token, want %d", total, instances*calls)
			}
			if n := len(tokens.windows()); n < 8 {
				t.Errorf("%d calls spread over %d windows; at 100 a window they need at least 8", total, n)
			}
		})
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		s      crm.Settings
		fields []string
	}{
		{"the default", crm.Settings{}, nil},
		{"webhook", crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "https://crm.example.com/hook", WebhookContactURL: "https://crm.example.com/c/{id}"}, nil},
		{"hubspot with rules", crm.Settings{Adapter: crm.AdapterHubSpot, HubSpotPortalID: "4242", MinConsumerTexts: 2, AppendOpen: true, AppendClosedDays: 7, RateLimit: 50}, nil},
		{"unknown adapter", crm.Settings{Adapter: "salesforce"}, []string{"adapter"}},
		{"webhook without URL", crm.Settings{Adapter: crm.AdapterWebhook}, []string{"webhookUrl"}},
		{"plain http", crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "http://crm.example.com/hook"}, []string{"webhookUrl"}},
		{"not a URL", crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "crm.example.com"}, []string{"webhookUrl"}},
		{"contact URL without {id}", crm.Settings{WebhookContactURL: "https://crm.example.com/c"}, []string{"webhookContactUrl"}},
		{"bad rules", crm.Settings{MinConsumerTexts: 101, AppendClosedDays: 3, HubSpotPortalID: "abc", RateLimit: -1},
			[]string{"hubspotPortalId", "minConsumerTexts", "appendClosedDays", "rateLimit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			var got []string
			var ve *chat.ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.fields) {
				t.Errorf("problems %v (%v), want fields %v", got, err, tc.fields)
			}
		})
	}
}

// TestRefusedNoteNeedsNoReconcile: a note the CRM refused outright (429)
// is retried without a notes search; one lost to a 5xx is searched for
// first.
func TestRefusedNoteNeedsNoReconcile(t *testing.T) {
	ev := chat.Event{ID: "c1-2-1", Type: chat.EventChatAssigned, ChatID: "c1", Consumer: consumer, AgentID: "a1", StartType: chat.StartManual}
	for _, tc := range []struct {
		name       string
		status     int
		wantSearch int
	}{{"429", http.StatusTooManyRequests, 0}, {"503", http.StatusServiceUnavailable, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			hs := hubspottest.New(t)
			contact := hs.AddContact(map[string]string{"phone": consumer})
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			svc := &crm.Service{CRM: hubspot.New(hs.URL(), hubspottest.Token, ""), Links: memlink.New(), Chats: fakeChats{},
				Clock: clockOf(func() time.Time { return now })}
			// The contact search passes; the note is refused once.
			hs.FailNextMatching(1, tc.status, "/crm/v3/objects/notes")
			if err := svc.Apply(context.Background(), ev, 1); err == nil {
				t.Fatal("the refused note was not reported")
			}
			if tc.wantSearch > 0 {
				// HubSpot's search may lag its writes: right after a lost
				// answer the search is not trusted yet.
				err := svc.Apply(context.Background(), ev, 2)
				if err == nil || !crm.Retryable(err) || !strings.Contains(err.Error(), "may not show a note this recent") {
					t.Fatalf("a reconcile right after the 5xx: %v, want a retry later", err)
				}
				now = now.Add(hubspot.DefaultSearchLag + time.Second)
			}
			if err := svc.Apply(context.Background(), ev, 3); err != nil {
				t.Fatal(err)
			}
			searches := 0
			for _, r := range hs.Requests() {
				if r.Path == "/crm/v3/objects/notes/search" {
					searches++
				}
			}
			if searches != tc.wantSearch || len(hs.Notes(contact)) != 1 {
				t.Errorf("%d notes searches, %d notes; want %d searches and 1 note", searches, len(hs.Notes(contact)), tc.wantSearch)
			}
		})
	}
}
