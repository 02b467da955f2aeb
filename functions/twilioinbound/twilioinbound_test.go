package twilioinbound

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
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
	p := twiliotable.Provider(t)
	public, _ := p.PublicURL(carriertest.KindInbound)
	return &world{World: intaketest.New(t, receivedAt, func(in *intake.Service) http.Handler {
		return New(in, twilio.NewVerifier(twiliotable.AuthToken), public)
	}), p: p}
}

// Every captured webhook Twilio posts is recorded once and published, and
// answered with <Response/>, even when Twilio delivers it twice.
func TestCapturedWebhooksAreRecordedAndPublished(t *testing.T) {
	for _, c := range twiliotable.Captures(t) {
		if c.Kind != carriertest.KindInbound || c.Inbound == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			w := newWorld(t)
			want := *c.Inbound
			want.ID, want.ReceivedAt = twilio.Name+"_"+want.ProviderMessageID, receivedAt
			for range 2 {
				rec := w.Serve(t, w.p.SignedRequest(carriertest.KindInbound, []byte(c.Body)))
				if rec.Code != http.StatusOK || rec.Body.String() != twilio.EmptyResponse {
					t.Fatalf("answered %d %q", rec.Code, rec.Body)
				}
			}
			got, err := w.Store.Inbound(context.Background(), want.ID)
			if !sender.Person(want.Consumer) {
				// A carrier's or a business's system message: answered,
				// neither recorded nor routed.
				if !errors.Is(err, store.ErrNotFound) || len(w.Carried()) != 0 {
					t.Fatalf("a text from %s was recorded (%v) or published (%v)", want.Consumer, err, w.Carried())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got.Message); d != "" {
				t.Errorf("recorded (-want +got):\n%s", d)
			}
			// The duplicate is published again, for a publish that failed
			// after the record.
			if d := cmp.Diff([]chat.Inbound{want, want}, w.Carried()); d != "" {
				t.Errorf("sms-inbound carried (-want +got):\n%s", d)
			}
		})
	}
}

// A forged or malformed webhook is answered and leaves no record and no
// message.
func TestRefusedWebhooksLeaveNothing(t *testing.T) {
	type row struct {
		name string
		req  func(w *world) *http.Request
		want int
		sid  string
	}
	base := twiliotable.Captures(t)[0]
	if base.Kind != carriertest.KindInbound || base.Inbound == nil {
		t.Fatalf("the first capture is %q, want a well-formed inbound one", base.Name)
	}
	var rows []row
	forgeries, err := twiliotable.Provider(t).Forgeries(carriertest.KindInbound)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forgeries {
		rows = append(rows, row{"forged: " + f.Name, func(*world) *http.Request { return f.Request }, http.StatusForbidden, base.Inbound.ProviderMessageID})
	}
	for _, c := range twiliotable.Captures(t) {
		if c.Kind == carriertest.KindInbound && c.Field != "" {
			sid := twiliotable.Form([]byte(c.Body)).Get("MessageSid")
			rows = append(rows, row{"malformed: " + c.Name, func(w *world) *http.Request {
				return w.p.SignedRequest(carriertest.KindInbound, []byte(c.Body))
			}, http.StatusBadRequest, sid})
		}
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			rec := w.Serve(t, tc.req(w))
			if rec.Code != tc.want {
				t.Errorf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.sid != "" {
				if _, err := w.Store.Inbound(context.Background(), twilio.Name+"_"+tc.sid); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("inbound record: %v, want none", err)
				}
			}
			if got := w.Carried(); len(got) != 0 {
				t.Errorf("sms-inbound carried %+v", got)
			}
		})
	}
}
