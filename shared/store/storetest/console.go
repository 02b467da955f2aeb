package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The cases of this file cover the agent console's queries: an agent's
// chats, the open chats of queues, a consumer's history, and canned
// messages.

// seedChats writes chats in one transaction.
func seedChats(t *testing.T, s store.Store, cs ...chat.Chat) {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error {
		for _, c := range cs {
			tx.PutChat(c)
		}
		return nil
	})
}

// consoleChat is a chat created at t0 plus some minutes.
func consoleChat(id string, status chat.Status, created float64) chat.Chat {
	c := queued(id, "q1", at(created))
	c.Status, c.CreatedAt = status, at(created)
	if status != chat.StatusQueued {
		c.QueuedAt = time.Time{}
	}
	return c
}

func testAgentChats(t *testing.T, s store.Store) {
	offer := func(agent string) *chat.Offer {
		return &chat.Offer{AgentID: agent, OfferedAt: at(1), ExpiresAt: at(3)}
	}
	ended := func(id, agent string, endedAt float64) chat.Chat {
		c := consoleChat(id, chat.StatusEnded, 0)
		c.AgentID, c.EndReason, c.EndedAt = agent, chat.EndFinished, at(endedAt)
		return c
	}
	offered := consoleChat("offered", chat.StatusQueued, 5)
	offered.Offer = offer("a1")
	transfer := consoleChat("transfer", chat.StatusActive, 2) // a2 holds it, a1 is offered it
	transfer.AgentID, transfer.Offer = "a2", offer("a1")
	held := consoleChat("held", chat.StatusActive, 3)
	held.AgentID = "a1"
	heldToo := consoleChat("held-too", chat.StatusActive, 3) // created with "held": id order
	heldToo.AgentID = "a1"
	othersOffer := consoleChat("others-offer", chat.StatusQueued, 1)
	othersOffer.Offer = offer("a2")
	othersHeld := consoleChat("others-held", chat.StatusActive, 1)
	othersHeld.AgentID = "a2"
	seedChats(t, s, offered, transfer, held, heldToo, othersOffer, othersHeld,
		ended("ended-old", "a1", 10), // before the window
		ended("ended-1", "a1", 62),
		ended("ended-2", "a1", 70),
		ended("ended-2b", "a1", 70), // ended with ended-2: id order, descending
		ended("ended-3", "a1", 65),
		ended("ended-at-since", "a1", 60), // exactly at the window's start: in
		ended("others-ended", "a2", 70),
		consoleChat("waiting", chat.StatusQueued, 0),
		consoleChat("menu", chat.StatusMenu, 0),
	)
	since := at(60)
	for _, tc := range []struct {
		name  string
		agent string
		limit int
		want  []string
	}{
		{"everything", "a1", 10, []string{"transfer", "held", "held-too", "offered", "ended-2b", "ended-2", "ended-3", "ended-1", "ended-at-since"}},
		{"the limit bounds the ended chats", "a1", 2, []string{"transfer", "held", "held-too", "offered", "ended-2b", "ended-2"}},
		{"limit 0 leaves the ended chats out", "a1", 0, []string{"transfer", "held", "held-too", "offered"}},
		{"another agent", "a2", 10, []string{"others-held", "others-offer", "transfer", "others-ended"}},
		{"nobody", "a9", 10, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AgentChats(ctx(t), tc.agent, since, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "agent chats", tc.want, ids(got))
		})
	}
	got, err := s.AgentChats(ctx(t), "a1", since, 1)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the offered chat as stored", offered, got[3])
	if _, err := s.AgentChats(ctx(t), "a1", since, -1); err == nil {
		t.Error("AgentChats with limit -1: no error")
	}
}

