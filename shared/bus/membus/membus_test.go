package membus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/bus/bustest"
	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func TestContract(t *testing.T) {
	bustest.Run(t, func(t *testing.T) bustest.Env {
		b := membus.New(membus.Options{
			MinBackoff: 10 * time.Millisecond,
			MaxBackoff: 50 * time.Millisecond,
			Logger:     quietLogger(),
		})
		t.Cleanup(func() { _ = b.Close() })
		return bustest.Env{
			Publisher:   b,
			CreateTopic: func(context.Context, string) error { return nil },
			Subscribe: func(_ context.Context, topic, sub, url string, ordered bool) error {
				return b.Subscribe(topic, sub, url, ordered)
			},
			Patience: 5 * time.Second,
		}
	})
}

// endpoint is a push handler whose answers a test scripts.
type endpoint struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []bus.Delivery
	status func(d bus.Delivery) int
}

func newEndpoint(t *testing.T, status func(d bus.Delivery) int) *endpoint {
	e := &endpoint{status: status}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := bus.DecodePush(r)
		if err != nil {
			t.Errorf("DecodePush: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		e.mu.Lock()
		e.got = append(e.got, d)
		e.mu.Unlock()
		code := http.StatusOK
		if e.status != nil {
			code = e.status(d)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) deliveries() []bus.Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bus.Delivery(nil), e.got...)
}

func newBus(t *testing.T, opts membus.Options) *membus.Bus {
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = time.Millisecond
	}
	b := membus.New(opts)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func idle(t *testing.T, b *membus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDeadLetter(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		wantTries   int
	}{
		{name: "default", maxAttempts: 0, wantTries: membus.DefaultMaxAttempts},
		{name: "one", maxAttempts: 1, wantTries: 1},
		{name: "three", maxAttempts: 3, wantTries: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, func(bus.Delivery) int { return http.StatusBadGateway })
			b := newBus(t, membus.Options{MaxAttempts: tt.maxAttempts, ProjectID: "p"})
			if err := b.Subscribe("t", "s", e.srv.URL, true); err != nil {
				t.Fatal(err)
			}
			if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte("x"), OrderingKey: "k"}); err != nil {
				t.Fatal(err)
			}
			idle(t, b)

			got := e.deliveries()
			if len(got) != tt.wantTries {
				t.Fatalf("got %d deliveries, want %d", len(got), tt.wantTries)
			}
			for i, d := range got {
				if d.DeliveryAttempt != i+1 {
					t.Errorf("delivery %d has DeliveryAttempt %d", i, d.DeliveryAttempt)
				}
			}
			dead := b.DeadLetters()
			if len(dead) != 1 || dead[0].ID != got[0].ID || dead[0].DeliveryAttempt != tt.wantTries ||
				dead[0].Subscription != "projects/p/subscriptions/s" {
				t.Errorf("DeadLetters() = %+v, want message %s after %d attempts on projects/p/subscriptions/s", dead, got[0].ID, tt.wantTries)
			}
		})
	}
}

