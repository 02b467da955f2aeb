// Package cloudtasks is the tasks adapter for Google Cloud Tasks HTTP
// targets, and for the aertje cloud-tasks-emulator in development. Unlike
// the Firestore and Pub/Sub clients, the Cloud Tasks client knows no
// emulator variable, so Config.EmulatorHost (CLOUD_TASKS_EMULATOR_HOST)
// is handled here.
package cloudtasks

import (
	"context"
	"fmt"
	"sync"
	"time"

	gcloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/smsdesk/smsdesk/shared/tasks"
)

// EnvEmulatorHost names the variable scripts/lib/emulators.sh exports with
// the emulator's host:port.
const EnvEmulatorHost = "CLOUD_TASKS_EMULATOR_HOST"

// DefaultCallTimeout bounds each API call whose context has no earlier
// deadline: creating a task must not hang a function until its own timeout.
const DefaultCallTimeout = 10 * time.Second

// Config says where tasks go.
type Config struct {
	ProjectID string
	Location  string // e.g. us-central1 (TASKS_LOCATION)
	// ServiceAccountEmail, when set, makes Cloud Tasks attach an OIDC
	// token of that account, which private function URLs require.
	ServiceAccountEmail string
	// OIDCAudience overrides the token audience; empty means the task URL,
	// which is what a Cloud Functions URL expects.
	OIDCAudience string
	// EmulatorHost (host:port) talks plain gRPC to the emulator without
	// credentials instead of to Google.
	EmulatorHost string
	// CallTimeout bounds each call; zero means DefaultCallTimeout.
	CallTimeout time.Duration
}

// Scheduler creates and deletes HTTP tasks. It is safe for concurrent use.
type Scheduler struct {
	client *gcloudtasks.Client
	cfg    Config

	closeOnce sync.Once
	closeErr  error
}

// New connects to Cloud Tasks (or the emulator). opts are passed to the
// client after the emulator options.
func New(ctx context.Context, cfg Config, opts ...option.ClientOption) (*Scheduler, error) {
	if cfg.ProjectID == "" || cfg.Location == "" {
		return nil, fmt.Errorf("cloudtasks: config needs ProjectID and Location (got %q, %q)", cfg.ProjectID, cfg.Location)
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	var o []option.ClientOption
	if cfg.EmulatorHost != "" {
		o = append(o,
			option.WithEndpoint(cfg.EmulatorHost),
			option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
			option.WithTelemetryDisabled(),
		)
	}
	c, err := gcloudtasks.NewClient(ctx, append(o, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("cloudtasks: connecting (emulator %q): %w", cfg.EmulatorHost, err)
	}
	return &Scheduler{client: c, cfg: cfg}, nil
}

// QueuePath is the full name of queue: projects/P/locations/L/queues/Q.
func (s *Scheduler) QueuePath(queue string) string {
	return "projects/" + s.cfg.ProjectID + "/locations/" + s.cfg.Location + "/queues/" + queue
}

// TaskPath is the full name of a task: QueuePath(queue)/tasks/NAME.
func (s *Scheduler) TaskPath(queue, name string) string {
	return s.QueuePath(queue) + "/tasks/" + name
}

// Enqueue creates an HTTP POST task. A name that exists, or existed
// recently, answers AlreadyExists, which is success here: the task the
// caller wants is (or was) there.
func (s *Scheduler) Enqueue(ctx context.Context, queue string, t tasks.Task) error {
	if t.Name != "" {
		if err := tasks.ValidateName(t.Name); err != nil {
			return fmt.Errorf("cloudtasks: enqueue on %q: %w", queue, err)
		}
	}
	req := &cloudtaskspb.HttpRequest{
		Url:        t.URL,
		HttpMethod: cloudtaskspb.HttpMethod_POST,
		Headers:    t.Headers,
		Body:       t.Body,
	}
	if s.cfg.ServiceAccountEmail != "" {
		req.AuthorizationHeader = &cloudtaskspb.HttpRequest_OidcToken{
			OidcToken: &cloudtaskspb.OidcToken{
				ServiceAccountEmail: s.cfg.ServiceAccountEmail,
				Audience:            s.cfg.OIDCAudience,
			},
		}
	}
	task := &cloudtaskspb.Task{
		MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: req},
	}
	if t.Name != "" {
		task.Name = s.TaskPath(queue, t.Name)
	}
	if !t.ScheduleAt.IsZero() {
		task.ScheduleTime = timestamppb.New(t.ScheduleAt)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	_, err := s.client.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{
		Parent: s.QueuePath(queue),
		Task:   task,
	})
	if err != nil && status.Code(err) != codes.AlreadyExists {
		return fmt.Errorf("cloudtasks: creating task %q on %q: %w", t.Name, queue, err)
	}
	return nil
}

// Delete deletes a task; one that ran, was deleted or never existed
// answers NotFound, which is success here.
func (s *Scheduler) Delete(ctx context.Context, queue, name string) error {
	if err := tasks.ValidateName(name); err != nil {
		return fmt.Errorf("cloudtasks: delete on %q: %w", queue, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	err := s.client.DeleteTask(ctx, &cloudtaskspb.DeleteTaskRequest{Name: s.TaskPath(queue, name)})
	if err != nil && status.Code(err) != codes.NotFound {
		return fmt.Errorf("cloudtasks: deleting task %q on %q: %w", name, queue, err)
	}
	return nil
}

// Run dispatches a task now (RunTask).
func (s *Scheduler) Run(ctx context.Context, queue, name string) error {
	if err := tasks.ValidateName(name); err != nil {
		return fmt.Errorf("cloudtasks: run on %q: %w", queue, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	_, err := s.client.RunTask(ctx, &cloudtaskspb.RunTaskRequest{Name: s.TaskPath(queue, name)})
	if status.Code(err) == codes.NotFound {
		return fmt.Errorf("cloudtasks: run %q on %q: %w", name, queue, tasks.ErrNoTask)
	}
	if err != nil {
		return fmt.Errorf("cloudtasks: run %q on %q: %w", name, queue, err)
	}
	return nil
}

// EnsureQueue creates queue with default settings unless it exists. It is
// for the emulator and scripts/dev: in production Terraform owns queues
// and their rate limits.
func (s *Scheduler) EnsureQueue(ctx context.Context, queue string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	_, err := s.client.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{
		Parent: "projects/" + s.cfg.ProjectID + "/locations/" + s.cfg.Location,
		Queue:  &cloudtaskspb.Queue{Name: s.QueuePath(queue)},
	})
	if err != nil && status.Code(err) != codes.AlreadyExists {
		return fmt.Errorf("cloudtasks: creating queue %q: %w", queue, err)
	}
	return nil
}

// Close releases the connection. It is safe to call twice.
func (s *Scheduler) Close() error {
	s.closeOnce.Do(func() {
		if err := s.client.Close(); err != nil {
			s.closeErr = fmt.Errorf("cloudtasks: closing client: %w", err)
		}
	})
	return s.closeErr
}

var (
	_ tasks.Scheduler = (*Scheduler)(nil)
	_ tasks.Runner    = (*Scheduler)(nil)
)
