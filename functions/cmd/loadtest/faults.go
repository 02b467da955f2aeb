package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The fault drill (scripts/faults) writes what it does to a file the load
// reads while it runs, one line each:
//
//	<unix nanoseconds> down <target>   killed (dev server, firestore, pubsub, tasks)
//	<unix nanoseconds> up <target>     restarted and provisioned again
//	<unix nanoseconds> fault <kind>    the carrier starts failing sends
//	<unix nanoseconds> up carrier      every injected failure was played
type event struct {
	at           time.Time
	what, target string
}

type eventLog struct {
	mu     sync.Mutex
	events []event
}

func (l *eventLog) all() []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]event(nil), l.events...)
}

// watchEvents reads new lines of the drill's file four times a second.
// After Firestore comes back empty it puts the configuration back, as an
// operator restoring a backup would, before the drill counts the pipe as
// whole again.
func (s *sim) watchEvents(ctx context.Context, path string) {
	seen := 0
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		lines, err := readLines(path)
		if err != nil {
			continue // not written yet
		}
		for _, line := range lines[min(seen, len(lines)):] {
			ev, ok := parseEvent(line)
			if !ok {
				s.fail("events: unreadable line "+strconv.Quote(line), nil)
				continue
			}
			s.events.mu.Lock()
			s.events.events = append(s.events.events, ev)
			s.events.mu.Unlock()
			s.mu.Lock()
			if (ev.what == "down" || ev.what == "fault") && s.faultAt.IsZero() {
				s.faultAt, s.target = ev.at, ev.target
			}
			s.mu.Unlock()
			if ev.what == "up" {
				up := ev.at
				if ev.target == "firestore" {
					if err := s.restoreConfig(ctx); err != nil {
						s.fail("restoring the configuration", err)
					}
					up = time.Now()
				}
				s.mu.Lock()
				if s.cutoff.IsZero() {
					s.cutoff = up
				}
				s.mu.Unlock()
			}
		}
		seen = len(lines)
	}
}

func (s *sim) restoreConfig(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := s.setUp(ctx)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// readLines returns the file's complete lines (not one being written).
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	body := string(b)
	if i := strings.LastIndexByte(body, '\n'); i >= 0 {
		body = body[:i]
	} else {
		body = ""
	}
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" && len(out) < 1000 {
			out = append(out, l)
		}
	}
	return out, nil
}

func parseEvent(line string) (event, bool) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return event{}, false
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return event{}, false
	}
	return event{at: time.Unix(0, ns), what: f[1], target: f[2]}, true
}

