package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

const (
	tableToken = "sandbox-table-token"
	otherToken = "another-sandbox-token"
)

// posted is one callback the sandbox made.
type posted struct {
	url  string
	body string
	sig  string
}

// recorder stands where DeliveryStatus would: it keeps what the sandbox
// posts.
type recorder struct {
	*httptest.Server
	mu    sync.Mutex
	posts []posted
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		rec.mu.Lock()
		rec.posts = append(rec.posts, posted{url: rec.URL + r.URL.RequestURI(), body: string(b), sig: r.Header.Get(twilio.SignatureHeader)})
		rec.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) all() []posted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]posted(nil), r.posts...)
}

// standIn: the sandbox has no API; what it took is what it keeps, and the
// faults it can play are those of scripts/faults.
type standIn struct{ c *Carrier }

func (s standIn) URL() string   { return "" }
func (s standIn) Requests() int { return len(s.c.Attempts(0)) }
func (s standIn) Recover()      { _ = s.c.InjectFaults("", 0, 0) }

func (s standIn) Accepted() []carriertest.Accepted {
	var out []carriertest.Accepted
	for _, m := range s.c.Sent() {
		out = append(out, carriertest.Accepted{ID: m.SID, From: m.From, To: m.To, Body: m.Body, MediaURLs: m.MediaURLs, StatusCallback: m.StatusCallback})
	}
	return out
}

func (s standIn) Answer(a carriertest.Answer) {
	kind := FaultKind("")
	switch {
	case a.Hang:
		kind = FaultTimeout
	case a.Code == twilio.CodeOptedOut:
		kind = FaultOptedOut
	case a.HTTPStatus == http.StatusTooManyRequests:
		kind = FaultRateLimited
	case a.HTTPStatus == http.StatusInternalServerError:
		kind = FaultServerError
	}
	n := a.Times
	if n == 0 {
		n = 1 << 20
	}
	// A timeout hangs until the sender's context ends.
	if err := s.c.InjectFaults(kind, n, time.Hour); err != nil {
		panic("the sandbox cannot play " + strconv.Quote(string(kind)) + ": " + err.Error())
	}
}

// sandboxProvider describes the sandbox to the shared table: its status
// callbacks, verified by Twilio's verifier as DeliveryStatus does in
// sandbox mode, and its sends.
func sandboxProvider(t *testing.T) carriertest.Provider {
	rec := newRecorder(t)
	sb := New(tableToken, logrus.New())
	t.Cleanup(sb.Wait) // before the recorder closes
	p := carriertest.Provider{
		Name:     twilio.Name,
		Webhooks: twilio.NewVerifier(tableToken),
		// The sandbox's own signing, for any key.
		Sign: func(key, fullURL string, body []byte) http.Header {
			r, err := New(key, logrus.New()).CallbackRequest(fullURL, twiliotable.Form(body))
			if err != nil {
				panic(err)
			}
			return r.Header
		},
		Key: tableToken, WrongKey: otherToken,
		// The sandbox's callbacks are Twilio's forms.
		Tamper: twiliotable.Tamper, Repeat: twiliotable.Repeat,
		PublicBase: rec.URL,
		NewSender:  func(string) (carrier.Sender, error) { return sb, nil },
		StandIn:    standIn{sb},
		SendErrors: []carriertest.SendError{
			{Name: "21610 opted out", Answer: carriertest.Answer{HTTPStatus: 400, Code: twilio.CodeOptedOut}, Class: carrier.Permanent, OptedOut: true},
		},
		Skip: map[string]string{
			"webhooks/inbound/":                     "the sandbox posts no inbound webhooks: the dev phone simulator signs those with twilio.Sign, which the twilio table covers",
			"parse/inbound":                         "the sandbox posts no inbound webhooks",
			"status/":                               "the sandbox posts only Twilio's words sent and delivered, with no error code: its parse/status rows are its own callbacks, and the word table is Twilio's",
			"send/error/http 503":                   "the sandbox plays only the faults of scripts/faults (429, 500, timeout, opted-out)",
			"send/error/http 503 page from a proxy": "the sandbox plays only the faults of scripts/faults (429, 500, timeout, opted-out)",
			"send/error/outage for a while":         "the sandbox plays faults for a number of sends, not for a time",
			"send/error/connection refused":         "the sandbox has no API to connect to",
		},
	}
	// The captures are the sandbox's own callbacks for one text.
	_, cb := p.PublicURL(carriertest.KindStatus)
	res, err := sb.Send(context.Background(), carrier.OutboundSMS{From: carriertest.From, To: carriertest.To, Body: "hello", StatusCallbackURL: cb})
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, "the sandbox's two status callbacks", func() bool { return len(rec.all()) == 2 })
	for _, pc := range rec.all() {
		st := chat.DeliveryStatus(twiliotable.Form([]byte(pc.body)).Get("MessageStatus"))
		// What the sandbox posted must verify as posted, before the
		// harness re-signs it for its rows.
		if !twilio.NewVerifier(tableToken).Verify(pc.url, twiliotable.Form([]byte(pc.body)), pc.sig) {
			t.Fatalf("the sandbox's %s callback is not signed for %s", st, pc.url)
		}
		p.Captures = append(p.Captures, carriertest.Capture{
			Name: string(st) + ", as the sandbox posted it", Source: "sandbox.Send", Kind: carriertest.KindStatus, Body: pc.body,
			Status: &carrier.Status{ProviderMessageID: res.ProviderMessageID, Status: st},
		})
	}
	return p
}

func TestCarrierTable(t *testing.T) {
	carriertest.Run(t, sandboxProvider(t))
}
