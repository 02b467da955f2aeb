// Command loadtest drives a running smsdesk (scripts/load and scripts/faults
// start one on the emulators) the way its real users do, and measures it:
//
//   - New consumers arrive at the target rate divided by the texts of one
//     conversation. A new consumer's first text gets the opt-in notice and
//     the menu back through the sandbox carrier; it answers the menu, is
//     assigned to an agent, and then texts the agent, each time -think after
//     the answer to its previous text reached its phone. A server that
//     keeps up sees the target rate; one that does not sees consumers wait
//     (a lower achieved rate) rather than texts piling onto its backlog.
//     Webhooks are signed like Twilio's and retried, as a fallback URL
//     would, while the server answers 5xx or is down.
//   - Every consumer's phone is one reader of the dev server's sandbox
//     outbox (GET /Simulator/api/outbox), which lists each text the carrier
//     was asked to send, when, and under which idempotency key.
//   - Each agent's console polls GET /AgentAPI/inbox once a second, reads a
//     chat (GET /AgentAPI/chats/{id}?after=N) only when the inbox shows its
//     version changed, answers each follow-up once and ends the chat after
//     the last one.
//
// It reports the webhook's answer time; consumer text → visible to the
// agent; consumer text → first text back handed to the carrier; and, after a
// drain, from every transcript read in full: texts lost and duplicated,
// replies doubled, and the outbound messages' send states. Each run is one
// JSON line in -out; `loadtest -table FILE...` prints the README's table.
//
// Only 127.0.0.1 is driven: -base must be a loopback address.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/config"
)

type options struct {
	base, public, token string

	rate            float64
	duration, drain time.Duration
	warmup          time.Duration
	runIndex        int
	block           int
	label           string

	agents, capacity, followUps, maxConsumers, stopEvery int

	inboxPoll, outboxPoll time.Duration
	think                 time.Duration
	timeout               time.Duration // a consumer gives up on an answer
	webhookRetryFor       time.Duration
	settle                time.Duration // the audit waits this long for replies to settle
	stableP99             time.Duration
	recoverBound          time.Duration

	out    string
	events string
}

