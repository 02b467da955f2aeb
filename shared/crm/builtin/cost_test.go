package builtin_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// counting counts a Store's calls as Firestore bills them: a document
// read per document a query returns (one at least), a transaction's
// reads and its write.
type counting struct {
	builtin.Store
	mu            sync.Mutex
	reads, writes int
}

func (c *counting) add(r, w int) { c.mu.Lock(); c.reads += r; c.writes += w; c.mu.Unlock() }

func (c *counting) CreateContact(ctx context.Context, k builtin.Contact) error {
	c.add(0, 1)
	return c.Store.CreateContact(ctx, k)
}
func (c *counting) Contact(ctx context.Context, id string) (builtin.Contact, error) {
	c.add(1, 0)
	return c.Store.Contact(ctx, id)
}
func (c *counting) ContactsByPhone(ctx context.Context, e164 string, limit int) ([]builtin.Contact, error) {
	out, err := c.Store.ContactsByPhone(ctx, e164, limit)
	c.add(max(1, len(out)), 0)
	return out, err
}
func (c *counting) UpdateContact(ctx context.Context, id string, fn func(*builtin.Contact) error) (builtin.Contact, error) {
	c.add(1, 1)
	return c.Store.UpdateContact(ctx, id, fn)
}
func (c *counting) AddNote(ctx context.Context, id string, n builtin.Note) (builtin.Note, error) {
	c.add(2, 1) // the contact and the note, then the note
	return c.Store.AddNote(ctx, id, n)
}

type nopBus struct{}

func (nopBus) Publish(context.Context, string, bus.Message) error { return nil }

// TestTypicalChatCost: what a typical chat (assigned, two consumer texts,
// ended) costs the built-in contacts, for a new consumer and for one with
// a contact; each event delivered twice, as Pub/Sub may.
func TestTypicalChatCost(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                 string
		known                bool
		reads, writes, notes int
	}{
		{"a new consumer", false, 7, 4, 3},
		{"a known consumer", true, 8, 4, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const consumer = "+14155550123"
			st := &counting{Store: memcontacts.New()}
			if tc.known {
				_ = st.Store.CreateContact(ctx, builtin.Contact{ID: "k0", FirstName: "Ana", Phones: []string{consumer}, CreatedAt: t0, UpdatedAt: t0})
			}
			chats := memstore.New()
			c := chat.Chat{ID: "c1", Consumer: consumer, Number: "+18005550100", Language: "en", Status: chat.StatusEnded, AgentID: "a1",
				StartType: chat.StartInbound, CreatedAt: t0, EndedAt: t0.Add(5 * time.Minute), EndReason: chat.EndFinished, NextSeq: 4}
			if err := chats.RunTx(ctx, func(tx store.Tx) error {
				tx.PutChat(c)
				tx.PutMessage(chat.Message{ChatID: "c1", Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "my bill is wrong", CreatedAt: t0})
				tx.PutMessage(chat.Message{ChatID: "c1", Seq: 2, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "twice", CreatedAt: t0})
				tx.PutMessage(chat.Message{ChatID: "c1", Seq: 3, Author: chat.AuthorAgent, AgentID: "a1", Kind: chat.KindText, Body: "refunded", CreatedAt: t0})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			svc := &crm.Service{CRM: &builtin.Adapter{Store: st}, Links: memlink.New(), Chats: chats, Bus: nopBus{}}
			events := []chat.Event{
				{ID: "c1-1-1", Type: chat.EventChatAssigned, At: t0, ChatID: "c1", Consumer: consumer, Number: c.Number, AgentID: "a1", StartType: chat.StartInbound, Language: "en"},
				{ID: "c1-2-1", Type: chat.EventChatEnded, At: t0.Add(5 * time.Minute), ChatID: "c1", Consumer: consumer, AgentID: "a1", EndReason: chat.EndFinished},
			}
			for _, ev := range events {
				for range 2 {
					if err := svc.Apply(ctx, ev, 1); err != nil {
						t.Fatal(err)
					}
				}
			}
			found, _ := st.Store.ContactsByPhone(ctx, consumer, 10)
			notes, _ := st.Store.Notes(ctx, found[0].ID, 10)
			t.Logf("%s: %d reads, %d writes in contacts; %d contacts, %d notes", tc.name, st.reads, st.writes, len(found), len(notes))
			if len(found) != 1 || len(notes) != tc.notes || st.reads != tc.reads || st.writes != tc.writes {
				t.Fatalf("%d contacts, %d notes, %d reads, %d writes; want 1, %d, %d, %d", len(found), len(notes), st.reads, st.writes, tc.notes, tc.reads, tc.writes)
			}
		})
	}
}
