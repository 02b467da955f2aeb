package twilioinbound

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const benchToken = "0123456789abcdef0123456789abcdef"

// signedForms prepares n distinct signed inbound webhooks (distinct
// MessageSids, so every one takes the full path rather than the dedupe one).
func signedForms(b *testing.B, publicURL string, n int) (bodies, sigs []string) {
	bodies, sigs = make([]string, n), make([]string, n)
	for i := range n {
		form := url.Values{
			"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {fmt.Sprintf("SM%032d", i)},
			"NumMedia": {"0"}, "ToCity": {"SAN FRANCISCO"}, "FromZip": {"94107"}, "SmsSid": {fmt.Sprintf("SM%032d", i)},
			"FromState": {"CA"}, "SmsStatus": {"received"}, "FromCity": {"SAN FRANCISCO"},
			"Body": {"Hi, I need help with my order"}, "FromCountry": {"US"}, "To": {"+14155550101"},
			"ToZip": {"94105"}, "NumSegments": {"1"}, "MessageSid": {fmt.Sprintf("SM%032d", i)},
			"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "From": {"+14155550142"}, "ApiVersion": {"2010-04-01"},
		}
		bodies[i] = form.Encode()
		sigs[i] = twilio.Sign(benchToken, publicURL, form)
	}
	return bodies, sigs
}

func serve(b *testing.B, h http.Handler, bodies, sigs []string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/TwilioInbound", strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.SignatureHeader, sigs[i])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answered %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkTwilioInbound is the webhook's CPU per request on the embedded
// adapters; BenchmarkBareHandler, in the same run, only parses the form,
// checks the signature and answers <Response/>. The goal is ≤ 1.5× the bare
// handler.
func BenchmarkTwilioInbound(b *testing.B) {
	in := &intake.Service{
		Store: memstore.New(),
		// No subscription: the bus accepts and drops, so routing is not
		// part of the webhook's cost (it runs after the answer).
		Bus: membus.New(membus.Options{Logger: logrus.New()}),
	}
	publicURL := wire.URLs{Public: "https://sms.acme.example"}.PublicFunction(Name)
	logger := logging.New(io.Discard, logrus.InfoLevel, "bench")
	h := logging.Middleware(logger, "bench", Name, New(in, twilio.NewVerifier(benchToken), publicURL))
	bodies, sigs := signedForms(b, publicURL, b.N)
	serve(b, h, bodies, sigs)
}

func BenchmarkBareHandler(b *testing.B) {
	publicURL := "https://sms.acme.example/TwilioInbound"
	v := twilio.NewVerifier(benchToken)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !v.Verify(publicURL, r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		twilio.WriteEmptyResponse(w)
	})
	bodies, sigs := signedForms(b, publicURL, b.N)
	serve(b, h, bodies, sigs)
}
