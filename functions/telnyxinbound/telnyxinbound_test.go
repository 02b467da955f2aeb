package telnyxinbound

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
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
	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

var receivedAt = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// world is the webhook over the embedded store and bus, with a
// subscriber that keeps what sms-inbound carried.
type world struct {
	st  *memstore.Store
	bus *membus.Bus
	h   http.Handler
	p   carriertest.Provider

	mu        sync.Mutex
	published []chat.Inbound
}

func newWorld(t *testing.T) *world {
	t.Helper()
	log := logrus.New()
	log.SetOutput(io.Discard)
	w := &world{st: memstore.New(), bus: membus.New(membus.Options{Logger: log, MaxAttempts: 1}), p: telnyxtable.Provider(t)}
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
	if err := w.bus.Subscribe(wire.TopicInbound, "route-inbound", sub.URL, true); err != nil {
		t.Fatal(err)
	}
	in := &intake.Service{Store: w.st, Bus: w.bus, Clock: clock.Clock{Now: func() time.Time { return receivedAt }}}
	public, _ := w.p.PublicURL(carriertest.KindInbound)
	w.h = New(in, w.p.Webhooks, public)
	return w
}

func (w *world) serve(t *testing.T, r *http.Request) *httptest.ResponseRecorder {
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

func (w *world) carried() []chat.Inbound {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]chat.Inbound(nil), w.published...)
}

// Every captured webhook Telnyx posts is recorded once and published, and
// answered 200, even when Telnyx delivers it twice, or delivers the same
// message again under a new event id (a retry to the failover URL).
func TestCapturedWebhooksAreRecordedAndPublished(t *testing.T) {
	for _, c := range telnyxtable.Captures(t) {
		if c.Kind != carriertest.KindInbound || c.Inbound == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			w := newWorld(t)
			want := *c.Inbound
			want.ID, want.ReceivedAt = telnyx.Name+"_"+want.ProviderMessageID, receivedAt
			again := []byte(strings.Replace(c.Body, `"record_type":"event","id":"`, `"record_type":"event","id":"retry-`, 1))
			if bytes.Equal(again, []byte(c.Body)) {
				t.Fatal("could not give the event another id")
			}
			for _, body := range [][]byte{[]byte(c.Body), []byte(c.Body), again} {
				rec := w.serve(t, w.p.SignedRequest(carriertest.KindInbound, body))
				if rec.Code != http.StatusOK {
					t.Fatalf("answered %d %q", rec.Code, rec.Body)
				}
			}
			got, err := w.st.Inbound(context.Background(), want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got.Message); d != "" {
				t.Errorf("recorded (-want +got):\n%s", d)
			}
			// Duplicates are published again, for a publish that failed
			// after the record; the record (and so the chat) is one.
			if d := cmp.Diff([]chat.Inbound{want, want, want}, w.carried()); d != "" {
				t.Errorf("sms-inbound carried (-want +got):\n%s", d)
			}
		})
	}
}

// A forged, stale or malformed webhook is answered and leaves no record
// and no message.
func TestRefusedWebhooksLeaveNothing(t *testing.T) {
	type row struct {
		name string
		req  func(w *world) *http.Request
		want int
		id   string
	}
	base := telnyxtable.Captures(t)[0]
	if base.Kind != carriertest.KindInbound || base.Inbound == nil {
		t.Fatalf("the first capture is %q, want a well-formed inbound one", base.Name)
	}
	var rows []row
	p := telnyxtable.Provider(t)
	forgeries, err := p.Forgeries(carriertest.KindInbound)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := p.PublicURL(carriertest.KindInbound)
	for _, f := range forgeries {
		if _, skip := p.Skip["webhooks/inbound/"+f.Name]; skip {
			continue
		}
		rows = append(rows, row{"forged: " + f.Name, func(*world) *http.Request { return f.Request }, http.StatusForbidden, base.Inbound.ProviderMessageID})
	}
	signedAt := func(at time.Time) func(w *world) *http.Request {
		return func(w *world) *http.Request {
			r := httptest.NewRequest(http.MethodPost, public, strings.NewReader(base.Body))
			for k, vs := range telnyx.Sign(ed25519.PrivateKey(w.p.Key), at, []byte(base.Body)) {
				r.Header[k] = vs
			}
			return r
		}
	}
	rows = append(rows,
		row{"replayed 10 minutes later", signedAt(time.Now().Add(-10 * time.Minute)), http.StatusForbidden, base.Inbound.ProviderMessageID},
		row{"signed in the future", signedAt(time.Now().Add(10 * time.Minute)), http.StatusForbidden, base.Inbound.ProviderMessageID},
		row{"GET", func(*world) *http.Request { return httptest.NewRequest(http.MethodGet, public, nil) }, http.StatusMethodNotAllowed, ""},
	)
	for _, c := range telnyxtable.Captures(t) {
		if c.Kind == carriertest.KindInbound && c.Field != "" {
			rows = append(rows, row{"malformed: " + c.Name, func(w *world) *http.Request {
				return w.p.SignedRequest(carriertest.KindInbound, []byte(c.Body))
			}, http.StatusBadRequest, base.Inbound.ProviderMessageID})
		}
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			rec := w.serve(t, tc.req(w))
			if rec.Code != tc.want {
				t.Errorf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.id != "" {
				if _, err := w.st.Inbound(context.Background(), telnyx.Name+"_"+tc.id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("inbound record: %v, want none", err)
				}
			}
			if got := w.carried(); len(got) != 0 {
				t.Errorf("sms-inbound carried %+v", got)
			}
		})
	}
}
