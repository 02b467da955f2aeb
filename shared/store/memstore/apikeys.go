package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/apikey/keyrec"
	"github.com/smsdesk/smsdesk/shared/store"
)

var _ keyrec.Store = (*Store)(nil)

// keyTables are the API-key collections (apiKeys, ratelimit,
// outboundRequests). Nothing in them takes part in chat transactions, so
// they have their own lock. The zero value is empty.
type keyTables struct {
	mu       sync.Mutex
	keys     map[string]keyrec.Key
	tokens   map[string]time.Time // id → expireAt
	requests map[string]keyrec.Record
	purgeAt  int // token count at which old tokens are dropped
}

func (t *keyTables) init() {
	if t.keys == nil {
		t.keys = map[string]keyrec.Key{}
		t.tokens = map[string]time.Time{}
		t.requests = map[string]keyrec.Record{}
	}
}

// Firestore keeps microseconds in UTC; the twin stores what it returns.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func cloneKey(k keyrec.Key) keyrec.Key {
	k.Numbers = slices.Clone(k.Numbers)
	k.Scopes = slices.Clone(k.Scopes)
	k.CreatedAt = storedTime(k.CreatedAt)
	k.RevokedAt = storedTime(k.RevokedAt)
	return k
}

func cloneRecord(r keyrec.Record) keyrec.Record {
	r.Response.Body = slices.Clone(r.Response.Body)
	r.Created = storedTime(r.Created)
	r.ExpireAt = storedTime(r.ExpireAt)
	return r
}

func (s *Store) CreateAPIKey(ctx context.Context, k keyrec.Key) error {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if _, ok := t.keys[k.ID]; ok {
		return fmt.Errorf("API key %q: %w", k.ID, store.ErrConflict)
	}
	t.keys[k.ID] = cloneKey(k)
	return nil
}

func (s *Store) APIKey(ctx context.Context, id string) (keyrec.Key, error) {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	k, ok := t.keys[id]
	if !ok {
		return keyrec.Key{}, notFound("API key", id)
	}
	return cloneKey(k), nil
}

func (s *Store) APIKeys(ctx context.Context) ([]keyrec.Key, error) {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]keyrec.Key, 0, len(t.keys))
	for _, k := range t.keys {
		out = append(out, cloneKey(k))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) (keyrec.Key, error) {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	k, ok := t.keys[id]
	if !ok {
		return keyrec.Key{}, notFound("API key", id)
	}
	if k.RevokedAt.IsZero() {
		k.RevokedAt = storedTime(at)
		t.keys[id] = k
	}
	return cloneKey(k), nil
}

func (s *Store) CreateRateToken(ctx context.Context, id string, expireAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if _, ok := t.tokens[id]; ok {
		return fmt.Errorf("rate token %q: %w", id, store.ErrConflict)
	}
	// The TTL policy's job: drop tokens of seconds long past, so the twin
	// does not grow without bound in a long scripts/dev session.
	if len(t.tokens) >= t.purgeAt {
		for tid, exp := range t.tokens {
			if exp.Before(expireAt.Add(-time.Hour)) {
				delete(t.tokens, tid)
			}
		}
		t.purgeAt = max(2*len(t.tokens), 10_000)
	}
	t.tokens[id] = storedTime(expireAt)
	return nil
}

func (s *Store) BeginRequest(ctx context.Context, rec keyrec.Record, now time.Time) (keyrec.Record, bool, error) {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if held, ok := t.requests[rec.ID]; ok && held.ExpireAt.After(now) {
		return cloneRecord(held), false, nil
	}
	t.requests[rec.ID] = cloneRecord(rec)
	return cloneRecord(rec), true, nil
}

func (s *Store) FinishRequest(ctx context.Context, id string, resp keyrec.Response) error {
	t := &s.keys
	t.mu.Lock()
	defer t.mu.Unlock()
	rec, ok := t.requests[id]
	if !ok {
		return notFound("outbound request", id)
	}
	if rec.State == keyrec.StateDone {
		return nil
	}
	rec.State = keyrec.StateDone
	rec.Response = keyrec.Response{Status: resp.Status, ContentType: resp.ContentType, Body: slices.Clone(resp.Body)}
	t.requests[id] = rec
	return nil
}
