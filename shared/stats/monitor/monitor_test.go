package monitor_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/stats/monitor"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	for _, q := range []chat.Queue{{ID: "sup", Name: "Support"}, {ID: "bill", ParentID: "sup", Name: "Billing", Agents: []string{"ana", "ben"}}} {
		if err := st.PutQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []chat.Agent{
		{ID: "ana", Name: "Ana", Status: chat.AgentAvailable, StatusSince: now.Add(-90 * time.Second), Capacity: 2, Load: 2},
		{ID: "ben", Name: "Ben", Status: chat.AgentAway, Capacity: 2},
	} {
		if err := st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	chats := []chat.Chat{
		{ID: "menu", Status: chat.StatusMenu, QueueID: "sup", StartType: chat.StartInbound, CreatedAt: now.Add(-time.Minute)},
		{ID: "wait", Status: chat.StatusQueued, QueueID: "bill", StartType: chat.StartInbound, CreatedAt: now.Add(-3 * time.Minute), QueuedAt: now.Add(-2 * time.Minute)},
		{ID: "offer", Status: chat.StatusQueued, QueueID: "bill", StartType: chat.StartInbound, CreatedAt: now.Add(-time.Minute), QueuedAt: now.Add(-time.Minute),
			Offer: &chat.Offer{AgentID: "ana", OfferedAt: now}},
		{ID: "out", Status: chat.StatusActive, QueueID: "bill", AgentID: "ana", StartType: chat.StartOutbound, CreatedAt: now.Add(-5 * time.Minute),
			AssignedAt: now.Add(-5 * time.Minute), LastBody: "Shipped", LastAuthor: chat.AuthorAgent, LastAt: now.Add(-4 * time.Minute)},
	}
	if err := st.RunTx(ctx, func(tx store.Tx) error {
		for _, c := range chats {
			c.Number, c.Consumer, c.UpdatedAt = "+15550001111", "+15550002222", now
			tx.PutChat(c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Ana answered 4 chats today, with a mean handle time of 2 minutes in
	// Billing.
	if _, err := st.CountChat(ctx, "ended", []stats.Shard{
		{Bucket: stats.Bucket{Day: "2026-11-25", Dim: stats.ByAgent, Value: "ana"}, Counters: stats.Counters{"answered": 4}},
		{Bucket: stats.Bucket{Day: "2026-11-25", Dim: stats.ByQueue, Value: "bill"}, Counters: stats.Counters{"handleMs": 480000, "handleN": 4}},
	}); err != nil {
		t.Fatal(err)
	}
	m := &monitor.Service{Store: st, Clock: clock.Clock{Now: func() time.Time { return now }}}
	snap, err := m.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type agentRow struct {
		ID                             string
		InStatusMs                     int64
		Chats, Offered, Load, Capacity int
		Answered                       int64
	}
	var agents []agentRow
	for _, a := range snap.Agents {
		agents = append(agents, agentRow{a.ID, a.InStatusMs, a.Chats, a.Offered, a.Load, a.Capacity, a.AnsweredToday})
	}
	if d := cmp.Diff([]agentRow{{"ana", 90000, 1, 1, 2, 2, 4}, {"ben", 0, 0, 0, 0, 2, 0}}, agents); d != "" {
		t.Errorf("agents (-want +got):\n%s", d)
	}
	type chatRow struct{ ID, State, Path, Start, Type, Last string }
	var rows []chatRow
	for _, c := range snap.Chats {
		rows = append(rows, chatRow{c.ID, c.State, c.QueuePath, c.StartLabel, c.Type, c.LastMessage})
	}
	want := map[string]chatRow{
		"menu":  {"menu", "menu", "Support", "not answered yet", "SMS", ""},
		"wait":  {"wait", "waiting", "Support > Billing", "not answered yet", "SMS", ""},
		"offer": {"offer", "offered", "Support > Billing", "not answered yet", "SMS", ""},
		"out":   {"out", "active", "Support > Billing", "outbound", "outbound SMS", "Shipped"},
	}
	if len(rows) != len(want) {
		t.Fatalf("chats %+v, want %d", rows, len(want))
	}
	for _, r := range rows {
		if r != want[r.ID] {
			t.Errorf("chat %+v, want %+v", r, want[r.ID])
		}
	}
	var bill monitor.Queue
	for _, q := range snap.Queues {
		if q.ID == "bill" {
			bill = q
		}
	}
	// A new chat is behind the one waiting, with no free slot among Ana's
	// 2 (Ben is away): it waits 2 releases at 2 slots per 2 min = 120 s.
	if bill.Waiting != 1 || bill.Offered != 1 || bill.Active != 1 || bill.LongestWaitMs != 120000 || bill.EWTSeconds != 120 ||
		bill.ByType["outbound SMS"].Active != 1 || bill.ByType["SMS"].Waiting != 1 {
		t.Errorf("Billing %+v, want 1 waiting, 1 offered, 1 active (outbound), longest wait 120 s, EWT 120 s", bill)
	}
}

// reads counts the documents a Firestore read of each call would bill: one
// per document returned, one for a query that returns none, and OpenChats
// runs one query per open status (3).
type reads struct {
	*memstore.Store
	n int
}

func bill(n, queries int) int { return max(n, queries) }

func (r *reads) ConfigRevision(ctx context.Context) (string, error) {
	r.n++
	return r.Store.ConfigRevision(ctx)
}

func (r *reads) Agents(ctx context.Context) ([]chat.Agent, error) {
	as, err := r.Store.Agents(ctx)
	r.n += bill(len(as), 1)
	return as, err
}

func (r *reads) OpenChats(ctx context.Context, qs []string, limit int) ([]chat.Chat, error) {
	cs, err := r.Store.OpenChats(ctx, qs, limit)
	r.n += bill(len(cs), 3)
	return cs, err
}

func (r *reads) StatShardsBy(ctx context.Context, from, to, dim, value string) ([]stats.Shard, error) {
	ss, err := r.Store.StatShardsBy(ctx, from, to, dim, value)
	r.n += bill(len(ss), 1)
	return ss, err
}

// TestSnapshotReadsAreBounded: a refresh reads the revision, each agent and
// each open chat; today's counters only every TodayTTL.
func TestSnapshotReadsAreBounded(t *testing.T) {
	ctx := context.Background()
	st := &reads{Store: memstore.New()}
	for i := range 20 {
		a := chat.Agent{ID: string(rune('a'+i)) + "gent", Name: "Agent", Status: chat.AgentAvailable, Capacity: 3}
		if err := st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutQueue(ctx, chat.Queue{ID: "q", Name: "Q"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RunTx(ctx, func(tx store.Tx) error {
		for i := range 30 {
			tx.PutChat(chat.Chat{ID: string(rune('A'+i)) + "chat", Status: chat.StatusQueued, QueueID: "q", CreatedAt: now, QueuedAt: now, UpdatedAt: now})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	at := now
	m := &monitor.Service{Store: st, Clock: clock.Clock{Now: func() time.Time { return at }}}
	refresh := func() int {
		t.Helper()
		st.n = 0
		if _, err := m.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
		return st.n
	}
	first := refresh() // the configuration and today's counters too
	at = at.Add(time.Second)
	if got, want := refresh(), 1+20+30; got != want {
		t.Errorf("a refresh read %d documents, want %d (revision, 20 agents, 30 open chats)", got, want)
	}
	at = at.Add(monitor.TodayTTL)
	if got := refresh(); got != 1+20+30+2 {
		t.Errorf("a refresh after TodayTTL read %d documents, want today's counters again (2 empty queries) too", got)
	}
	t.Logf("first refresh %d reads, then %d per refresh", first, 1+20+30)
}
