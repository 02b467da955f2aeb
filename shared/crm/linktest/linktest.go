// Package linktest is the contract every crm.Store passes: memlink here,
// firelink on the Firestore emulator.
package linktest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
)

// Run runs the contract on stores newStore makes, a fresh one per test.
func Run(t *testing.T, newStore func(t *testing.T) crm.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

	t.Run("an unknown chat has an empty link", func(t *testing.T) {
		s := newStore(t)
		l, err := s.Link(ctx, "c-none")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(crm.Link{ChatID: "c-none"}, l); diff != "" {
			t.Fatalf("link (-want +got):\n%s", diff)
		}
	})

	t.Run("an update is read back whole", func(t *testing.T) {
		s := newStore(t)
		ev := chat.Event{ID: "c1-3-1", Type: chat.EventTransferStarted, At: at, ChatID: "c1", Consumer: "+14155550123",
			Transfer: &chat.Transfer{ID: "t1", FromAgent: "a1", ToQueue: "q2", State: "pending", StartedAt: at}}
		want := crm.Link{
			ChatID: "c1", Consumer: "+14155550123", State: crm.StateChoosing,
			Candidates: []crm.Contact{{ID: "1", FirstName: "Ana", Phone: "(415) 555-0123"}, {ID: "2", MobilePhone: "+14155550123"}},
			Posted:     []string{"c1-2-1"}, Held: []chat.Event{ev},
			Parked:    []crm.Parked{{EventID: "c1-3-1", Error: "HTTP 500", Attempts: 5, At: at}},
			UpdatedAt: at,
		}
		got, err := s.UpdateLink(ctx, "c1", func(l *crm.Link) error {
			if l.ChatID != "c1" || l.State != crm.StateNew {
				t.Errorf("fresh link = %+v", *l)
			}
			*l = want
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("update's result (-want +got):\n%s", diff)
		}
		read, err := s.Link(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, read); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
	})

	t.Run("a failed update stores nothing", func(t *testing.T) {
		s := newStore(t)
		boom := errors.New("boom")
		_, err := s.UpdateLink(ctx, "c2", func(l *crm.Link) error {
			l.ContactID = "9"
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		l, err := s.Link(ctx, "c2")
		if err != nil || l.ContactID != "" {
			t.Fatalf("after a failed update: %+v, %v", l, err)
		}
	})

	t.Run("concurrent updates lose nothing", func(t *testing.T) {
		s := newStore(t)
		const n = 8
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if _, err := s.UpdateLink(ctx, "c3", func(l *crm.Link) error {
					l.Posted = append(l.Posted, string(rune('a'+i)))
					return nil
				}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		l, err := s.Link(ctx, "c3")
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Posted) != n {
			t.Fatalf("posted = %v, want %d entries", l.Posted, n)
		}
	})

	t.Run("settings are read back whole, none until saved", func(t *testing.T) {
		s, ok := newStore(t).(crm.SettingsStore)
		if !ok {
			t.Skip("the store keeps no settings")
		}
		if _, saved, err := s.CRMSettings(ctx); err != nil || saved {
			t.Fatalf("fresh store: saved %v, %v", saved, err)
		}
		want := crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "https://crm.example.com/hook", WebhookContactURL: "https://crm.example.com/c/{id}",
			MinConsumerTexts: 2, AppendOpen: true, AppendClosedDays: 3, RateLimit: 40, UpdatedAt: at, UpdatedBy: "admin@acme.example"}
		if err := s.PutCRMSettings(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, saved, err := s.CRMSettings(ctx)
		if err != nil || !saved {
			t.Fatalf("after a save: saved %v, %v", saved, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("settings (-want +got):\n%s", diff)
		}
	})

	t.Run("pending chats are listed oldest first", func(t *testing.T) {
		st := newStore(t)
		s, ok := st.(crm.PendingLister)
		if !ok {
			t.Skip("the store lists no pending chats")
		}
		for i, id := range []string{"p2", "ok", "p1"} {
			if _, err := st.UpdateLink(ctx, id, func(l *crm.Link) error {
				l.Pending = id != "ok"
				l.UpdatedAt = at.Add(-time.Duration(i) * time.Minute)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.PendingChats(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"p1", "p2"}, got); diff != "" {
			t.Fatalf("pending (-want +got):\n%s", diff)
		}
	})
}
