package ewt

import (
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	min := time.Minute
	tests := []struct {
		name        string
		in          Input
		wantMinutes int
		wantWait    time.Duration
		unstaffed   bool
	}{
		{"no agents", Input{Waiting: 3}, -1, 0, true},
		{"agents away or at zero capacity", Input{Waiting: 1, Agents: []Agent{{Available: false, Capacity: 3}, {Available: true, Capacity: 0}}}, -1, 0, true},
		{"a free slot answers now", Input{Waiting: 0, Agents: []Agent{{Available: true, Capacity: 2, Load: 1}}}, 0, 0, false},
		{"free slots cover the line", Input{Waiting: 2, Agents: []Agent{{Available: true, Capacity: 3, Load: 0}}}, 0, 0, false},
		{"first behind a full agent waits one handle per slot", Input{Waiting: 0, Agents: []Agent{{Available: true, Capacity: 1, Load: 1}},
			Handles: []time.Duration{4 * min, 6 * min}}, 5, 5 * min, false},
		{"three ahead, two slots, 4 min handle", Input{Waiting: 3, Agents: []Agent{{Available: true, Capacity: 1, Load: 1}, {Available: true, Capacity: 1, Load: 1}},
			Handles: []time.Duration{4 * min}}, 8, 8 * min, false},
		{"no history: the default handle", Input{Waiting: 1, Agents: []Agent{{Available: true, Capacity: 2, Load: 2}}}, 5, 5 * min, false},
		{"overloaded agent frees nothing", Input{Waiting: 0, Agents: []Agent{{Available: true, Capacity: 2, Load: 5}}, Handles: []time.Duration{3 * min}}, 2, 90 * time.Second, false},
		{"closed: the wait runs to the opening, however free the agents", Input{Waiting: 0, ClosedFor: 10 * time.Hour,
			Agents: []Agent{{Available: true, Capacity: 2}}}, 600, 10 * time.Hour, false},
		{"closed: agents away now still work it at the opening", Input{Waiting: 3, ClosedFor: time.Hour, Handles: []time.Duration{4 * min},
			Agents: []Agent{{Available: false, Capacity: 1}, {Available: false, Capacity: 1}}}, 64, time.Hour + 4*min, false},
		{"closed with nobody working it", Input{Waiting: 0, ClosedFor: time.Hour}, -1, 0, true},
		{"partial minute rounds up", Input{Waiting: 0, Agents: []Agent{{Available: true, Capacity: 3, Load: 3}}, Handles: []time.Duration{4 * min}}, 2, 80 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Of(tt.in)
			if got.Minutes() != tt.wantMinutes || got.Wait != tt.wantWait || got.Unstaffed != tt.unstaffed || got.QueueSize != tt.in.Waiting {
				t.Errorf("Of = %+v (%d min), want wait %v (%d min) unstaffed %v size %d", got, got.Minutes(), tt.wantWait, tt.wantMinutes, tt.unstaffed, tt.in.Waiting)
			}
		})
	}
}

func TestAbove(t *testing.T) {
	tests := []struct {
		e         Estimate
		threshold int
		want      bool
	}{
		{Estimate{Wait: 5 * time.Minute}, 5, false},
		{Estimate{Wait: 5*time.Minute + time.Second}, 5, true},
		{Estimate{}, 0, false},
		{Estimate{Wait: time.Second}, 0, true},
		{Estimate{Unstaffed: true}, 60, true},
	}
	for _, tt := range tests {
		if got := tt.e.Above(tt.threshold); got != tt.want {
			t.Errorf("%+v.Above(%d) = %v, want %v", tt.e, tt.threshold, got, tt.want)
		}
	}
}

func TestMeanHandleIgnoresUnusable(t *testing.T) {
	if got := MeanHandle([]time.Duration{0, -time.Minute, 2 * time.Minute, 4 * time.Minute}); got != 3*time.Minute {
		t.Errorf("MeanHandle = %v, want 3m", got)
	}
	if got := MeanHandle(nil); got != DefaultHandle {
		t.Errorf("MeanHandle(nil) = %v, want %v", got, DefaultHandle)
	}
}
