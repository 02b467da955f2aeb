package deliverystatus

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtable"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

const bandwidthID = "1593110555875xo7watq5px6rbe5d"

// bandwidthWorld is the handler over a store holding one Bandwidth message
// sent at carriertest.StatusRef and another before it.
func bandwidthWorld(t *testing.T) (world, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	ref := carriertest.StatusRef
	at := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	err := st.RunTx(context.Background(), func(tx store.Tx) error {
		tx.PutChat(chat.Chat{ID: ref.ChatID, Number: carriertest.From, Consumer: carriertest.To, Provider: bandwidth.Name, CreatedAt: at, UpdatedAt: at})
		for seq, id := range map[int64]string{ref.Seq: bandwidthID, ref.Seq - 1: "1593110555875earliermessage0"} {
			tx.PutMessage(chat.Message{ChatID: ref.ChatID, Seq: seq, Author: chat.AuthorAgent, Kind: chat.KindText, Body: "Your order has shipped.",
				CreatedAt: at, Send: chat.Send{State: chat.SendSent, Attempts: 1, SentAt: at}, ProviderMessageID: id,
				Delivery: chat.Delivery{Status: chat.DeliveryQueued}})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks := map[string]carrier.Webhooks{bandwidth.Name: bandwidth.NewVerifier(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword)}
	return world{st: st, h: New(&delivery.Service{Store: st}, hooks, urls), p: bandwidthtable.Provider(t)}, st
}

// bandwidthPost is a status callback at the application's
// OutboundCallbackUrl, /DeliveryStatus/bandwidth, without a query.
func bandwidthPost(body []byte, auth http.Header) *http.Request {
	r := httptest.NewRequest(http.MethodPost, urls.StatusCallbackPath(bandwidth.Name), bytesReader(body))
	r.Header.Set("Content-Type", "application/json")
	for k, vs := range auth {
		r.Header[k] = vs
	}
	return r
}

var bandwidthAuth = bandwidth.Sign(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword)

// TestBandwidthStatusFoundByTag: Bandwidth posts every status to one URL;
// the tag each send set names the message, and an opt-out (4775) revokes
// consent.
func TestBandwidthStatusFoundByTag(t *testing.T) {
	for _, tc := range []struct {
		name, word, code string
		want             chat.DeliveryStatus
		optedOut         bool
	}{
		{"sent", bandwidth.EventSent, "", chat.DeliverySent, false},
		{"delivered", bandwidth.EventDelivered, "", chat.DeliveryDelivered, false},
		{"failed 4720", bandwidth.EventFailed, "4720", chat.DeliveryFailed, false},
		{"failed 4775 opted out", bandwidth.EventFailed, bandwidth.CodeOptedOut, chat.DeliveryFailed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := bandwidthWorld(t)
			body := bandwidthtable.StatusCallback(bandwidthID, tc.word, tc.code)
			for range 2 { // at least once: the repeat changes nothing more
				if rec := w.serve(bandwidthPost(body, bandwidthAuth)); rec.Code != http.StatusNoContent {
					t.Fatalf("answered %d %s", rec.Code, rec.Body)
				}
			}
			got := w.snapshot(t)
			if d := got.Message.Delivery; d.Status != tc.want || d.ErrorCode != tc.code {
				t.Errorf("delivery %+v, want %s with code %q", d, tc.want, tc.code)
			}
			if revoked := got.Consent != nil && got.Consent.State == chat.ConsentOptedOut; revoked != tc.optedOut {
				t.Errorf("consent %+v, want revoked %v", got.Consent, tc.optedOut)
			}
		})
	}
}

// TestBandwidthRefusedStatusChangesNothing: without credentials (the 401
// challenge), with wrong ones, a tag re-targeted at another message, a
// tag contradicting the query, and no tag and no query: nothing changes.
func TestBandwidthRefusedStatusChangesNothing(t *testing.T) {
	delivered := bandwidthtable.StatusCallback(bandwidthID, bandwidth.EventFailed, bandwidth.CodeOptedOut)
	other := carriertest.StatusRef
	other.Seq--
	retag := func(ref chat.Ref) []byte {
		q := url.Values{"chat": {ref.ChatID}, "seq": {itoa(ref.Seq)}}
		return replaceTag(t, delivered, q.Encode())
	}
	for _, tc := range []struct {
		name  string
		req   *http.Request
		want  int
		which chat.Ref
	}{
		{"no credentials", bandwidthPost(delivered, nil), http.StatusUnauthorized, carriertest.StatusRef},
		{"wrong password", bandwidthPost(delivered, bandwidth.Sign(bandwidthtable.WebhookUser, "guess")), http.StatusForbidden, carriertest.StatusRef},
		{"tag re-targeted at another message", bandwidthPost(retag(other), bandwidthAuth), http.StatusConflict, other},
		{"tag contradicts the query", func() *http.Request {
			r := bandwidthPost(delivered, bandwidthAuth)
			r.URL.RawQuery = url.Values{"chat": {other.ChatID}, "seq": {itoa(other.Seq)}}.Encode()
			return r
		}(), http.StatusConflict, other},
		{"no tag and no query", bandwidthPost(replaceTag(t, delivered, ""), bandwidthAuth), http.StatusBadRequest, carriertest.StatusRef},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, st := bandwidthWorld(t)
			before, err := st.Message(context.Background(), tc.which)
			if err != nil {
				t.Fatal(err)
			}
			snap := w.snapshot(t)
			rec := w.serve(tc.req)
			if rec.Code != tc.want {
				t.Fatalf("answered %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			after, err := st.Message(context.Background(), tc.which)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(before, after); d != "" {
				t.Errorf("message %d changed (-before +after):\n%s", tc.which.Seq, d)
			}
			if d := cmp.Diff(snap, w.snapshot(t)); d != "" {
				t.Errorf("changed (-before +after):\n%s", d)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// replaceTag sets the event's message.tag ("" removes it).
func replaceTag(t *testing.T, body []byte, tag string) []byte {
	t.Helper()
	var evs []map[string]any
	if err := json.Unmarshal(body, &evs); err != nil {
		t.Fatal(err)
	}
	m := evs[0]["message"].(map[string]any)
	if tag == "" {
		delete(m, "tag")
	} else {
		m["tag"] = tag
	}
	out, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
