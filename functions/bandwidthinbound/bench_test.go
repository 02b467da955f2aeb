package bandwidthinbound

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const benchUser, benchPassword = "smsdesk-callbacks", "0123456789abcdef0123456789abcdef"

// receivedEvents prepares n distinct message-received callbacks (distinct
// message ids, so every one takes the full path rather than the dedupe
// one), in the shape of Bandwidth's documented example.
func receivedEvents(n int) []string {
	bodies := make([]string, n)
	for i := range n {
		bodies[i] = fmt.Sprintf(`[{"time":"2026-12-01T10:00:00.000000Z","type":"message-received","to":"+14155550101","description":"Incoming message received",`+
			`"message":{"id":"1476207046829%016d","owner":"+14155550101","applicationId":"93de2206-9669-4e07-948d-329f4b722ee2",`+
			`"time":"2026-12-01T10:00:00.000000Z","segmentCount":1,"direction":"in","to":["+14155550101"],"from":"+14155550142","text":"Hi, I need help with my order"}}]`, i)
	}
	return bodies
}

func serve(b *testing.B, h http.Handler, bodies []string) {
	auth := bandwidth.Sign(benchUser, benchPassword).Get("Authorization")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/BandwidthInbound", strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answered %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkBandwidthInbound is the webhook's CPU per request on the
// embedded adapters; BenchmarkBareHandler, in the same run, only checks
// the Basic credentials, reads the body and answers 200.
func BenchmarkBandwidthInbound(b *testing.B) {
	in := &intake.Service{
		Store: memstore.New(),
		// No subscription: the bus accepts and drops, so routing is not
		// part of the webhook's cost (it runs after the answer).
		Bus: membus.New(membus.Options{Logger: logrus.New()}),
	}
	publicURL := wire.URLs{Public: "https://sms.acme.example"}.PublicFunction(Name)
	logger := logging.New(io.Discard, logrus.InfoLevel, "bench")
	h := logging.Middleware(logger, "bench", Name, New(in, bandwidth.NewVerifier(benchUser, benchPassword), publicURL))
	serve(b, h, receivedEvents(b.N))
}

func BenchmarkBareHandler(b *testing.B) {
	v := bandwidth.NewVerifier(benchUser, benchPassword)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, password, ok := r.BasicAuth()
		if !ok || !v.Matches(user, password) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	serve(b, h, receivedEvents(b.N))
}
