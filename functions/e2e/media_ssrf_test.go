package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// hitCounter is an HTTP server that counts its requests per path.
type hitCounter struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newHitCounter(t *testing.T, h http.HandlerFunc) *hitCounter {
	c := &hitCounter{hits: map[string]int{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.hits[r.URL.Path]++
		c.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *hitCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[path]
}

// TestMMSMediaStayOutOfOurNetwork: a signed webhook whose media URLs point
// inside our network (a service on this machine, the metadata server and a
// private address behind a redirect from the carrier's host) is routed
// with those media kept as references saying why they were refused, on
// the first delivery; nothing is requested from where they point, and the
// carrier's own medium in the same message is stored.
//
// This deployment talks to a Twilio stand-in on 127.0.0.1, so 127.0.0.1
// is one of its Twilio media hosts and loopback may be dialed (the test
// allowance); a service on this machine is reached as localhost instead.
// In production neither holds (shared/media's tests cover both).
func TestMMSMediaStayOutOfOurNetwork(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := mediaEnv(t, backend)
			internal := newHitCounter(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(e2ePNG)
			})
			carrierHost := newHitCounter(t, func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); !ok || u != accountSID || p != authToken {
					http.Error(w, "authenticate", http.StatusUnauthorized)
					return
				}
				switch r.URL.Path {
				case "/Media/metadata":
					http.Redirect(w, r, "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token", http.StatusFound)
				case "/Media/private":
					http.Redirect(w, r, "http://10.0.0.1:8080/admin", http.StatusTemporaryRedirect)
				case "/Media/ok":
					w.Header().Set("Content-Type", "image/png")
					_, _ = w.Write(e2ePNG)
				default:
					http.NotFound(w, r)
				}
			})
			internalURL, _ := url.Parse(internal.URL)
			internalURL.Host = "localhost:" + internalURL.Port()

			const sid = "MM00000000000000000000000000055f"
			media := []struct{ url, wantError string }{
				{internalURL.String() + "/x.png", "blocked: localhost is not one of twilio's media hosts"},
				{carrierHost.URL + "/Media/metadata", "blocked: the download was redirected to 169.254.169.254, which is not one of twilio's media hosts"},
				{carrierHost.URL + "/Media/private", "blocked: the download was redirected to 10.0.0.1, which is not one of twilio's media hosts"},
				{carrierHost.URL + "/Media/ok", ""},
			}
			form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {"+14155550179"}, "To": {numberEN},
				"Body": {"see attached"}, "NumMedia": {strconv.Itoa(len(media))}}
			for i, m := range media {
				form.Set("MediaUrl"+strconv.Itoa(i), m.url)
				form.Set("MediaContentType"+strconv.Itoa(i), "image/png")
			}
			if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			rec := e.waitRouted(sid)
			// Refused media never fail the delivery: RouteInbound answers 2xx.
			testenv.WaitFor(t, waitLimit, "RouteInbound answered 2xx", func() bool { return e.calls.OK(wire.FnRouteInbound) >= 1 })
			var msg chat.Message
			for _, m := range e.transcript(rec.ChatID) {
				if m.InboundID == "twilio_"+sid {
					msg = m
				}
			}
			if len(msg.Media) != len(media) {
				t.Fatalf("message has %d media, want %d: %+v", len(msg.Media), len(media), msg.Media)
			}
			for i, want := range media {
				got := msg.Media[i]
				if want.wantError == "" {
					if !got.Stored() || got.Error != "" || got.Size != int64(len(e2ePNG)) {
						t.Errorf("the carrier's medium = %+v, want it stored", got)
					}
					continue
				}
				if got.Stored() || got.URL != want.url || got.Error != want.wantError {
					t.Errorf("medium %d = %+v\nwant the URL kept with %q", i, got, want.wantError)
				}
			}
			if n := internal.count("/x.png"); n != 0 {
				t.Errorf("the internal service was asked for the medium %d times", n)
			}
			for _, p := range []string{"/Media/metadata", "/Media/private", "/Media/ok"} {
				if n := carrierHost.count(p); n != 1 {
					t.Errorf("the carrier's host served %s %d times, want once (a refusal is not retried)", p, n)
				}
			}
			if strings.Contains(fmt.Sprint(msg.Media), authToken) {
				t.Error("the transcript holds the auth token")
			}
		})
	}
}
