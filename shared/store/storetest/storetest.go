// Package storetest is the contract every store.Store adapter passes: the
// Firestore adapter on the emulator and the embedded memstore run the same
// cases, so the embedded twin cannot drift from production behaviour.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// NewStore returns an empty store for one test.
type NewStore func(t *testing.T) store.Store

var t0 = time.Date(2026, 11, 25, 14, 0, 0, 123456000, time.UTC)

// Run runs the contract suite.
func Run(t *testing.T, newStore NewStore) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"inbound dedupe", testInboundDedupe},
		{"configuration", testConfiguration},
		{"configuration revision", testConfigRevision},
		{"chat and transcript", testChatAndTranscript},
		{"consent and ledger", testConsentLedger},
		{"active chat per thread", testActiveChat},
		{"transaction reads its own writes", testReadYourWrites},
		{"failed transaction writes nothing", testRollback},
		{"transactions under contention", testContention},
		{"delivery updates without a transaction", testUpdateDelivery},
		{"send outcome written without a read", testRecordSend},
		{"agents, teams and queues", testDirectory},
		{"deletes are idempotent", testDeletes},
		{"transaction reads and writes agents", testTxAgent},
		{"chat routing fields are stored and copied", testChatRoutingFields},
		{"waiting chats: order, filters, limit and errors", testWaitingChats},
		{"waiting chats see the transaction's writes", testWaitingOverlay},
		{"agent load under contention", testAgentContention},
		{"concurrent routers assign each chat once", testAssignContention},
		{"an agent's chats", testAgentChats},
		{"open chats of queues", testOpenChats},
		{"a consumer's chats", testConsumerChats},
		{"canned messages", testCanned},
		{"API keys", testAPIKeys},
		{"rate-limit tokens are created once", testRateTokens},
		{"outbound request records", testOutboundRequests},
		{"pacing lanes", testPacingLanes},
		{"concurrent pacing reservations", testPacingContention},
		{"outbound batches", testOutboundBatches},
		{"IVR turns", testIVRTurns}, {"IVR queues", testIVRQueues},
		{"IVR calls", testIVRCalls}, {"IVR app tokens are used once", testIVRAppTokens},
		{"statistics counters", testStats},
		{"private notes, mentions and chat search", testNotesAndSearch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustTx(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.RunTx(ctx(t), fn); err != nil {
		t.Fatalf("RunTx: %v", err)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func testInboundDedupe(t *testing.T, s store.Store) {
	rec := store.InboundRecord{
		Message: chat.Inbound{
			ID: "twilio_SM1", Provider: "twilio", ProviderMessageID: "SM1",
			Number: "+15550001111", Consumer: "+15552223333", Body: "hello",
			Media:      []chat.Media{{URL: "https://media.example/1", ContentType: "image/jpeg"}},
			ReceivedAt: t0,
		},
		ExpireAt: t0.Add(store.InboundRetention),
	}
	if err := s.CreateInbound(ctx(t), rec); err != nil {
		t.Fatalf("first CreateInbound: %v", err)
	}
	dup := rec
	dup.Message.Body = "changed"
	if err := s.CreateInbound(ctx(t), dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second CreateInbound = %v, want ErrConflict", err)
	}
	got, err := s.Inbound(ctx(t), rec.Message.ID)
	if err != nil {
		t.Fatalf("Inbound: %v", err)
	}
	diff(t, "inbound record", rec, got)
	if _, err := s.Inbound(ctx(t), "twilio_nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Inbound(missing) = %v, want ErrNotFound", err)
	}
}

func testConfiguration(t *testing.T, s store.Store) {
	if _, err := s.Number(ctx(t), "+15550009999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Number(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Settings(ctx(t)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Settings(unset) = %v, want ErrNotFound", err)
	}
	n := chat.Number{E164: "+15550001111", Provider: "twilio", EntryQueue: "en", Language: "en", Enabled: true, CampaignID: "C1", MessagesPerSecond: 1}
	if err := s.PutNumber(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	got, err := s.Number(ctx(t), n.E164)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "number", n, got)
	st := chat.DefaultSettings()
	st.Messages = map[string]map[string]string{"es": {"optIn": "hola"}}
	if err := s.PutSettings(ctx(t), st); err != nil {
		t.Fatal(err)
	}
	gotSt, err := s.Settings(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "settings", st, gotSt)
	n2 := chat.Number{E164: "+15550000001", Provider: "twilio", EntryQueue: "es", Language: "es"}
	if err := s.PutNumber(ctx(t), n2); err != nil {
		t.Fatal(err)
	}
	all, err := s.Numbers(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "numbers in id order", []chat.Number{n2, n}, all)
	queues := []chat.Queue{
		{ID: "en", Name: "English", Order: 1, Language: "en"},
		{ID: "en-billing", ParentID: "en", Name: "Billing", Order: 1, Keywords: []string{"1", "BILL"}, Agents: []string{"a1"}},
	}
	agents := []chat.Agent{{ID: "a1", Name: "Ana", Status: chat.AgentAvailable, Capacity: 3, Languages: []string{"en", "es"}}}
	for _, q := range queues {
		if err := s.PutQueue(ctx(t), q); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range agents {
		if err := s.PutAgent(ctx(t), a); err != nil {
			t.Fatal(err)
		}
	}
	gotQ, err := s.Queues(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "queues", queues, gotQ)
	gotA, err := s.Agents(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "agents", agents, gotA)
	mustTx(t, s, func(tx store.Tx) error {
		gotN, err := tx.Number(n.E164)
		if err != nil {
			return err
		}
		diff(t, "number in tx", n, gotN)
		gotS, err := tx.Settings()
		if err != nil {
			return err
		}
		diff(t, "settings in tx", st, gotS)
		return nil
	})
}

func testChatAndTranscript(t *testing.T, s store.Store) {
	c := chat.Chat{ID: "chat1", Number: "+15550001111", Consumer: "+15552223333", Provider: "twilio",
		Language: "en", QueueID: "q", Status: chat.StatusQueued, StartType: chat.StartInbound,
		CreatedAt: t0, UpdatedAt: t0, Version: 1, NextSeq: 4}
	msgs := []chat.Message{
		{ChatID: "chat1", Seq: 3, Author: chat.AuthorSystem, Kind: chat.KindOptIn, Body: "third", CreatedAt: t0,
			Encoding: "GSM-7", Segments: 1, Send: chat.Send{State: chat.SendPending}},
		{ChatID: "chat1", Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "first", InboundID: "twilio_SM1", CreatedAt: t0,
			Media: []chat.Media{{URL: "u1", ContentType: "image/png"}, {URL: "u2", ContentType: "video/mp4"}}},
		{ChatID: "chat1", Seq: 2, Author: chat.AuthorAgent, Kind: chat.KindText, Body: "second ✓", CreatedAt: t0,
			Send:     chat.Send{State: chat.SendSent, Attempts: 1, SentAt: t0},
			Delivery: chat.Delivery{Status: chat.DeliveryDelivered, UpdatedAt: t0}, ProviderMessageID: "SMx"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		tx.PutChat(c)
		for _, m := range msgs {
			tx.PutMessage(m)
		}
		return nil
	})
	got, err := s.Chat(ctx(t), "chat1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "chat", c, got)
	list, err := s.Messages(ctx(t), "chat1")
	if err != nil {
		t.Fatal(err)
	}
	want := []chat.Message{msgs[1], msgs[2], msgs[0]}
	diff(t, "transcript in sequence order", want, list)
	for after, want := range map[int64][]chat.Message{0: want, 1: want[1:], 2: want[2:], 3: nil, 9: nil} {
		got, err := s.MessagesAfter(ctx(t), "chat1", after)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, fmt.Sprintf("messages after %d", after), want, got)
	}
	one, err := s.Message(ctx(t), chat.Ref{ChatID: "chat1", Seq: 2})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "message 2", msgs[2], one)
	if _, err := s.Message(ctx(t), chat.Ref{ChatID: "chat1", Seq: 9}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Message(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Chat(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Chat(missing) = %v, want ErrNotFound", err)
	}
}

func testConsentLedger(t *testing.T, s store.Store) {
	num, who := "+15550001111", "+15552223333"
	if _, err := s.Consent(ctx(t), num, who); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Consent(none) = %v, want ErrNotFound", err)
	}
	in := chat.ConsentEvent{ID: "twilio_SM1", Action: chat.ActionOptIn, Source: chat.SourceFirstMessage, InboundID: "twilio_SM1", At: t0}
	out := chat.ConsentEvent{ID: "twilio_SM2", Action: chat.ActionOptOut, Source: chat.SourceKeyword, Keyword: "STOP", At: t0.Add(time.Minute)}
	ref := chat.Ref{ChatID: "c", Seq: 3}
	consent := chat.Consent{Number: num, Consumer: who, State: chat.ConsentOptedOut, Source: chat.SourceKeyword, Keyword: "STOP", UpdatedAt: out.At, OptOutConfirmation: &ref}
	mustTx(t, s, func(tx store.Tx) error {
		tx.AddConsentEvent(num, who, out)
		tx.AddConsentEvent(num, who, in)
		tx.PutConsent(consent)
		return nil
	})
	// A retried write of the same event lands on the same ledger entry.
	mustTx(t, s, func(tx store.Tx) error {
		tx.AddConsentEvent(num, who, out)
		return nil
	})
	got, err := s.Consent(ctx(t), num, who)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "consent", consent, got)
	evs, err := s.ConsentEvents(ctx(t), num, who)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ledger in time order", []chat.ConsentEvent{in, out}, evs)
}

func testActiveChat(t *testing.T, s store.Store) {
	num, who := "+15550001111", "+15552223333"
	mustTx(t, s, func(tx store.Tx) error {
		if _, err := tx.ActiveChatID(num, who); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ActiveChatID(none) = %v, want ErrNotFound", err)
		}
		tx.SetActiveChat(num, who, "chatA")
		return nil
	})
	mustTx(t, s, func(tx store.Tx) error {
		id, err := tx.ActiveChatID(num, who)
		if err != nil || id != "chatA" {
			return fmt.Errorf("ActiveChatID = %q, %v; want chatA", id, err)
		}
		// Another number of the same consumer is another thread.
		if _, err := tx.ActiveChatID("+15550004444", who); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("other thread = %v, want ErrNotFound", err)
		}
		tx.ClearActiveChat(num, who)
		return nil
	})
	mustTx(t, s, func(tx store.Tx) error {
		if _, err := tx.ActiveChatID(num, who); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("after clear = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testReadYourWrites(t *testing.T, s store.Store) {
	mustTx(t, s, func(tx store.Tx) error {
		tx.PutChat(chat.Chat{ID: "c1", Version: 1, Status: chat.StatusQueued, CreatedAt: t0, UpdatedAt: t0})
		c, err := tx.Chat("c1")
		if err != nil {
			return fmt.Errorf("read staged chat: %w", err)
		}
		if c.Version != 1 {
			return fmt.Errorf("staged chat version = %d, want 1", c.Version)
		}
		tx.SetActiveChat("n", "c", "c1")
		tx.ClearActiveChat("n", "c")
		if _, err := tx.ActiveChatID("n", "c"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("staged clear then read = %v, want ErrNotFound", err)
		}
		tx.PutMessage(chat.Message{ChatID: "c1", Seq: 1, Body: "x", CreatedAt: t0})
		m, err := tx.Message(chat.Ref{ChatID: "c1", Seq: 1})
		if err != nil || m.Body != "x" {
			return fmt.Errorf("read staged message = %+v, %v", m, err)
		}
		return nil
	})
}

func testRollback(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.RunTx(ctx(t), func(tx store.Tx) error {
		tx.PutChat(chat.Chat{ID: "gone", Version: 1, CreatedAt: t0, UpdatedAt: t0})
		tx.SetActiveChat("n", "c", "gone")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("RunTx = %v, want the function's error", err)
	}
	if _, err := s.Chat(ctx(t), "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("chat after failed tx = %v, want ErrNotFound", err)
	}
	mustTx(t, s, func(tx store.Tx) error {
		if _, err := tx.ActiveChatID("n", "c"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("active chat after failed tx = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// testContention appends messages to one chat from many goroutines at once:
// every append must get its own sequence number and none may be lost, which
// is what the chat transaction relies on when deliveries race.
func testContention(t *testing.T, s store.Store) {
	const writers = 8
	mustTx(t, s, func(tx store.Tx) error {
		tx.PutChat(chat.Chat{ID: "hot", NextSeq: 1, Version: 1, CreatedAt: t0, UpdatedAt: t0})
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.RunTx(ctx(t), func(tx store.Tx) error {
				c, err := tx.Chat("hot")
				if err != nil {
					return err
				}
				tx.PutMessage(chat.Message{ChatID: "hot", Seq: c.NextSeq, Body: fmt.Sprint("writer ", i), CreatedAt: t0})
				c.NextSeq++
				c.Version++
				tx.PutChat(c)
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent RunTx: %v", err)
		}
	}
	c, err := s.Chat(ctx(t), "hot")
	if err != nil {
		t.Fatal(err)
	}
	if c.NextSeq != writers+1 || c.Version != writers+1 {
		t.Errorf("after %d writers: nextSeq=%d version=%d, want %d", writers, c.NextSeq, c.Version, writers+1)
	}
	ms, err := s.Messages(ctx(t), "hot")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]bool{}
	for i, m := range ms {
		if m.Seq != int64(i+1) {
			t.Errorf("message %d has seq %d", i, m.Seq)
		}
		bodies[m.Body] = true
	}
	if len(ms) != writers || len(bodies) != writers {
		t.Errorf("got %d messages from %d distinct writers, want %d", len(ms), len(bodies), writers)
	}
}

// testConfigRevision: every write of routing configuration changes the
// revision; routing state (agents' load, chats) does not, or caches would
// be refreshed on every message.
func testConfigRevision(t *testing.T, s store.Store) {
	rev := func() string {
		t.Helper()
		r, err := s.ConfigRevision(ctx(t))
		if err != nil {
			t.Fatalf("ConfigRevision: %v", err)
		}
		return r
	}
	if r := rev(); r != "" {
		t.Fatalf("revision of an empty store = %q, want \"\"", r)
	}
	seen := map[string]bool{"": true}
	steps := []struct {
		name    string
		changes bool
		fn      func() error
	}{
		{"put settings", true, func() error { return s.PutSettings(ctx(t), chat.DefaultSettings()) }},
		{"put queue", true, func() error { return s.PutQueue(ctx(t), chat.Queue{ID: "q1", Name: "Q"}) }},
		{"put team", true, func() error { return s.PutTeam(ctx(t), chat.Team{ID: "t1", Name: "T"}) }},
		{"delete team", true, func() error { return s.DeleteTeam(ctx(t), "t1") }},
		{"delete queue", true, func() error { return s.DeleteQueue(ctx(t), "q1") }},
		{"put number", true, func() error { return s.PutNumber(ctx(t), chat.Number{E164: "+14155550100", Provider: "twilio"}) }},
		{"delete number", true, func() error { return s.DeleteNumber(ctx(t), "+14155550100") }},
		{"put agent", false, func() error { return s.PutAgent(ctx(t), chat.Agent{ID: "a1", Name: "A", Capacity: 1}) }},
		{"agent load in a transaction", false, func() error {
			return s.RunTx(ctx(t), func(tx store.Tx) error {
				a, err := tx.Agent("a1")
				a.Load++
				tx.PutAgent(a)
				return err
			})
		}},
	}
	last := rev()
	for _, st := range steps {
		if err := st.fn(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		r := rev()
		if changed := r != last; changed != st.changes {
			t.Errorf("%s: revision %q → %q, want changed=%v", st.name, last, r, st.changes)
		}
		if st.changes && seen[r] {
			t.Errorf("%s: revision %q reused", st.name, r)
		}
		seen[r] = true
		last = r
	}
}
