package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/carrierenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

//go:embed simulator.html
var simulatorPage []byte

// simulator acts as the consumer's phone and as Twilio: it signs the text
// like Twilio and posts it to TwilioInbound, and shows what the sandbox
// carrier was asked to send back.
type simulator struct {
	numbersOf func(ctx context.Context) ([]chat.Number, error)
	sandbox   *sandbox.Carrier // nil with a real carrier
	urls      wire.URLs
	token     string // signs the webhooks as Twilio would
	selfBase  string // where this process listens, for posting the webhook
	client    *http.Client
	// boot tells this process's sandbox log from an earlier one's, whose
	// indexes a drill's reader must not continue from.
	boot string

	mu   sync.Mutex
	sent map[string][]bubble // thread → texts the consumer sent
}

type bubble struct {
	From     string    `json:"from"` // "consumer" or "business"
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
	Encoding string    `json:"encoding,omitempty"`
	Segments int       `json:"segments,omitempty"`
	// Media are the pictures of an MMS, shown in the bubble.
	Media []string `json:"media,omitempty"`
}

func newSimulator(ctx context.Context, e *platform.Env, selfBase string) (*simulator, error) {
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	return &simulator{
		numbersOf: st.Numbers, sandbox: carrierenv.Sandbox(e), urls: e.URLs(), token: e.Config.WebhookAuthToken(),
		selfBase: selfBase, client: &http.Client{Timeout: 15 * time.Second}, sent: map[string][]bubble{},
		boot: clock.RandomID(),
	}, nil
}

func (s *simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/Simulator") {
	case "":
		// The page fetches api/… relative to its address: without the
		// slash that would be /api/…, which nothing serves.
		target := "Simulator/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(simulatorPage)
	case "/api/numbers":
		s.numbers(w, r)
	case "/api/send":
		s.send(w, r)
	case "/api/thread":
		s.thread(w, r)
	case "/api/outbox":
		s.outbox(w, r)
	case "/api/faults":
		s.faults(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *simulator) numbers(w http.ResponseWriter, r *http.Request) {
	ns, err := s.numbersOf(r.Context())
	if err != nil {
		httpx.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"numbers": ns, "sandbox": s.sandbox != nil})
}

type sendRequest struct {
	Number   string `json:"number"`
	Consumer string `json:"consumer"`
	Body     string `json:"body"`
}

func (s *simulator) send(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequirePOST(w, r) {
		return
	}
	var req sendRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		httpx.Error(w, http.StatusBadRequest, "body must be JSON {number, consumer, body}: "+err.Error())
		return
	}
	consumer, err := sms.NormalizeNumber(req.Consumer, "US")
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "consumer: "+err.Error())
		return
	}
	if strings.TrimSpace(req.Body) == "" {
		httpx.Error(w, http.StatusBadRequest, "body: type a message")
		return
	}
	form := url.Values{
		"MessageSid": {"SMsim" + clock.RandomID()[:27]}, "AccountSid": {"ACsimulator"},
		"From": {consumer}, "To": {req.Number}, "Body": {req.Body}, "NumMedia": {"0"},
		"NumSegments": {fmt.Sprint(sms.Measure(req.Body).Segments)}, "ApiVersion": {"2010-04-01"},
	}
	// Signed for the public URL, as Twilio would; posted to this process.
	signedFor := s.urls.PublicFunction(wire.FnTwilioInbound)
	hreq, err := twilio.SignedRequest(s.token, signedFor, form)
	if err != nil {
		httpx.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	hreq.URL, _ = url.Parse(s.selfBase + "/" + wire.FnTwilioInbound)
	hreq.Host = hreq.URL.Host
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	resp, err := s.client.Do(hreq.WithContext(ctx))
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "webhook: "+err.Error())
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		httpx.Error(w, http.StatusBadGateway, fmt.Sprintf("TwilioInbound answered %d", resp.StatusCode))
		return
	}
	s.mu.Lock()
	key := req.Number + "_" + consumer
	s.sent[key] = append(s.sent[key], bubble{From: "consumer", Body: req.Body, At: time.Now().UTC()})
	s.mu.Unlock()
	httpx.JSON(w, http.StatusOK, map[string]string{"consumer": consumer})
}

func (s *simulator) thread(w http.ResponseWriter, r *http.Request) {
	number := r.URL.Query().Get("number")
	consumer, err := sms.NormalizeNumber(r.URL.Query().Get("consumer"), "US")
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "consumer: "+err.Error())
		return
	}
	s.mu.Lock()
	out := append([]bubble(nil), s.sent[number+"_"+consumer]...)
	s.mu.Unlock()
	if s.sandbox != nil {
		for _, m := range s.sandbox.Conversation(number, consumer) {
			meas := sms.Measure(m.Body)
			b := bubble{From: "business", Body: m.Body, At: m.At, Media: m.MediaURLs}
			if len(m.MediaURLs) == 0 {
				b.Encoding, b.Segments = string(meas.Encoding), meas.Segments
			}
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	httpx.JSON(w, http.StatusOK, map[string]any{"messages": out})
}

// outbox lists every call the sandbox carrier got, from index after on, for
// scripts/load and scripts/faults, which act as every consumer's phone: one
// cheap read of this process's memory, never of the store.
func (s *simulator) outbox(w http.ResponseWriter, r *http.Request) {
	if s.sandbox == nil {
		httpx.Error(w, http.StatusConflict, "the outbox is the sandbox carrier's (SMSDESK_CARRIER=sandbox)")
		return
	}
	after, err := strconv.Atoi(cmp.Or(r.URL.Query().Get("after"), "0"))
	if err != nil || after < 0 {
		httpx.Error(w, http.StatusBadRequest, "after: want a count of 0 or more")
		return
	}
	attempts := s.sandbox.Attempts(after)
	httpx.JSON(w, http.StatusOK, map[string]any{
		"boot": s.boot, "attempts": orEmpty(attempts), "next": after + len(attempts), "faultsLeft": s.sandbox.FaultsLeft(),
	})
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// faults makes the sandbox carrier fail its next sends (scripts/faults):
// {"kind": "429"|"500"|"timeout"|"opted-out", "count": N, "delay": "25s"}.
func (s *simulator) faults(w http.ResponseWriter, r *http.Request) {
	if !httpx.RequirePOST(w, r) {
		return
	}
	if s.sandbox == nil {
		httpx.Error(w, http.StatusConflict, "faults are the sandbox carrier's (SMSDESK_CARRIER=sandbox)")
		return
	}
	var req struct {
		Kind  sandbox.FaultKind `json:"kind"`
		Count int               `json:"count"`
		Delay string            `json:"delay"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		httpx.Error(w, http.StatusBadRequest, "body must be JSON {kind, count, delay}: "+err.Error())
		return
	}
	var delay time.Duration
	if req.Delay != "" {
		d, err := time.ParseDuration(req.Delay)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "delay: "+err.Error())
			return
		}
		delay = d
	}
	if err := s.sandbox.InjectFaults(req.Kind, req.Count, delay); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"faultsLeft": s.sandbox.FaultsLeft()})
}
