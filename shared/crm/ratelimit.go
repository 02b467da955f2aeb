package crm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/store"
)

// TokenStore creates rate-limit tokens, ratelimit/{id}: creating one that
// exists is store.ErrConflict. The chat store implements it (shared/apikey
// uses the same collection, whose TTL policy removes old tokens).
type TokenStore interface {
	CreateRateToken(ctx context.Context, id string, expireAt time.Time) error
}

// Limiter holds every instance's calls to one CRM under Limit per Window.
// Each aligned window has Limit tokens, token n of window t being the
// document ratelimit/crm_{name}_{t}_{n}; a call takes one by creating it,
// which Firestore does at most once, so the limit holds across instances
// (up to their clocks' skew) and no document is written twice. A call
// starts at a random token and tries the next on a conflict; the tokens
// this instance saw taken are remembered for the window, so once the
// window is spent a call costs no write. When every token is taken the
// call waits for the next window, up to MaxWait, then gives up with a
// retryable error (Pub/Sub redelivers the event later).
type Limiter struct {
	Tokens TokenStore
	// Name keys the tokens: one limiter per CRM account.
	Name   string
	Limit  int
	Window time.Duration
	// MaxWait is the longest a call waits for a token.
	MaxWait time.Duration
	Clock   clock.Clock
	// Sleep waits; nil is a timer (tests advance a fake clock instead).
	Sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	window int64
	taken  []bool
}

// DefaultMaxWait keeps a call within CRMSync's budget: a window and a bit.
const DefaultMaxWait = 12 * time.Second

// Take takes a token, waiting for one if need be.
func (l *Limiter) Take(ctx context.Context) error {
	limit, window := l.Limit, l.Window
	if limit <= 0 {
		limit = DefaultRateLimit
	}
	if window <= 0 {
		window = RateWindow
	}
	maxWait := l.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	start := l.Clock.Time()
	for {
		now := l.Clock.Time()
		w := now.UnixNano() / int64(window)
		next := time.Unix(0, (w+1)*int64(window))
		ok, err := l.tryWindow(ctx, w, limit, next)
		if err != nil || ok {
			return err
		}
		wait := next.Sub(now)
		if now.Add(wait).Sub(start) > maxWait {
			return &Error{Op: "rate limit", Message: fmt.Sprintf("%d calls per %s reached", limit, window), Retryable: true, RetryAfter: wait}
		}
		if err := l.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (l *Limiter) tryWindow(ctx context.Context, w int64, limit int, next time.Time) (bool, error) {
	first := rand.IntN(limit)
	for i := range limit {
		slot := (first + i) % limit
		if !l.claim(w, slot, limit) {
			continue
		}
		id := "crm_" + l.Name + "_" + strconv.FormatInt(w, 10) + "_" + strconv.Itoa(slot)
		err := l.Tokens.CreateRateToken(ctx, id, next.Add(time.Minute))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			l.release(w, slot)
			return false, fmt.Errorf("crm rate limit: %w", err)
		}
	}
	return false, nil
}

func (l *Limiter) claim(w int64, slot, limit int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case w > l.window || len(l.taken) != limit:
		l.window, l.taken = w, make([]bool, limit)
	case w < l.window:
		return true // a late reader: ask the store
	}
	if l.taken[slot] {
		return false
	}
	l.taken[slot] = true
	return true
}

func (l *Limiter) release(w int64, slot int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.window == w && slot < len(l.taken) {
		l.taken[slot] = false
	}
}

func (l *Limiter) sleep(ctx context.Context, d time.Duration) error {
	if l.Sleep != nil {
		return l.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Limited is c with every call taking a token from lim first. The
// optional ports (NoteFinder, Tester) pass through.
func Limited(c CRM, lim *Limiter) CRM {
	if c == nil || lim == nil {
		return c
	}
	return limited{c, lim}
}

type limited struct {
	CRM
	lim *Limiter
}

func (l limited) FindContactsByPhone(ctx context.Context, e164 string) ([]Contact, error) {
	if err := l.lim.Take(ctx); err != nil {
		return nil, err
	}
	return l.CRM.FindContactsByPhone(ctx, e164)
}

func (l limited) CreateContact(ctx context.Context, c Contact) (Contact, error) {
	if err := l.lim.Take(ctx); err != nil {
		return Contact{}, err
	}
	return l.CRM.CreateContact(ctx, c)
}

func (l limited) UpdateContact(ctx context.Context, c Contact) (Contact, error) {
	if err := l.lim.Take(ctx); err != nil {
		return Contact{}, err
	}
	return l.CRM.UpdateContact(ctx, c)
}

func (l limited) AddNote(ctx context.Context, contactID string, n Note) (string, error) {
	if err := l.lim.Take(ctx); err != nil {
		return "", err
	}
	return l.CRM.AddNote(ctx, contactID, n)
}

func (l limited) FindNote(ctx context.Context, contactID, key string) (string, error) {
	f, ok := l.CRM.(NoteFinder)
	if !ok {
		return "", nil
	}
	if err := l.lim.Take(ctx); err != nil {
		return "", err
	}
	return f.FindNote(ctx, contactID, key)
}

func (l limited) IndexLag() time.Duration {
	if lg, ok := l.CRM.(IndexLagger); ok {
		return lg.IndexLag()
	}
	return 0
}

func (l limited) TestConnection(ctx context.Context) error {
	if t, ok := l.CRM.(Tester); ok {
		return t.TestConnection(ctx)
	}
	return nil
}
