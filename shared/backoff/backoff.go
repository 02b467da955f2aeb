// Package backoff is the retry delay the embedded twins of Pub/Sub and
// Cloud Tasks share: exponential, doubling from a minimum to a maximum, the
// shape both services use.
package backoff

import "time"

// Exponential doubles the wait after each failed attempt, from Min up to Max.
type Exponential struct {
	Min, Max time.Duration
}

// WithDefaults fills unset bounds from def and keeps Max no lower than Min.
func (e Exponential) WithDefaults(def Exponential) Exponential {
	if e.Min <= 0 {
		e.Min = def.Min
	}
	if e.Max <= 0 {
		e.Max = def.Max
	}
	if e.Max < e.Min {
		e.Max = e.Min
	}
	return e
}

// After is the wait after failed attempt n (the first attempt is 1).
func (e Exponential) After(n int) time.Duration {
	d := e.Min
	for i := 1; i < n && d < e.Max; i++ {
		d *= 2
	}
	return min(d, e.Max)
}
