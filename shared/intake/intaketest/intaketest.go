// Package intaketest runs a carrier's inbound webhook handler over the
// embedded store and bus, with a subscriber that keeps what sms-inbound
// carried, so each inbound function's tests assert what was recorded and
// published.
package intaketest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// World is one webhook handler with its store and bus.
type World struct {
	Store *memstore.Store
	bus   *membus.Bus
	h     http.Handler

	mu        sync.Mutex
	published []chat.Inbound
}

// New builds the handler with build over an intake service whose clock
// says receivedAt.
func New(t *testing.T, receivedAt time.Time, build func(*intake.Service) http.Handler) *World {
	t.Helper()
	log := logrus.New()
	log.SetOutput(io.Discard)
	w := &World{Store: memstore.New(), bus: membus.New(membus.Options{Logger: log, MaxAttempts: 1})}
	t.Cleanup(func() { _ = w.bus.Close() })
	sub := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		d, err := bus.DecodePush(r)
		if err == nil {
			var in chat.Inbound
			if in, err = wire.DecodeInbound(d.Data); err == nil {
				w.mu.Lock()
				w.published = append(w.published, in)
				w.mu.Unlock()
			}
		}
		if err != nil {
			t.Errorf("sms-inbound carried something unreadable: %v", err)
		}
	}))
	t.Cleanup(sub.Close)
	s := wire.SubRouteInbound
	if err := w.bus.Subscribe(s.Topic, s.Name, sub.URL, s.Ordered); err != nil {
		t.Fatal(err)
	}
	w.h = build(&intake.Service{Store: w.Store, Bus: w.bus, Clock: clock.Clock{Now: func() time.Time { return receivedAt }}})
	return w
}

// Serve runs one request and waits until what it published was delivered.
func (w *World) Serve(t *testing.T, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.bus.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	return rec
}

// Carried is what sms-inbound carried so far, in order.
func (w *World) Carried() []chat.Inbound {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]chat.Inbound(nil), w.published...)
}
