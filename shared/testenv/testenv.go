// Package testenv holds the helpers that integration tests share: finding
// the emulators that scripts/test started, naming resources so parallel tests
// never meet, and waiting for asynchronous effects without fixed sleeps.
package testenv

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Require returns the value of envVar, the host:port of an emulator. When it
// is unset the test is skipped with a hint on a development machine, and
// fails under CI=true, where a silently skipped integration test would hide
// a broken pipeline.
func Require(t testing.TB, envVar string) string {
	t.Helper()
	if v := os.Getenv(envVar); v != "" {
		return v
	}
	msg := fmt.Sprintf("%s not set: run scripts/test to start the emulators", envVar)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// maxIDLen is the tightest limit among the names UniqueID is used for: a
// Firestore/Google Cloud project id is 6 to 30 characters.
const maxIDLen = 30

// randomLen characters of base32 carry 50 bits, so even thousands of names
// in one emulator never collide.
const randomLen = 10

// UniqueID returns a fresh name such as "chat-events-k3q9x2m7ab" that is a
// valid project id, topic, subscription, queue or task id: lowercase letters,
// digits and hyphens, starting with a letter, at most 30 characters. The
// prefix is normalised and shortened to fit.
func UniqueID(t testing.TB, prefix string) string {
	t.Helper()
	p := sanitize(prefix)
	if room := maxIDLen - randomLen - 1; len(p) > room {
		p = strings.TrimRight(p[:room], "-")
	}
	if p == "" {
		p = "t"
	}
	return p + "-" + strings.ToLower(rand.Text()[:randomLen])
}

// sanitize lowercases s, turns every other character into a hyphen,
// collapses runs of hyphens and makes sure the result starts with a letter.
func sanitize(s string) string {
	var b strings.Builder
	lastHyphen := true // drops leading hyphens
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if b.Len() == 0 && r >= '0' && r <= '9' {
				b.WriteByte('t')
			}
			b.WriteRune(r)
			lastHyphen = false
		case !lastHyphen:
			b.WriteByte('-')
			lastHyphen = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// pollInterval is short enough that a test waiting on a local emulator adds
// little latency, long enough not to spin a core.
const pollInterval = 20 * time.Millisecond

// WaitFor polls cond until it returns true, failing the test with what when
// timeout passes first. cond is always evaluated at least once.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-ticker.C
	}
}
