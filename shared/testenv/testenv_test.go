package testenv

import (
	"fmt"
	"regexp"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// validID is the intersection of the naming rules UniqueID promises: Google
// Cloud project ids, Pub/Sub topic and subscription ids, Cloud Tasks queue
// and task ids.
var validID = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

func TestUniqueID(t *testing.T) {
	tests := []struct {
		prefix     string
		wantPrefix string
	}{
		{prefix: "chat", wantPrefix: "chat-"},
		{prefix: "", wantPrefix: "t-"},
		{prefix: "Sms_Send Queue", wantPrefix: "sms-send-queue-"},
		{prefix: "1st", wantPrefix: "t1st-"},
		{prefix: "--x--", wantPrefix: "x-"},
		{prefix: "TestContract/delivered_with_body", wantPrefix: "testcontract-delive-"},
		{prefix: "ééé", wantPrefix: "t-"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got := UniqueID(t, tt.prefix)
			if !validID.MatchString(got) {
				t.Errorf("UniqueID(%q) = %q, not a valid id", tt.prefix, got)
			}
			if len(got) > 30 {
				t.Errorf("UniqueID(%q) = %q, %d characters, want at most 30", tt.prefix, got, len(got))
			}
			if want := tt.wantPrefix; got[:len(want)] != want {
				t.Errorf("UniqueID(%q) = %q, want prefix %q", tt.prefix, got, want)
			}
		})
	}
}

func TestUniqueIDDiffers(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := UniqueID(t, "same")
		if seen[id] {
			t.Fatalf("UniqueID returned %q twice", id)
		}
		seen[id] = true
	}
}

func TestRequire(t *testing.T) {
	tests := []struct {
		name      string
		value, ci string
		want      string
		skipped   bool
		failed    bool
	}{
		{name: "set", value: "127.0.0.1:1234", want: "127.0.0.1:1234"},
		{name: "set in CI", value: "127.0.0.1:1234", ci: "true", want: "127.0.0.1:1234"},
		{name: "unset skips", skipped: true},
		{name: "unset in CI fails", ci: "true", failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const envVar = "SMSDESK_TESTENV_PROBE_HOST"
			t.Setenv(envVar, tt.value)
			t.Setenv("CI", tt.ci)
			rec := &recorder{TB: t}
			var got string
			// Skip and Fatal end the goroutine that calls them, as in a
			// real test, so Require runs on its own.
			done := make(chan struct{})
			go func() {
				defer close(done)
				got = Require(rec, envVar)
			}()
			<-done
			if got != tt.want || rec.skipped != tt.skipped || rec.failed != tt.failed {
				t.Errorf("Require = %q (skipped %v, failed %v), want %q (skipped %v, failed %v)",
					got, rec.skipped, rec.failed, tt.want, tt.skipped, tt.failed)
			}
			if (tt.skipped || tt.failed) && rec.msg != envVar+" not set: run scripts/test to start the emulators" {
				t.Errorf("message = %q", rec.msg)
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	t.Run("met", func(t *testing.T) {
		var calls atomic.Int32
		WaitFor(t, time.Second, "three calls", func() bool { return calls.Add(1) >= 3 })
		if n := calls.Load(); n != 3 {
			t.Errorf("cond called %d times, want 3", n)
		}
	})
	t.Run("times out", func(t *testing.T) {
		rec := &recorder{TB: t}
		done := make(chan struct{})
		start := time.Now()
		go func() {
			defer close(done)
			WaitFor(rec, 100*time.Millisecond, "never", func() bool { return false })
		}()
		<-done
		if !rec.failed {
			t.Fatal("WaitFor did not fail")
		}
		if want := "timed out after 100ms waiting for never"; rec.msg != want {
			t.Errorf("message = %q, want %q", rec.msg, want)
		}
		if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
			t.Errorf("WaitFor took %v", d)
		}
	})
}

// recorder stands in for a testing.TB whose Skip and Fatal are observed
// instead of ending the real test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
