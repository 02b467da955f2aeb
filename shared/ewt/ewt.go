// Package ewt estimates how long a new contact waits in a queue before an
// agent takes it, from what the queue holds now: who waits, the free and
// total capacity of the agents working it, and how long their recent chats
// took. It is pure arithmetic; the use case reads the inputs.
package ewt

import (
	"math"
	"time"
)

// DefaultHandle is the handle time assumed for a queue with no recent
// chats to learn from: a typical SMS conversation's length.
const DefaultHandle = 5 * time.Minute

// Agent is one agent working the queue, as the estimate sees them.
type Agent struct {
	// Available: signed in and taking chats (not away or offline).
	Available bool
	Capacity  int
	// Load is how many chats they hold now.
	Load int
}

// Input is a queue's state.
type Input struct {
	// Waiting is how many contacts wait ahead of the new one.
	Waiting int
	Agents  []Agent
	// Handles are recent chats' handle times (assignment to end).
	Handles []time.Duration
	// ClosedFor is how long until the queue's business hours open
	// (chat.Tree.Closure); 0 when it is open.
	ClosedFor time.Duration
}

// Estimate is the expected wait of a contact joining the queue now.
type Estimate struct {
	Wait time.Duration
	// QueueSize is the contacts waiting ahead.
	QueueSize int
	// Unstaffed: no available agent with capacity works the queue, so the
	// wait cannot be estimated (Wait is zero).
	Unstaffed bool
	// Closed: the queue is outside its business hours; Wait counts from
	// now through the opening.
	Closed bool
}

// Minutes is the wait rounded up to whole minutes, -1 when unstaffed: a
// caller told "0 minutes" expects an answer now.
func (e Estimate) Minutes() int {
	if e.Unstaffed {
		return -1
	}
	return int(math.Ceil(e.Wait.Minutes()))
}

// Above reports whether the estimate exceeds a threshold in minutes; an
// unstaffed queue is above every threshold.
func (e Estimate) Above(minutes int) bool {
	return e.Unstaffed || e.Wait > time.Duration(minutes)*time.Minute
}

// Of estimates the wait. The queue's slots (the available agents'
// capacity) each free up once per mean handle time, so the contact behind
// w others, with f slots free now, waits (w - f + 1) slot releases at
// slots/handle releases per unit of time; with a free slot it waits none.
//
// A closed queue is estimated as of its opening: who is available now says
// nothing about then, so every agent working it is counted, with all their
// capacity, and the wait adds the time until the opening.
func Of(in Input) Estimate {
	out := Estimate{QueueSize: in.Waiting}
	if in.ClosedFor > 0 {
		out.Closed = true
		slots := 0
		for _, a := range in.Agents {
			slots += max(0, a.Capacity)
		}
		if slots == 0 {
			out.Unstaffed = true
			return out
		}
		ahead := max(0, in.Waiting-slots+1)
		out.Wait = in.ClosedFor + time.Duration(float64(ahead)*float64(MeanHandle(in.Handles))/float64(slots))
		return out
	}
	slots, free := 0, 0
	for _, a := range in.Agents {
		if !a.Available || a.Capacity <= 0 {
			continue
		}
		slots += a.Capacity
		free += max(0, a.Capacity-a.Load)
	}
	if slots == 0 {
		out.Unstaffed = true
		return out
	}
	ahead := in.Waiting - free + 1
	if ahead <= 0 {
		return out
	}
	out.Wait = time.Duration(float64(ahead) * float64(MeanHandle(in.Handles)) / float64(slots))
	return out
}

// MeanHandle is the mean of the positive handle times, DefaultHandle when
// there are none.
func MeanHandle(hs []time.Duration) time.Duration {
	var sum time.Duration
	n := 0
	for _, h := range hs {
		if h > 0 {
			sum += h
			n++
		}
	}
	if n == 0 {
		return DefaultHandle
	}
	return sum / time.Duration(n)
}
