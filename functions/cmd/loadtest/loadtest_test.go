package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// devServer builds and starts scripts/dev's server on the embedded backend
// with the sandbox carrier: the load's own loop, without emulators.
func devServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the dev server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "devserver")
	build := exec.Command("go", "build", "-o", bin, "github.com/smsdesk/smsdesk/functions/cmd/devserver")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build devserver: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var log bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "PUBLIC_BASE_URL="+base, "INTERNAL_BASE_URL="+base,
		"SMSDESK_BACKEND=embedded", "SMSDESK_CARRIER=sandbox", "SMSDESK_AUTH=dev", "SMSDESK_DEMO=false", "LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("dev server log:\n%s", log.String())
		}
	})
	testenv.WaitFor(t, 30*time.Second, "the dev server answering", func() bool {
		resp, err := http.Get(base + "/Simulator/api/outbox")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

func shortRun(base string) options {
	o := options{base: base, token: config.SandboxAuthToken, rate: 8, duration: 6 * time.Second, warmup: 2 * time.Second, drain: 20 * time.Second,
		runIndex: 1, capacity: 10, followUps: 2, stopEvery: 3, inboxPoll: 200 * time.Millisecond,
		outboxPoll: 50 * time.Millisecond, think: 100 * time.Millisecond, timeout: 20 * time.Second, webhookRetryFor: 10 * time.Second,
		stableP99: 3 * time.Second, recoverBound: 5 * time.Second}
	if err := o.complete(); err != nil {
		panic(err)
	}
	return o
}

// A short load on a healthy server must come out stable: every text
// answered and seen, each once in its transcript, every reply delivered,
// the consumers who texted STOP confirmed and texted no more.
func TestLoadOnTheEmbeddedDevServerIsStable(t *testing.T) {
	base := devServer(t)
	r, err := run(context.Background(), shortRun(base))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.print(&out)
	t.Log(out.String())
	if !r.Stable {
		t.Fatalf("not stable: %v", r.Unstable)
	}
	stops := r.ReplyBy[kindNames[kindStop]]
	switch {
	case r.Sent < 20:
		t.Errorf("sent %d texts in %.0f s at 8/s", r.Sent, r.DurationS)
	case r.ReplyBy[kindNames[kindFollowUp]].N == 0 || r.Visible.N == 0:
		t.Errorf("no follow-up was answered or seen: %+v", r.ReplyBy)
	case stops.N == 0:
		t.Errorf("no consumer's STOP was answered: %+v", r.ReplyBy)
	case r.Audit.Delivered != r.CarrierTexts:
		t.Errorf("%d replies delivered, the carrier took %d", r.Audit.Delivered, r.CarrierTexts)
	}
}

// The drill's carrier faults: 429s for a while, then the texts go out. The
// run must pass its fault checks and say it recovered.
func TestCarrierFaultsArePlayedAndRecoveredFrom(t *testing.T) {
	base := devServer(t)
	o := shortRun(base)
	o.events = filepath.Join(t.TempDir(), "events")
	o.label = "carrier-429"
	o.settle = 20 * time.Second
	if err := os.WriteFile(o.events, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(time.Second)
		appendEvent(t, o.events, "fault carrier-429")
		resp, err := http.Post(base+"/Simulator/api/faults", "application/json", strings.NewReader(`{"kind":"429","count":6}`))
		if err == nil {
			resp.Body.Close()
		}
		c := newClient(base, base, o.token)
		for range 200 {
			var p struct {
				FaultsLeft int `json:"faultsLeft"`
			}
			if err := c.do(context.Background(), "", "GET", "/Simulator/api/outbox?after=1000000", "", &p); err == nil && p.FaultsLeft == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		appendEvent(t, o.events, "up carrier")
	}()
	r, err := run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.print(&out)
	t.Log(out.String())
	if r.Fault == nil || !r.Fault.Pass {
		t.Fatalf("fault checks failed: %+v", r.Fault)
	}
	if r.FaultSends["429"] != 6 {
		t.Errorf("the carrier played %v, want 6 × 429", r.FaultSends)
	}
	if r.Fault.RecoverS < 0 || r.Audit.Delivered != r.CarrierTexts {
		t.Errorf("recovered after %v s; %d delivered of %d taken", r.Fault.RecoverS, r.Audit.Delivered, r.CarrierTexts)
	}
}

func appendEvent(t *testing.T, path, what string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%d %s\n", time.Now().UnixNano(), what)
}

func TestTableNamesTheHighestRateStableInThreeRuns(t *testing.T) {
	run := func(rate float64, n int, stable bool) Result {
		r := Result{Rate: rate, Run: n, Sent: 100, Stable: stable, DurationS: 10,
			Ack: Dist{N: 1, P50: 10, P99: 20}, Visible: Dist{N: 1, P50: 500, P99: 1100}}
		if !stable {
			r.Unstable = []string{"visible p99 4 s > 3s"}
		}
		return r
	}
	cases := []struct {
		name    string
		results []Result
		want    string
	}{
		{"all stable", []Result{run(25, 1, true), run(25, 2, true), run(25, 3, true), run(50, 1, true), run(50, 2, true), run(50, 3, true)},
			"**50 consumer texts/s**"},
		{"one unstable run", []Result{run(25, 1, true), run(25, 2, true), run(25, 3, true), run(50, 1, true), run(50, 2, false), run(50, 3, true)},
			"**25 consumer texts/s**"},
		{"too few runs", []Result{run(25, 1, true)}, "No rate was stable in three consecutive runs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			table(&out, tc.results)
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("table lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}

func TestParseFollowUp(t *testing.T) {
	cases := []struct {
		body string
		k, n int
		tag  string
		ok   bool
	}{
		{"q1/3 abc-12", 1, 3, "abc-12", true},
		{"q3/3 abc-12", 3, 3, "abc-12", true},
		{"q0/3 abc", 0, 0, "", false},
		{"Hi, I need help", 0, 0, "", false},
		{"2", 0, 0, "", false},
		{"STOP", 0, 0, "", false},
	}
	for _, tc := range cases {
		k, n, tag, ok := parseFollowUp(tc.body)
		if k != tc.k || n != tc.n || tag != tc.tag || ok != tc.ok {
			t.Errorf("parseFollowUp(%q) = %d, %d, %q, %v; want %d, %d, %q, %v", tc.body, k, n, tag, ok, tc.k, tc.n, tc.tag, tc.ok)
		}
	}
}
