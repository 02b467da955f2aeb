package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The business side of the load: one number whose entry queue is a menu
// of two queues, worked by agents who auto-answer.
const (
	loadNumber = "+14155550107"
	entryQueue = "load"
	agentName  = "Loadagent" // the first name the assignment text carries
)

// What the consumers recognise in the texts they get: the built-in English
// system messages (the load sets no overrides).
const (
	markMenu     = "Text 1 for"
	markAssigned = "will chat with you"
	markOptedOut = "unsubscribed"
	markEnded    = "This chat has ended"
	replyPrefix  = "re "
)

type textKind int

const (
	kindFirst    textKind = iota // a new consumer's first text: opt-in and menu come back
	kindChoice                   // the menu choice: the chat is queued and assigned
	kindFollowUp                 // a text to the agent, who answers it
	kindStop                     // STOP (scripts/faults): the opt-out confirmation comes back
	kinds
)

var kindNames = [kinds]string{"first text", "menu choice", "follow-up", "STOP"}

// text is one consumer text and what became of it.
type text struct {
	c       *consumer
	kind    textKind
	body    string
	sid     string
	sentAt  time.Time // when its webhook was first posted
	ack     time.Duration
	acked   bool
	refused bool // the webhook never took it
	retries int
	// visibleAt is when an agent's read first returned it (follow-ups);
	// replyAt when the first text back to the consumer after it was handed
	// to the carrier.
	visibleAt time.Time
	replyAt   time.Time
}

// consumer is one phone texting the business number: it texts again only
// when the answer to its last text came back, as a person would.
type consumer struct {
	idx     int
	number  string
	stopper bool // texts STOP instead of its last follow-up
	texts   []*text
	last    *text
	next    textKind
	step    int // follow-ups sent
	ready   bool
	readyAt time.Time
	done    bool
	// optedOutAt is when the opt-out confirmation was handed to the
	// carrier; nothing may follow it.
	optedOutAt time.Time
}

// keyState is what the carrier saw of one outbound message.
type keyState struct {
	sent     int
	timedOut bool // a send of it got no answer (ambiguous): never resent
}

type sim struct {
	o       options
	c       *client
	runTag  string
	started time.Time

	mu         sync.Mutex
	consumers  map[string]*consumer
	list       []*consumer
	readyQ     []*consumer
	texts      []*text
	byBody     map[string]*text // follow-ups, whose bodies are unique
	keys       map[string]*keyState
	dupSends   int // a message handed to the carrier again after it was taken
	resent     int // a message handed to the carrier again after no answer
	faultSends map[string]int
	business   int // texts to our consumers handed to the carrier
	foreign    int // texts to numbers this run does not know
	optViolate int // texts handed to the carrier after a consumer's opt-out confirmation
	skipped    int // arrivals turned away at the consumer cap
	gaveUp     int
	boots      int // sandbox restarts seen (dev server restarts)
	sendEnd    time.Time
	// faultAt and cutoff are the fault drill's: when the fault began, and
	// when the pipe was whole again (the restart done, and for Firestore
	// the configuration put back).
	faultAt, cutoff time.Time
	target          string

	inboxPolls, chatReads, replies, ends, accepts, outboxPolls atomic.Int64
	errMu                                                      sync.Mutex
	errs                                                       map[string]int

	events *eventLog
}

func newSim(o options, c *client) *sim {
	return &sim{
		o: o, c: c, runTag: strconv.FormatInt(time.Now().UnixNano()%1e9, 36),
		consumers: map[string]*consumer{}, byBody: map[string]*text{}, keys: map[string]*keyState{},
		faultSends: map[string]int{}, errs: map[string]int{}, events: &eventLog{},
	}
}

func (s *sim) fail(what string, err error) {
	msg := what
	if err != nil {
		msg += ": " + firstLine(err.Error())
	}
	s.errMu.Lock()
	s.errs[msg]++
	s.errMu.Unlock()
}

