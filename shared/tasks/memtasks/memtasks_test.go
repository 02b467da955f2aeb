package memtasks_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/tasks/memtasks"
	"github.com/smsdesk/smsdesk/shared/tasks/taskstest"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func TestContract(t *testing.T) {
	taskstest.Run(t, func(t *testing.T) taskstest.Env {
		s := memtasks.New(memtasks.Options{MinBackoff: 10 * time.Millisecond, Logger: quietLogger()})
		t.Cleanup(func() { _ = s.Close() })
		return taskstest.Env{
			Scheduler: s,
			NewQueue:  func(t *testing.T) string { return testenv.UniqueID(t, "queue") },
			Patience:  5 * time.Second,
		}
	})
}

// target records task requests and answers with what status picks.
type target struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	status func(r *http.Request) int
}

func newTarget(t *testing.T, status func(r *http.Request) int) *target {
	tg := &target{status: status}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.mu.Lock()
		tg.got = append(tg.got, r)
		tg.mu.Unlock()
		code := http.StatusOK
		if tg.status != nil {
			code = tg.status(r)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

func (tg *target) requests() []*http.Request {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]*http.Request(nil), tg.got...)
}

func newScheduler(t *testing.T, opts memtasks.Options) *memtasks.Scheduler {
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = time.Millisecond
	}
	s := memtasks.New(opts)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func idle(t *testing.T, s *memtasks.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		want        int
	}{
		{name: "default", want: memtasks.DefaultMaxAttempts},
		{name: "one", maxAttempts: 1, want: 1},
		{name: "four", maxAttempts: 4, want: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := newTarget(t, func(*http.Request) int { return http.StatusTooManyRequests })
			s := newScheduler(t, memtasks.Options{MaxAttempts: tt.maxAttempts, MaxBackoff: 5 * time.Millisecond})
			if err := s.Enqueue(context.Background(), "q", tasks.Task{Name: "n", URL: tg.srv.URL}); err != nil {
				t.Fatal(err)
			}
			idle(t, s)
			reqs := tg.requests()
			if len(reqs) != tt.want {
				t.Fatalf("%d attempts, want %d", len(reqs), tt.want)
			}
			for i, r := range reqs {
				want := map[string]string{
					tasks.HeaderRetryCount:            strconv.Itoa(i),
					"X-CloudTasks-TaskExecutionCount": strconv.Itoa(i), // every earlier attempt got an answer
				}
				for k, v := range want {
					if got := r.Header.Get(k); got != v {
						t.Errorf("attempt %d: %s = %q, want %q", i+1, k, got, v)
					}
				}
			}
			failed := s.Failed()
			if len(failed) != 1 || failed[0].Queue != "q" || failed[0].Task.Name != "n" || failed[0].Attempts != tt.want ||
				!strings.Contains(failed[0].LastError, "HTTP 429") {
				t.Errorf("Failed() = %+v, want task q/n after %d attempts with HTTP 429", failed, tt.want)
			}
		})
	}
}

