package apikey

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/store"
)

// rateTokenTTL is how long a token document outlives its second. Nothing
// reads it after; the TTL policy only keeps the collection small.
const rateTokenTTL = time.Minute

// Allow takes one of the key's tokens for the current second. Each
// aligned second has RatePerSecond tokens, token n of second t being the
// document ratelimit/{keyId}_{t}_{n}; taking one is creating it, which
// Firestore does at most once, so the limit is exact across instances
// (up to their clocks' skew) and no document is ever written twice: the
// one-write-per-second-per-document guidance holds at any rate. A request
// starts at a random token and tries the next on a conflict; when every
// token is taken it is refused with the time left in the second.
//
// Each Service remembers which tokens of the current second it saw taken,
// so an instance creates each token at most once per second and a refused
// request after the first costs no write at all.
func (s *Service) Allow(ctx context.Context, k Key) (bool, time.Duration, error) {
	rate := k.Rate()
	now := s.Clock.Time()
	second := now.Unix()
	next := time.Unix(second+1, 0).UTC()
	start := rand.IntN(rate)
	for i := range rate {
		slot := (start + i) % rate
		if !s.lim.claim(k.ID, second, slot, rate) {
			continue
		}
		err := s.Store.CreateRateToken(ctx, tokenID(k.ID, second, slot), next.Add(rateTokenTTL))
		if err == nil {
			return true, 0, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			s.lim.release(k.ID, second, slot)
			return false, 0, fmt.Errorf("rate limit of API key %s: %w", k.ID, err)
		}
	}
	return false, next.Sub(now), nil
}

func tokenID(keyID string, second int64, slot int) string {
	return keyID + "_" + strconv.FormatInt(second, 10) + "_" + strconv.Itoa(slot)
}

// RetryAfter is a refusal's wait as the Retry-After header says it: whole
// seconds, rounded up, at least 1.
func RetryAfter(d time.Duration) int {
	secs := int((d + time.Second - 1) / time.Second)
	return max(secs, 1)
}

// limiter is what one instance knows of each key's current second: the
// tokens it took or saw taken by others.
type limiter struct {
	mu   sync.Mutex
	keys map[string]*window
}

type window struct {
	second int64
	taken  []bool
}

// claim marks a token as being taken by this instance; false when it is
// known taken already.
func (l *limiter) claim(keyID string, second int64, slot, rate int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]*window{}
	}
	w := l.keys[keyID]
	switch {
	case w == nil || second > w.second || len(w.taken) != rate:
		w = &window{second: second, taken: make([]bool, rate)}
		l.keys[keyID] = w
	case second < w.second:
		// A request that read the clock before another moved the window
		// on: it cannot use the memory, so it asks the store.
		return true
	}
	if w.taken[slot] {
		return false
	}
	w.taken[slot] = true
	return true
}

// release forgets a claim whose create failed for another reason than the
// token being taken.
func (l *limiter) release(keyID string, second int64, slot int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.keys[keyID]; w != nil && w.second == second && slot < len(w.taken) {
		w.taken[slot] = false
	}
}
