// Package busenv builds an Env's Pub/Sub publisher: the embedded twin,
// whose push subscriptions call this Env's functions, or Pub/Sub
// (PUBSUB_EMULATOR_HOST honoured by the client).
package busenv

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/bus/pubsub"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Bus returns the Env's publisher.
func Bus(ctx context.Context, e *platform.Env) (bus.Publisher, error) {
	return platform.Part(e, "bus", func() (bus.Publisher, error) {
		urls := e.URLs()
		if e.Config.Backend == config.BackendEmbedded {
			mb := membus.New(membus.Options{ProjectID: e.Config.ProjectID, Logger: e.Logger})
			for _, s := range wire.Subscriptions {
				if err := mb.Subscribe(s.Topic, s.Name, urls.Function(s.Function), s.Ordered); err != nil {
					return nil, fmt.Errorf("embedded subscription %s: %w", s.Name, err)
				}
			}
			e.OnClose(mb.Close)
			return mb, nil
		}
		ps, err := pubsub.New(ctx, e.Config.ProjectID)
		if err != nil {
			return nil, fmt.Errorf("pub/sub: %w", err)
		}
		e.OnClose(ps.Close)
		return ps, nil
	})
}

// EnsureEmulator creates the topics and push subscriptions Terraform
// creates in production, pointing them at this Env's functions. Only for
// the Pub/Sub emulator (scripts/dev --emulators and tests); nothing on the
// embedded backend.
func EnsureEmulator(ctx context.Context, e *platform.Env) error {
	b, err := Bus(ctx, e)
	if err != nil {
		return err
	}
	ps, ok := b.(*pubsub.Publisher)
	if !ok {
		return nil
	}
	for _, t := range wire.Topics {
		if err := ps.EnsureTopic(ctx, t); err != nil {
			return err
		}
	}
	for _, s := range wire.Subscriptions {
		if err := ps.EnsurePushSubscription(ctx, s.Topic, s.Name, e.URLs().Function(s.Function), s.Ordered); err != nil {
			return err
		}
	}
	return nil
}
