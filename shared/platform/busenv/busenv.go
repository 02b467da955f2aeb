// Package busenv builds an Env's Pub/Sub publisher: the embedded twin,
// whose push subscriptions call this Env's functions, or Pub/Sub
// (PUBSUB_EMULATOR_HOST honoured by the client).
package busenv

import (
	"context"
	"fmt"
	"sync"

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
// creates in production, pointing them at this Env's functions, or pull
// subscriptions for RunRelays when PUBSUB_EMULATOR_DELIVERY=pull. Only for
// the Pub/Sub emulator (scripts/dev --emulators and tests); nothing on the
// embedded backend.
func EnsureEmulator(ctx context.Context, e *platform.Env) error {
	ps, err := emulator(ctx, e)
	if ps == nil {
		return err
	}
	for _, t := range wire.Topics {
		if err := ps.EnsureTopic(ctx, t); err != nil {
			return err
		}
	}
	for _, s := range wire.Subscriptions {
		var err error
		if e.Config.PubSubEmulatorDelivery == config.PubSubPull {
			err = ps.EnsurePullSubscription(ctx, s.Topic, s.Name, s.Ordered)
		} else {
			err = ps.EnsurePushSubscription(ctx, s.Topic, s.Name, e.URLs().Function(s.Function), s.Ordered)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// RunRelays starts relays pushing the pull subscriptions EnsureEmulator created to this
// Env's functions until ctx ends or the Env closes (pubsub.Relay), when
// PUBSUB_EMULATOR_DELIVERY=pull; otherwise it does nothing. The dev server
// runs them.
func RunRelays(ctx context.Context, e *platform.Env) error {
	if e.Config.PubSubEmulatorDelivery != config.PubSubPull {
		return nil
	}
	ps, err := emulator(ctx, e)
	if ps == nil {
		return err
	}
	// Stopped and waited for before the client closes (closers run newest
	// first), so no relay reports a closed client as a lost subscription.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range wire.Subscriptions {
		r := ps.NewRelay(s.Topic, s.Name, e.URLs().Function(s.Function), s.Ordered, pubsub.RelaySettings{}, e.Logger)
		wg.Go(func() { r.Run(ctx) })
	}
	e.OnClose(func() error { cancel(); wg.Wait(); return nil })
	return nil
}

// emulator is the Env's Pub/Sub publisher; nil (and no error) on the
// embedded backend.
func emulator(ctx context.Context, e *platform.Env) (*pubsub.Publisher, error) {
	b, err := Bus(ctx, e)
	if err != nil {
		return nil, err
	}
	ps, _ := b.(*pubsub.Publisher)
	return ps, nil
}
