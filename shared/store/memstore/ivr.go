package memstore

import (
	"context"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

var _ ivrrec.Store = (*Store)(nil)

// ivrTables are the IVR webhook's collections (ivrTurns, ivrQueues); none
// takes part in chat transactions, so they have their own lock. The zero
// value is empty.
type ivrTables struct {
	mu     sync.Mutex
	turns  map[string]ivrrec.Turn
	queues map[string]ivrrec.Queue
	calls  map[string]ivrrec.Call
	tokens map[string]ivrrec.AppToken
}

func (t *ivrTables) init() {
	if t.turns == nil {
		t.turns = map[string]ivrrec.Turn{}
		t.queues = map[string]ivrrec.Queue{}
		t.calls = map[string]ivrrec.Call{}
		t.tokens = map[string]ivrrec.AppToken{}
	}
}

func cloneTurn(r ivrrec.Turn) ivrrec.Turn {
	r.Response = slices.Clone(r.Response)
	r.LeaseUntil, r.Created, r.ExpireAt = storedTime(r.LeaseUntil), storedTime(r.Created), storedTime(r.ExpireAt)
	return r
}

func cloneIVRQueue(q ivrrec.Queue) ivrrec.Queue {
	q.Texts = maps.Clone(q.Texts)
	return q
}

func (s *Store) BeginTurn(ctx context.Context, rec ivrrec.Turn, now time.Time) (ivrrec.Turn, bool, error) {
	if err := ctx.Err(); err != nil {
		return ivrrec.Turn{}, false, err
	}
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if held, ok := t.turns[rec.ID]; ok && held.ExpireAt.After(now) &&
		(held.State == ivrrec.TurnDone || held.LeaseUntil.After(now)) {
		return cloneTurn(held), false, nil
	}
	t.turns[rec.ID] = cloneTurn(rec)
	return cloneTurn(rec), true, nil
}

func (s *Store) Turn(ctx context.Context, id string) (ivrrec.Turn, error) {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.turns[id]
	if !ok {
		return ivrrec.Turn{}, notFound("IVR turn", id)
	}
	return cloneTurn(r), nil
}

func (s *Store) FinishTurn(ctx context.Context, id string, response []byte) error {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.turns[id]
	if !ok {
		return notFound("IVR turn", id)
	}
	if r.State == ivrrec.TurnDone {
		return nil
	}
	r.State, r.Response = ivrrec.TurnDone, slices.Clone(response)
	t.turns[id] = r
	return nil
}

func (s *Store) IVRQueue(ctx context.Context, id string) (ivrrec.Queue, error) {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	q, ok := t.queues[id]
	if !ok {
		return ivrrec.Queue{}, notFound("IVR queue", id)
	}
	return cloneIVRQueue(q), nil
}

func (s *Store) IVRQueues(ctx context.Context) ([]ivrrec.Queue, error) {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ivrrec.Queue, 0, len(t.queues))
	for _, q := range t.queues {
		out = append(out, cloneIVRQueue(q))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *Store) PutIVRQueue(ctx context.Context, q ivrrec.Queue) error {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	t.queues[q.ID] = cloneIVRQueue(q)
	return nil
}

func (s *Store) DeleteIVRQueue(ctx context.Context, id string) error {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.queues, id)
	return nil
}
