// Package standin is what the carriers' API stand-ins (twiliotest,
// telnyxtest, bandwidthtest) share: the record of the messages a stand-in
// accepted, the failures a test told it to answer, and the ways a failing
// carrier answers whatever its API (a proxy's HTML page, or nothing until
// the client gives up). Each stand-in keeps its own checks, bodies and
// error format, which are what differ between carriers.
package standin

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Message is a message a stand-in accepted.
type Message interface {
	// Recipient is the number the message was sent to.
	Recipient() string
}

// Failure is a failure a stand-in answers instead of accepting a message.
type Failure interface {
	// Limits says how long the failure lasts: for times requests (0: no
	// limit) and until an instant (zero: no end).
	Limits() (times int, until time.Time)
	// Raw is how a failing path answers below the carrier's API: hang
	// answers nothing until the client gives up, and a body is answered
	// verbatim as text/html with status.
	Raw() (status int, body string, hang bool)
}

type pending[F Failure] struct {
	f     F
	times int
	until time.Time
}

// Recorder records accepted messages and counts requests; the zero value
// is not usable, New makes one. Its methods are safe for concurrent use.
type Recorder[M Message, F Failure] struct {
	mu       sync.Mutex
	sent     []M
	byKey    map[string]int
	failures map[string]*pending[F] // by recipient; "" is every recipient
	requests int
	stop     chan struct{}
	stopOnce sync.Once
}

// New returns an empty recorder.
func New[M Message, F Failure]() *Recorder[M, F] {
	return &Recorder[M, F]{byKey: map[string]int{}, failures: map[string]*pending[F]{}, stop: make(chan struct{})}
}

// FailFor makes sends to one recipient fail as f says.
func (r *Recorder[M, F]) FailFor(to string, f F) {
	times, until := f.Limits()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures[to] = &pending[F]{f: f, times: times, until: until}
}

// Fail makes every send fail as f says; a failure set for a recipient with
// FailFor is answered first.
func (r *Recorder[M, F]) Fail(f F) { r.FailFor("", f) }

// Recover removes every failure: sends succeed again.
func (r *Recorder[M, F]) Recover() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.failures)
}

// Sent returns the messages accepted so far, in order.
func (r *Recorder[M, F]) Sent() []M {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]M(nil), r.sent...)
}

// SentTo returns the messages accepted for one recipient.
func (r *Recorder[M, F]) SentTo(to string) []M {
	var out []M
	for _, m := range r.Sent() {
		if m.Recipient() == to {
			out = append(out, m)
		}
	}
	return out
}

// Requests counts send requests, accepted or not.
func (r *Recorder[M, F]) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// CountRequest counts one send request; a stand-in calls it first thing.
func (r *Recorder[M, F]) CountRequest() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
}

// NextFailure returns the failure to answer a send to to, if any, and
// counts it down.
func (r *Recorder[M, F]) NextFailure(to string) (F, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, key := range []string{to, ""} {
		p, ok := r.failures[key]
		if !ok {
			continue
		}
		if !p.until.IsZero() && !time.Now().Before(p.until) {
			delete(r.failures, key)
			continue
		}
		if p.times > 0 {
			if p.times--; p.times == 0 {
				delete(r.failures, key)
			}
		}
		return p.f, true
	}
	var none F
	return none, false
}

// Record accepts a message: make builds it from the number of messages
// accepted before it (for the carrier's id). A repeated non-empty
// idempotency key answers the message that key accepted first, with
// replayed true.
func (r *Recorder[M, F]) Record(key string, build func(accepted int) M) (m M, replayed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.byKey[key]; ok && key != "" {
		return r.sent[i], true
	}
	m = build(len(r.sent))
	r.sent = append(r.sent, m)
	if key != "" {
		r.byKey[key] = len(r.sent) - 1
	}
	return m, false
}

// Stop releases every request the stand-in holds (a hanging failure, a
// delay); the stand-in's Close calls it before closing its server.
func (r *Recorder[M, F]) Stop() { r.stopOnce.Do(func() { close(r.stop) }) }

// Wait holds a request for d; false when the client or the stand-in gave
// up first.
func (r *Recorder[M, F]) Wait(req *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-req.Context().Done():
	case <-r.stop:
	}
	return false
}

// AnswerRaw answers a failure that fails below the carrier's API (hang, or
// an HTML page) and reports whether it did; otherwise the stand-in writes
// its carrier's error body.
func (r *Recorder[M, F]) AnswerRaw(w http.ResponseWriter, req *http.Request, f F) bool {
	status, body, hang := f.Raw()
	switch {
	case hang:
		select {
		case <-req.Context().Done():
		case <-r.stop:
		}
	case body != "":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	default:
		return false
	}
	return true
}

// WriteJSON answers v as a JSON body with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
