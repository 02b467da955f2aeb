package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
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

// simulator acts as the consumer's phone and as the carrier: it posts the
// text as Twilio, Telnyx or Bandwidth would (signed like each) to that
// carrier's inbound function, and shows what the sandbox carrier was asked
// to send back.
type simulator struct {
	numbersOf func(ctx context.Context) ([]chat.Number, error)
	sandbox   *sandbox.Carrier // nil with a real carrier
	urls      wire.URLs
	carriers  carriers // signs the webhooks as each carrier would
	selfBase  string   // where this process listens, for posting the webhook
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

func newSimulator(ctx context.Context, e *platform.Env, cs carriers, selfBase string) (*simulator, error) {
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	return &simulator{
		numbersOf: st.Numbers, sandbox: carrierenv.Sandbox(e), urls: e.URLs(), carriers: cs,
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
	httpx.JSON(w, http.StatusOK, map[string]any{"numbers": ns, "sandbox": s.sandbox != nil, "carriers": s.carriers.providers()})
}

type sendRequest struct {
	Number   string `json:"number"`
	Consumer string `json:"consumer"`
	Body     string `json:"body"`
	// Carrier is who delivers the text: twilio (the default), telnyx or
	// bandwidth.
	Carrier string `json:"carrier"`
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
	hreq, challenged, err := s.carriers.inbound(req.Carrier, s.urls, s.selfBase, req.Number, consumer, req.Body)
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	status, err := s.deliver(ctx, hreq, challenged)
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "webhook: "+err.Error())
		return
	}
	if status != http.StatusOK {
		httpx.Error(w, http.StatusBadGateway, fmt.Sprintf("%s answered %d", strings.TrimPrefix(hreq.URL.Path, "/"), status))
		return
	}
	s.mu.Lock()
	key := req.Number + "_" + consumer
	s.sent[key] = append(s.sent[key], bubble{From: "consumer", Body: req.Body, At: time.Now().UTC()})
	s.mu.Unlock()
	httpx.JSON(w, http.StatusOK, map[string]string{"consumer": consumer})
}

// deliver posts a webhook as its carrier does. Bandwidth first posts
// without credentials and answers a 401 challenge with them
// (challenged): so does the simulator.
func (s *simulator) deliver(ctx context.Context, req *http.Request, challenged http.Header) (int, error) {
	resp, err := s.client.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || challenged == nil || resp.Header.Get("WWW-Authenticate") == "" {
		return resp.StatusCode, nil
	}
	again := req.Clone(ctx)
	if again.Body, err = req.GetBody(); err != nil {
		return 0, err
	}
	for k, vs := range challenged {
		again.Header[k] = vs
	}
	if resp, err = s.client.Do(again); err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
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
