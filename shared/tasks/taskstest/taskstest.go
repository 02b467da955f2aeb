// Package taskstest is the contract every tasks adapter must meet, run
// against the in-process twin and against the Cloud Tasks emulator so that
// scripts/dev behaves like production.
package taskstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// Env is one adapter under test.
type Env struct {
	Scheduler tasks.Scheduler
	// NewQueue returns the name of a fresh, empty queue that exists.
	NewQueue func(t *testing.T) string
	// Patience bounds each wait for a delivery.
	Patience time.Duration
}

// Run runs the contract. newEnv is called once per case, from the case's own
// (parallel) test, and should register its cleanup with t.Cleanup.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	cases := []struct {
		name string
		run  func(t *testing.T, env Env)
	}{
		{"delivers body and headers", testDelivers},
		{"does not deliver before the schedule time", testSchedule},
		{"delivers a duplicate name once", testDuplicate},
		{"delete before the schedule time cancels", testDelete},
		{"retries after an error answer", testRetry},
		{"rejects a name Cloud Tasks would reject", testBadName},
		{"runs a scheduled task now", testRun},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			if env.Patience <= 0 {
				env.Patience = 10 * time.Second
			}
			c.run(t, env)
		})
	}
}

// handler is a task target that records every request and answers with the
// status its respond function picks.
type handler struct {
	t       *testing.T
	URL     string
	respond func(r request) int

	mu  sync.Mutex
	got []request
}

type request struct {
	Name   string // X-CloudTasks-TaskName
	Body   string
	Header http.Header
	At     time.Time
	Status int
}

func newHandler(t *testing.T, respond func(r request) int) *handler {
	h := &handler{t: t, respond: respond}
	srv := httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/ChatTimers"
	return h
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.t.Errorf("reading task body: %v", err)
	}
	req := request{Name: r.Header.Get(tasks.HeaderTaskName), Body: string(body), Header: r.Header.Clone(), At: at, Status: http.StatusOK}
	if r.Method != http.MethodPost {
		h.t.Errorf("task %s arrived as %s, want POST", req.Name, r.Method)
	}
	if h.respond != nil {
		req.Status = h.respond(req)
	}
	h.mu.Lock()
	h.got = append(h.got, req)
	h.mu.Unlock()
	w.WriteHeader(req.Status)
}

func (h *handler) requests(name string) []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []request
	for _, r := range h.got {
		if name == "" || r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

func (h *handler) wait(env Env, name string, n int) []request {
	h.t.Helper()
	testenv.WaitFor(h.t, env.Patience, fmt.Sprintf("%d deliveries of task %s", n, name), func() bool {
		return len(h.requests(name)) >= n
	})
	return h.requests(name)
}

func enqueue(t *testing.T, env Env, queue string, task tasks.Task) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Scheduler.Enqueue(ctx, queue, task); err != nil {
		t.Fatalf("Enqueue(%q, %q): %v", queue, task.Name, err)
	}
}

func deleteTask(t *testing.T, env Env, queue, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Scheduler.Delete(ctx, queue, name); err != nil {
		t.Fatalf("Delete(%q, %q): %v", queue, name, err)
	}
}

func testDelivers(t *testing.T, env Env) {
	h := newHandler(t, nil)
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "send")
	enqueue(t, env, queue, tasks.Task{
		Name:    name,
		URL:     h.URL,
		Body:    []byte(`{"chat":"c1","version":7}`),
		Headers: map[string]string{"Content-Type": "application/json", "X-Smsdesk-Trace": "abc"},
	})
	got := h.wait(env, name, 1)[0]

	if want := `{"chat":"c1","version":7}`; got.Body != want {
		t.Errorf("body = %q, want %q", got.Body, want)
	}
	wantHeaders := map[string]string{
		"Content-Type":         "application/json",
		"X-Smsdesk-Trace":      "abc",
		tasks.HeaderTaskName:   name,
		tasks.HeaderQueueName:  queue,
		tasks.HeaderRetryCount: "0",
	}
	gotHeaders := make(map[string]string)
	for k := range wantHeaders {
		gotHeaders[k] = got.Header.Get(k)
	}
	if diff := cmp.Diff(wantHeaders, gotHeaders); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func testSchedule(t *testing.T, env Env) {
	h := newHandler(t, nil)
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "timer")
	at := time.Now().Add(time.Second)
	enqueue(t, env, queue, tasks.Task{Name: name, URL: h.URL, ScheduleAt: at})
	got := h.wait(env, name, 1)[0]
	if got.At.Before(at) {
		t.Errorf("delivered at %v, %v before its schedule time", got.At.Format(time.RFC3339Nano), at.Sub(got.At))
	}
}

