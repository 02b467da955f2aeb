package telnyx_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtest"
)

func inboundBody(t *testing.T) []byte {
	for _, c := range telnyxtable.Captures(t) {
		if c.Kind == carriertest.KindInbound && c.Inbound != nil {
			return []byte(c.Body)
		}
	}
	t.Fatal("no inbound capture")
	return nil
}

// TestAuthenticateTimestamps: the signature binds a time, and a webhook
// signed too long ago (a replay) or ahead of our clock is refused with 403
// even though its signature is genuine.
func TestAuthenticateTimestamps(t *testing.T) {
	keys := telnyxtable.NewKeys(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	v := telnyx.NewVerifier(keys.Public).WithClock(func() time.Time { return now })
	body := inboundBody(t)
	signedAt := func(at time.Time) http.Header { return telnyx.Sign(keys.Private, at, body) }
	tampered := signedAt(now)
	tampered.Set(telnyx.TimestampHeader, strconv.FormatInt(now.Unix()-1, 10))
	noSig := signedAt(now)
	noSig.Del(telnyx.SignatureHeader)
	noTS := signedAt(now)
	noTS.Del(telnyx.TimestampHeader)
	badB64 := signedAt(now)
	badB64.Set(telnyx.SignatureHeader, "not base64!")
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"now", signedAt(now), 0},
		{"299 s old", signedAt(now.Add(-299 * time.Second)), 0},
		{"300 s old", signedAt(now.Add(-300 * time.Second)), 0},
		{"301 s old", signedAt(now.Add(-301 * time.Second)), http.StatusForbidden},
		{"an hour old", signedAt(now.Add(-time.Hour)), http.StatusForbidden},
		{"2 s ahead (clock skew)", signedAt(now.Add(2 * time.Second)), 0},
		{"a minute in the future", signedAt(now.Add(time.Minute)), http.StatusForbidden},
		{"timestamp changed after signing", tampered, http.StatusForbidden},
		{"no signature", noSig, http.StatusForbidden},
		{"no timestamp", noTS, http.StatusForbidden},
		{"signature not base64", badB64, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/TelnyxInbound", bytes.NewReader(body))
			for k, vs := range tc.header {
				r.Header[k] = vs
			}
			w := httptest.NewRecorder()
			ok := v.Authenticate(w, r, "https://sms.acme.example/TelnyxInbound")
			if tc.want == 0 {
				if !ok {
					t.Fatalf("refused %d: %s", w.Code, w.Body)
				}
				in, err := v.ParseInbound(r)
				if err != nil || in.ProviderMessageID == "" {
					t.Fatalf("parse after authenticate: %+v %v", in, err)
				}
				return
			}
			if ok || w.Code != tc.want {
				t.Fatalf("accepted %v, answered %d; want refused with %d", ok, w.Code, tc.want)
			}
		})
	}
}

// TestParseRefusesUnverifiedRequest: the parse methods read only a body
// Authenticate verified, never the request's body on their own.
func TestParseRefusesUnverifiedRequest(t *testing.T) {
	v := telnyx.NewVerifier(telnyxtable.NewKeys(t).Public)
	r := httptest.NewRequest(http.MethodPost, "/TelnyxInbound", bytes.NewReader(inboundBody(t)))
	if in, err := v.ParseInbound(r); err == nil {
		t.Fatalf("parsed an unverified request: %+v", in)
	}
	if st, err := v.ParseStatus(r); err == nil {
		t.Fatalf("parsed an unverified request: %+v", st)
	}
}

// TestNoKeyRefusesEverything: a verifier without a configured key admits
// nothing, rather than skipping the check.
func TestNoKeyRefusesEverything(t *testing.T) {
	keys := telnyxtable.NewKeys(t)
	body := inboundBody(t)
	r := httptest.NewRequest(http.MethodPost, "/TelnyxInbound", bytes.NewReader(body))
	for k, vs := range telnyx.Sign(keys.Private, time.Now(), body) {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	if telnyx.NewVerifier(nil).Authenticate(w, r, "") || w.Code != http.StatusForbidden {
		t.Fatalf("answered %d without a key, want 403", w.Code)
	}
}

// TestSendIdempotencyKey: the key rides in Idempotency-Key, and the
// stand-in, like Telnyx, creates one message however often the same key is
// sent.
func TestSendIdempotencyKey(t *testing.T) {
	srv := telnyxtest.New(telnyxtable.APIKey)
	defer srv.Close()
	c, err := telnyx.NewClient(telnyxtable.APIKey, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := carrier.OutboundSMS{From: carriertest.From, To: carriertest.To, Body: "Hi", IdempotencyKey: "chat-1_2",
		StatusCallbackURL: "https://sms.acme.example/DeliveryStatus/telnyx?chat=chat-1&seq=2"}
	first, err := c.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if first.ProviderMessageID != again.ProviderMessageID || len(sent) != 1 || srv.Requests() != 2 {
		t.Fatalf("ids %s, %s; %d created of %d requests; want one message", first.ProviderMessageID, again.ProviderMessageID, len(sent), srv.Requests())
	}
	if sent[0].IdempotencyKey != "chat-1_2" || sent[0].WebhookURL != msg.StatusCallbackURL {
		t.Fatalf("stand-in recorded %+v", sent[0])
	}
	msg.IdempotencyKey = "chat-1_3"
	if _, err := c.Send(context.Background(), msg); err != nil || len(srv.Sent()) != 2 {
		t.Fatalf("another key: %v, %d created", err, len(srv.Sent()))
	}
}

// TestStandInRefusesWrongKey: the stand-in checks the bearer token as
// Telnyx does (10009, 401), and the client classifies it as permanent.
func TestStandInRefusesWrongKey(t *testing.T) {
	srv := telnyxtest.New(telnyxtable.APIKey)
	defer srv.Close()
	c, err := telnyx.NewClient("KEYsomeoneelse", srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(context.Background(), carrier.OutboundSMS{From: carriertest.From, To: carriertest.To, Body: "Hi"})
	ce, ok := err.(*carrier.Error)
	if !ok || ce.Code != "10009" || ce.HTTPStatus != 401 || ce.Class != carrier.Permanent || len(srv.Sent()) != 0 {
		t.Fatalf("got %#v, want a permanent 10009", err)
	}
}

func TestMediaAccessSendsNoCredentials(t *testing.T) {
	a := telnyx.MediaAccess("http://127.0.0.1:4010")
	for _, u := range []string{"https://media.telnyx.com/x/IMG.jpg", "http://127.0.0.1:4010/media/1"} {
		r := httptest.NewRequest(http.MethodGet, u, nil)
		if !a.Serves(r.URL) {
			t.Errorf("%s is not served", u)
		}
		a.Authorize(r)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("credentials sent to %s", u)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "https://evil.example/telnyx.com/x", nil)
	if a.Serves(r.URL) {
		t.Error("a host that is not Telnyx's is served")
	}
}
