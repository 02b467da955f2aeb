package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	gfs "cloud.google.com/go/firestore"
)

// probeFirestore times what the load's transactions meet on the Firestore
// emulator: one read-modify-write transaction alone, then two that have
// both read one document when they write it. Firestore aborts one of two such transactions at once; the
// emulator holds both until a lock wait ends (about 2 s), so every
// contended transaction of a run (two routings assigning from one queue,
// a status report racing the sender's write) costs seconds there, not
// milliseconds: the figure that explains the emulator's knee.
func probeFirestore(ctx context.Context, w io.Writer) error {
	if os.Getenv("FIRESTORE_EMULATOR_HOST") == "" {
		return errors.New("probe-firestore: FIRESTORE_EMULATOR_HOST is not set")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := gfs.NewClient(ctx, fmt.Sprintf("probe-%d", os.Getpid()))
	if err != nil {
		return fmt.Errorf("probe-firestore: %w", err)
	}
	defer c.Close()
	doc := c.Collection("probe").Doc("counter")
	if _, err := doc.Set(ctx, map[string]any{"n": 0}); err != nil {
		return fmt.Errorf("probe-firestore: %w", err)
	}
	// overlap, when set, makes the first attempt of each transaction wait
	// after its read until the other has read too: both hold the document
	// when they write, as two routings racing for one agent do.
	increment := func(overlap *sync.WaitGroup) error {
		first := true
		return c.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
			snap, err := tx.Get(doc)
			if err != nil {
				return err
			}
			if overlap != nil && first {
				first = false
				overlap.Done()
				overlap.Wait()
			}
			n, err := snap.DataAt("n")
			if err != nil {
				return err
			}
			v, _ := n.(int64)
			return tx.Set(doc, map[string]any{"n": v + 1})
		})
	}
	if err := increment(nil); err != nil { // warms the connection
		return fmt.Errorf("probe-firestore: %w", err)
	}
	start := time.Now()
	if err := increment(nil); err != nil {
		return fmt.Errorf("probe-firestore: %w", err)
	}
	alone := time.Since(start)
	var wg, overlap sync.WaitGroup
	errs := make([]error, 2)
	overlap.Add(len(errs))
	start = time.Now()
	for i := range errs {
		wg.Go(func() { errs[i] = increment(&overlap) })
	}
	wg.Wait()
	both := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("probe-firestore: %w", err)
	}
	fmt.Fprintf(w, "Firestore emulator: a read-modify-write transaction alone %v; two that both read one document before writing it %v\n",
		alone.Round(time.Millisecond), both.Round(time.Millisecond))
	return nil
}
