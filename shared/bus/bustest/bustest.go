// Package bustest is the contract every bus adapter must meet, run against
// the in-process twin and against the Pub/Sub emulator so that scripts/dev
// behaves like production.
package bustest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// Env is one adapter under test.
type Env struct {
	Publisher bus.Publisher
	// CreateTopic makes a topic exist; Pub/Sub refuses to publish to or
	// subscribe on a topic that does not.
	CreateTopic func(ctx context.Context, topic string) error
	// Subscribe creates a push subscription of an existing topic.
	Subscribe func(ctx context.Context, topic, subscription, pushURL string, ordered bool) error
	// Patience bounds each wait for a delivery. The emulator redelivers
	// a rejected message after about a second, the twin at once.
	Patience time.Duration
	// PushOmitsOrderingKey is set for the Pub/Sub emulator, whose push
	// bodies leave orderingKey out (it still orders delivery by it). Real
	// Pub/Sub sends it, so handlers must not depend on it either way.
	PushOmitsOrderingKey bool
}

// Run runs the contract. newEnv is called once per case, from the case's own
// (parallel) test, and should register its cleanup with t.Cleanup.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	cases := []struct {
		name string
		run  func(t *testing.T, env Env)
	}{
		{"delivers data, attributes and ordering key", testDelivers},
		{"redelivers after an error answer", testRedelivers},
		{"keeps per-key order on an ordered subscription", testOrdered},
		{"delivers to every subscription of a topic", testFanOut},
		{"drops a message for a topic without subscriptions", testNoSubscription},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			if env.Patience <= 0 {
				env.Patience = 10 * time.Second
			}
			c.run(t, env)
		})
	}
}

// receiver is a push endpoint that records every delivery and answers with
// the status its respond function picks.
type receiver struct {
	t       *testing.T
	URL     string
	respond func(d bus.Delivery, attempt int) int

	mu  sync.Mutex
	log []received
}

type received struct {
	bus.Delivery
	status int
	at     time.Time
}

// newReceiver starts a push endpoint; respond gets the delivery and how many
// times this message id was seen before (0 on the first delivery). nil
// acknowledges everything.
func newReceiver(t *testing.T, respond func(d bus.Delivery, seen int) int) *receiver {
	r := &receiver{t: t, respond: respond}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/push"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	d, err := bus.DecodePush(req)
	if err != nil {
		r.t.Errorf("push body rejected: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	seen := 0
	for _, x := range r.log {
		if x.ID == d.ID {
			seen++
		}
	}
	status := http.StatusNoContent
	if r.respond != nil {
		status = r.respond(d, seen)
	}
	r.log = append(r.log, received{Delivery: d, status: status, at: time.Now()})
	r.mu.Unlock()
	w.WriteHeader(status)
}

func (r *receiver) snapshot() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.log...)
}

// acked returns the first acknowledged delivery of each message, in the
// order they were acknowledged.
func (r *receiver) acked() []received {
	var out []received
	done := make(map[string]bool)
	for _, x := range r.snapshot() {
		if x.status/100 == 2 && !done[x.ID] {
			done[x.ID] = true
			out = append(out, x)
		}
	}
	return out
}

func (r *receiver) waitAcked(env Env, n int) []received {
	r.t.Helper()
	testenv.WaitFor(r.t, env.Patience, fmt.Sprintf("%d acknowledged deliveries", n), func() bool {
		return len(r.acked()) >= n
	})
	return r.acked()
}

// setup makes a fresh topic and, for each receiver, a subscription of it.
func setup(t *testing.T, env Env, ordered bool, rs ...*receiver) (topic string, subs []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic = testenv.UniqueID(t, "topic")
	if err := env.CreateTopic(ctx, topic); err != nil {
		t.Fatalf("CreateTopic(%q): %v", topic, err)
	}
	for _, r := range rs {
		sub := testenv.UniqueID(t, "sub")
		if err := env.Subscribe(ctx, topic, sub, r.URL, ordered); err != nil {
			t.Fatalf("Subscribe(%q, %q): %v", topic, sub, err)
		}
		subs = append(subs, sub)
	}
	return topic, subs
}

func publish(t *testing.T, env Env, topic string, msg bus.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.Publisher.Publish(ctx, topic, msg); err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
}

