package telnyxinbound

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// signedEvents prepares n distinct signed message.received events
// (distinct message ids, so every one takes the full path rather than the
// dedupe one).
func signedEvents(b *testing.B, key ed25519.PrivateKey, n int) (bodies []string, headers []http.Header) {
	bodies, headers = make([]string, n), make([]http.Header, n)
	now := time.Now()
	for i := range n {
		bodies[i] = fmt.Sprintf(`{"data":{"record_type":"event","id":"bf6307bd-884d-4c1f-b6ea-%012d","event_type":"message.received",`+
			`"occurred_at":"2026-12-01T10:00:00.000Z","payload":{"record_type":"message","direction":"inbound","id":"7ee4241c-f127-47e5-9c34-%012d",`+
			`"type":"SMS","messaging_profile_id":"0f512bda-ae1e-4597-8e11-e5f5686b97d3","from":{"phone_number":"+14155550142","carrier":"T-MOBILE USA, INC.","line_type":"Wireless"},`+
			`"to":[{"phone_number":"+14155550101","status":"delivered","carrier":"TELNYX LLC","line_type":"VoIP"}],"cc":[],"text":"Hi, I need help with my order",`+
			`"media":[],"encoding":"GSM-7","parts":1,"tags":[],"received_at":"2026-12-01T10:00:00.000Z","errors":[]}},"meta":{"attempt":1}}`, i, i)
		headers[i] = telnyx.Sign(key, now, []byte(bodies[i]))
	}
	return bodies, headers
}

func serve(b *testing.B, h http.Handler, bodies []string, headers []http.Header) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/TelnyxInbound", strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		for k, vs := range headers[i] {
			req.Header[k] = vs
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answered %d: %s", rec.Code, rec.Body)
		}
	}
}

func benchKeys(b *testing.B) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return pub, priv
}

// BenchmarkTelnyxInbound is the webhook's CPU per request on the embedded
// adapters; BenchmarkBareHandler, in the same run, only reads the body,
// checks the Ed25519 signature and answers 200. Ed25519 verification
// dominates both.
func BenchmarkTelnyxInbound(b *testing.B) {
	pub, priv := benchKeys(b)
	in := &intake.Service{
		Store: memstore.New(),
		// No subscription: the bus accepts and drops, so routing is not
		// part of the webhook's cost (it runs after the answer).
		Bus: membus.New(membus.Options{Logger: logrus.New()}),
	}
	publicURL := wire.URLs{Public: "https://sms.acme.example"}.PublicFunction(Name)
	logger := logging.New(io.Discard, logrus.InfoLevel, "bench")
	h := logging.Middleware(logger, "bench", Name, New(in, telnyx.NewVerifier(pub), publicURL))
	bodies, headers := signedEvents(b, priv, b.N)
	serve(b, h, bodies, headers)
}

func BenchmarkBareHandler(b *testing.B) {
	pub, priv := benchKeys(b)
	v := telnyx.NewVerifier(pub)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := v.Verify(r.Header.Get(telnyx.TimestampHeader), r.Header.Get(telnyx.SignatureHeader), body); err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	bodies, headers := signedEvents(b, priv, b.N)
	serve(b, h, bodies, headers)
}
