package ivr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

// TurnLease is how long a turn's first request holds it: past CX's 5 s
// webhook timeout, after which a retry may take it over (every effect of a
// turn is idempotent by itself too: one chat per call).
const TurnLease = 10 * time.Second

// ErrTurnBusy: the turn's first request is still working on it.
var ErrTurnBusy = errors.New("this webhook turn is being answered by an earlier request")

// TurnID is the record id of one webhook turn.
func TurnID(session, tag, turn string) string {
	sum := sha256.Sum256([]byte(session + "\x00" + tag + "\x00" + turn))
	return hex.EncodeToString(sum[:])
}

// Once runs fn at most once per (session, tag, turn) and returns its
// answer: a retry after it is answered the stored answer, a retry while
// it runs waits for that answer (ErrTurnBusy when it does not come within
// the send wait). A failed fn leaves the turn to the next retry.
func (s *Service) Once(ctx context.Context, session, tag, turn string, fn func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	now := s.Clock.Time()
	rec := ivrrec.Turn{ID: TurnID(session, tag, turn), Session: session, Tag: tag, State: ivrrec.TurnPending,
		LeaseUntil: now.Add(TurnLease), Created: now, ExpireAt: now.Add(ivrrec.TurnRetention)}
	held, created, err := s.Store.BeginTurn(ctx, rec, now)
	if err != nil {
		return nil, fmt.Errorf("turn %s %s: %w", tag, turn, err)
	}
	if !created {
		return s.awaitTurn(ctx, held)
	}
	out, err := fn(ctx)
	if err != nil {
		// The record stays pending: a retry waits for it, then takes the
		// turn over once the lease is out.
		return nil, err
	}
	if err := s.Store.FinishTurn(ctx, rec.ID, out); err != nil {
		return nil, fmt.Errorf("turn %s %s: %w", tag, turn, err)
	}
	return out, nil
}

func (s *Service) awaitTurn(ctx context.Context, t ivrrec.Turn) ([]byte, error) {
	wait, poll := s.SendWait, s.Poll
	if wait <= 0 {
		wait = DefaultSendWait
	}
	if poll <= 0 {
		poll = DefaultPoll
	}
	deadline := time.Now().Add(wait)
	for t.State != ivrrec.TurnDone {
		if time.Now().After(deadline) {
			return nil, ErrTurnBusy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
		var err error
		if t, err = s.Store.Turn(ctx, t.ID); err != nil {
			return nil, fmt.Errorf("turn %s: %w", t.Tag, err)
		}
	}
	return t.Response, nil
}