// Idle waits for what is due now and ignores timers set for later.
func TestIdleIgnoresFutureTasks(t *testing.T) {
	tg := newTarget(t, nil)
	s := newScheduler(t, memtasks.Options{})
	ctx := context.Background()
	if err := s.Enqueue(ctx, "q", tasks.Task{Name: "later", URL: tg.srv.URL, ScheduleAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, "q", tasks.Task{Name: "now", URL: tg.srv.URL}); err != nil {
		t.Fatal(err)
	}
	idle(t, s)
	if got := tg.requests(); len(got) != 1 || got[0].Header.Get(tasks.HeaderTaskName) != "now" {
		t.Errorf("after Idle, delivered %d tasks, want just \"now\"", len(got))
	}
}

// Deleting a task waiting for its retry stops the retries.
func TestDeleteStopsRetries(t *testing.T) {
	tg := newTarget(t, func(*http.Request) int { return http.StatusInternalServerError })
	s := newScheduler(t, memtasks.Options{MinBackoff: time.Hour})
	ctx := context.Background()
	if err := s.Enqueue(ctx, "q", tasks.Task{Name: "n", URL: tg.srv.URL}); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, "the first attempt", func() bool { return len(tg.requests()) == 1 })
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.Idle(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Idle with a task waiting to retry = %v, want a deadline error", err)
	}
	if err := s.Delete(ctx, "q", "n"); err != nil {
		t.Fatal(err)
	}
	idle(t, s)
	if n := len(tg.requests()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// A name is blocked for the retention window only.
func TestNameRetention(t *testing.T) {
	tg := newTarget(t, nil)
	s := newScheduler(t, memtasks.Options{NameRetention: 50 * time.Millisecond})
	ctx := context.Background()
	task := tasks.Task{Name: "n", URL: tg.srv.URL}
	if err := s.Enqueue(ctx, "q", task); err != nil {
		t.Fatal(err)
	}
	idle(t, s)
	// The same name on another queue is another task.
	if err := s.Enqueue(ctx, "other", task); err != nil {
		t.Fatal(err)
	}
	idle(t, s)
	if n := len(tg.requests()); n != 2 {
		t.Fatalf("%d deliveries, want 2 (one per queue)", n)
	}
	testenv.WaitFor(t, 5*time.Second, "the name to be free again", func() bool {
		if err := s.Enqueue(ctx, "q", task); err != nil {
			t.Fatal(err)
		}
		idle(t, s)
		return len(tg.requests()) == 3
	})
}

func TestEnqueueValidates(t *testing.T) {
	s := newScheduler(t, memtasks.Options{})
	tests := []struct {
		name    string
		queue   string
		task    tasks.Task
		wantErr string
	}{
		{name: "no queue", task: tasks.Task{Name: "n", URL: "http://x/"}, wantErr: "queue is empty"},
		{name: "bad name", queue: "q", task: tasks.Task{Name: "+1555", URL: "http://x/"}, wantErr: "'+'"},
		{name: "relative URL", queue: "q", task: tasks.Task{Name: "n", URL: "/ChatTimers"}, wantErr: "not an absolute"},
		{name: "other scheme", queue: "q", task: tasks.Task{Name: "n", URL: "ftp://x/"}, wantErr: "not an absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Enqueue(context.Background(), tt.queue, tt.task)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Enqueue error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestGeneratedNames(t *testing.T) {
	tg := newTarget(t, nil)
	s := newScheduler(t, memtasks.Options{})
	for range 3 {
		if err := s.Enqueue(context.Background(), "q", tasks.Task{URL: tg.srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	idle(t, s)
	names := make(map[string]bool)
	for _, r := range tg.requests() {
		names[r.Header.Get(tasks.HeaderTaskName)] = true
	}
	if len(names) != 3 {
		t.Errorf("unnamed tasks got names %v, want 3 distinct ones", names)
	}
}

func TestCopiesTask(t *testing.T) {
	release := make(chan struct{})
	delivered := make(chan string, 1)
	tg := newTarget(t, func(r *http.Request) int {
		<-release
		b, _ := io.ReadAll(r.Body)
		delivered <- string(b) + " " + r.Header.Get("X-K")
		return http.StatusOK
	})
	s := newScheduler(t, memtasks.Options{})
	b := []byte("original")
	h := map[string]string{"X-K": "original"}
	if err := s.Enqueue(context.Background(), "q", tasks.Task{Name: "n", URL: tg.srv.URL, Body: b, Headers: h}); err != nil {
		t.Fatal(err)
	}
	copy(b, "mutated!")
	h["X-K"] = "mutated"
	close(release)
	idle(t, s)
	if body := <-delivered; body != "original original" {
		t.Errorf("delivered %q, want the task as it was enqueued", body)
	}
}

func TestClose(t *testing.T) {
	tg := newTarget(t, nil)
	s := memtasks.New(memtasks.Options{Logger: quietLogger()})
	ctx := context.Background()
	if err := s.Enqueue(ctx, "q", tasks.Task{Name: "later", URL: tg.srv.URL, ScheduleAt: time.Now().Add(50 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Enqueue(ctx, "q", tasks.Task{Name: "n", URL: tg.srv.URL}); !errors.Is(err, memtasks.ErrClosed) {
		t.Errorf("Enqueue after Close = %v, want ErrClosed", err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Errorf("Idle after Close = %v", err)
	}
	// The timer that was cancelled must stay cancelled: wait past it.
	marker := make(chan struct{})
	time.AfterFunc(100*time.Millisecond, func() { close(marker) })
	<-marker
	if n := len(tg.requests()); n != 0 {
		t.Errorf("%d deliveries after Close, want 0", n)
	}
}
