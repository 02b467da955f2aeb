package telnyxinbound

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/intake/intaketest"
	"github.com/smsdesk/smsdesk/shared/store"
)

var receivedAt = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// world is the webhook over the embedded store and bus, and the provider
// that signs its requests.
type world struct {
	*intaketest.World
	p carriertest.Provider
}

func newWorld(t *testing.T) *world {
	t.Helper()
	p := telnyxtable.Provider(t)
	public, _ := p.PublicURL(carriertest.KindInbound)
	return &world{World: intaketest.New(t, receivedAt, func(in *intake.Service) http.Handler {
		return New(in, p.Webhooks, public)
	}), p: p}
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
				rec := w.Serve(t, w.p.SignedRequest(carriertest.KindInbound, body))
				if rec.Code != http.StatusOK {
					t.Fatalf("answered %d %q", rec.Code, rec.Body)
				}
			}
			got, err := w.Store.Inbound(context.Background(), want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got.Message); d != "" {
				t.Errorf("recorded (-want +got):\n%s", d)
			}
			// Duplicates are published again, for a publish that failed
			// after the record; the record (and so the chat) is one.
			if d := cmp.Diff([]chat.Inbound{want, want, want}, w.Carried()); d != "" {
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
			rec := w.Serve(t, tc.req(w))
			if rec.Code != tc.want {
				t.Errorf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.id != "" {
				if _, err := w.Store.Inbound(context.Background(), telnyx.Name+"_"+tc.id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("inbound record: %v, want none", err)
				}
			}
			if got := w.Carried(); len(got) != 0 {
				t.Errorf("sms-inbound carried %+v", got)
			}
		})
	}
}
