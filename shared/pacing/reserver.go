package pacing

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Tx is the part of a store transaction pacing uses; store.Tx has it.
type Tx interface {
	// Lane returns store.ErrNotFound for a lane never reserved.
	Lane(number string, index int) (lane.State, error)
	PutLane(l lane.State)
}

// Store is the part of the store pacing uses.
type Store interface {
	RunTx(ctx context.Context, fn func(tx store.Tx) error) error
}

// maxParallelNumbers bounds the transactions a pooled batch runs at once.
const maxParallelNumbers = 8

// Reserver reserves send slots in the store.
type Reserver struct {
	Store Store
	Clock clock.Clock
}

// LaneFor is the lane a keyed send takes (SendSMS keys each text by its
// send task name), spreading a number's texts over its lanes with one read.
func LaneFor(p Plan, key string) int {
	if p.Lanes <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key)) // a hash.Hash never fails to write
	return int(h.Sum32() % uint32(p.Lanes))
}

// loadLane reads a lane, a fresh one when it was never reserved.
func loadLane(tx Tx, number string, index int) (Lane, error) {
	l, err := tx.Lane(number, index)
	if errors.Is(err, store.ErrNotFound) {
		return Lane{Number: number, Index: index}, nil
	}
	if err != nil {
		return Lane{}, fmt.Errorf("load pacing lane %s: %w", lane.ID(number, index), err)
	}
	return l, nil
}

// ReserveInTx reserves one message's slot on lane index of plan inside the
// caller's transaction, for a send decided in it (a reply, a late proactive
// send). notBefore at or before now may take the current tick.
func (r Reserver) ReserveInTx(tx Tx, p Plan, index int, notBefore time.Time, segments int) (Slot, error) {
	return r.reserveFrom(tx, p, index, p.Earliest(r.Clock.Time(), notBefore), segments)
}

// ReserveAt is ReserveInTx for a send decided at now: the caller's one
// reading of the clock for its whole transaction, so the slot is judged
// against the same instant it was reserved from.
func (r Reserver) ReserveAt(tx Tx, p Plan, index int, now time.Time, segments int) (Slot, error) {
	return r.reserveFrom(tx, p, index, p.Earliest(now, now), segments)
}

func (r Reserver) reserveFrom(tx Tx, p Plan, index int, from time.Time, segments int) (Slot, error) {
	l, err := loadLane(tx, p.Number, index)
	if err != nil {
		return Slot{}, err
	}
	slots, next, err := p.Reserve(l, from, []int{segments})
	if err != nil {
		return Slot{}, err
	}
	tx.PutLane(next)
	return slots[0], nil
}

// laneRef names one lane of one of a batch's plans.
type laneRef struct{ plan, index int }

// ReserveBlock reserves a slot for each message (given by its segment
// count) over every lane of the plans (one number, or the pooled numbers of
// a line of business), so the batch ends as early as it can: each message
// goes to the lane that can take it first. Each number then reserves its
// share in one transaction that reads its lanes afresh, spreads its
// messages over them again and writes each lane it uses once, with the
// lane's whole block, so a concurrent batch only pushes slots later. The
// slots come back in message order. Numbers commit independently: on
// error the slots of the numbers that committed are filled in and stay
// reserved (unused, they only waste send time), the others are zero.
func (r Reserver) ReserveBlock(ctx context.Context, plans []Plan, notBefore time.Time, segments []int) ([]Slot, error) {
	if len(plans) == 0 {
		return nil, errors.New("reserve block: no plans")
	}
	seen := map[string]bool{}
	for _, p := range plans {
		if p.Lanes < 1 || p.Tick < time.Second {
			return nil, fmt.Errorf("reserve block: plan of %s has %d lanes of %v", p.Number, p.Lanes, p.Tick)
		}
		if seen[p.Number] {
			return nil, fmt.Errorf("reserve block: %s planned twice", p.Number)
		}
		seen[p.Number] = true
	}
	if len(segments) == 0 {
		return nil, nil
	}
	now := r.Clock.Time()
	starts := make([]time.Time, len(plans))
	for i, p := range plans {
		starts[i] = p.Earliest(now, notBefore)
	}
	perPlan, err := r.split(ctx, plans, starts, segments)
	if err != nil {
		return nil, err
	}

	slots := make([]Slot, len(segments))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, maxParallelNumbers)
	)
	for pi, msgs := range perPlan {
		if len(msgs) == 0 {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			got, err := r.commitNumber(ctx, plans[pi], starts[pi], msgs, segments)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for j, m := range msgs {
				slots[m] = got[j]
			}
		})
	}
	wg.Wait()
	return slots, errors.Join(errs...)
}

