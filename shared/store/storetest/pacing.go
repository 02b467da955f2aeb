package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/pacing/pacingtest"
	"github.com/smsdesk/smsdesk/shared/store"
)

// testPacingLanes covers the lane documents: missing until written, read
// back as written (UTC, microseconds) in and after the transaction, one
// per number and index, untouched by a failed transaction.
func testPacingLanes(t *testing.T, s store.Store) {
	const number = "+15550001111"
	l0 := lane.State{Number: number, Index: 0, NextFree: t0.Truncate(time.Second).Add(3 * time.Second), Day: "2026-11-25", DayUsed: 3}
	l1 := lane.State{Number: number, Index: 1, NextFree: t0.Truncate(time.Second).Add(9 * time.Second), Day: "2026-11-25", DayUsed: 9}
	mustTx(t, s, func(tx store.Tx) error {
		if _, err := tx.Lane(number, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Lane(unwritten) = %v, want ErrNotFound", err)
		}
		tx.PutLane(l0)
		tx.PutLane(l1)
		got, err := tx.Lane(number, 1)
		if err != nil {
			return err
		}
		diff(t, "lane read in its transaction", l1, got)
		return nil
	})
	errBoom := errors.New("boom")
	err := s.RunTx(ctx(t), func(tx store.Tx) error {
		tx.PutLane(lane.State{Number: number, Index: 0, NextFree: t0.Add(time.Hour)})
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failing RunTx = %v, want its error", err)
	}
	mustTx(t, s, func(tx store.Tx) error {
		for _, want := range []lane.State{l0, l1} {
			got, err := tx.Lane(number, want.Index)
			if err != nil {
				return err
			}
			diff(t, "committed lane", want, got)
		}
		if _, err := tx.Lane("+15550002222", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another number's lane = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// testPacingContention races batches and single reservations on one
// three-lane number: serializable lane transactions must keep every tick
// of a lane to one text and every aligned second to three texts.
func testPacingContention(t *testing.T, s store.Store) {
	const (
		batches   = 10
		batchSize = 100
		singles   = 6
	)
	p := pacing.PlanFor(chat.Number{E164: "+18005550100", Type: chat.NumberTollFree}, time.UTC)
	r := pacing.Reserver{Store: s, Clock: clock.Clock{Now: func() time.Time { return t0 }}}
	segments := make([]int, batchSize)
	for i := range segments {
		segments[i] = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		slots []pacing.Slot
	)
	add := func(got []pacing.Slot, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Errorf("reserve: %v", err)
		}
		slots = append(slots, got...)
	}
	for range batches {
		wg.Go(func() { add(r.ReserveBlock(ctx(t), []pacing.Plan{p}, t0, segments)) })
	}
	for i := range singles {
		wg.Go(func() {
			var sl pacing.Slot
			err := s.RunTx(ctx(t), func(tx store.Tx) error {
				var err error
				sl, err = r.ReserveInTx(tx, p, i%p.Lanes, t0, 1)
				return err
			})
			add([]pacing.Slot{sl}, err)
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(slots) != batches*batchSize+singles {
		t.Fatalf("%d slots, want %d", len(slots), batches*batchSize+singles)
	}
	st := pacingtest.Check(t, []pacing.Plan{p}, slots)
	// A perfect split would end after 336 s; batches planned on the same
	// snapshot each give their spare text to lane 0, up to one per batch.
	if limit := time.Duration((batches*batchSize+singles)/p.Lanes+batches+singles) * time.Second; st.Span > limit {
		t.Errorf("the reservations span %v, want at most %v", st.Span, limit)
	}
	if st.MaxPerSecond != p.Lanes {
		t.Errorf("at most %d texts in a second, want the %d lanes used", st.MaxPerSecond, p.Lanes)
	}
}
