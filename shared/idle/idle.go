// Package idle counts work in flight in the embedded twins (Pub/Sub,
// Cloud Tasks) so tests and scripts/dev can wait until nothing is left to
// deliver, instead of sleeping.
package idle

import (
	"context"
	"fmt"
)

// Counter counts work in flight. It is not safe on its own: the owner's
// mutex guards Add, Done and Wait, as the owner's state decides what counts.
type Counter struct {
	n    int
	zero chan struct{} // closed when n drops to zero; nil before any Add
}

// Add counts one more piece of work.
func (c *Counter) Add() {
	if c.n == 0 {
		c.zero = make(chan struct{})
	}
	c.n++
}

// Done counts one piece of work finished.
func (c *Counter) Done() {
	c.n--
	if c.n == 0 {
		close(c.zero)
	}
}

// wait returns a channel closed once nothing is in flight (nil when
// nothing is now).
func (c *Counter) wait() <-chan struct{} {
	if c.n == 0 {
		return nil
	}
	return c.zero
}

// Wait blocks until the counter reaches zero or ctx ends. lock and unlock
// are the owner's mutex, held only while the counter is read.
func Wait(ctx context.Context, c *Counter, lock, unlock func(), who string) error {
	lock()
	ch := c.wait()
	unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting for idle: %w", who, ctx.Err())
	}
}