// faultResult judges a drill run. What may be lost depends on what was
// restarted: the Firestore and Pub/Sub emulators keep everything in
// memory, so a restart loses their data (the chats, the messages not yet
// delivered), which a real deployment never does; the check then asserts
// recovery and that nothing is doubled, not durability.
func (s *sim) faultResult(r *Result, a audit) *FaultResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &FaultResult{Target: s.target, At: s.faultAt, Up: s.cutoff, RecoverS: -1}
	if f.At.IsZero() {
		f.Failures = append(f.Failures, "the drill recorded no fault")
		return f
	}
	if f.Up.IsZero() {
		f.Failures = append(f.Failures, "the drill recorded no recovery")
		f.Up = time.Now()
	}
	f.DownS = f.Up.Sub(f.At).Seconds()
	phase := func(t *text) int {
		switch {
		case t.sentAt.Before(f.At):
			return 0
		case t.sentAt.Before(f.Up):
			return 1
		}
		return 2
	}
	for _, t := range s.texts {
		f.Sent[phase(t)]++
		if t.refused {
			f.Refused[phase(t)]++
		}
	}
	for _, t := range a.lostTexts {
		f.Lost[phase(t)]++
	}
	// Recovered once every later text got its answer within the bound.
	bad := -1
	var after []*text
	for _, t := range s.texts {
		if !t.sentAt.Before(f.At) {
			after = append(after, t)
		}
	}
	for i, t := range after {
		if t.refused || t.replyAt.IsZero() || t.replyAt.Sub(t.sentAt) > s.o.recoverBound {
			bad = i
		}
	}
	switch {
	case len(after) == 0:
	case bad < 0:
		f.RecoverS = 0
	case bad < len(after)-1:
		f.RecoverS = after[bad+1].sentAt.Sub(f.At).Seconds()
	}
	f.UnsettledBefore, f.SentOnlyBefore = a.UnsettledBefore, a.SentOnlyBefore

	fail := func(n int, format string, args ...any) {
		if n > 0 {
			f.Failures = append(f.Failures, fmt.Sprintf("%d "+format, append([]any{n}, args...)...))
		}
	}
	allow := func(n int, why string) int {
		if n > 0 {
			f.Allowed = append(f.Allowed, fmt.Sprintf("%d %s", n, why))
		}
		return 0
	}
	lostBefore, lostDuring := f.Lost[0], f.Lost[1]
	unsettled, sentOnly := a.Unsettled, a.SentOnly
	switch f.Target {
	case "firestore":
		lostBefore = allow(lostBefore, "texts sent before the restart, gone with the emulator's data")
		lostDuring = allow(lostDuring, "texts sent while the emulator was down or empty")
	case "pubsub":
		lostBefore = allow(lostBefore, "texts acknowledged before the restart, undelivered in the emulator's memory")
		lostDuring = allow(lostDuring, "texts published while the emulator was down or had no subscription yet")
	}
	if n := s.allowedUnsettledLocked(a); n > 0 {
		unsettled -= n
		allow(n, "replies written before the restart whose send task was lost with the emulator's memory")
	}
	switch f.Target {
	case "devserver", "firestore":
		// The sandbox posts each delivery report once: into a dead dev
		// server, or into DeliveryStatus while Firestore is away.
		sentOnly -= a.SentOnlyBefore
		allow(a.SentOnlyBefore, "replies handed to the carrier before recovery whose delivery report was lost (the sandbox posts it once)")
	}
	fail(lostBefore+lostDuring, "texts sent before or during the fault are in no chat")
	fail(f.Lost[2]+f.Refused[2], "texts sent after recovery were lost or refused")
	fail(f.Refused[0]+f.Refused[1], "texts were never taken by the webhook, retried for %s", s.o.webhookRetryFor)
	fail(a.Duplicated, "consumer texts are in a transcript twice")
	fail(a.DupReplies, "agent replies are in a transcript twice")
	fail(s.dupSends, "replies were handed to the carrier twice")
	fail(s.resent, "replies were handed to the carrier again after a send with no answer")
	fail(s.optViolate, "texts were handed to the carrier after the consumer's opt-out")
	fail(a.FailedNoReason, "replies failed without a reason shown")
	fail(unsettled, "replies are still pending or claimed")
	fail(sentOnly, "replies handed to the carrier after recovery have no delivery report")
	fail(a.Unread, "consumers' chats could not be read")
	if f.RecoverS < 0 {
		f.Failures = append(f.Failures, "the pipe did not recover: texts sent at the end still went unanswered")
	}
	f.Pass = len(f.Failures) == 0
	return f
}

// allowedUnsettled is how many replies still pending or claimed the fault
// excuses: those written before a restart of the Cloud Tasks emulator
// (their send tasks were in its memory) or of the Firestore emulator (their
// chats are gone). After a dev server kill every reply must settle: its
// tasks and deliveries are retried, and a claim the dead process held
// expires after SendSMS's lease and is marked failed.
func (s *sim) allowedUnsettled(a audit) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowedUnsettledLocked(a)
}

func (s *sim) allowedUnsettledLocked(a audit) int {
	switch s.target {
	case "tasks", "firestore":
		return a.UnsettledBefore
	}
	return 0
}
