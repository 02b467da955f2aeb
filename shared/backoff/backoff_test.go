package backoff

import (
	"testing"
	"time"
)

func TestExponential(t *testing.T) {
	ms := time.Millisecond
	e := Exponential{Min: 100 * ms, Max: 700 * ms}
	for n, want := range map[int]time.Duration{1: 100 * ms, 2: 200 * ms, 3: 400 * ms, 4: 700 * ms, 50: 700 * ms} {
		if got := e.After(n); got != want {
			t.Errorf("After(%d) = %v, want %v", n, got, want)
		}
	}
	tests := []struct {
		name string
		in   Exponential
		want Exponential
	}{
		{"zero takes defaults", Exponential{}, Exponential{Min: ms, Max: 10 * ms}},
		{"max below min is raised", Exponential{Min: 20 * ms, Max: 5 * ms}, Exponential{Min: 20 * ms, Max: 20 * ms}},
		{"set values kept", Exponential{Min: 2 * ms, Max: 3 * ms}, Exponential{Min: 2 * ms, Max: 3 * ms}},
	}
	for _, tc := range tests {
		if got := tc.in.WithDefaults(Exponential{Min: ms, Max: 10 * ms}); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
