package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The cases of this file cover the directory (agents, teams, queues) and
// what routing needs from a transaction: agents read and written with the
// chat they take, and the waiting chats of a set of queues.

// at is t0 plus some minutes.
func at(minutes float64) time.Time { return t0.Add(time.Duration(minutes * float64(time.Minute))) }

// queued returns a chat waiting in a queue since a time.
func queued(id, queueID string, since time.Time) chat.Chat {
	return chat.Chat{ID: id, Number: "+15550001111", Consumer: "+1555000" + id, Provider: "twilio",
		Language: "en", QueueID: queueID, Status: chat.StatusQueued, StartType: chat.StartInbound,
		CreatedAt: t0, UpdatedAt: since, QueuedAt: since, Version: 2, NextSeq: 3}
}

func ids(cs []chat.Chat) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// waitingIn runs WaitingChats in a transaction of its own.
func waitingIn(t *testing.T, s store.Store, queueIDs []string, limit int) []chat.Chat {
	t.Helper()
	var got []chat.Chat
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		got, err = tx.WaitingChats(queueIDs, limit)
		return err
	})
	return got
}

func testDirectory(t *testing.T, s store.Store) {
	if _, err := s.Agent(ctx(t), "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Agent(missing) = %v, want ErrNotFound", err)
	}
	for _, list := range []struct {
		name string
		fn   func() (int, error)
	}{
		{"agents", func() (int, error) { as, err := s.Agents(ctx(t)); return len(as), err }},
		{"teams", func() (int, error) { ts, err := s.Teams(ctx(t)); return len(ts), err }},
	} {
		if n, err := list.fn(); err != nil || n != 0 {
			t.Errorf("%s of an empty store = %d, %v; want none", list.name, n, err)
		}
	}
	agents := []chat.Agent{
		{ID: "a1", Name: "Ana", Email: "ana@example.com", Languages: []string{"en", "es"}, Status: chat.AgentAvailable,
			Capacity: 3, AutoAnswer: true, Load: 2, LastAssignedAt: at(5)},
		{ID: "a2", Name: "Bo", Status: chat.AgentAway, Capacity: 1, StatusReason: "missed offer"},
	}
	teams := []chat.Team{
		{ID: "t1", Name: "Billing", Members: []string{"a1", "a2"}},
		{ID: "t2", Name: "Nobody yet"},
	}
	requeue := true
	queue := chat.Queue{ID: "en-billing", ParentID: "en", Name: "Billing", Order: 2, Keywords: []string{"2"},
		Language: "en", Timeouts: chat.Timeouts{QueueMinutes: 30, OfferMinutes: 1},
		Messages: map[string]map[string]string{"en": {"waiting": "Hold on"}, "es": {"waiting": "Espere"}},
		Agents:   []string{"a1"}, Teams: []string{"t1"}, RequeueOnAgentInactivity: &requeue}
	// Written out of order: lists come back in id order.
	for _, i := range []int{1, 0} {
		if err := s.PutAgent(ctx(t), agents[i]); err != nil {
			t.Fatal(err)
		}
		if err := s.PutTeam(ctx(t), teams[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutQueue(ctx(t), queue); err != nil {
		t.Fatal(err)
	}
	gotA, err := s.Agents(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "agents", agents, gotA)
	gotT, err := s.Teams(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "teams", teams, gotT)
	gotQ, err := s.Queues(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "queues", []chat.Queue{queue}, gotQ)
	one, err := s.Agent(ctx(t), "a1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "agent a1", agents[0], one)

	// What a caller reads is its own copy.
	one.Languages[0] = "xx"
	gotA[0].Languages[1] = "xx"
	gotT[0].Members[0] = "xx"
	again, err := s.Agent(ctx(t), "a1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "agent a1 after the caller changed its copies", agents[0], again)
	gotT, err = s.Teams(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "teams after the caller changed its copy", teams, gotT)
}

// testDeletes deletes one of two documents of each kind, then deletes it
// again and deletes one that never existed: both are no-ops.
func testDeletes(t *testing.T, s store.Store) {
	type kind struct {
		name     string
		put, del func(id string) error
		list     func() ([]string, error)
		// get reads one document, where the store can.
		get  func(id string) error
		keep string
		drop string
	}
	listIDs := func(n int, err error, id func(int) string) ([]string, error) {
		out := []string{}
		for i := range n {
			out = append(out, id(i))
		}
		return out, err
	}
	kinds := []kind{
		{
			name: "number", keep: "+15550000001", drop: "+15550000002",
			put: func(id string) error {
				return s.PutNumber(ctx(t), chat.Number{E164: id, Provider: "twilio", EntryQueue: "en"})
			},
			del: func(id string) error { return s.DeleteNumber(ctx(t), id) },
			list: func() ([]string, error) {
				ns, err := s.Numbers(ctx(t))
				return listIDs(len(ns), err, func(i int) string { return ns[i].E164 })
			},
			get: func(id string) error { _, err := s.Number(ctx(t), id); return err },
		},
		{
			name: "queue", keep: "q1", drop: "q2",
			put: func(id string) error { return s.PutQueue(ctx(t), chat.Queue{ID: id, Name: id}) },
			del: func(id string) error { return s.DeleteQueue(ctx(t), id) },
			list: func() ([]string, error) {
				qs, err := s.Queues(ctx(t))
				return listIDs(len(qs), err, func(i int) string { return qs[i].ID })
			},
		},
		{
			name: "team", keep: "t1", drop: "t2",
			put: func(id string) error { return s.PutTeam(ctx(t), chat.Team{ID: id, Name: id}) },
			del: func(id string) error { return s.DeleteTeam(ctx(t), id) },
			list: func() ([]string, error) {
				ts, err := s.Teams(ctx(t))
				return listIDs(len(ts), err, func(i int) string { return ts[i].ID })
			},
		},
		{
			name: "agent", keep: "a1", drop: "a2",
			put: func(id string) error {
				return s.PutAgent(ctx(t), chat.Agent{ID: id, Name: id, Status: chat.AgentAvailable, Capacity: 1})
			},
			del: func(id string) error { return s.DeleteAgent(ctx(t), id) },
			list: func() ([]string, error) {
				as, err := s.Agents(ctx(t))
				return listIDs(len(as), err, func(i int) string { return as[i].ID })
			},
			get: func(id string) error { _, err := s.Agent(ctx(t), id); return err },
		},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			for _, id := range []string{k.keep, k.drop} {
				if err := k.put(id); err != nil {
					t.Fatalf("put %s: %v", id, err)
				}
			}
			for _, id := range []string{k.drop, k.drop, "never-" + k.drop} {
				if err := k.del(id); err != nil {
					t.Errorf("delete %s = %v, want nil", id, err)
				}
			}
			got, err := k.list()
			if err != nil {
				t.Fatal(err)
			}
			diff(t, k.name+"s left", []string{k.keep}, got)
			if k.get == nil {
				return
			}
			if err := k.get(k.drop); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("get deleted %s = %v, want ErrNotFound", k.drop, err)
			}
			if err := k.get(k.keep); err != nil {
				t.Errorf("get kept %s = %v", k.keep, err)
			}
		})
	}
}

func testTxAgent(t *testing.T, s store.Store) {
	a := chat.Agent{ID: "a1", Name: "Ana", Languages: []string{"en"}, Status: chat.AgentAvailable, Capacity: 2}
	mustTx(t, s, func(tx store.Tx) error {
		if _, err := tx.Agent("a1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Agent(missing) in tx = %v, want ErrNotFound", err)
		}
		tx.PutAgent(a)
		got, err := tx.Agent("a1")
		if err != nil {
			return fmt.Errorf("read staged agent: %w", err)
		}
		diff(t, "staged agent", a, got)
		got.Load++
		got.LastAssignedAt = at(1)
		tx.PutAgent(got)
		got, err = tx.Agent("a1")
		if err != nil || got.Load != 1 || !got.LastAssignedAt.Equal(at(1)) {
			return fmt.Errorf("agent staged twice = %+v, %v; want load 1", got, err)
		}
		return nil
	})
	want := a
	want.Load, want.LastAssignedAt = 1, at(1)
	got, err := s.Agent(ctx(t), "a1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "committed agent", want, got)

	boom := errors.New("boom")
	err = s.RunTx(ctx(t), func(tx store.Tx) error {
		a, err := tx.Agent("a1")
		if err != nil {
			return err
		}
		a.Load, a.Status, a.StatusReason = 2, chat.AgentAway, "missed offer"
		tx.PutAgent(a)
		tx.PutAgent(chat.Agent{ID: "a2", Name: "Bo", Status: chat.AgentAvailable, Capacity: 1})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("RunTx = %v, want the function's error", err)
	}
	got, err = s.Agent(ctx(t), "a1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "agent after a failed tx", want, got)
	if _, err := s.Agent(ctx(t), "a2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("agent put by a failed tx = %v, want ErrNotFound", err)
	}
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.Agent("a1")
		if err != nil {
			return err
		}
		diff(t, "agent in tx after a failed tx", want, got)
		return nil
	})
}

// testChatRoutingFields round-trips the fields routing keeps on a chat, and
// checks that a caller changing what it read changes nothing stored.
func testChatRoutingFields(t *testing.T, s store.Store) {
	c := queued("r1", "q1", at(1))
	c.Status, c.AgentID, c.AssignedAt, c.Version = chat.StatusActive, "a1", at(3), 5
	c.Offer = &chat.Offer{AgentID: "a1", OfferedAt: at(2), ExpiresAt: at(4)}
	c.Declined = []string{"a2", "a3"}
	c.Timers = []chat.Timer{
		{ChatID: "r1", Kind: chat.TimerAgentInactivity, Version: 5, DueAt: at(18)},
		{ChatID: "r1", Kind: chat.TimerExpiry, Version: 1, DueAt: at(24 * 60)},
	}
	c.Outbox, c.LastCause = []int64{3, 4}, "twilio_SM9"
	mustTx(t, s, func(tx store.Tx) error { tx.PutChat(c); return nil })
	mutate := func(x *chat.Chat) {
		x.Offer.AgentID = "xx"
		x.Declined[0] = "xx"
		x.Timers[0].Version = 99
		x.Outbox[0] = 99
	}
	got, err := s.Chat(ctx(t), "r1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "chat", c, got)
	mutate(&got)
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.Chat("r1")
		if err != nil {
			return err
		}
		diff(t, "chat in tx after the caller changed its copy", c, got)
		mutate(&got)
		return nil
	})
	got, err = s.Chat(ctx(t), "r1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "chat after callers changed their copies", c, got)
}

func testWaitingChats(t *testing.T, s store.Store) {
	seed := []chat.Chat{
		queued("w1", "q1", at(3)),
		queued("w2", "q2", at(1)),
		queued("w3", "q1", at(2)),
		queued("w4", "q1", at(2)), // waiting as long as w3: id order
		queued("o1", "q3", at(0)),
	}
	notWaiting := []chat.Chat{queued("act", "q1", at(0)), queued("menu", "q1", at(0)), queued("end", "q1", at(0)),
		// A zero QueuedAt is not stored, and Firestore leaves a document
		// without the ordered field out of the query.
		queued("never", "q1", time.Time{})}
	notWaiting[0].Status, notWaiting[0].AgentID = chat.StatusActive, "a1"
	notWaiting[1].Status = chat.StatusMenu
	notWaiting[2].Status, notWaiting[2].EndReason = chat.StatusEnded, chat.EndFinished
	byID := map[string]chat.Chat{}
	mustTx(t, s, func(tx store.Tx) error {
		for _, c := range append(slices.Clone(seed), notWaiting...) {
			tx.PutChat(c)
			byID[c.ID] = c
		}
		return nil
	})
	thirty := []string{"q1"}
	for i := range 29 {
		thirty = append(thirty, fmt.Sprintf("x%02d", i))
	}
	var padded []string
	for i := range 40 {
		padded = append(padded, fmt.Sprintf("a%02d", i))
	}
	for _, tc := range []struct {
		name     string
		queueIDs []string
		limit    int
		want     []string
		wantErr  bool
	}{
		{name: "one queue, longest waiting first", queueIDs: []string{"q1"}, limit: 10, want: []string{"w3", "w4", "w1"}},
		{name: "two queues merged", queueIDs: []string{"q1", "q2"}, limit: 10, want: []string{"w2", "w3", "w4", "w1"}},
		{name: "limit", queueIDs: []string{"q1", "q2"}, limit: 2, want: []string{"w2", "w3"}},
		{name: "limit one", queueIDs: []string{"q2", "q1"}, limit: 1, want: []string{"w2"}},
		{name: "repeated queue ids", queueIDs: []string{"q1", "q2", "q1"}, limit: 10, want: []string{"w2", "w3", "w4", "w1"}},
		{name: "another queue", queueIDs: []string{"q3"}, limit: 10, want: []string{"o1"}},
		{name: "unknown queue", queueIDs: []string{"nope"}, limit: 10, want: []string{}},
		{name: "no queues", queueIDs: nil, limit: 10, want: []string{}},
		{name: "thirty queues", queueIDs: thirty, limit: 10, want: []string{"w3", "w4", "w1"}},
		// Past Firestore's 30 "in" values: the adapter splits the list, and
		// the queues that sort last are searched too.
		{name: "more than thirty queues", queueIDs: append(padded, "q1", "q3"), limit: 10, want: []string{"o1", "w3", "w4", "w1"}},
		{name: "zero limit", queueIDs: []string{"q1"}, limit: 0, wantErr: true},
		{name: "negative limit", queueIDs: []string{"q1"}, limit: -1, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustTx(t, s, func(tx store.Tx) error {
				got, err := tx.WaitingChats(tc.queueIDs, tc.limit)
				if tc.wantErr {
					if err == nil {
						t.Errorf("WaitingChats(%d ids, %d) = %v, want an error", len(tc.queueIDs), tc.limit, ids(got))
					}
					return nil
				}
				if err != nil {
					return err
				}
				want := []chat.Chat{}
				for _, id := range tc.want {
					want = append(want, byID[id])
				}
				diff(t, "waiting chats", want, got)
				return nil
			})
		})
	}
}

