package deliverystatus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const sentSID = "SM5a4b3c2d1e0f4a9b8c7d6e5f4a3b2c1d"

var urls = wire.URLs{Public: carriertest.DefaultPublicBase}

// world is the handler over a store holding one sent message at
// carriertest.StatusRef, the message the harness's callbacks name.
type world struct {
	st *memstore.Store
	h  http.Handler
	p  carriertest.Provider
}

func newWorld(t *testing.T) world {
	t.Helper()
	st := memstore.New()
	ref := carriertest.StatusRef
	at := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	err := st.RunTx(context.Background(), func(tx store.Tx) error {
		tx.PutChat(chat.Chat{ID: ref.ChatID, Number: carriertest.From, Consumer: carriertest.To, Provider: twilio.Name, CreatedAt: at, UpdatedAt: at})
		tx.PutMessage(chat.Message{ChatID: ref.ChatID, Seq: ref.Seq, Author: chat.AuthorAgent, Kind: chat.KindText, Body: "Your order has shipped.",
			CreatedAt: at, Send: chat.Send{State: chat.SendSent, Attempts: 1, SentAt: at}, ProviderMessageID: sentSID,
			Delivery: chat.Delivery{Status: chat.DeliveryQueued}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks := map[string]carrier.Webhooks{wire.ProviderTwilio: twilio.NewVerifier(twiliotable.AuthToken)}
	return world{st: st, h: New(&delivery.Service{Store: st}, hooks, urls), p: twiliotable.Provider(t)}
}

// snapshot is everything a callback could change.
type snapshot struct {
	Message chat.Message
	Chat    chat.Chat
	Consent *chat.Consent
}

func (w world) snapshot(t *testing.T) snapshot {
	t.Helper()
	ctx := context.Background()
	m, err := w.st.Message(ctx, carriertest.StatusRef)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.st.Chat(ctx, carriertest.StatusRef.ChatID)
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{Message: m, Chat: c}
	switch consent, err := w.st.Consent(ctx, c.Number, c.Consumer); {
	case err == nil:
		s.Consent = &consent
	case !errors.Is(err, store.ErrNotFound):
		t.Fatal(err)
	}
	return s
}

func (w world) serve(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	return rec
}

// signed is a callback to fullURL signed as Twilio signs it.
func (w world) signed(fullURL string, body []byte) *http.Request {
	return w.p.Request(twiliotable.AuthToken, fullURL, fullURL, body)
}

func TestTwilioCallbacksAtTheProviderNeutralPath(t *testing.T) {
	tests := []struct {
		name         string
		word, code   string
		wantDelivery chat.DeliveryStatus
		wantOptedOut bool
	}{
		{"delivered", "delivered", "", chat.DeliveryDelivered, false},
		{"undelivered, unreachable handset", "undelivered", "30003", chat.DeliveryUndelivered, false},
		{"failed, opted out at the carrier", "failed", twilio.CodeOptedOut, chat.DeliveryFailed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			// Every message sent so far was given /DeliveryStatus, without
			// a provider segment.
			cb := urls.StatusCallback(wire.ProviderTwilio, carriertest.StatusRef)
			if !strings.HasPrefix(cb, carriertest.DefaultPublicBase+"/"+Name+"?") {
				t.Fatalf("Twilio's status callback URL is %s", cb)
			}
			rec := w.serve(w.signed(cb, twiliotable.StatusCallback(sentSID, tc.word, tc.code)))
			if rec.Code != http.StatusNoContent {
				t.Fatalf("answered %d %s", rec.Code, rec.Body)
			}
			got := w.snapshot(t)
			if d := got.Message.Delivery; d.Status != tc.wantDelivery || d.ErrorCode != tc.code {
				t.Errorf("delivery = %+v, want %s with code %q", d, tc.wantDelivery, tc.code)
			}
			if optedOut := got.Consent != nil && got.Consent.State == chat.ConsentOptedOut; optedOut != tc.wantOptedOut {
				t.Errorf("consent = %+v, want opted out %v", got.Consent, tc.wantOptedOut)
			}
		})
	}
}

// A callback the handler refuses changes nothing.
func TestRefusedCallbacksChangeNothing(t *testing.T) {
	type row struct {
		name string
		req  func(w world) *http.Request
		want int
	}
	body := twiliotable.StatusCallback(sentSID, "failed", twilio.CodeOptedOut)
	unknown := urls.Public + "/" + Name + "/unknownprovider?chat=" + carriertest.StatusRef.ChatID + "&seq=2"
	rows := []row{
		// Signed as Twilio would sign it for that URL: still no provider
		// to verify or parse it.
		{"unknown provider", func(w world) *http.Request { return w.signed(unknown, body) }, http.StatusNotFound},
		{"unknown provider, unsigned", func(w world) *http.Request { return w.p.Request("", unknown, unknown, body) }, http.StatusNotFound},
	}
	// Each would fail the message and revoke consent if it were accepted.
	forgeries, err := twiliotable.Provider(t).ForgeriesOf(carriertest.KindStatus, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forgeries {
		rows = append(rows, row{"forged: " + f.Name, func(world) *http.Request { return f.Request }, http.StatusForbidden})
	}
	cb := urls.StatusCallback(wire.ProviderTwilio, carriertest.StatusRef)
	for _, c := range twiliotable.Captures(t) {
		if c.Kind == carriertest.KindStatus && c.Field != "" {
			rows = append(rows, row{"malformed: " + c.Name, func(w world) *http.Request { return w.signed(cb, []byte(c.Body)) }, http.StatusBadRequest})
		}
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			before := w.snapshot(t)
			rec := w.serve(tc.req(w))
			if rec.Code != tc.want {
				t.Errorf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if d := cmp.Diff(before, w.snapshot(t)); d != "" {
				t.Errorf("the store changed (-before +after):\n%s", d)
			}
		})
	}
}
