package pubsub

import (
	"context"
	"net/http"
	"time"

	gpubsub "cloud.google.com/go/pubsub/v2"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
)

// RelaySettings tune a Relay; the zero value is what scripts/load uses.
type RelaySettings struct {
	// MaxOutstanding bounds the messages being pushed at once (default 64).
	MaxOutstanding int
	// RetryDelay is how long a refused message is held before it is
	// returned for redelivery, as the emulator's push loop waits 1 s
	// (default 1 s).
	RetryDelay time.Duration
	// PushTimeout bounds one push request (default 60 s).
	PushTimeout time.Duration
	// Client posts the pushes (default http.DefaultClient).
	Client *http.Client
}

// Relay delivers a pull subscription of the emulator to a push endpoint,
// posting each message with the body and answers of a push subscription,
// many at once. The emulator's own push loop pulls one message, posts it
// and waits for the answer before the next (PushLoop in the emulator's
// jar), so each subscription is served one message at a time: under load
// the consumer texts queue in front of RouteInbound, which production push
// (hundreds of concurrent requests) never does. Only for the emulator
// (PUBSUB_EMULATOR_DELIVERY=pull, which scripts/load and scripts/faults
// set); in production Terraform creates push subscriptions.
//
// Run returns when ctx ends. When the subscription vanishes (a restarted
// emulator comes back empty) it creates the topic and the subscription
// again and goes on, as `faults provision` would.
type Relay struct {
	p                   *Publisher
	topic, sub, pushURL string
	ordered             bool
	settings            RelaySettings
	log                 *logrus.Logger
}

// NewRelay is a relay of subscription sub of topic to pushURL.
func (p *Publisher) NewRelay(topic, sub, pushURL string, ordered bool, s RelaySettings, log *logrus.Logger) *Relay {
	if s.MaxOutstanding <= 0 {
		s.MaxOutstanding = 64
	}
	if s.RetryDelay <= 0 {
		s.RetryDelay = time.Second
	}
	if s.PushTimeout <= 0 {
		s.PushTimeout = 60 * time.Second
	}
	if s.Client == nil {
		s.Client = http.DefaultClient
	}
	return &Relay{p: p, topic: topic, sub: sub, pushURL: pushURL, ordered: ordered, settings: s, log: log}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	for ctx.Err() == nil {
		s := r.p.client.Subscriber(r.sub)
		s.ReceiveSettings.MaxOutstandingMessages = r.settings.MaxOutstanding
		s.ReceiveSettings.NumGoroutines = 1
		err := s.Receive(ctx, r.deliver)
		if ctx.Err() != nil {
			return
		}
		r.log.WithError(err).WithField("subscription", r.sub).Warn("pubsub relay: receiving stopped; recreating the subscription")
		if err := r.reprovision(ctx); err != nil {
			r.log.WithError(err).WithField("subscription", r.sub).Warn("pubsub relay: the emulator is not back yet")
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.settings.RetryDelay):
		}
	}
}

func (r *Relay) reprovision(ctx context.Context) error {
	if err := r.p.EnsureTopic(ctx, r.topic); err != nil {
		return err
	}
	return r.p.EnsurePullSubscription(ctx, r.topic, r.sub, r.ordered)
}

// deliver pushes one message until an answer acks it, retrying in place
// every RetryDelay: as with push, a refused message of an ordering key
// holds back the key's later messages (a Nack would let the client hand
// them over meanwhile). It is returned for redelivery only when ctx ends.
func (r *Relay) deliver(ctx context.Context, m *gpubsub.Message) {
	d := bus.Delivery{
		Message:      bus.Message{Data: m.Data, Attributes: m.Attributes, OrderingKey: m.OrderingKey},
		ID:           m.ID,
		PublishTime:  m.PublishTime,
		Subscription: r.p.subscriptionName(r.sub),
	}
	if m.DeliveryAttempt != nil {
		d.DeliveryAttempt = *m.DeliveryAttempt
	}
	for {
		pushCtx, cancel := context.WithTimeout(ctx, r.settings.PushTimeout)
		err := bus.Post(pushCtx, r.settings.Client, r.pushURL, d)
		cancel()
		if err == nil {
			m.Ack()
			return
		}
		r.log.WithError(err).WithField("subscription", r.sub).Debug("pubsub relay: push refused; trying again")
		select {
		case <-ctx.Done():
			m.Nack()
			return
		case <-time.After(r.settings.RetryDelay):
		}
	}
}
