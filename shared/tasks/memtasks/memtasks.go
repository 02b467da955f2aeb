// Package memtasks is the in-process twin of Cloud Tasks HTTP targets, for
// scripts/dev and tests without an emulator. It keeps what the product
// relies on: a task is POSTed at its schedule time with the X-CloudTasks-*
// headers, a non-2xx answer is retried with exponential backoff up to a
// limit, a task name blocks re-creation for a retention window after the
// task ran or was deleted, and Delete cancels a task that has not run.
// Queues need no creation.
package memtasks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/backoff"
	"github.com/smsdesk/smsdesk/shared/idle"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// Defaults for the zero Options. The backoff is much shorter than a real
// queue's so a retried task shows up quickly in scripts/dev; the retention
// is the hour Cloud Tasks documents for reusing a deleted task's name.
const (
	DefaultMinBackoff      = 100 * time.Millisecond
	DefaultMaxBackoff      = 10 * time.Second
	DefaultMaxAttempts     = 10
	DefaultDispatchTimeout = 60 * time.Second
	DefaultNameRetention   = time.Hour
)

// Options configures a Scheduler. Zero fields take the defaults above.
type Options struct {
	// Client sends the task requests; nil means a plain http.Client.
	Client *http.Client
	// MinBackoff is the wait before the first retry; each further retry
	// doubles it, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is how many times a task is tried before it is given up
	// (kept in Failed and logged).
	MaxAttempts int
	// DispatchTimeout bounds one attempt, like a task's dispatch deadline.
	DispatchTimeout time.Duration
	// NameRetention is how long the name of a finished or deleted task
	// keeps blocking a new task with the same name.
	NameRetention time.Duration
	// Logger receives retries and failures; nil means a new logrus logger
	// on stderr.
	Logger logrus.FieldLogger
}

func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	b := backoff.Exponential{Min: o.MinBackoff, Max: o.MaxBackoff}.
		WithDefaults(backoff.Exponential{Min: DefaultMinBackoff, Max: DefaultMaxBackoff})
	o.MinBackoff, o.MaxBackoff = b.Min, b.Max
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.DispatchTimeout <= 0 {
		o.DispatchTimeout = DefaultDispatchTimeout
	}
	if o.NameRetention <= 0 {
		o.NameRetention = DefaultNameRetention
	}
	if o.Logger == nil {
		o.Logger = logrus.New()
	}
	return o
}

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("memtasks: closed")

// Failure is a task that exhausted its attempts.
type Failure struct {
	Queue     string
	Task      tasks.Task
	Attempts  int
	LastError string
}

// Scheduler is an in-process tasks.Scheduler. It is safe for concurrent use.
type Scheduler struct {
	opts Options
	// ctx is cancelled by Close to abort requests in flight.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	live     map[taskKey]*entry    // waiting, running or waiting to retry
	retained map[taskKey]time.Time // finished names → when they are free again
	busy     idle.Counter          // live tasks that are due, running or retrying
	failed   []Failure
	nextAuto uint64
}

type taskKey struct{ queue, name string }

type entry struct {
	key      taskKey
	task     tasks.Task
	timer    *time.Timer // the next attempt; nil while one runs
	attempts int         // attempts made so far
	answers  int         // attempts that got an HTTP answer
	deleted  bool
	busy     bool // counted in Scheduler.busy
}

// New returns a Scheduler; call Close to stop it.
func New(opts Options) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		opts:     opts.withDefaults(),
		ctx:      ctx,
		cancel:   cancel,
		live:     make(map[taskKey]*entry),
		retained: make(map[taskKey]time.Time),
	}
}

// Enqueue schedules t on queue. A name that is live, or finished within
// the retention window, makes it a no-op that returns nil. An empty name
// gets a generated one, as in Cloud Tasks.
func (s *Scheduler) Enqueue(ctx context.Context, queue string, t tasks.Task) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memtasks: enqueue on %q: %w", queue, err)
	}
	if queue == "" {
		return errors.New("memtasks: enqueue: queue is empty")
	}
	if t.Name != "" {
		if err := tasks.ValidateName(t.Name); err != nil {
			return fmt.Errorf("memtasks: enqueue on %q: %w", queue, err)
		}
	}
	if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("memtasks: enqueue %q on %q: URL %q is not an absolute http(s) URL", t.Name, queue, t.URL)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	now := time.Now()
	s.pruneLocked(now)
	if t.Name == "" {
		t.Name = s.autoNameLocked(queue)
	}
	key := taskKey{queue, t.Name}
	if _, ok := s.live[key]; ok {
		return nil
	}
	if _, ok := s.retained[key]; ok {
		return nil
	}
	// Copies, so a caller reusing its buffers cannot change the task.
	t.Body = bytes.Clone(t.Body)
	t.Headers = maps.Clone(t.Headers)
	if t.ScheduleAt.IsZero() {
		t.ScheduleAt = now
	}
	e := &entry{key: key, task: t}
	s.live[key] = e
	delay := t.ScheduleAt.Sub(now)
	if delay <= 0 {
		s.markBusyLocked(e)
	}
	e.timer = time.AfterFunc(delay, func() { s.fire(e) })
	return nil
}

func (s *Scheduler) autoNameLocked(queue string) string {
	for {
		s.nextAuto++
		name := "auto-" + strconv.FormatUint(s.nextAuto, 10)
		k := taskKey{queue, name}
		if _, ok := s.live[k]; ok {
			continue
		}
		if _, ok := s.retained[k]; ok {
			continue
		}
		return name
	}
}

func (s *Scheduler) pruneLocked(now time.Time) {
	for k, until := range s.retained {
		if now.After(until) {
			delete(s.retained, k)
		}
	}
}

