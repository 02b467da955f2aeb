// Package clock supplies the time and the fresh ids that use cases stamp on
// what they write, replaceable in tests.
package clock

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Clock is the zero value for the real time and random ids; tests set Now
// or NewID to make what is written predictable.
type Clock struct {
	Now   func() time.Time
	NewID func() string
}

// Time is the current time, UTC.
func (c Clock) Time() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	// Firestore keeps microseconds; truncating here makes both stores agree.
	return time.Now().UTC().Truncate(time.Microsecond)
}

// ID is a fresh id.
func (c Clock) ID() string {
	if c.NewID != nil {
		return c.NewID()
	}
	return RandomID()
}

// RandomID is a 128-bit random id in hex, safe in document ids and task names.
func RandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