// testDuplicate enqueues a name twice, then again after it ran; a second
// task enqueued after the duplicates is the marker that all that could have
// been delivered was.
func testDuplicate(t *testing.T, env Env) {
	h := newHandler(t, nil)
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "dup")
	task := tasks.Task{Name: name, URL: h.URL, Body: []byte("first")}
	enqueue(t, env, queue, task)
	task.Body = []byte("second")
	enqueue(t, env, queue, task)
	h.wait(env, name, 1)

	task.Body = []byte("after it ran")
	enqueue(t, env, queue, task)
	marker := testenv.UniqueID(t, "marker")
	enqueue(t, env, queue, tasks.Task{Name: marker, URL: h.URL})
	h.wait(env, marker, 1)

	got := h.requests(name)
	if len(got) != 1 || got[0].Body != "first" {
		t.Errorf("task %s delivered %d times (%+v), want once with the first body", name, len(got), got)
	}
}

func testDelete(t *testing.T, env Env) {
	h := newHandler(t, nil)
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "del")
	at := time.Now().Add(time.Second)
	enqueue(t, env, queue, tasks.Task{Name: name, URL: h.URL, ScheduleAt: at})
	deleteTask(t, env, queue, name)
	// Deleting again, and deleting a name never used, are no-ops.
	deleteTask(t, env, queue, name)
	deleteTask(t, env, queue, testenv.UniqueID(t, "never"))
	// The deleted name stays taken: this must not bring the task back.
	enqueue(t, env, queue, tasks.Task{Name: name, URL: h.URL, ScheduleAt: at})

	marker := testenv.UniqueID(t, "marker")
	enqueue(t, env, queue, tasks.Task{Name: marker, URL: h.URL, ScheduleAt: at.Add(200 * time.Millisecond)})
	h.wait(env, marker, 1)
	if got := h.requests(name); len(got) != 0 {
		t.Errorf("deleted task %s was delivered %d times", name, len(got))
	}
}

func testRun(t *testing.T, env Env) {
	runner, ok := env.Scheduler.(tasks.Runner)
	if !ok {
		t.Fatalf("%T does not implement tasks.Runner", env.Scheduler)
	}
	h := newHandler(t, nil)
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "run")
	enqueue(t, env, queue, tasks.Task{Name: name, URL: h.URL, Body: []byte("now"), ScheduleAt: time.Now().Add(time.Hour)})
	if err := runner.Run(context.Background(), queue, name); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := h.wait(env, name, 1); got[0].Body != "now" {
		t.Errorf("run task body %q, want %q", got[0].Body, "now")
	}
	tests := []struct{ name, task string }{
		{"never created", testenv.UniqueID(t, "never")},
		{"deleted", func() string {
			n := testenv.UniqueID(t, "gone")
			enqueue(t, env, queue, tasks.Task{Name: n, URL: h.URL, ScheduleAt: time.Now().Add(time.Hour)})
			deleteTask(t, env, queue, n)
			return n
		}()},
	}
	for _, tc := range tests {
		if err := runner.Run(context.Background(), queue, tc.task); !errors.Is(err, tasks.ErrNoTask) {
			t.Errorf("Run of a task %s: %v, want ErrNoTask", tc.name, err)
		}
	}
}

func testRetry(t *testing.T, env Env) {
	h := newHandler(t, func(r request) int {
		if r.Header.Get(tasks.HeaderRetryCount) == "0" {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	queue := env.NewQueue(t)
	name := testenv.UniqueID(t, "retry")
	enqueue(t, env, queue, tasks.Task{Name: name, URL: h.URL, Body: []byte("again")})
	got := h.wait(env, name, 2)

	var counts []string
	for _, r := range got[:2] {
		counts = append(counts, r.Header.Get(tasks.HeaderRetryCount))
		if r.Body != "again" {
			t.Errorf("attempt with retry count %s had body %q", r.Header.Get(tasks.HeaderRetryCount), r.Body)
		}
	}
	if diff := cmp.Diff([]string{"0", "1"}, counts); diff != "" {
		t.Errorf("retry counts (-want +got):\n%s", diff)
	}
	// The successful attempt ends the task: wait for a marker to show no
	// third attempt is coming.
	marker := testenv.UniqueID(t, "marker")
	enqueue(t, env, queue, tasks.Task{Name: marker, URL: h.URL})
	h.wait(env, marker, 1)
	if n := len(h.requests(name)); n != 2 {
		t.Errorf("task %s attempted %d times, want 2", name, n)
	}
}

func testBadName(t *testing.T, env Env) {
	queue := env.NewQueue(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{"+15551234567", "chat/1", "a b"} {
		err := env.Scheduler.Enqueue(ctx, queue, tasks.Task{Name: name, URL: "http://127.0.0.1:1/"})
		if err == nil {
			t.Errorf("Enqueue with name %q = nil, want an error", name)
		}
	}
}
