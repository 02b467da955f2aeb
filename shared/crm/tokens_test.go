package crm_test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/crm"
)

// countingTokens counts the tokens each window's creates took, over a
// real token store.
type countingTokens struct {
	crm.TokenStore
	mu        sync.Mutex
	perWindow map[string]int
}

func (k *countingTokens) CreateRateToken(ctx context.Context, id string, expireAt time.Time) error {
	err := k.TokenStore.CreateRateToken(ctx, id, expireAt)
	if err == nil {
		k.mu.Lock()
		k.perWindow[strings.Split(id, "_")[2]]++ // crm_{name}_{window}_{n}
		k.mu.Unlock()
	}
	return err
}

func (k *countingTokens) windows() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]int, len(k.perWindow))
	for w, n := range k.perWindow {
		out[w] = n
	}
	return out
}

func clockOf(now func() time.Time) clock.Clock { return clock.Clock{Now: now} }