// testWaitingOverlay checks that WaitingChats sees the transaction's own
// chat writes: a chat put queued appears, a chat taken disappears, a chat
// requeued moves, and a chat the query returned but the transaction took
// leaves room for the next one.
func testWaitingOverlay(t *testing.T, s store.Store) {
	c1, c2, c3, c4 := queued("c1", "q1", at(1)), queued("c2", "q1", at(2)), queued("c3", "q1", at(3)), queued("c4", "q2", at(4))
	committed := []chat.Chat{c1, c2, c3, c4}
	mustTx(t, s, func(tx store.Tx) error {
		for _, c := range committed {
			tx.PutChat(c)
		}
		return nil
	})
	both := []string{"q1", "q2"}
	check := func(tx store.Tx, what string, queueIDs []string, limit int, want ...chat.Chat) error {
		got, err := tx.WaitingChats(queueIDs, limit)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		diff(t, what, want, got)
		return nil
	}
	taken := c1
	taken.Status, taken.AgentID, taken.AssignedAt, taken.Version = chat.StatusActive, "a1", at(5), c1.Version+1
	requeued := c3
	requeued.QueuedAt, requeued.Version = at(0), c3.Version+1
	n1 := queued("n1", "q2", at(2.5))
	elsewhere := queued("x1", "q9", at(0))
	menu := queued("m1", "q1", at(0))
	menu.Status = chat.StatusMenu
	boom := errors.New("boom")
	err := s.RunTx(ctx(t), func(tx store.Tx) error {
		if err := check(tx, "before any write", both, 10, c1, c2, c3, c4); err != nil {
			return err
		}
		tx.PutChat(taken)
		// c1 was first in the queue: c3 must fill the limit.
		if err := check(tx, "after taking c1", []string{"q1"}, 2, c2, c3); err != nil {
			return err
		}
		for _, c := range []chat.Chat{requeued, n1, elsewhere, menu} {
			tx.PutChat(c)
		}
		if err := check(tx, "after requeueing c3 and queueing n1", both, 10, requeued, c2, n1, c4); err != nil {
			return err
		}
		if err := check(tx, "limited", both, 3, requeued, c2, n1); err != nil {
			return err
		}
		if err := check(tx, "one queue", []string{"q1"}, 10, requeued, c2); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("RunTx = %v, want the function's error", err)
	}
	diff(t, "waiting chats after a failed tx", committed, waitingIn(t, s, both, 10))
	mustTx(t, s, func(tx store.Tx) error { tx.PutChat(taken); tx.PutChat(n1); return nil })
	diff(t, "waiting chats after a committed tx", []chat.Chat{c2, n1, c3, c4}, waitingIn(t, s, both, 10))
}

// testAgentContention raises one agent's load from many transactions at
// once: none may be lost, which is what keeps an agent from being given
// more chats than its capacity.
func testAgentContention(t *testing.T, s store.Store) {
	const writers = 10
	if err := s.PutAgent(ctx(t), chat.Agent{ID: "a1", Name: "Ana", Status: chat.AgentAvailable, Capacity: writers}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			errs <- s.RunTx(ctx(t), func(tx store.Tx) error {
				a, err := tx.Agent("a1")
				if err != nil {
					return err
				}
				if !a.Free() {
					return fmt.Errorf("writer %d: agent full at load %d", i, a.Load)
				}
				a.Load++
				a.LastAssignedAt = at(float64(i))
				tx.PutAgent(a)
				return nil
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent RunTx: %v", err)
		}
	}
	a, err := s.Agent(ctx(t), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Load != writers {
		t.Errorf("after %d transactions load = %d, want %d", writers, a.Load, writers)
	}
}

// testAssignContention has as many transactions as waiting chats each take
// the longest waiting chat for an agent of its own, all at once: every chat
// must go to exactly one agent. Only the query's read of a chat ties the
// transactions together, so this is the guarantee that a chat two routers
// see at the same time is assigned once.
func testAssignContention(t *testing.T, s store.Store) {
	const n = 10
	mustTx(t, s, func(tx store.Tx) error {
		for i := range n {
			tx.PutChat(queued(fmt.Sprintf("k%02d", i), "q1", at(float64(i))))
			tx.PutAgent(chat.Agent{ID: fmt.Sprintf("g%02d", i), Name: "agent", Status: chat.AgentAvailable, Capacity: 1})
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.RunTx(ctx(t), func(tx store.Tx) error {
				ws, err := tx.WaitingChats([]string{"q1"}, 1)
				if err != nil {
					return err
				}
				if len(ws) == 0 {
					return fmt.Errorf("router %d found no waiting chat", i)
				}
				a, err := tx.Agent(fmt.Sprintf("g%02d", i))
				if err != nil {
					return err
				}
				if !a.Free() {
					return fmt.Errorf("router %d: agent %s already has a chat", i, a.ID)
				}
				c := ws[0]
				c.Status, c.AgentID, c.AssignedAt, c.Version = chat.StatusActive, a.ID, at(30), c.Version+1
				tx.PutChat(c)
				a.Load++
				a.LastAssignedAt = at(30)
				tx.PutAgent(a)
				return nil
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent RunTx: %v", err)
		}
	}
	agentOf := map[string]string{} // agent → chat
	for i := range n {
		id := fmt.Sprintf("k%02d", i)
		c, err := s.Chat(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != chat.StatusActive || c.AgentID == "" {
			t.Errorf("chat %s: status %s agent %q, want active with an agent", id, c.Status, c.AgentID)
			continue
		}
		if prev, ok := agentOf[c.AgentID]; ok {
			t.Errorf("agent %s got both %s and %s", c.AgentID, prev, id)
		}
		agentOf[c.AgentID] = id
	}
	as, err := s.Agents(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Load != 1 {
			t.Errorf("agent %s load = %d, want 1", a.ID, a.Load)
		}
	}
	if left := waitingIn(t, s, []string{"q1"}, n); len(left) != 0 {
		t.Errorf("chats still waiting: %v", ids(left))
	}
}