// Delete cancels the task unless it already ran; a task being dispatched
// finishes its attempt but is not retried. An unknown name is not an error.
func (s *Scheduler) Delete(ctx context.Context, queue, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memtasks: delete %q on %q: %w", name, queue, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live[taskKey{queue, name}]
	if !ok || e.deleted {
		return nil
	}
	e.deleted = true
	if e.timer != nil && e.timer.Stop() {
		// The attempt will never run, so nobody else finishes the entry.
		s.finishLocked(e)
	}
	return nil
}

// Run dispatches a waiting task now. A task that is running, finished or
// deleted is ErrNoTask, as in Cloud Tasks.
func (s *Scheduler) Run(ctx context.Context, queue, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memtasks: run %q on %q: %w", name, queue, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live[taskKey{queue, name}]
	if !ok || e.deleted || e.timer == nil || !e.timer.Stop() {
		return fmt.Errorf("memtasks: run %q on %q: %w", name, queue, tasks.ErrNoTask)
	}
	s.markBusyLocked(e)
	e.timer = time.AfterFunc(0, func() { s.fire(e) })
	return nil
}

// fire runs one attempt of e and arranges the next one if it failed.
func (s *Scheduler) fire(e *entry) {
	s.mu.Lock()
	if s.closed || e.deleted {
		s.finishLocked(e)
		s.mu.Unlock()
		return
	}
	s.markBusyLocked(e)
	e.timer = nil
	e.attempts++
	attempt, answers := e.attempts, e.answers
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	answered, err := s.dispatch(e, attempt, answers)

	s.mu.Lock()
	defer s.mu.Unlock()
	if answered {
		e.answers++
	}
	log := s.opts.Logger.WithFields(logrus.Fields{
		"queue":   e.key.queue,
		"task":    e.key.name,
		"attempt": attempt,
	})
	switch {
	case err == nil:
		s.finishLocked(e)
	case s.closed || e.deleted:
		log.WithError(err).Info("memtasks: attempt failed; task deleted or scheduler closed, not retried")
		s.finishLocked(e)
	case attempt >= s.opts.MaxAttempts:
		log.WithError(err).Error("memtasks: task failed, no attempts left")
		s.failed = append(s.failed, Failure{Queue: e.key.queue, Task: e.task, Attempts: attempt, LastError: err.Error()})
		s.finishLocked(e)
	default:
		wait := s.backoff(attempt)
		log.WithError(err).WithField("retryIn", wait.String()).Info("memtasks: attempt failed, will retry")
		e.timer = time.AfterFunc(wait, func() { s.fire(e) })
	}
}

// backoff is the wait after the given failed attempt.
func (s *Scheduler) backoff(attempt int) time.Duration {
	return backoff.Exponential{Min: s.opts.MinBackoff, Max: s.opts.MaxBackoff}.After(attempt)
}

// dispatch POSTs the task with the headers Cloud Tasks sets. answered
// reports whether the handler answered at all (for the execution count).
func (s *Scheduler) dispatch(e *entry, attempt, answers int) (answered bool, err error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.DispatchTimeout)
	defer cancel()
	t := e.task
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(t.Body))
	if err != nil {
		return false, fmt.Errorf("building request: %w", err)
	}
	// Cloud Tasks' default for an HTTP target body; the task's own headers
	// (set below) override it.
	req.Header.Set("Content-Type", "application/octet-stream")
	for k, v := range t.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "Google-Cloud-Tasks")
	req.Header.Set(tasks.HeaderQueueName, e.key.queue)
	req.Header.Set(tasks.HeaderTaskName, e.key.name)
	req.Header.Set(tasks.HeaderRetryCount, strconv.Itoa(attempt-1))
	req.Header.Set("X-CloudTasks-TaskExecutionCount", strconv.Itoa(answers))
	req.Header.Set("X-CloudTasks-TaskETA", strconv.FormatFloat(float64(t.ScheduleAt.UnixNano())/1e9, 'f', 6, 64))
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("POST %s: %w", t.URL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return true, fmt.Errorf("POST %s: HTTP %d", t.URL, resp.StatusCode)
	}
	return true, nil
}

func (s *Scheduler) markBusyLocked(e *entry) {
	if e.busy {
		return
	}
	e.busy = true
	s.busy.Add()
}

// finishLocked retires e: its name stays blocked for the retention window.
func (s *Scheduler) finishLocked(e *entry) {
	if s.live[e.key] != e {
		return
	}
	delete(s.live, e.key)
	s.retained[e.key] = time.Now().Add(s.opts.NameRetention)
	if e.busy {
		e.busy = false
		s.busy.Done()
	}
}

// Idle waits until no task is due, being dispatched or waiting for a retry,
// or ctx ends. Tasks scheduled for later do not count until they are due,
// so a test can wait for the effects of "now" while a 30-minute timer
// stays pending.
func (s *Scheduler) Idle(ctx context.Context) error {
	return idle.Wait(ctx, &s.busy, s.mu.Lock, s.mu.Unlock, "memtasks")
}

// Failed returns the tasks that exhausted their attempts.
func (s *Scheduler) Failed() []Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Failure(nil), s.failed...)
}

// Close drops every task that has not run, aborts attempts in flight and
// waits for them to return. It is safe to call twice.
func (s *Scheduler) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, e := range s.live {
		if e.timer != nil && e.timer.Stop() {
			s.finishLocked(e)
		}
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

var (
	_ tasks.Scheduler = (*Scheduler)(nil)
	_ tasks.Runner    = (*Scheduler)(nil)
)
