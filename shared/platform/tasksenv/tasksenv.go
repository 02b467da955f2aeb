// Package tasksenv builds an Env's Cloud Tasks scheduler: the embedded
// twin, or Cloud Tasks (CLOUD_TASKS_EMULATOR_HOST for the emulator).
package tasksenv

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/tasks/cloudtasks"
	"github.com/smsdesk/smsdesk/shared/tasks/memtasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Tasks returns the Env's scheduler.
func Tasks(ctx context.Context, e *platform.Env) (tasks.Scheduler, error) {
	return platform.Part(e, "tasks", func() (tasks.Scheduler, error) {
		if e.Config.Backend == config.BackendEmbedded {
			mt := memtasks.New(memtasks.Options{Logger: e.Logger})
			e.OnClose(mt.Close)
			return mt, nil
		}
		ct, err := cloudtasks.New(ctx, cloudtasks.Config{
			ProjectID: e.Config.ProjectID, Location: e.Config.TasksLocation,
			ServiceAccountEmail: e.Config.TasksServiceAccount, EmulatorHost: e.Config.TasksEmulatorHost,
		})
		if err != nil {
			return nil, fmt.Errorf("cloud tasks: %w", err)
		}
		e.OnClose(ct.Close)
		return ct, nil
	})
}

// EnsureEmulator creates the queues Terraform creates in production. Only
// for the Cloud Tasks emulator; nothing on the embedded backend.
func EnsureEmulator(ctx context.Context, e *platform.Env) error {
	s, err := Tasks(ctx, e)
	if err != nil {
		return err
	}
	ct, ok := s.(*cloudtasks.Scheduler)
	if !ok {
		return nil
	}
	for _, q := range wire.Queues {
		if err := ct.EnsureQueue(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