// A dead-lettered message unblocks its ordering key, as in Pub/Sub.
func TestDeadLetterUnblocksKey(t *testing.T) {
	e := newEndpoint(t, func(d bus.Delivery) int {
		if string(d.Data) == "poison" {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	b := newBus(t, membus.Options{MaxAttempts: 2})
	if err := b.Subscribe("t", "s", e.srv.URL, true); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"poison", "next"} {
		if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte(data), OrderingKey: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	idle(t, b)
	var got []string
	for _, d := range e.deliveries() {
		got = append(got, string(d.Data))
	}
	if diff := cmp.Diff([]string{"poison", "poison", "next"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

// Unordered deliveries run side by side: the first push only answers once
// the second one has arrived.
func TestUnorderedConcurrent(t *testing.T) {
	second := make(chan struct{})
	var once sync.Once
	e := newEndpoint(t, func(d bus.Delivery) int {
		if string(d.Data) == "first" {
			select {
			case <-second:
				return http.StatusOK
			case <-time.After(5 * time.Second):
				return http.StatusInternalServerError
			}
		}
		once.Do(func() { close(second) })
		return http.StatusOK
	})
	b := newBus(t, membus.Options{MaxAttempts: 1})
	if err := b.Subscribe("t", "s", e.srv.URL, false); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"first", "second"} {
		// The same key on an unordered subscription does not serialise.
		if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte(data), OrderingKey: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	idle(t, b)
	if dead := b.DeadLetters(); len(dead) != 0 {
		t.Fatalf("the first push timed out waiting for the second: deliveries were serialised")
	}
}

func TestPublishCopiesMessage(t *testing.T) {
	release := make(chan struct{})
	e := newEndpoint(t, func(bus.Delivery) int { <-release; return http.StatusOK })
	b := newBus(t, membus.Options{})
	if err := b.Subscribe("t", "s", e.srv.URL, false); err != nil {
		t.Fatal(err)
	}
	data := []byte("original")
	attrs := map[string]string{"k": "original"}
	if err := b.Publish(context.Background(), "t", bus.Message{Data: data, Attributes: attrs}); err != nil {
		t.Fatal(err)
	}
	copy(data, "mutated!")
	attrs["k"] = "mutated"
	close(release)
	idle(t, b)
	got := e.deliveries()
	if len(got) != 1 || string(got[0].Data) != "original" || got[0].Attributes["k"] != "original" {
		t.Errorf("delivered %+v, want the message as it was published", got)
	}
}

func TestSubscribe(t *testing.T) {
	b := newBus(t, membus.Options{})
	tests := []struct {
		name            string
		topic, sub, url string
		ordered         bool
		wantErr         string
	}{
		{name: "new", topic: "t", sub: "s", url: "http://x/"},
		{name: "same again", topic: "t", sub: "s", url: "http://x/"},
		{name: "other URL", topic: "t", sub: "s", url: "http://y/", wantErr: "already exists"},
		{name: "other ordering", topic: "t", sub: "s", url: "http://x/", ordered: true, wantErr: "already exists"},
		{name: "other topic", topic: "u", sub: "s", url: "http://x/", wantErr: "already exists"},
		{name: "missing URL", topic: "t", sub: "s2", wantErr: "required"},
	}
	for _, tt := range tests {
		err := b.Subscribe(tt.topic, tt.sub, tt.url, tt.ordered)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: Subscribe error = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// Close abandons a message waiting for its retry instead of waiting for
// the backoff, and the bus refuses work afterwards.
func TestClose(t *testing.T) {
	e := newEndpoint(t, func(bus.Delivery) int { return http.StatusInternalServerError })
	b := membus.New(membus.Options{MinBackoff: time.Hour, Logger: quietLogger()})
	if err := b.Subscribe("t", "s", e.srv.URL, true); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte("x"), OrderingKey: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	testenv.WaitFor(t, 5*time.Second, "the first delivery", func() bool { return len(e.deliveries()) == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Idle(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Idle with a message in backoff = %v, want a deadline error", err)
	}

	done := make(chan error)
	go func() { done <- b.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the backoff")
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte("x")}); !errors.Is(err, membus.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	if err := b.Subscribe("t", "s3", "http://x/", false); !errors.Is(err, membus.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if got := len(e.deliveries()); got != 1 {
		t.Errorf("%d deliveries, want 1: the queued messages must not be pushed after Close", got)
	}
	if err := b.Idle(context.Background()); err != nil {
		t.Errorf("Idle after Close = %v, want nil", err)
	}
}

func TestPublishCancelledContext(t *testing.T) {
	b := newBus(t, membus.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(ctx, "t", bus.Message{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestKeyReleasedWithItsLastMessage: a message published on an ordering key
// just as its worker empties the queue is delivered once, in order. The
// worker once emptied the queue and released the key in two steps, so a
// publish between them started a second worker on the same message (sent
// twice, then a panic popping an empty queue, seen once in CI); the window
// is narrow, so this drives it often rather than every time.
func TestKeyReleasedWithItsLastMessage(t *testing.T) {
	e := newEndpoint(t, nil)
	b := newBus(t, membus.Options{})
	if err := b.Subscribe("t", "s", e.srv.URL, true); err != nil {
		t.Fatal(err)
	}
	// Each message is published as soon as the one before reached the
	// endpoint: while its worker is between the answer and emptying the
	// queue.
	const n = 100
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprint(i)
		if err := b.Publish(context.Background(), "t", bus.Message{Data: []byte(want[i]), OrderingKey: "k"}); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, 5*time.Second, "delivery "+want[i], func() bool { return len(e.deliveries()) > i })
	}
	idle(t, b)
	var got []string
	for _, d := range e.deliveries() {
		got = append(got, string(d.Data))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}
