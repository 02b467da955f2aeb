package main

import (
	"context"
	"net/url"
	"sync"
	"time"
)

// audit is what the transcripts hold at the end, read as a supervisor.
type audit struct {
	Lost       int `json:"lost"`       // a consumer text the webhook took that is in no chat
	Duplicated int `json:"duplicated"` // a consumer text in the transcripts more than once
	DupReplies int `json:"dupReplies"` // an agent's reply in a transcript more than once
	Delivered  int `json:"delivered"`  // outbound messages the carrier reported delivered
	SentOnly   int `json:"sentOnly"`   // sent, no delivery report yet
	// FailedWithReason are outbound messages failed or suppressed with the
	// reason shown to the agent; FailedNoReason without one.
	FailedWithReason int            `json:"failedWithReason"`
	FailedNoReason   int            `json:"failedNoReason"`
	Reasons          map[string]int `json:"reasons,omitempty"`
	// Unsettled are outbound messages still pending or claimed.
	Unsettled int `json:"unsettled"`
	// UnsettledBefore and SentOnlyBefore are those of the messages written
	// before the fault drill's recovery (cutoff): a restarted emulator or
	// dev server can have lost their send tasks or delivery reports.
	UnsettledBefore int `json:"unsettledBefore"`
	SentOnlyBefore  int `json:"sentOnlyBefore"`
	// Unread are consumers whose chats could not be read.
	Unread int `json:"unread"`
	// LostSIDs are the lost texts' MessageSids (at most 20), for a look in
	// the server's log.
	LostSIDs []string `json:"lostSids,omitempty"`
	// lostTexts are the lost texts themselves, for the fault drill's
	// before/during/after split.
	lostTexts []*text
}

// verify reads every consumer's chats on the load number in full and
// counts what is missing, doubled or not settled.
func (s *sim) verify(ctx context.Context) audit {
	s.mu.Lock()
	consumers := append([]*consumer(nil), s.list...)
	s.mu.Unlock()
	var (
		mu    sync.Mutex
		a     = audit{Reasons: map[string]int{}}
		work  = make(chan *consumer)
		group sync.WaitGroup
	)
	for range 8 {
		group.Add(1)
		go func() {
			defer group.Done()
			for c := range work {
				msgs, err := s.transcripts(ctx, c.number)
				mu.Lock()
				if err != nil {
					a.Unread++
					s.fail("verify", err)
				} else {
					s.check(c, msgs, &a)
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range consumers {
		select {
		case work <- c:
		case <-ctx.Done():
		}
	}
	close(work)
	group.Wait()
	return a
}

// transcripts are every message of a consumer's chats on the load number.
func (s *sim) transcripts(ctx context.Context, consumer string) ([]viewMessage, error) {
	var chats []struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	}
	if err := s.retry(ctx, func() error {
		return s.c.call(ctx, supervisorPrincipal, "GET", "/AgentAPI/consumers/"+url.PathEscape(consumer)+"/chats", "", &chats)
	}); err != nil {
		return nil, err
	}
	var out []viewMessage
	for _, ch := range chats {
		if ch.Number != loadNumber {
			continue
		}
		var v chatView
		if err := s.retry(ctx, func() error {
			return s.c.call(ctx, supervisorPrincipal, "GET", "/AgentAPI/chats/"+ch.ID, "", &v)
		}); err != nil {
			return nil, err
		}
		out = append(out, v.Messages...)
	}
	return out, nil
}

// retry tries a read a few times: the audit must not count a busy
// emulator's timeout as a lost text.
func (s *sim) retry(ctx context.Context, fn func() error) error {
	var err error
	for i := range 5 {
		if err = fn(); err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i+1) * 500 * time.Millisecond):
		}
	}
	return err
}

// check counts one consumer's texts and replies in its transcripts.
func (s *sim) check(c *consumer, msgs []viewMessage, a *audit) {
	s.mu.Lock()
	cutoff := s.cutoff
	s.mu.Unlock()
	before := func(m viewMessage) bool { return !cutoff.IsZero() && m.CreatedAt.Before(cutoff) }
	inbound := map[string]int{}
	replies := map[string]int{}
	for _, m := range msgs {
		if m.Author == "consumer" {
			inbound[m.InboundID]++
			continue
		}
		if m.Author == "agent" {
			replies[m.Body]++
		}
		switch m.Send.State {
		case "sent":
			if m.Delivery.Status == "delivered" {
				a.Delivered++
			} else {
				a.SentOnly++
				if before(m) {
					a.SentOnlyBefore++
				}
			}
		case "failed", "suppressed":
			if m.Send.Error == "" {
				a.FailedNoReason++
			} else {
				a.FailedWithReason++
				a.Reasons[m.Send.State+": "+firstLine(m.Send.Error)]++
			}
		default:
			a.Unsettled++
			if before(m) {
				a.UnsettledBefore++
			}
		}
	}
	for _, n := range replies {
		if n > 1 {
			a.DupReplies += n - 1
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range c.texts {
		if !t.acked {
			continue
		}
		switch n := inbound["twilio_"+t.sid]; {
		case n == 0:
			a.Lost++
			a.lostTexts = append(a.lostTexts, t)
			if len(a.LostSIDs) < 20 {
				a.LostSIDs = append(a.LostSIDs, t.sid)
			}
		case n > 1:
			a.Duplicated += n - 1
		}
	}
}