func main() {
	var o options
	var tableMode bool
	flag.BoolVar(&tableMode, "table", false, "print the Markdown table of the result files given as arguments, and exit")
	var probeMode bool
	flag.BoolVar(&probeMode, "probe-firestore", false, "time one transaction and two contending for one document on FIRESTORE_EMULATOR_HOST, and exit")
	flag.StringVar(&o.base, "base", "http://127.0.0.1:8080", "smsdesk's address (loopback only)")
	flag.StringVar(&o.public, "public", "", "the server's PUBLIC_BASE_URL, which webhooks are signed for (default: -base)")
	flag.StringVar(&o.token, "token", config.SandboxAuthToken, "Twilio auth token the server verifies webhooks with")
	flag.Float64Var(&o.rate, "rate", 25, "consumer texts per second, all consumers together")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long consumers text")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "texts sent this early are audited but left out of the latencies (fresh emulators' JVMs are cold)")
	flag.DurationVar(&o.drain, "drain", 30*time.Second, "after sending, how long to wait for every text to be answered and seen")
	flag.IntVar(&o.runIndex, "run", 1, "run number, for the table")
	flag.IntVar(&o.block, "block", -1, "block of consumer numbers (0-69), distinct per run against one server (default: -run)")
	flag.StringVar(&o.label, "label", "", "scenario name for the fault drill's table")
	flag.IntVar(&o.agents, "agents", 0, "agents (default: rate/5, at least 2)")
	flag.IntVar(&o.capacity, "capacity", 10, "chats each agent holds at once")
	flag.IntVar(&o.followUps, "follow-ups", 3, "texts a consumer sends the agent after the menu, each answered")
	flag.IntVar(&o.maxConsumers, "max-consumers", 0, "consumers in conversation at once (default: 30 × rate, at least 100)")
	flag.IntVar(&o.stopEvery, "stop-every", 0, "every Nth consumer texts STOP instead of its last follow-up (0: none)")
	flag.DurationVar(&o.think, "think", time.Second, "how long a consumer waits after an answer before texting again")
	flag.DurationVar(&o.inboxPoll, "inbox-poll", time.Second, "how often each agent's console reads its inbox (the console's pollMillis)")
	flag.DurationVar(&o.outboxPoll, "outbox-poll", 100*time.Millisecond, "how often the phones read the sandbox outbox")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "a consumer gives up when its text got no answer this long")
	flag.DurationVar(&o.webhookRetryFor, "webhook-retry-for", 60*time.Second, "how long a webhook is retried while the server fails")
	flag.DurationVar(&o.settle, "settle", 0, "how long the audit waits for replies still pending or claimed (default: 10 s; fault drill: 4 min, past SendSMS's 2-minute claim lease)")
	flag.DurationVar(&o.stableP99, "stable-p99", 3*time.Second, "a run is stable only if p99 of visible-to-agent and of the automatic reply stay within this")
	flag.DurationVar(&o.recoverBound, "recover-bound", 5*time.Second, "fault drill: recovered once every later text is answered within this")
	flag.StringVar(&o.out, "out", "", "append the run's result as one JSON line to this file")
	flag.StringVar(&o.events, "events", "", "fault drill: the file scripts/faults writes its kills and restarts to")
	flag.Parse()

	if probeMode {
		if err := probeFirestore(context.Background(), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if tableMode {
		results, err := readResults(flag.Args())
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		table(os.Stdout, results)
		return
	}
	if err := o.complete(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	r, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	r.print(os.Stdout)
	if o.out != "" {
		if err := appendJSON(o.out, r); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
	if (r.Fault != nil && !r.Fault.Pass) || (r.Fault == nil && !r.Stable) {
		os.Exit(3)
	}
}

func (o *options) complete() error {
	if o.public == "" {
		o.public = o.base
	}
	u, err := url.Parse(o.base)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("-base %q: want http://127.0.0.1:PORT", o.base)
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		return fmt.Errorf("-base %q: the load drives only a server on this machine (127.0.0.1)", o.base)
	}
	if o.rate <= 0 || o.rate > 2000 {
		return fmt.Errorf("-rate %v: want more than 0 and at most 2000", o.rate)
	}
	if o.duration <= 0 || o.duration > time.Hour/2 {
		return fmt.Errorf("-duration %s: want at most 30 minutes (dev sign-in tokens last an hour)", o.duration)
	}
	if o.followUps < 1 {
		return errors.New("-follow-ups: want at least 1")
	}
	if o.block < 0 {
		o.block = o.runIndex
	}
	if o.agents == 0 {
		o.agents = max(2, int(o.rate/5+0.999))
	}
	if o.maxConsumers == 0 {
		o.maxConsumers = max(100, int(30*o.rate))
	}
	if o.settle == 0 {
		o.settle = 10 * time.Second
		if o.events != "" {
			o.settle = 4 * time.Minute
		}
	}
	return nil
}

func appendJSON(path string, r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run is one measured run: set up, text for the duration, drain, audit.
// Every loop ends with the run's context, whose deadline bounds it all.
func run(parent context.Context, o options) (Result, error) {
	limit := o.duration + o.drain + o.settle + 3*time.Minute
	ctx, cancel := context.WithTimeout(parent, limit)
	defer cancel()
	s := newSim(o, newClient(o.base, o.public, o.token))
	if err := s.setUp(ctx); err != nil {
		return Result{}, fmt.Errorf("set-up: %w", err)
	}
	for i := range o.agents {
		if _, err := s.c.as(ctx, agentPrincipal(agentID(i))); err != nil {
			return Result{}, err
		}
	}

	// The phones read until the audit is done (late sends count); the
	// consoles and the watchdog until the drain ends.
	phonesCtx, stopPhones := context.WithCancel(ctx)
	consolesCtx, stopConsoles := context.WithCancel(ctx)
	var bg, consoles sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); s.phones(phonesCtx) }()
	if o.events != "" {
		bg.Add(1)
		go func() { defer bg.Done(); s.watchEvents(phonesCtx, o.events) }()
	}
	consoles.Add(1)
	go func() { defer consoles.Done(); s.watchdog(consolesCtx) }()
	for i := range o.agents {
		consoles.Add(1)
		go func() { defer consoles.Done(); s.agent(consolesCtx, agentID(i)) }()
	}

	fmt.Printf("loadtest: %.0f texts/s for %s: %.1f new consumers/s, each texting %d times %s after each answer; %d agents × %d chats polling every %s\n",
		o.rate, o.duration, o.rate/float64(2+o.followUps), 2+o.followUps, o.think, o.agents, o.capacity, o.inboxPoll)
	s.started = time.Now()
	s.send(ctx)
	s.mu.Lock()
	sendEnd := s.sendEnd
	s.mu.Unlock()
	if sendEnd.IsZero() {
		sendEnd = time.Now()
	}
	drainStart := time.Now()
	for s.outstanding() > 0 && time.Since(drainStart) < o.drain && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
	}
	drained := time.Since(drainStart)
	stopConsoles()
	consoles.Wait()

	a := s.verify(ctx)
	for settleStart := time.Now(); a.Unsettled-s.allowedUnsettled(a) > 0 && time.Since(settleStart) < o.settle && ctx.Err() == nil; {
		fmt.Printf("loadtest: %d replies still pending or claimed; reading again in 5 s\n", a.Unsettled)
		time.Sleep(5 * time.Second)
		a = s.verify(ctx)
	}
	// The last sends reach the phones within a poll or two.
	time.Sleep(2 * o.outboxPoll)
	stopPhones()
	bg.Wait()

	r := s.result(sendEnd.Sub(s.started), drained, a)
	if o.events != "" {
		r.Fault = s.faultResult(&r, a)
	}
	return r, nil
}

// result computes a run's figures from what every text went through.
func (s *sim) result(sending, drained time.Duration, a audit) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.o
	r := Result{
		Label: o.label, Rate: o.rate, Run: o.runIndex, DurationS: sending.Seconds(), DrainS: drained.Seconds(), WarmupS: o.warmup.Seconds(),
		Agents: o.agents, Capacity: o.capacity, FollowUps: o.followUps, Cores: runtime.NumCPU(),
		Sent: len(s.texts), Skipped: s.skipped, Consumers: len(s.list), GaveUp: s.gaveUp,
		CarrierTexts: s.business, DupSends: s.dupSends, Resent: s.resent, FaultSends: s.faultSends,
		OptViolate: s.optViolate, Foreign: s.foreign, Boots: s.boots, Audit: a,
		InboxPolls: s.inboxPolls.Load(), ChatReads: s.chatReads.Load(), Replies: s.replies.Load(),
		Ends: s.ends.Load(), Accepts: s.accepts.Load(), OutboxPolls: s.outboxPolls.Load(),
		ReplyBy: map[string]Dist{},
	}
	// The achieved rate is the steady one: after the warm-up, in which the
	// first conversations are still starting.
	if window := sending - o.warmup; window > 0 {
		n := 0
		for _, t := range s.texts {
			if !t.sentAt.Before(s.started.Add(o.warmup)) {
				n++
			}
		}
		r.Achieved = float64(n) / window.Seconds()
	}
	var acks, visible, replies, auto []time.Duration
	byKind := make([][]time.Duration, kinds)
	const bucket = 5 * time.Second
	timeline := map[int][]time.Duration{}
	warm := s.started.Add(o.warmup)
	for _, t := range s.texts {
		if t.refused {
			r.Refused++
			continue
		}
		if !t.acked {
			continue
		}
		r.Acked++
		if !t.replyAt.IsZero() {
			b := int(t.sentAt.Sub(s.started) / bucket)
			timeline[b] = append(timeline[b], t.replyAt.Sub(t.sentAt))
		}
		if t.sentAt.Before(warm) {
			// Counted as answered or not below, not in the latencies.
			if t.replyAt.IsZero() {
				r.Unanswered++
			} else if t.kind == kindFollowUp && t.visibleAt.IsZero() {
				r.NotVisible++
			}
			r.Warmup++
			continue
		}
		acks = append(acks, t.ack)
		if t.retries > 0 {
			r.Retried++
		}
		if t.kind == kindFollowUp {
			if t.visibleAt.IsZero() {
				r.NotVisible++
			} else {
				visible = append(visible, t.visibleAt.Sub(t.sentAt))
			}
		}
		if t.replyAt.IsZero() {
			r.Unanswered++
			continue
		}
		d := t.replyAt.Sub(t.sentAt)
		replies = append(replies, d)
		byKind[t.kind] = append(byKind[t.kind], d)
		if t.kind == kindFirst || t.kind == kindChoice {
			auto = append(auto, d)
		}
	}
	r.Ack, r.Visible, r.Reply, r.Auto = distOf(acks), distOf(visible), distOf(replies), distOf(auto)
	for b := 0; b <= int(sending/bucket); b++ {
		d := distOf(timeline[b])
		r.Timeline = append(r.Timeline, Bucket{FromS: (time.Duration(b) * bucket).Seconds(), N: d.N, P50: d.P50, Max: d.Max})
	}
	for k := range kinds {
		if len(byKind[k]) > 0 {
			r.ReplyBy[kindNames[k]] = distOf(byKind[k])
		}
	}
	s.errMu.Lock()
	if len(s.errs) > 0 {
		r.Errors = map[string]int{}
		for k, v := range s.errs {
			r.Errors[k] = v
		}
	}
	s.errMu.Unlock()

	why := func(n int, format string, args ...any) {
		if n > 0 {
			r.Unstable = append(r.Unstable, fmt.Sprintf("%d "+format, append([]any{n}, args...)...))
		}
	}
	why(r.Refused, "refused by the webhook")
	why(a.Lost, "lost")
	why(a.Duplicated+a.DupReplies, "duplicated in a transcript")
	why(r.DupSends+r.Resent, "handed to the carrier twice")
	why(r.Unanswered, "unanswered")
	why(r.NotVisible, "never seen by an agent")
	why(a.Unsettled, "replies unsettled")
	why(a.FailedWithReason+a.FailedNoReason, "replies failed")
	why(a.Unread, "transcripts unreadable")
	why(r.OptViolate, "texts after an opt-out")
	errs := 0
	for _, n := range r.Errors {
		errs += n
	}
	why(errs, "API errors")
	if r.Achieved < 0.9*o.rate {
		r.Unstable = append(r.Unstable, fmt.Sprintf("sent %.1f/s of %.0f", r.Achieved, o.rate))
	}
	if p := time.Duration(r.Visible.P99 * float64(time.Millisecond)); p > o.stableP99 {
		r.Unstable = append(r.Unstable, fmt.Sprintf("visible p99 %s > %s", fmtMs(r.Visible.P99), o.stableP99))
	}
	if p := time.Duration(r.Auto.P99 * float64(time.Millisecond)); p > o.stableP99 {
		r.Unstable = append(r.Unstable, fmt.Sprintf("automatic reply p99 %s > %s", fmtMs(r.Auto.P99), o.stableP99))
	}
	r.Stable = len(r.Unstable) == 0
	return r
}
