package conversation_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// The demo: Ana (en, es) works Billing, the VIP desk and the Spanish
// queues; Ben (en only, auto-answer) Billing and Technical support; Carla
// (es, away) the Spanish queues.
var (
	anaV   = access.Viewer{UID: "u-ana", AgentID: "ana"}
	benV   = access.Viewer{UID: "u-ben", AgentID: "ben"}
	carlaV = access.Viewer{UID: "u-carla", AgentID: "carla"}
)

type desk struct {
	t     *testing.T
	conv  *conversation.Service
	store *memstore.Store
}

// newDesk is the demo with chat held by Ana (a Spanish chat in
// Facturación) and chat offered-ben waiting in Billing, offered to Ben.
func newDesk(t *testing.T) *desk {
	t.Helper()
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	set := jobs.Compose(jobs.Clients{Store: mem, Bus: discardBus{}, Tasks: discardTasks{},
		URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: clock.Clock{Now: func() time.Time { return now }}})
	mk := func(id, lang, queue string, status chat.Status) chat.Chat {
		return chat.Chat{ID: id, Number: "+14155550101", Consumer: "+1415555017" + id[len(id)-1:], Provider: "twilio", Language: lang,
			QueueID: queue, Status: status, StartType: chat.StartInbound, CreatedAt: now, UpdatedAt: now, QueuedAt: now, Version: 2, NextSeq: 2}
	}
	held := mk("held-1", "es", "es-facturacion", chat.StatusActive)
	held.AgentID, held.StartType = "ana", chat.StartManual
	offered := mk("offered-2", "en", "en-billing", chat.StatusQueued)
	offered.Offer = &chat.Offer{AgentID: "ben", OfferedAt: now, ExpiresAt: now.Add(time.Hour)}
	err := mem.RunTx(ctx, func(tx store.Tx) error {
		for _, c := range []chat.Chat{held, offered} {
			tx.PutChat(c)
			tx.PutConsent(chat.Consent{Number: c.Number, Consumer: c.Consumer, State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage, UpdatedAt: now})
		}
		for id, load := range map[string]int{"ana": 1, "ben": 1} {
			ag, err := tx.Agent(id)
			if err != nil {
				return err
			}
			ag.Load = load
			tx.PutAgent(ag)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &desk{t: t, conv: set.Conversation, store: mem}
}

func (d *desk) agent(id string) chat.Agent {
	d.t.Helper()
	a, err := d.store.Agent(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return a
}

// TestTransferToAQueueNobodyServes: a transfer to a queue where no agent
// could be offered the chat now is refused, naming why, unless forced.
func TestTransferToAQueueNobodyServes(t *testing.T) {
	tests := []struct {
		name       string
		in         conversation.TransferInput
		wantErr    string // in the 409; "" for a transfer made
		wantStatus chat.Status
		wantAgent  string
	}{
		{"a Spanish chat to a queue of English speakers", conversation.TransferInput{ToQueue: "en-tech"},
			"no agent who speaks es is available in Technical support now", "", ""},
		{"to a queue whose only other agent is away", conversation.TransferInput{ToQueue: "es-internet"},
			"no other agent is available in Internet now", "", ""},
		{"forced: it waits in the queue", conversation.TransferInput{ToQueue: "es-internet", Force: true},
			"", chat.StatusQueued, ""},
		{"to a queue with an agent who speaks it", conversation.TransferInput{ToQueue: "es-movil"},
			"", chat.StatusQueued, ""}, // set up below: Carla available, offered it
		{"force is no matter for an agent transfer", conversation.TransferInput{ToAgent: "carla", Force: true},
			"", chat.StatusActive, "ana"}, // Carla is away: the transfer fails at once
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := newDesk(t)
			if tc.in.ToQueue == "es-movil" {
				if _, err := d.conv.SetStatus(ctx, carlaV, "carla", chat.AgentAvailable); err != nil {
					t.Fatal(err)
				}
			}
			got, err := d.conv.Transfer(ctx, anaV, "held-1", tc.in)
			if tc.wantErr != "" {
				if !chat.IsStateError(err) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"force": true`) {
					t.Fatalf("Transfer = %v, want a state error saying %q and how to force it", err, tc.wantErr)
				}
				if c, _ := d.store.Chat(ctx, "held-1"); c.Status != chat.StatusActive || c.AgentID != "ana" || len(c.Transfers) != 0 {
					t.Errorf("a refused transfer changed the chat: %s with %q, %d transfers", c.Status, c.AgentID, len(c.Transfers))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.wantStatus || got.AgentID != tc.wantAgent {
				t.Errorf("chat %s with %q, want %s with %q", got.Status, got.AgentID, tc.wantStatus, tc.wantAgent)
			}
		})
	}
}

func TestTake(t *testing.T) {
	ctx := context.Background()
	forced := func(d *desk) {
		if _, err := d.conv.Transfer(ctx, anaV, "held-1", conversation.TransferInput{ToQueue: "es-internet", Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		setUp   func(d *desk)
		v       access.Viewer
		chat    string
		wantErr error  // nil: taken
		wantMsg string // in the refusal
	}{
		{"the transferring agent takes back a forced transfer", forced, anaV, "held-1", nil, ""},
		{"an agent of the queue takes a colleague's offer", nil, anaV, "offered-2", nil, ""},
		{"an agent of another queue", nil, carlaV, "offered-2", access.ErrForbidden, "not waiting in one of your queues"},
		{"an agent of the queue who is away", forced, carlaV, "held-1", nil, "you are away"},
		{"a held chat of another queue", nil, benV, "held-1", access.ErrForbidden, "not waiting in one of your queues"},
		{"a chat of my queue an agent holds", nil, anaV, "held-1", chat.ErrNotWaiting, "no longer waiting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			if tc.setUp != nil {
				tc.setUp(d)
			}
			before, _ := d.store.Chat(ctx, tc.chat)
			loads := map[string]int{"ana": d.agent("ana").Load, "ben": d.agent("ben").Load}
			got, err := d.conv.Take(ctx, tc.v, tc.chat)
			if tc.wantErr != nil || tc.wantMsg != "" {
				if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Take = %v, want %v %q", err, tc.wantErr, tc.wantMsg)
				}
				if after, _ := d.store.Chat(ctx, tc.chat); after.Version != before.Version {
					t.Errorf("a refused take changed the chat (version %d to %d)", before.Version, after.Version)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			me := tc.v.AgentID
			if got.Status != chat.StatusActive || got.AgentID != me || got.Offer != nil {
				t.Fatalf("chat %s with %q, offer %+v; want active with %s", got.Status, got.AgentID, got.Offer, me)
			}
			msgs, err := d.store.Messages(ctx, tc.chat)
			if err != nil {
				t.Fatal(err)
			}
			if last := msgs[len(msgs)-1]; last.Kind != chat.KindAssigned || !strings.Contains(last.Body, "Ana") {
				t.Errorf("last message %s %q, want Ana's Agent Assigned text", last.Kind, last.Body)
			}
			if tr := got.Transfers; len(tr) > 0 && (tr[len(tr)-1].State != chat.TransferEnded || tr[len(tr)-1].ToAgent != me) {
				t.Errorf("transfer %+v, want ended with %s", tr[len(tr)-1], me)
			}
			wantLoads := map[string]int{"ana": loads["ana"] + 1, "ben": loads["ben"]}
			if before.Offer != nil {
				wantLoads[before.Offer.AgentID]-- // the withdrawn offer
			}
			for id, want := range wantLoads {
				if got := d.agent(id).Load; got != want {
					t.Errorf("%s's load %d, want %d", id, got, want)
				}
			}
			if again, err := d.conv.Take(ctx, tc.v, tc.chat); !errors.Is(err, chat.ErrNotWaiting) {
				t.Errorf("taking it again = %s, %v; want %v", again.Status, err, chat.ErrNotWaiting)
			}
			if ok := slices.Contains(d.agent(me).Languages, got.Language); !ok && len(d.agent(me).Languages) > 0 {
				t.Errorf("%s took a chat in %s", me, got.Language)
			}
		})
	}
}