func testOpenChats(t *testing.T, s store.Store) {
	inQueue := func(id, queue string, status chat.Status, created float64) chat.Chat {
		c := consoleChat(id, status, created)
		c.QueueID = queue
		return c
	}
	endedChat := inQueue("ended", "q1", chat.StatusEnded, 0)
	endedChat.EndedAt, endedChat.EndReason = at(5), chat.EndFinished
	seedChats(t, s,
		inQueue("m1", "q1", chat.StatusMenu, 4),
		inQueue("w1", "q1", chat.StatusQueued, 2),
		inQueue("a1", "q2", chat.StatusActive, 1),
		inQueue("a2", "q2", chat.StatusActive, 2), // created with w1: id order
		inQueue("o1", "q3", chat.StatusQueued, 3),
		endedChat,
	)
	for _, tc := range []struct {
		name   string
		queues []string
		limit  int
		want   []string
	}{
		{"every queue", nil, 10, []string{"a1", "a2", "w1", "o1", "m1"}},
		{"every queue, limited", nil, 3, []string{"a1", "a2", "w1"}},
		{"some queues", []string{"q1", "q2"}, 10, []string{"a1", "a2", "w1", "m1"}},
		{"some queues, limited", []string{"q2", "q1"}, 2, []string{"a1", "a2"}},
		{"repeated queue ids", []string{"q3", "q3"}, 10, []string{"o1"}},
		{"an unknown queue", []string{"nope"}, 10, []string{}},
		{"no queues", []string{}, 10, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.OpenChats(ctx(t), tc.queues, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "open chats", tc.want, ids(got))
		})
	}
	// More queue ids than Firestore's "in" filter takes: the adapter splits
	// them, so the queues past the 30th are searched too.
	many := make([]string, 0, 41)
	for i := range 40 {
		many = append(many, fmt.Sprint("zz", i))
	}
	many = append(many, "q3")
	got, err := s.OpenChats(ctx(t), many, 10)
	if err != nil {
		t.Fatalf("OpenChats with %d queues: %v", len(many), err)
	}
	diff(t, "open chats of 41 queues", []string{"o1"}, ids(got))
	if _, err := s.OpenChats(ctx(t), nil, 0); err == nil {
		t.Error("OpenChats with limit 0: no error")
	}
	// QueuedChats: the same queries for status queued alone.
	for _, tc := range []struct {
		name   string
		queues []string
		limit  int
		want   []string
	}{
		{"every queue", nil, 10, []string{"w1", "o1"}},
		{"some queues", []string{"q1", "q2"}, 10, []string{"w1"}},
		{"limited", nil, 1, []string{"w1"}},
		{"no queues", []string{}, 10, []string{}},
		{"past Firestore's 30 values", append(many[:40:40], "q3"), 10, []string{"o1"}},
	} {
		t.Run("queued: "+tc.name, func(t *testing.T) {
			got, err := s.QueuedChats(ctx(t), tc.queues, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "queued chats", tc.want, ids(got))
		})
	}
	if _, err := s.QueuedChats(ctx(t), nil, 0); err == nil {
		t.Error("QueuedChats with limit 0: no error")
	}
}

func testConsumerChats(t *testing.T, s store.Store) {
	of := func(id, consumer, number string, created float64) chat.Chat {
		c := consoleChat(id, chat.StatusEnded, created)
		c.Consumer, c.Number, c.EndedAt = consumer, number, at(created+1)
		return c
	}
	const sam, kim = "+14155550170", "+14155550171"
	current := of("c4", sam, "+14155550102", 30)
	current.Status, current.EndedAt = chat.StatusActive, time.Time{}
	seedChats(t, s,
		of("c1", sam, "+14155550101", 0),
		of("c2", sam, "+14155550102", 10),
		of("c3", sam, "+14155550101", 10), // created with c2: id order, descending
		current,
		of("k1", kim, "+14155550101", 20),
	)
	for _, tc := range []struct {
		name     string
		consumer string
		limit    int
		want     []string
	}{
		{"on every number, newest first", sam, 10, []string{"c4", "c3", "c2", "c1"}},
		{"limited", sam, 2, []string{"c4", "c3"}},
		{"another consumer", kim, 10, []string{"k1"}},
		{"a stranger", "+14155550172", 10, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ConsumerChats(ctx(t), tc.consumer, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "consumer chats", tc.want, ids(got))
		})
	}
	got, err := s.ConsumerChats(ctx(t), sam, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("ConsumerChats = %d chats, %v", len(got), err)
	}
	diff(t, "the open chat as stored", current, got[0])
	if _, err := s.ConsumerChats(ctx(t), sam, 0); err == nil {
		t.Error("ConsumerChats with limit 0: no error")
	}
}

func testCanned(t *testing.T, s store.Store) {
	list := func() []chat.Canned {
		t.Helper()
		cs, err := s.CannedMessages(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	if cs := list(); len(cs) != 0 {
		t.Fatalf("canned messages of an empty store: %+v", cs)
	}
	hello := chat.Canned{ID: "hello", Title: "Hello", Language: "en", Body: "Hi @{CONSUMER_FIRST_NAME}, I am @{AGENT}.", QueueIDs: []string{"q1", "q2"}}
	bye := chat.Canned{ID: "bye", Title: "Bye", Body: "Goodbye!"}
	for _, c := range []chat.Canned{hello, bye} {
		if err := s.PutCanned(ctx(t), c); err != nil {
			t.Fatal(err)
		}
	}
	got := list()
	diff(t, "canned messages in id order", []chat.Canned{bye, hello}, got)
	got[1].QueueIDs[0] = "xx"
	diff(t, "canned messages after the caller changed its copy", []chat.Canned{bye, hello}, list())

	hello.Body, hello.QueueIDs = "Hello!", nil
	if err := s.PutCanned(ctx(t), hello); err != nil {
		t.Fatal(err)
	}
	diff(t, "canned messages after a replace", []chat.Canned{bye, hello}, list())
	for _, id := range []string{"bye", "bye", "never"} {
		if err := s.DeleteCanned(ctx(t), id); err != nil {
			t.Errorf("DeleteCanned(%s) = %v, want nil", id, err)
		}
	}
	diff(t, "canned messages after a delete", []chat.Canned{hello}, list())
}
