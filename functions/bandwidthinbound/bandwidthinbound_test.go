package bandwidthinbound

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtable"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/intake/intaketest"
	"github.com/smsdesk/smsdesk/shared/store"
)

var receivedAt = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

// world is the webhook over the embedded store and bus, and the provider
// that authenticates its requests.
type world struct {
	*intaketest.World
	p carriertest.Provider
}

func newWorld(t *testing.T) *world {
	t.Helper()
	p := bandwidthtable.Provider(t)
	public, _ := p.PublicURL(carriertest.KindInbound)
	return &world{World: intaketest.New(t, receivedAt, func(in *intake.Service) http.Handler {
		return New(in, p.Webhooks, public)
	}), p: p}
}

// Every captured callback Bandwidth posts is recorded once and published,
// and answered 200, even when Bandwidth delivers it more than once (it
// guarantees at least once).
func TestCapturedCallbacksAreRecordedAndPublished(t *testing.T) {
	for _, c := range bandwidthtable.Captures(t) {
		if c.Kind != carriertest.KindInbound || c.Inbound == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			w := newWorld(t)
			want := *c.Inbound
			want.ID, want.ReceivedAt = bandwidth.Name+"_"+want.ProviderMessageID, receivedAt
			for range 3 {
				rec := w.Serve(t, w.p.SignedRequest(carriertest.KindInbound, []byte(c.Body)))
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

// A callback without credentials gets the challenge Bandwidth waits for,
// a forged or malformed one its refusal, and none leaves a record or a
// message.
func TestRefusedCallbacksLeaveNothing(t *testing.T) {
	type row struct {
		name      string
		req       func(w *world) *http.Request
		want      int
		challenge bool
	}
	base := bandwidthtable.Captures(t)[0]
	if base.Kind != carriertest.KindInbound || base.Inbound == nil {
		t.Fatalf("the first capture is %q, want a well-formed inbound one", base.Name)
	}
	p := bandwidthtable.Provider(t)
	forgeries, err := p.Forgeries(carriertest.KindInbound)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := p.PublicURL(carriertest.KindInbound)
	var rows []row
	for _, f := range forgeries {
		switch f.Name {
		case "unsigned":
			rows = append(rows, row{"no credentials", func(*world) *http.Request { return f.Request }, http.StatusUnauthorized, true})
		case "wrong key":
			rows = append(rows, row{"wrong password", func(*world) *http.Request { return f.Request }, http.StatusForbidden, false})
		}
	}
	if len(rows) != 2 {
		t.Fatalf("found %d of the unsigned and wrong key forgeries", len(rows))
	}
	rows = append(rows,
		row{"GET", func(*world) *http.Request { return httptest.NewRequest(http.MethodGet, public, nil) }, http.StatusMethodNotAllowed, false},
		row{"the API credential instead of the callback's", func(*world) *http.Request {
			r := httptest.NewRequest(http.MethodPost, public, strings.NewReader(base.Body))
			r.Header = bandwidth.Sign(bandwidthtable.Account.ClientID, bandwidthtable.Account.ClientSecret)
			return r
		}, http.StatusForbidden, false},
	)
	for _, c := range bandwidthtable.Captures(t) {
		if c.Kind == carriertest.KindInbound && c.Field != "" {
			rows = append(rows, row{"malformed: " + c.Name, func(w *world) *http.Request {
				return w.p.SignedRequest(carriertest.KindInbound, []byte(c.Body))
			}, http.StatusBadRequest, false})
		}
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			rec := w.Serve(t, tc.req(w))
			if rec.Code != tc.want {
				t.Errorf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if got := rec.Header().Get("WWW-Authenticate") != ""; got != tc.challenge {
				t.Errorf("challenge %v, want %v", got, tc.challenge)
			}
			if _, err := w.Store.Inbound(context.Background(), bandwidth.Name+"_"+base.Inbound.ProviderMessageID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("inbound record: %v, want none", err)
			}
			if got := w.Carried(); len(got) != 0 {
				t.Errorf("sms-inbound carried %+v", got)
			}
		})
	}
}