// ids are the hex chat ids and numbers in request paths: the errors are
// counted by what failed, not by which chat.
var ids = regexp.MustCompile(`/chats/[0-9a-f]{8,}|after=[0-9]+|\+[0-9]{8,15}|%2B[0-9]{8,15}`)

func firstLine(s string) string {
	s = ids.ReplaceAllStringFunc(s, func(m string) string {
		switch {
		case strings.HasPrefix(m, "/chats/"):
			return "/chats/{id}"
		case strings.HasPrefix(m, "after="):
			return "after=N"
		}
		return "{number}"
	})
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func agentID(i int) string { return fmt.Sprintf("load-%02d", i) }

func agentPrincipal(id string) string { return `{"role":"agent","agentId":"` + id + `"}` }

const (
	adminPrincipal      = `{"role":"admin"}`
	supervisorPrincipal = `{"role":"supervisor"}`
)

// setUp configures the number, its menu and the agents. It is what an
// admin does once, and what the fault drill does again after the
// Firestore emulator lost everything.
func (s *sim) setUp(ctx context.Context) error {
	long := `"timeouts":{"queueMinutes":1440,"agentInactivityMinutes":10080,"endUserInactivityMinutes":10080,"expiryMinutes":10080,"dismissalMinutes":1440}`
	var ids []string
	for i := range s.o.agents {
		id := agentID(i)
		ids = append(ids, `"`+id+`"`)
		body := fmt.Sprintf(`{"name":"%s %02d","capacity":%d,"autoAnswer":true,"status":"available"}`, agentName, i, s.o.capacity)
		if err := s.c.call(ctx, adminPrincipal, "PUT", "/AdminAPI/agents/"+id, body, nil); err != nil {
			return err
		}
	}
	agents := strings.Join(ids, ",")
	steps := []struct{ path, body string }{
		{"/AdminAPI/queues/" + entryQueue, `{"name":"Load","order":1,` + long + `}`},
		{"/AdminAPI/queues/load-a", `{"name":"Load A","parentId":"load","order":1,"keywords":["1"],"agents":[` + agents + `]}`},
		{"/AdminAPI/queues/load-b", `{"name":"Load B","parentId":"load","order":2,"keywords":["2"],"agents":[` + agents + `]}`},
		// A short code's pace (500 segments/s), so what the load measures is
		// the pipe, not the number's throughput (shared/pacing).
		{"/AdminAPI/numbers/" + url.PathEscape(loadNumber), `{"provider":"twilio","entryQueue":"` + entryQueue + `","language":"en","enabled":true,"type":"short-code","messagesPerSecond":500}`},
	}
	for _, st := range steps {
		if err := s.c.call(ctx, adminPrincipal, "PUT", st.path, st.body, nil); err != nil {
			return err
		}
	}
	return nil
}

// consumerNumber is unique per block so that a rerun against the same
// server starts new threads: +1628 then seven digits from 2,000,000.
func (s *sim) consumerNumber(i int) string {
	return fmt.Sprintf("+1628%07d", 2_000_000+(s.o.block%70)*100_000+i%100_000)
}

// send is the consumers' side. New consumers arrive at a fixed rate, the
// target rate divided by the texts of one conversation (first text, menu
// choice, follow-ups); a consumer in conversation texts again -think after
// the answer to its previous text reached its phone. When the server keeps
// up, that is the target rate; when it does not, the consumers in
// conversation wait, as people would, instead of piling texts onto the
// backlog, and the run shows a lower achieved rate.
func (s *sim) send(ctx context.Context) {
	perConversation := float64(2 + s.o.followUps)
	arrival := time.Duration(float64(time.Second) * perConversation / s.o.rate)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := s.started.Add(s.o.duration)
	var posting sync.WaitGroup
	defer posting.Wait()
	nextArrival := s.started
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return
		case now = <-tick.C:
		}
		if !now.Before(deadline) {
			s.mu.Lock()
			s.sendEnd = now
			s.mu.Unlock()
			return
		}
		var due []*text
		for n := 0; !nextArrival.After(now) && n < 1000; n++ {
			nextArrival = nextArrival.Add(arrival)
			if t := s.arrive(); t != nil {
				due = append(due, t)
			}
		}
		due = append(due, s.answered(now)...)
		for _, t := range due {
			posting.Add(1)
			go func() { defer posting.Done(); s.post(ctx, t) }()
		}
	}
}