func testDelivers(t *testing.T, env Env) {
	r := newReceiver(t, nil)
	topic, subs := setup(t, env, true, r)
	msg := bus.Message{
		Data:        []byte(`{"body":"Hi 👋","from":"+15551234567"}`),
		Attributes:  map[string]string{"provider": "twilio", "kind": "inbound"},
		OrderingKey: "+15551234567",
	}
	before := time.Now()
	publish(t, env, topic, msg)
	got := r.waitAcked(env, 1)[0]

	want := msg
	if env.PushOmitsOrderingKey {
		want.OrderingKey = ""
	}
	if diff := cmp.Diff(want, got.Message); diff != "" {
		t.Errorf("delivered message mismatch (-published +delivered):\n%s", diff)
	}
	if got.ID == "" {
		t.Error("delivery has no message id")
	}
	if !strings.HasSuffix(got.Subscription, "/subscriptions/"+subs[0]) {
		t.Errorf("Subscription = %q, want a full name ending in /subscriptions/%s", got.Subscription, subs[0])
	}
	// Clocks of the emulator and the test agree to well within a second.
	if got.PublishTime.Before(before.Add(-time.Second)) || got.PublishTime.After(time.Now().Add(time.Second)) {
		t.Errorf("PublishTime = %v, want between %v and now", got.PublishTime, before)
	}
}

func testRedelivers(t *testing.T, env Env) {
	r := newReceiver(t, func(_ bus.Delivery, seen int) int {
		if seen == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	topic, _ := setup(t, env, false, r)
	publish(t, env, topic, bus.Message{Data: []byte("again")})
	got := r.waitAcked(env, 1)[0]

	log := r.snapshot()
	if len(log) < 2 {
		t.Fatalf("got %d deliveries, want the rejected one and a redelivery", len(log))
	}
	if log[0].ID != got.ID || log[0].status != http.StatusInternalServerError {
		t.Errorf("first delivery = %s answered %d, want %s answered 500", log[0].ID, log[0].status, got.ID)
	}
	if string(got.Data) != "again" {
		t.Errorf("redelivered data = %q, want %q", got.Data, "again")
	}
	if got.DeliveryAttempt != 0 && got.DeliveryAttempt < 2 {
		t.Errorf("DeliveryAttempt of the redelivery = %d, want at least 2 (or 0 when not sent)", got.DeliveryAttempt)
	}
}

// testOrdered publishes two interleaved keys and rejects one message once:
// Pub/Sub holds the rest of that key back until the rejected one is acked.
// The key is read from an attribute because the emulator does not push it.
func testOrdered(t *testing.T, env Env) {
	const perKey = 20
	const failing = 7 // index in key "a" that is rejected once
	r := newReceiver(t, func(d bus.Delivery, seen int) int {
		if d.Attributes["key"] == "a" && d.Attributes["seq"] == strconv.Itoa(failing) && seen == 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	topic, _ := setup(t, env, true, r)
	for i := range perKey {
		for _, key := range []string{"a", "b"} {
			publish(t, env, topic, bus.Message{
				Data:        []byte(key + strconv.Itoa(i)),
				Attributes:  map[string]string{"key": key, "seq": strconv.Itoa(i)},
				OrderingKey: key,
			})
		}
	}
	acked := r.waitAcked(env, 2*perKey)

	for _, key := range []string{"a", "b"} {
		var got, want []string
		for _, x := range acked {
			if x.Attributes["key"] == key {
				got = append(got, x.Attributes["seq"])
			}
		}
		for i := range perKey {
			want = append(want, strconv.Itoa(i))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("key %q acknowledged out of order (-want +got):\n%s", key, diff)
		}
	}

	// Nothing after the rejected message may have been delivered (let alone
	// acknowledged) before the redelivery of the rejected one was acked.
	log := r.snapshot()
	ackAt := -1
	for i, x := range log {
		if x.Attributes["key"] == "a" && x.Attributes["seq"] == strconv.Itoa(failing) && x.status/100 == 2 {
			ackAt = i
			break
		}
	}
	if ackAt < 0 {
		t.Fatalf("message a%d was never acknowledged", failing)
	}
	for _, x := range log[:ackAt] {
		seq, _ := strconv.Atoi(x.Attributes["seq"])
		if x.Attributes["key"] == "a" && seq > failing {
			t.Errorf("a%d was delivered before a%d, which was rejected, was redelivered and acked", seq, failing)
		}
	}
}

func testFanOut(t *testing.T, env Env) {
	r1, r2 := newReceiver(t, nil), newReceiver(t, nil)
	topic, _ := setup(t, env, false, r1, r2)
	msg := bus.Message{Data: []byte("both"), Attributes: map[string]string{"k": "v"}}
	publish(t, env, topic, msg)
	for i, r := range []*receiver{r1, r2} {
		got := r.waitAcked(env, 1)[0]
		if diff := cmp.Diff(msg, got.Message, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("subscription %d got (-want +got):\n%s", i+1, diff)
		}
	}
}

func testNoSubscription(t *testing.T, env Env) {
	topic, _ := setup(t, env, false)
	publish(t, env, topic, bus.Message{Data: []byte("nobody listens")})
}
