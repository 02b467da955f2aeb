// Command faults is scripts/faults' helper: after the drill restarts the
// Pub/Sub or Cloud Tasks emulator (which come back empty), `faults
// provision` creates the topics, push subscriptions and queues again,
// exactly as the dev server does at start and Terraform does in
// production, from the same environment variables as the dev server.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/tasksenv"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] != "provision" {
		fmt.Fprintln(os.Stderr, "usage: faults provision   (with the dev server's environment)")
		os.Exit(2)
	}
	if err := provision(); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

func provision() error {
	env, err := platform.Process()
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := busenv.EnsureEmulator(ctx, env); err != nil {
		return fmt.Errorf("topics and subscriptions: %w", err)
	}
	if err := tasksenv.EnsureEmulator(ctx, env); err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	return nil
}