// arrive starts a new consumer, unless as many as -max-consumers are in
// conversation.
func (s *sim) arrive() *text {
	s.mu.Lock()
	defer s.mu.Unlock()
	active := 0
	for _, x := range s.list {
		if !x.done {
			active++
		}
	}
	if active >= s.o.maxConsumers || len(s.list) >= 100_000 {
		s.skipped++
		return nil
	}
	c := &consumer{idx: len(s.list), next: kindFirst}
	c.number = s.consumerNumber(c.idx)
	c.stopper = s.o.stopEvery > 0 && c.idx%s.o.stopEvery == s.o.stopEvery-1
	s.list = append(s.list, c)
	s.consumers[c.number] = c
	return s.compose(c)
}

// answered is the texts of the consumers whose answer came -think ago.
func (s *sim) answered(now time.Time) []*text {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*text
	for len(s.readyQ) > 0 {
		c := s.readyQ[0]
		if !c.done && c.ready && c.readyAt.Add(s.o.think).After(now) {
			break
		}
		s.readyQ = s.readyQ[1:]
		if c.done || !c.ready {
			continue
		}
		out = append(out, s.compose(c))
	}
	return out
}

// compose is a consumer's next text. Called with s.mu held.
func (s *sim) compose(c *consumer) *text {
	c.ready = false
	n := len(s.texts)
	t := &text{c: c, kind: c.next, sid: fmt.Sprintf("SM%s%024d", s.runTag, n), sentAt: time.Now()}
	tag := fmt.Sprintf("%s-%d", s.runTag, n)
	switch c.next {
	case kindFirst:
		t.body = "Hi, I need help with order " + tag
	case kindChoice:
		t.body = strconv.Itoa(1 + c.idx%2)
	case kindFollowUp:
		c.step++
		t.body = fmt.Sprintf("q%d/%d %s", c.step, s.o.followUps, tag)
		s.byBody[t.body] = t
	case kindStop:
		c.step++
		t.body = "STOP"
	}
	c.last = t
	c.texts = append(c.texts, t)
	s.texts = append(s.texts, t)
	return t
}

// post delivers a text's webhook, retrying as Twilio's fallback would
// while the server is down or answers 5xx, with the same MessageSid (the
// server deduplicates on it).
func (s *sim) post(ctx context.Context, t *text) {
	giveUp := t.sentAt.Add(s.o.webhookRetryFor)
	wait := 250 * time.Millisecond
	for attempt := 0; ; attempt++ {
		start := time.Now()
		err := s.c.webhook(ctx, t.sid, t.c.number, loadNumber, t.body)
		if err == nil {
			s.mu.Lock()
			t.acked, t.ack, t.retries = true, time.Since(start), attempt
			s.mu.Unlock()
			return
		}
		if code := statusOf(err); code >= 400 && code < 500 {
			s.fail("webhook refused", err)
			break
		}
		if time.Now().Add(wait).After(giveUp) || ctx.Err() != nil {
			s.fail("webhook failed until the retry window closed", err)
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 4*time.Second)
	}
	s.mu.Lock()
	t.refused = true
	if t.c.last == t {
		t.c.done = true
	}
	s.mu.Unlock()
}

// phones reads everything the sandbox carrier was asked to send, as every
// consumer's phone at once: one read of the dev server's memory per poll,
// no store access.
func (s *sim) phones(ctx context.Context) {
	next, boot := 0, ""
	tick := time.NewTicker(s.o.outboxPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for range 100 { // pages of one poll, bounded
			s.outboxPolls.Add(1)
			p, err := s.c.outbox(ctx, next)
			if err != nil {
				if ctx.Err() == nil {
					s.fail("outbox", err)
				}
				break
			}
			if p.Boot != boot {
				if boot != "" {
					// A new dev server: its sandbox's log starts empty.
					s.mu.Lock()
					s.boots++
					s.mu.Unlock()
					if next > 0 {
						next, boot = 0, p.Boot
						continue
					}
				}
				boot = p.Boot
			}
			s.mu.Lock()
			for _, a := range p.Attempts {
				s.received(a)
			}
			s.mu.Unlock()
			next = p.Next
			if len(p.Attempts) == 0 {
				break
			}
		}
	}
}

