package pacing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/pacing/pacingtest"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

var now = at(14, 0, 0, 123456000)

func reserver(s pacing.Store) pacing.Reserver {
	return pacing.Reserver{Store: s, Clock: clock.Clock{Now: func() time.Time { return now }}}
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func longCodes(n int) []pacing.Plan {
	plans := make([]pacing.Plan, n)
	for i := range plans {
		plans[i] = pacing.PlanFor(chat.Number{E164: fmt.Sprintf("+1555000%04d", i), Type: chat.NumberLongCode}, nil)
	}
	return plans
}

func putLane(t *testing.T, s store.Store, l lane.State) {
	t.Helper()
	if err := s.RunTx(context.Background(), func(tx store.Tx) error { tx.PutLane(l); return nil }); err != nil {
		t.Fatal(err)
	}
}

func getLane(t *testing.T, s store.Store, number string, index int) lane.State {
	t.Helper()
	var l lane.State
	err := s.RunTx(context.Background(), func(tx store.Tx) error {
		var err error
		l, err = tx.Lane(number, index)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReserveBlockSpreadsOverLanes(t *testing.T) {
	tf := pacing.PlanFor(chat.Number{E164: "+18005550100", Type: chat.NumberTollFree}, nil)
	s := memstore.New()
	// Lane 1 is booked for another ten seconds: the batch should use it
	// only once the other lanes are as far along.
	putLane(t, s, lane.State{Number: tf.Number, Index: 1, NextFree: at(14, 0, 10), Day: "2026-12-01", DayUsed: 10})
	slots, err := reserver(s).ReserveBlock(context.Background(), []pacing.Plan{tf}, now, []int{1, 2, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	sl := func(l int, when time.Time, ticks int) pacing.Slot {
		return pacing.Slot{Number: tf.Number, Lane: l, At: when, Ticks: ticks, Tick: time.Second}
	}
	// The last text ties lane 0 and lane 2 at 14:00:02: the lower lane wins.
	want := []pacing.Slot{sl(0, at(14, 0, 0), 1), sl(2, at(14, 0, 0), 2), sl(0, at(14, 0, 1), 1), sl(0, at(14, 0, 2), 1)}
	if d := cmp.Diff(want, slots); d != "" {
		t.Errorf("slots (-want +got):\n%s", d)
	}
	pacingtest.Check(t, []pacing.Plan{tf}, slots)
	if got := getLane(t, s, tf.Number, 0); !got.NextFree.Equal(at(14, 0, 3)) || got.DayUsed != 3 {
		t.Errorf("lane 0 after the batch = %+v, want NextFree 14:00:03 and 3 used", got)
	}
	if got := getLane(t, s, tf.Number, 1); !got.NextFree.Equal(at(14, 0, 10)) {
		t.Errorf("lane 1 was written: %+v", got)
	}
}

func TestReserveBlockHonoursCapAndFuture(t *testing.T) {
	capped := pacing.PlanFor(chat.Number{E164: "+15550001111", DailyCap: 2}, time.UTC)
	slots, err := reserver(memstore.New()).ReserveBlock(context.Background(), []pacing.Plan{capped}, at(23, 59, 58, 5), ones(3))
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, s := range slots {
		got = append(got, s.At)
	}
	// 23:59:58.000000005 rounds up to :59; the cap of 2 is reached at the
	// second text of the day after.
	tomorrow := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	want := []time.Time{at(23, 59, 59), tomorrow, tomorrow.Add(time.Second)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("slot times (-want +got):\n%s", d)
	}
}

func TestReserveBlockRefuses(t *testing.T) {
	one := longCodes(1)
	capped := pacing.PlanFor(chat.Number{E164: "+1", DailyCap: 2}, nil)
	cases := []struct {
		name     string
		plans    []pacing.Plan
		segments []int
		is       error
	}{
		{"no plans", nil, ones(1), nil},
		{"a number twice", append(one, one...), ones(1), nil},
		{"a plan with no lanes", []pacing.Plan{{Number: "+1", Tick: time.Second}}, ones(1), nil},
		{"a message over the daily share", []pacing.Plan{capped}, []int{1, 3}, pacing.ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := memstore.New()
			slots, err := reserver(s).ReserveBlock(context.Background(), c.plans, now, c.segments)
			if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
				t.Fatalf("ReserveBlock = %v, %v; want an error (%v)", slots, err, c.is)
			}
			if len(c.plans) > 0 {
				if l, err := getLaneErr(s, c.plans[0].Number, 0); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a refused batch wrote lane 0: %+v, %v", l, err)
				}
			}
		})
	}
}

func getLaneErr(s store.Store, number string, index int) (lane.State, error) {
	var l lane.State
	err := s.RunTx(context.Background(), func(tx store.Tx) error {
		var err error
		l, err = tx.Lane(number, index)
		return err
	})
	return l, err
}

// failingNumber fails every transaction that writes a lane of one number,
// as a commit failing on Firestore would.
type failingNumber struct {
	store.Store
	number string
}

var errInjected = errors.New("injected commit failure")

type spyTx struct {
	store.Tx
	wrote []string
}

func (t *spyTx) PutLane(l lane.State) { t.wrote = append(t.wrote, l.Number); t.Tx.PutLane(l) }

func (f failingNumber) RunTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return f.Store.RunTx(ctx, func(tx store.Tx) error {
		spy := &spyTx{Tx: tx}
		if err := fn(spy); err != nil {
			return err
		}
		if slices.Contains(spy.wrote, f.number) {
			return errInjected
		}
		return nil
	})
}

func TestReserveBlockKeepsCommittedNumbers(t *testing.T) {
	pool := longCodes(3)
	s := memstore.New()
	slots, err := reserver(failingNumber{Store: s, number: pool[1].Number}).ReserveBlock(context.Background(), pool, now, ones(6))
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	for i, sl := range slots {
		if failed := sl.At.IsZero(); failed != (i%3 == 1) {
			t.Errorf("slot %d = %+v: only the second number's (messages 1 and 4) should be empty", i, sl)
		}
	}
	for _, i := range []int{0, 2} {
		if got := getLane(t, s, pool[i].Number, 0); !got.NextFree.Equal(at(14, 0, 2)) {
			t.Errorf("number %d = %+v, want its two slots kept (NextFree 14:00:02)", i, got)
		}
	}
	if l, err := getLaneErr(s, pool[1].Number, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("failed number's lane = %+v, %v; want never written", l, err)
	}
}

func TestReserveInTx(t *testing.T) {
	s := memstore.New()
	r := reserver(s)
	p := longCodes(1)[0]
	var got []pacing.Slot
	for range 2 {
		err := s.RunTx(context.Background(), func(tx store.Tx) error {
			sl, err := r.ReserveInTx(tx, p, pacing.LaneFor(p, "chat-1"), time.Time{}, 2)
			got = append(got, sl)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []pacing.Slot{
		{Number: p.Number, At: at(14, 0, 0), Ticks: 2, Tick: time.Second}, // now's tick, 0.88 s left
		{Number: p.Number, At: at(14, 0, 2), Ticks: 2, Tick: time.Second},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("slots (-want +got):\n%s", d)
	}
	if !got[0].Valid(now) {
		t.Errorf("the first reply cannot go now: %+v", got[0])
	}
	// A batch after the replies queues behind them.
	block, err := r.ReserveBlock(context.Background(), []pacing.Plan{p}, now, ones(1))
	if err != nil {
		t.Fatal(err)
	}
	if !block[0].At.Equal(at(14, 0, 4)) {
		t.Errorf("batch slot at %v, want 14:00:04 after the replies", block[0].At)
	}
	err = s.RunTx(context.Background(), func(tx store.Tx) error {
		_, err := r.ReserveInTx(tx, p, 1, now, 1)
		return err
	})
	if err == nil {
		t.Error("ReserveInTx on lane 1 of a one-lane plan: no error")
	}
}

// batchCases are the figures the README quotes: 1,000 one-segment texts on
// pooled long codes.
var batchCases = []struct {
	numbers  int
	wantSpan time.Duration
}{
	{1, 1000 * time.Second},
	{3, 334 * time.Second},
	{10, 100 * time.Second},
}

func TestBatch1000(t *testing.T) {
	for _, c := range batchCases {
		t.Run(fmt.Sprintf("%d numbers", c.numbers), func(t *testing.T) {
			plans := longCodes(c.numbers)
			slots, err := reserver(memstore.New()).ReserveBlock(context.Background(), plans, now, ones(1000))
			if err != nil {
				t.Fatal(err)
			}
			st := pacingtest.Check(t, plans, slots)
			if st.Span != c.wantSpan || st.MaxPerSecond != 1 || st.MaxPoolPerSecond != c.numbers {
				t.Errorf("span %v, max %d per number and %d per pool per second; want %v, 1 and %d",
					st.Span, st.MaxPerSecond, st.MaxPoolPerSecond, c.wantSpan, c.numbers)
			}
		})
	}
}

// BenchmarkBatch1000 reserves 1,000 one-segment texts on 1, 3 and 10
// pooled long codes and reports the span of the batch in seconds of send
// time and the most texts any number hands over in one aligned second.
func BenchmarkBatch1000(b *testing.B) {
	for _, c := range batchCases {
		b.Run(fmt.Sprintf("numbers=%d", c.numbers), func(b *testing.B) {
			plans := longCodes(c.numbers)
			var st pacingtest.Stats
			for b.Loop() {
				slots, err := reserver(memstore.New()).ReserveBlock(context.Background(), plans, now, ones(1000))
				if err != nil {
					b.Fatal(err)
				}
				st = pacingtest.Check(b, plans, slots)
			}
			b.ReportMetric(st.Span.Seconds(), "span-s")
			b.ReportMetric(float64(st.MaxPerSecond), "max-texts/s/number")
			b.ReportMetric(float64(st.MaxPoolPerSecond), "max-texts/s/pool")
		})
	}
}
