// Package tasks is the Cloud Tasks port: named HTTP tasks scheduled for later
// delivery to a function URL. Adapters: cloudtasks (Google Cloud Tasks and the
// aertje emulator) and memtasks (in-process, for scripts/dev and tests).
package tasks

import (
	"context"
	"errors"
	"time"
)

// Task is an HTTP POST to URL at ScheduleAt (zero means now). Name is the
// dedupe key: a second Enqueue with the same name on the same queue does
// nothing, which is what makes a retried producer safe.
type Task struct {
	Name       string
	URL        string
	Body       []byte
	Headers    map[string]string
	ScheduleAt time.Time
}

// Scheduler creates and deletes tasks.
//
// Enqueue returns nil when a task with that name already exists (or existed
// recently, as Cloud Tasks remembers deleted names): the caller's intent is
// already recorded. Delete returns nil when the task does not exist.
type Scheduler interface {
	Enqueue(ctx context.Context, queue string, t Task) error
	Delete(ctx context.Context, queue, name string) error
}

// Delivery headers the handler of a task can read. Cloud Tasks sets them; the
// embedded twin sets the same ones.
const (
	HeaderTaskName   = "X-CloudTasks-TaskName"
	HeaderQueueName  = "X-CloudTasks-QueueName"
	HeaderRetryCount = "X-CloudTasks-TaskRetryCount"
)

// ErrNoTask is returned by Run for a task that does not exist (never
// created, already run, or deleted).
var ErrNoTask = errors.New("no such task")

// Runner dispatches a scheduled task now instead of at its schedule time,
// as Cloud Tasks' RunTask does. Operators use it to force a timer; tests
// use it to fire a timer armed minutes ahead through the real emulator.
// The dispatch is asynchronous: Run returns once it has started.
type Runner interface {
	Run(ctx context.Context, queue, name string) error
}