// received applies one carrier call to the consumer it was for. Called
// with s.mu held.
func (s *sim) received(a attempt) {
	ks := s.keys[a.Key]
	if ks == nil && a.Key != "" {
		ks = &keyState{}
		s.keys[a.Key] = ks
	}
	if a.Fault != "" {
		s.faultSends[a.Fault]++
		if ks != nil && a.Fault == "timeout" {
			ks.timedOut = true
		}
		if c := s.consumers[a.To]; c != nil && a.Fault == "opted-out" && c.optedOutAt.IsZero() {
			// Opted out at the carrier: consent is revoked with this
			// failure, so nothing may follow it.
			c.optedOutAt, c.done = a.At, true
		}
		return
	}
	if ks != nil {
		if ks.sent > 0 {
			s.dupSends++
		} else if ks.timedOut {
			s.resent++
		}
		ks.sent++
	}
	c := s.consumers[a.To]
	if c == nil || a.From != loadNumber {
		s.foreign++
		return
	}
	s.business++
	if !c.optedOutAt.IsZero() && a.At.After(c.optedOutAt) {
		s.optViolate++
	}
	if t := c.last; t != nil && t.replyAt.IsZero() && !a.At.Before(t.sentAt) {
		t.replyAt = a.At
	}
	if c.done {
		return
	}
	switch body := a.Body; {
	case strings.Contains(body, markOptedOut):
		c.optedOutAt = a.At
		c.done = true
	case strings.Contains(body, markMenu):
		s.readyWith(c, kindChoice)
	case strings.Contains(body, markAssigned) && c.next != kindFollowUp && c.next != kindStop:
		s.readyWith(c, s.followUpOf(c))
	case strings.HasPrefix(body, replyPrefix) && c.last != nil && c.last.kind == kindFollowUp &&
		strings.HasSuffix(c.last.body, strings.TrimPrefix(body, replyPrefix)):
		if c.step >= s.o.followUps {
			c.done = true
			return
		}
		s.readyWith(c, s.followUpOf(c))
	case strings.Contains(body, markEnded):
		c.done = true
	}
}

// followUpOf is what the consumer texts the agent next.
func (s *sim) followUpOf(c *consumer) textKind {
	if c.stopper && c.step == s.o.followUps-1 {
		return kindStop
	}
	return kindFollowUp
}

func (s *sim) readyWith(c *consumer, k textKind) {
	c.next = k
	if !c.ready {
		c.ready, c.readyAt = true, time.Now()
		s.readyQ = append(s.readyQ, c)
	}
}

// watchdog gives up on a consumer whose last text got no answer in time,
// so it stops holding a place among the consumers in conversation.
func (s *sim) watchdog(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s.mu.Lock()
			for _, c := range s.list {
				if !c.done && !c.ready && c.last != nil && now.Sub(c.last.sentAt) > s.o.timeout {
					c.done = true
					s.gaveUp++
				}
			}
			s.mu.Unlock()
		}
	}
}

// outstanding counts the texts still waiting for their answer or, for a
// follow-up, for an agent to see it.
func (s *sim) outstanding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.texts {
		if t.refused {
			continue
		}
		if t.replyAt.IsZero() || t.kind == kindFollowUp && t.visibleAt.IsZero() {
			n++
		}
	}
	return n
}

// seen records that an agent's read returned a consumer's message.
func (s *sim) seen(body string, at time.Time) {
	s.mu.Lock()
	if t := s.byBody[body]; t != nil && t.visibleAt.IsZero() {
		t.visibleAt = at
	}
	s.mu.Unlock()
}

// jitter spreads the agents' polls over the second as real consoles'.
func jitter(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(d))) }