// split says which messages (indexes into segments, in order) each plan
// takes. Over pooled numbers it assigns them on a snapshot of every lane
// read in one transaction; staleness only costs balance between numbers,
// since each number spreads its share again on its fresh lanes.
func (r Reserver) split(ctx context.Context, plans []Plan, starts []time.Time, segments []int) ([][]int, error) {
	perPlan := make([][]int, len(plans))
	if len(plans) == 1 {
		perPlan[0] = make([]int, len(segments))
		for m := range segments {
			perPlan[0][m] = m
		}
		return perPlan, nil
	}
	var lanes map[laneRef]Lane
	err := r.Store.RunTx(ctx, func(tx store.Tx) error {
		lanes = map[laneRef]Lane{}
		for pi, p := range plans {
			if err := loadLanes(tx, pi, p, lanes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pacing lanes: %w", err)
	}
	slots, _, err := assign(plans, starts, lanes, segments)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for pi, p := range plans {
		index[p.Number] = pi
	}
	for m, s := range slots {
		pi := index[s.Number]
		perPlan[pi] = append(perPlan[pi], m)
	}
	return perPlan, nil
}

func loadLanes(tx Tx, pi int, p Plan, into map[laneRef]Lane) error {
	for i := range p.Lanes {
		l, err := loadLane(tx, p.Number, i)
		if err != nil {
			return err
		}
		into[laneRef{pi, i}] = l
	}
	return nil
}

// commitNumber reserves messages msgs (indexes into segments) on one
// number's lanes in one transaction.
func (r Reserver) commitNumber(ctx context.Context, p Plan, start time.Time, msgs []int, segments []int) ([]Slot, error) {
	segs := make([]int, len(msgs))
	for j, m := range msgs {
		segs[j] = segments[m]
	}
	var slots []Slot
	err := r.Store.RunTx(ctx, func(tx store.Tx) error {
		lanes := map[laneRef]Lane{}
		if err := loadLanes(tx, 0, p, lanes); err != nil {
			return err
		}
		got, touched, err := assign([]Plan{p}, []time.Time{start}, lanes, segs)
		if err != nil {
			return err
		}
		for ref := range touched {
			tx.PutLane(lanes[ref])
		}
		slots = got
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reserve %d messages on %s: %w", len(msgs), p.Number, err)
	}
	return slots, nil
}

// assign gives each message, in order, the first slot any lane can give
// it, updating lanes; it returns the slots and the lanes it used. A heap
// keyed by each lane's next free tick finds the lane in O(log lanes): the
// key is a lower bound of where a message can start (the daily cap only
// delays), so a popped lane whose real start equals its key is the best;
// otherwise it goes back with its real start as key.
func assign(plans []Plan, starts []time.Time, lanes map[laneRef]Lane, segments []int) ([]Slot, map[laneRef]bool, error) {
	h := &laneHeap{}
	for ref, l := range lanes {
		p := plans[ref.plan]
		key := p.ceil(starts[ref.plan])
		if next := p.ceil(l.NextFree); next.After(key) {
			key = next
		}
		h.items = append(h.items, laneItem{ref: ref, key: key})
	}
	heap.Init(h)
	slots := make([]Slot, len(segments))
	touched := map[laneRef]bool{}
	for m, k := range segments {
		for {
			it := heap.Pop(h).(laneItem)
			p := plans[it.ref.plan]
			got, next, err := p.Reserve(lanes[it.ref], starts[it.ref.plan], []int{k})
			if err != nil {
				return nil, nil, err
			}
			if at := got[0].At; at.After(it.key) {
				it.key = at
				heap.Push(h, it)
				continue
			}
			lanes[it.ref] = next
			touched[it.ref] = true
			slots[m] = got[0]
			it.key = next.NextFree
			heap.Push(h, it)
			break
		}
	}
	return slots, touched, nil
}

type laneItem struct {
	ref laneRef
	key time.Time
}

// laneHeap orders lanes by key, then plan and lane index, so ties go to
// the first numbers and lanes and the assignment is deterministic.
type laneHeap struct{ items []laneItem }

func (h *laneHeap) Len() int { return len(h.items) }
func (h *laneHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if c := a.key.Compare(b.key); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(a.ref.plan, b.ref.plan); c != 0 {
		return c < 0
	}
	return a.ref.index < b.ref.index
}
func (h *laneHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *laneHeap) Push(x any)    { h.items = append(h.items, x.(laneItem)) }
func (h *laneHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}
