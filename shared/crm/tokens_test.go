package crm_test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/store"
)

// tokens is a TokenStore in memory that keeps what was created.
type tokens struct {
	mu  sync.Mutex
	ids map[string]bool
}

func newTokens() *tokens { return &tokens{ids: map[string]bool{}} }

func (k *tokens) CreateRateToken(ctx context.Context, id string, expireAt time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ids[id] {
		return store.ErrConflict
	}
	k.ids[id] = true
	return nil
}

// perWindow counts the tokens of each window (crm_{name}_{window}_{n}).
func (k *tokens) perWindow() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]int{}
	for id := range k.ids {
		parts := strings.Split(id, "_")
		out[parts[2]]++
	}
	return out
}

func clockOf(now func() time.Time) clock.Clock { return clock.Clock{Now: now} }
