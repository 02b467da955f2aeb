// Package pubsub is the bus adapter for Google Cloud Pub/Sub. The client
// talks to the emulator by itself when PUBSUB_EMULATOR_HOST is set.
//
// In production Terraform creates topics and push subscriptions; EnsureTopic
// and EnsurePushSubscription exist for the emulator and scripts/dev.
package pubsub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	gpubsub "cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/bus"
)

// DefaultTimeout bounds a call whose context has no deadline of its own, so
// that a Pub/Sub outage shows up as an error rather than a hung function.
const DefaultTimeout = 30 * time.Second

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("pubsub: publisher closed")

// Publisher publishes to Pub/Sub topics of one project. It is safe for
// concurrent use; create one per process and Close it on shutdown.
type Publisher struct {
	client *gpubsub.Client

	mu         sync.Mutex
	closed     bool
	publishers map[string]*gpubsub.Publisher // by topic id
}

// New connects to Pub/Sub for projectID.
func New(ctx context.Context, projectID string, opts ...option.ClientOption) (*Publisher, error) {
	c, err := gpubsub.NewClient(ctx, projectID, opts...)
	if err != nil {
		return nil, fmt.Errorf("pubsub: connecting for project %q: %w", projectID, err)
	}
	return &Publisher{client: c, publishers: make(map[string]*gpubsub.Publisher)}, nil
}

// Publish publishes msg and waits until Pub/Sub has accepted it.
func (p *Publisher) Publish(ctx context.Context, topic string, msg bus.Message) error {
	pub, err := p.publisher(topic)
	if err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	res := pub.Publish(ctx, &gpubsub.Message{
		Data:        msg.Data,
		Attributes:  msg.Attributes,
		OrderingKey: msg.OrderingKey,
	})
	if _, err := res.Get(ctx); err != nil {
		if msg.OrderingKey != "" {
			// The client pauses a key after a failed publish so that later
			// messages cannot overtake the lost one; the caller retries
			// this message (its input is redelivered), so let it through.
			pub.ResumePublish(msg.OrderingKey)
		}
		return fmt.Errorf("pubsub: publishing to %q: %w", topic, err)
	}
	return nil
}

// publisher returns the cached publisher of topic. Ordering is enabled on
// every one because Pub/Sub rejects ordering keys otherwise, and keys cost
// nothing on subscriptions that do not order.
func (p *Publisher) publisher(topic string) (*gpubsub.Publisher, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	pub, ok := p.publishers[topic]
	if !ok {
		pub = p.client.Publisher(topic)
		pub.EnableMessageOrdering = true
		p.publishers[topic] = pub
	}
	return pub, nil
}

// EnsureTopic creates topic unless it exists.
func (p *Publisher) EnsureTopic(ctx context.Context, topic string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	_, err := p.client.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: p.topicName(topic)})
	if err != nil && status.Code(err) != codes.AlreadyExists {
		return fmt.Errorf("pubsub: creating topic %q: %w", topic, err)
	}
	return nil
}

// EnsurePushSubscription creates a push subscription of topic to endpoint,
// or points an existing one at endpoint (a restarted dev server listens on
// a new port). Ordering cannot change on an existing subscription: a
// mismatch is an error.
func (p *Publisher) EnsurePushSubscription(ctx context.Context, topic, sub, endpoint string, ordered bool) error {
	return p.ensureSubscription(ctx, topic, sub, endpoint, ordered)
}

// EnsurePullSubscription is EnsurePushSubscription for a pull subscription
// (a Relay pushes it): an existing push subscription becomes a pull one.
func (p *Publisher) EnsurePullSubscription(ctx context.Context, topic, sub string, ordered bool) error {
	return p.ensureSubscription(ctx, topic, sub, "", ordered)
}

// ensureSubscription makes sub a subscription of topic pushing to endpoint,
// or a pull subscription when endpoint is "".
func (p *Publisher) ensureSubscription(ctx context.Context, topic, sub, endpoint string, ordered bool) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	kind := "push"
	if endpoint == "" {
		kind = "pull"
	}
	admin := p.client.SubscriptionAdminClient
	name := p.subscriptionName(sub)
	_, err := admin.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name:                  name,
		Topic:                 p.topicName(topic),
		PushConfig:            &pubsubpb.PushConfig{PushEndpoint: endpoint},
		EnableMessageOrdering: ordered,
	})
	if err == nil {
		return nil
	}
	if status.Code(err) != codes.AlreadyExists {
		return fmt.Errorf("pubsub: creating %s subscription %q of %q: %w", kind, sub, topic, err)
	}
	existing, err := admin.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: name})
	if err != nil {
		return fmt.Errorf("pubsub: reading existing subscription %q: %w", sub, err)
	}
	switch {
	case existing.GetTopic() != p.topicName(topic):
		return fmt.Errorf("pubsub: subscription %q exists on %s, not on topic %q", sub, existing.GetTopic(), topic)
	case existing.GetEnableMessageOrdering() != ordered:
		return fmt.Errorf("pubsub: subscription %q exists with message ordering %v, want %v (delete it to change)", sub, existing.GetEnableMessageOrdering(), ordered)
	case existing.GetPushConfig().GetPushEndpoint() == endpoint:
		return nil
	}
	err = admin.ModifyPushConfig(ctx, &pubsubpb.ModifyPushConfigRequest{
		Subscription: name,
		PushConfig:   &pubsubpb.PushConfig{PushEndpoint: endpoint},
	})
	if err != nil {
		return fmt.Errorf("pubsub: making subscription %q a %s subscription (%s): %w", sub, kind, endpoint, err)
	}
	return nil
}

// Close flushes pending publishes and releases the connection. It is safe
// to call twice.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	pubs := p.publishers
	p.publishers = nil
	p.mu.Unlock()
	for _, pub := range pubs {
		pub.Stop()
	}
	if err := p.client.Close(); err != nil {
		return fmt.Errorf("pubsub: closing client: %w", err)
	}
	return nil
}

// ProjectID is the project the publisher publishes in.
func (p *Publisher) ProjectID() string { return p.client.Project() }

func (p *Publisher) topicName(topic string) string {
	return "projects/" + p.client.Project() + "/topics/" + topic
}

func (p *Publisher) subscriptionName(sub string) string {
	return "projects/" + p.client.Project() + "/subscriptions/" + sub
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

var _ bus.Publisher = (*Publisher)(nil)
