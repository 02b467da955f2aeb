package pubsub_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gpubsub "cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/sirupsen/logrus"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/bus/bustest"
	"github.com/smsdesk/smsdesk/shared/bus/pubsub"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// newPublisher connects to the emulator with a project of the test's own,
// so that parallel tests never see each other's topics.
func newPublisher(t *testing.T) *pubsub.Publisher {
	t.Helper()
	testenv.Require(t, "PUBSUB_EMULATOR_HOST")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := pubsub.New(ctx, testenv.UniqueID(t, "bus"))
	if err != nil {
		t.Fatalf("pubsub.New: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

func TestContract(t *testing.T) {
	testenv.Require(t, "PUBSUB_EMULATOR_HOST") // one skip line rather than one per case
	bustest.Run(t, func(t *testing.T) bustest.Env {
		p := newPublisher(t)
		return bustest.Env{
			Publisher:   p,
			CreateTopic: p.EnsureTopic,
			Subscribe:   p.EnsurePushSubscription,
			// The emulator redelivers a rejected push after about a
			// second; ordering keeps the rest of the key waiting too.
			Patience:             30 * time.Second,
			PushOmitsOrderingKey: true,
		}
	})
}

func TestEnsureIdempotent(t *testing.T) {
	p := newPublisher(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic, sub := testenv.UniqueID(t, "topic"), testenv.UniqueID(t, "sub")

	steps := []struct {
		name     string
		run      func() error
		wantErr  string
		endpoint string // the push endpoint expected afterwards
	}{
		{name: "create topic", run: func() error { return p.EnsureTopic(ctx, topic) }},
		{name: "create topic again", run: func() error { return p.EnsureTopic(ctx, topic) }},
		{
			name:     "create subscription",
			run:      func() error { return p.EnsurePushSubscription(ctx, topic, sub, "http://127.0.0.1:1/a", true) },
			endpoint: "http://127.0.0.1:1/a",
		},
		{
			name:     "same subscription again",
			run:      func() error { return p.EnsurePushSubscription(ctx, topic, sub, "http://127.0.0.1:1/a", true) },
			endpoint: "http://127.0.0.1:1/a",
		},
		{
			name:     "new endpoint moves the subscription",
			run:      func() error { return p.EnsurePushSubscription(ctx, topic, sub, "http://127.0.0.1:2/b", true) },
			endpoint: "http://127.0.0.1:2/b",
		},
		{
			name:     "ordering cannot change",
			run:      func() error { return p.EnsurePushSubscription(ctx, topic, sub, "http://127.0.0.1:2/b", false) },
			wantErr:  "message ordering true, want false",
			endpoint: "http://127.0.0.1:2/b",
		},
		{
			name: "subscription of a missing topic",
			run: func() error {
				return p.EnsurePushSubscription(ctx, "no-such-topic", sub+"x", "http://127.0.0.1:1/", false)
			},
			wantErr: "no-such-topic",
		},
	}
	for _, s := range steps {
		err := s.run()
		switch {
		case s.wantErr == "" && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Fatalf("%s: error = %v, want one containing %q", s.name, err, s.wantErr)
		}
		if s.endpoint != "" {
			if got := pushEndpoint(t, p, sub); got != s.endpoint {
				t.Fatalf("%s: push endpoint = %q, want %q", s.name, got, s.endpoint)
			}
		}
	}
}

func TestPublishErrors(t *testing.T) {
	p := newPublisher(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	err := p.Publish(ctx, "missing-topic", bus.Message{Data: []byte("x"), OrderingKey: "k"})
	if err == nil || !strings.Contains(err.Error(), `"missing-topic"`) {
		t.Fatalf("Publish to a missing topic: error = %v, want one naming the topic", err)
	}
	// The failed publish paused key "k"; once the topic exists the same key
	// must publish again, as the caller's retry will.
	if err := p.EnsureTopic(ctx, "missing-topic"); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, "missing-topic", bus.Message{Data: []byte("x"), OrderingKey: "k"}); err != nil {
		t.Fatalf("Publish after the topic was created: %v", err)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, "missing-topic", bus.Message{Data: []byte("x")}); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Publish after Close: error = %v, want ErrClosed", err)
	}
}

// pushEndpoint reads a subscription back through a second client, to see
// what the emulator stored rather than what the adapter remembers.
func pushEndpoint(t *testing.T, p *pubsub.Publisher, sub string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := gpubsub.NewClient(ctx, p.ProjectID())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{
		Subscription: "projects/" + p.ProjectID() + "/subscriptions/" + sub,
	})
	if err != nil {
		t.Fatalf("GetSubscription(%q): %v", sub, err)
	}
	return s.GetPushConfig().GetPushEndpoint()
}

// TestRelayContract runs the bus contract with the emulator's pull
// subscriptions pushed by a Relay, as scripts/load delivers.
func TestRelayContract(t *testing.T) {
	testenv.Require(t, "PUBSUB_EMULATOR_HOST")
	bustest.Run(t, func(t *testing.T) bustest.Env {
		p := newPublisher(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var relays []*pubsub.Relay
		t.Cleanup(func() {
			cancel()
			for range relays {
				<-done
			}
		})
		return bustest.Env{
			Publisher:   p,
			CreateTopic: p.EnsureTopic,
			Subscribe: func(ctx2 context.Context, topic, sub, pushURL string, ordered bool) error {
				if err := p.EnsurePullSubscription(ctx2, topic, sub, ordered); err != nil {
					return err
				}
				r := p.NewRelay(topic, sub, pushURL, ordered, pubsub.RelaySettings{RetryDelay: 200 * time.Millisecond}, logrus.StandardLogger())
				relays = append(relays, r)
				go func() { r.Run(ctx); done <- struct{}{} }()
				return nil
			},
			Patience: 30 * time.Second,
		}
	})
}
