package idle

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	var mu sync.Mutex
	var c Counter
	ctx := context.Background()
	if err := Wait(ctx, &c, mu.Lock, mu.Unlock, "test"); err != nil {
		t.Fatalf("nothing counted yet: %v", err)
	}

	mu.Lock()
	c.Add()
	c.Add()
	mu.Unlock()
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := Wait(short, &c, mu.Lock, mu.Unlock, "test"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("two in flight: %v, want the context's deadline", err)
	}

	done := make(chan error, 1)
	go func() { done <- Wait(ctx, &c, mu.Lock, mu.Unlock, "test") }()
	for range 2 {
		mu.Lock()
		c.Done()
		mu.Unlock()
	}
	if err := <-done; err != nil {
		t.Fatalf("after both finished: %v", err)
	}

	// Counting again after reaching zero needs a fresh channel.
	mu.Lock()
	c.Add()
	mu.Unlock()
	short2, cancel2 := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel2()
	if err := Wait(short2, &c, mu.Lock, mu.Unlock, "test"); err == nil {
		t.Fatal("one in flight again, but Wait returned at once")
	}
}
