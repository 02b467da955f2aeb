// Command loadtest measures how long a consumer's text takes to become
// visible to agents: it posts signed Twilio webhooks to a running smsdesk
// (scripts/load starts one on the emulators) at a fixed rate, and polls
// AgentAPI's GET /chats/{id}?after=N as a supervisor, one poller per chat
// as an agent's console does, until each text shows up. It prints the
// latency distribution and the webhook acknowledgement times.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/config"
)

const (
	loadNumber = "+14155550107"
	loadQueue  = "load-pool"
	loadAgent  = "loadbot"
	accountSID = "AC00000000000000000000000000000000"
)

type options struct {
	base      string // where smsdesk listens (internal address)
	public    string // PUBLIC_BASE_URL the server checks signatures against
	token     string // webhook signing token
	rate      float64
	duration  time.Duration
	consumers int
	poll      time.Duration
	timeout   time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.base, "base", "http://127.0.0.1:8080", "smsdesk's address")
	flag.StringVar(&o.public, "public", "", "the server's PUBLIC_BASE_URL (default: -base)")
	flag.StringVar(&o.token, "token", config.SandboxAuthToken, "Twilio auth token the server verifies webhooks with")
	flag.Float64Var(&o.rate, "rate", 10, "consumer texts per second")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long to send")
	flag.IntVar(&o.consumers, "consumers", 0, "distinct consumers (default: 2 × rate, at most 100)")
	flag.DurationVar(&o.poll, "poll", 100*time.Millisecond, "how often a waiting text is looked for")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up on a text after this long")
	flag.Parse()
	if o.public == "" {
		o.public = o.base
	}
	if o.consumers == 0 {
		o.consumers = min(100, max(1, int(2*o.rate)))
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type client struct {
	o     options
	http  *http.Client
	admin string
	super string
}

func run(ctx context.Context, o options) error {
	c := &client{o: o, http: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	var err error
	if c.admin, err = c.signIn(ctx, `{"role":"admin"}`); err != nil {
		return err
	}
	if c.super, err = c.signIn(ctx, `{"role":"supervisor"}`); err != nil {
		return err
	}
	if err := c.setUp(ctx); err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	chats, err := c.openChats(ctx)
	if err != nil {
		return fmt.Errorf("opening the consumers' chats: %w", err)
	}

	fmt.Printf("loadtest: %.0f texts/s for %s from %d consumers, polling every %s\n", o.rate, o.duration, o.consumers, o.poll)
	rec := &recorder{failures: map[string]int{}}
	watchers := map[string]*watcher{}
	var watching sync.WaitGroup
	for consumer, chatID := range chats {
		w := &watcher{c: c, chatID: chatID, rec: rec, pending: map[string]time.Time{}, wake: make(chan struct{}, 1)}
		watchers[consumer] = w
		watching.Add(1)
		go func() { defer watching.Done(); w.run(ctx) }()
	}
	// MessageSids are unique across runs against one server: a repeated
	// one is a carrier retry, deduplicated, and would never show up.
	runID := time.Now().UnixNano()
	var sending sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
	deadline := time.Now().Add(o.duration)
	for n := 0; time.Now().Before(deadline); n++ {
		<-tick.C
		consumer := consumerNumber(n % o.consumers)
		body := fmt.Sprintf("load text %x-%d", runID, n)
		sending.Add(1)
		go func() {
			defer sending.Done()
			w := watchers[consumer]
			start := time.Now()
			w.expect(body, start) // before the webhook: the watcher must not read past it unexpecting
			if err := c.text(ctx, fmt.Sprintf("SM%x%08d", runID, n), consumer, body); err != nil {
				rec.fail("webhook: " + err.Error())
				w.forget(body)
				return
			}
			rec.ack(time.Since(start))
		}()
	}
	tick.Stop()
	sending.Wait()
	for _, w := range watchers {
		w.close()
	}
	watching.Wait()
	report("text visible through AgentAPI", rec.visible)
	report("webhook answered", rec.acks)
	fmt.Printf("  AgentAPI polls: %d\n", rec.polls.Load())
	for what, n := range rec.failures {
		fmt.Printf("  failed %d×: %s\n", n, what)
	}
	if len(rec.failures) > 0 {
		return errors.New("some texts failed")
	}
	return nil
}

// recorder collects the samples of every watcher.
type recorder struct {
	mu       sync.Mutex
	visible  []time.Duration
	acks     []time.Duration
	failures map[string]int
	polls    atomic.Int64
}

func (r *recorder) fail(what string)    { r.mu.Lock(); r.failures[what]++; r.mu.Unlock() }
func (r *recorder) ack(d time.Duration) { r.mu.Lock(); r.acks = append(r.acks, d); r.mu.Unlock() }
func (r *recorder) seen(d time.Duration) {
	r.mu.Lock()
	r.visible = append(r.visible, d)
	r.mu.Unlock()
}
func (r *recorder) failN(what string, n int) { r.mu.Lock(); r.failures[what] += n; r.mu.Unlock() }
func (w *watcher) forget(body string)        { w.mu.Lock(); delete(w.pending, body); w.mu.Unlock() }

// watcher polls one chat as an agent's console does, asking only for the
// messages after the last one it saw, while texts are outstanding.
type watcher struct {
	c       *client
	chatID  string
	rec     *recorder
	mu      sync.Mutex
	pending map[string]time.Time // body → when its webhook was posted
	lastSeq int64
	closed  bool
	wake    chan struct{}
}

func (w *watcher) expect(body string, at time.Time) {
	w.mu.Lock()
	w.pending[body] = at
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) run(ctx context.Context) {
	for {
		w.mu.Lock()
		waiting, closed := len(w.pending), w.closed
		oldest := time.Now()
		for _, at := range w.pending {
			if at.Before(oldest) {
				oldest = at
			}
		}
		w.mu.Unlock()
		if waiting == 0 {
			if closed {
				return
			}
			<-w.wake
			continue
		}
		if time.Since(oldest) > w.c.o.timeout {
			w.mu.Lock()
			w.rec.failN(fmt.Sprintf("visible: not within %s", w.c.o.timeout), len(w.pending))
			clear(w.pending)
			w.mu.Unlock()
			continue
		}
		var view struct {
			Messages []chat.Message `json:"messages"`
		}
		w.rec.polls.Add(1)
		if err := w.c.call(ctx, w.c.super, "GET", fmt.Sprintf("/AgentAPI/chats/%s?after=%d", w.chatID, w.lastSeq), "", &view); err != nil {
			w.rec.fail("poll: " + err.Error())
		}
		now := time.Now()
		w.mu.Lock()
		for _, m := range view.Messages {
			if at, ok := w.pending[m.Body]; ok {
				w.rec.seen(now.Sub(at))
				delete(w.pending, m.Body)
			}
			w.lastSeq = max(w.lastSeq, m.Seq)
		}
		w.mu.Unlock()
		time.Sleep(w.c.o.poll)
	}
}

func consumerNumber(i int) string { return fmt.Sprintf("+1415556%04d", i) }

func report(what string, d []time.Duration) {
	if len(d) == 0 {
		fmt.Printf("  %s: no samples\n", what)
		return
	}
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	fmt.Printf("  %s: n=%d p50=%s p90=%s p99=%s max=%s\n", what, len(d),
		q(0.50).Round(time.Millisecond), q(0.90).Round(time.Millisecond), q(0.99).Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
}

func (c *client) signIn(ctx context.Context, principal string) (string, error) {
	var out struct{ Token string }
	if err := c.call(ctx, "", "POST", "/Console/dev-sign-in", principal, &out); err != nil {
		return "", fmt.Errorf("dev sign-in (run the server with SMSDESK_AUTH=dev): %w", err)
	}
	return out.Token, nil
}

// setUp adds a number whose entry queue is a leaf worked by one
// auto-answer agent with room for every consumer, so each measured text
// lands in an active chat and causes no reply: the path measured is the
// consumer's text alone.
func (c *client) setUp(ctx context.Context) error {
	steps := []struct{ path, body string }{
		{"/AdminAPI/agents/" + loadAgent, `{"name":"Load Bot","capacity":100,"autoAnswer":true,"status":"available"}`},
		{"/AdminAPI/queues/" + loadQueue, `{"name":"Load","agents":["` + loadAgent + `"],"timeouts":{"agentInactivityMinutes":10080,"expiryMinutes":10080}}`},
		{"/AdminAPI/numbers/" + url.PathEscape(loadNumber), `{"provider":"twilio","entryQueue":"` + loadQueue + `","language":"en","enabled":true}`},
	}
	for _, s := range steps {
		if err := c.call(ctx, c.admin, "PUT", s.path, s.body, nil); err != nil {
			return err
		}
	}
	return nil
}

// openChats has every consumer text once and returns their chats.
func (c *client) openChats(ctx context.Context) (map[string]string, error) {
	chats := map[string]string{}
	for i := range c.o.consumers {
		consumer := consumerNumber(i)
		if err := c.text(ctx, fmt.Sprintf("SMsetup%04d%d", i, time.Now().UnixNano()), consumer, "hello"); err != nil {
			return nil, err
		}
	}
	deadline := time.Now().Add(c.o.timeout)
	for i := range c.o.consumers {
		consumer := consumerNumber(i)
		for chats[consumer] == "" {
			var list []chat.Chat
			if err := c.call(ctx, c.super, "GET", "/AgentAPI/consumers/"+url.PathEscape(consumer)+"/chats", "", &list); err != nil {
				return nil, err
			}
			for _, ch := range list {
				if ch.Number == loadNumber && ch.Status != chat.StatusEnded {
					chats[consumer] = ch.ID
				}
			}
			if chats[consumer] == "" {
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("no open chat for %s", consumer)
				}
				time.Sleep(c.o.poll)
			}
		}
	}
	return chats, nil
}

func (c *client) text(ctx context.Context, sid, consumer, body string) error {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {consumer}, "To": {loadNumber}, "Body": {body}, "NumMedia": {"0"}}
	req, err := twilio.SignedRequest(c.o.token, strings.TrimSuffix(c.o.public, "/")+"/TwilioInbound", form)
	if err != nil {
		return err
	}
	target, _ := url.Parse(strings.TrimSuffix(c.o.base, "/") + "/TwilioInbound")
	req.URL, req.Host = target, target.Host
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("TwilioInbound answered %d", resp.StatusCode)
	}
	return nil
}

func (c *client) call(ctx context.Context, token, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.o.base, "/")+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
