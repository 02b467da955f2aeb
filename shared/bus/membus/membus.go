// Package membus is the in-process twin of Pub/Sub push subscriptions, for
// scripts/dev and tests that need no emulator. It keeps the semantics the
// product relies on: Publish returns once the message is queued, delivery is
// an asynchronous HTTP POST of the real push JSON, a non-2xx answer or a
// transport error is retried with exponential backoff, ordered subscriptions
// deliver one message per ordering key at a time, and a message that keeps
// failing is dead-lettered after a number of attempts.
package membus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/backoff"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/idle"
)

// Defaults for the zero Options. The backoff is far shorter than Pub/Sub's
// (10 s to 600 s) because a developer watching scripts/dev wants a retried
// message within a second; MaxAttempts is Pub/Sub's dead-letter default.
const (
	DefaultMinBackoff  = 100 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
	DefaultMaxAttempts = 5
	DefaultPushTimeout = 30 * time.Second
	DefaultProjectID   = "local"
)

// Options configures a Bus. Zero fields take the defaults above.
type Options struct {
	// Client sends the push requests; nil means a plain http.Client.
	Client *http.Client
	// MinBackoff is the wait before the second attempt; each further
	// attempt doubles it, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is how many deliveries a message gets before it is
	// dead-lettered (kept in DeadLetters and logged).
	MaxAttempts int
	// PushTimeout bounds one push request, like a subscription's ack
	// deadline.
	PushTimeout time.Duration
	// ProjectID only shapes the subscription names in push bodies
	// (projects/P/subscriptions/S).
	ProjectID string
	// Logger receives dead letters and delivery failures; nil means a new
	// logrus logger on stderr.
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
	if o.PushTimeout <= 0 {
		o.PushTimeout = DefaultPushTimeout
	}
	if o.ProjectID == "" {
		o.ProjectID = DefaultProjectID
	}
	if o.Logger == nil {
		o.Logger = logrus.New()
	}
	return o
}

// ErrClosed is returned by Publish and Subscribe after Close.
var ErrClosed = errors.New("membus: closed")

// Bus is an in-process bus.Publisher with push subscriptions. It is safe
// for concurrent use.
type Bus struct {
	opts Options
	// ctx is cancelled by Close: it ends backoff waits and in-flight pushes.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	topics  map[string][]*subscription // by topic id
	subs    map[string]*subscription   // by subscription id
	nextID  uint64
	pending idle.Counter // messages not yet acked, dead-lettered or dropped by Close
	dead    []bus.Delivery
}

type subscription struct {
	name     string // full name, projects/P/subscriptions/S
	topic    string
	pushURL  string
	ordered  bool
	keyQueue map[string][]bus.Delivery // ordered only; guarded by Bus.mu
}

// New returns a Bus; call Close to stop its deliveries.
func New(opts Options) *Bus {
	ctx, cancel := context.WithCancel(context.Background())
	return &Bus{
		opts:   opts.withDefaults(),
		ctx:    ctx,
		cancel: cancel,
		topics: make(map[string][]*subscription),
		subs:   make(map[string]*subscription),
	}
}

// Subscribe creates a push subscription: every message published to topic
// afterwards is POSTed to pushURL. With ordered, messages that share an
// ordering key are delivered one at a time in publish order. Subscribing
// again with the same settings does nothing; with other settings it fails,
// as creating an existing Pub/Sub subscription does.
func (b *Bus) Subscribe(topic, sub, pushURL string, ordered bool) error {
	if topic == "" || sub == "" || pushURL == "" {
		return fmt.Errorf("membus: subscribe %q to %q at %q: topic, subscription and push URL are required", sub, topic, pushURL)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	if s, ok := b.subs[sub]; ok {
		if s.topic == topic && s.pushURL == pushURL && s.ordered == ordered {
			return nil
		}
		return fmt.Errorf("membus: subscription %q already exists on topic %q with push URL %q (ordered %v)", sub, s.topic, s.pushURL, s.ordered)
	}
	s := &subscription{
		name:     "projects/" + b.opts.ProjectID + "/subscriptions/" + sub,
		topic:    topic,
		pushURL:  pushURL,
		ordered:  ordered,
		keyQueue: make(map[string][]bus.Delivery),
	}
	b.subs[sub] = s
	b.topics[topic] = append(b.topics[topic], s)
	return nil
}

// Publish queues msg for every subscription of topic and returns; a topic
// without subscriptions drops it, as Pub/Sub does.
func (b *Bus) Publish(ctx context.Context, topic string, msg bus.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("membus: publish to %q: %w", topic, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	subs := b.topics[topic]
	if len(subs) == 0 {
		return nil
	}
	b.nextID++
	d := bus.Delivery{
		Message: bus.Message{
			// Copies, so a caller reusing its buffers cannot change what
			// is delivered later.
			Data:        bytes.Clone(msg.Data),
			Attributes:  maps.Clone(msg.Attributes),
			OrderingKey: msg.OrderingKey,
		},
		ID:          strconv.FormatUint(b.nextID, 10),
		PublishTime: time.Now().UTC(),
	}
	for _, s := range subs {
		d := d
		d.Subscription = s.name
		b.addPendingLocked()
		if !s.ordered || d.OrderingKey == "" {
			b.wg.Go(func() { b.deliver(s, d) })
			continue
		}
		q := s.keyQueue[d.OrderingKey]
		s.keyQueue[d.OrderingKey] = append(q, d)
		if len(q) == 0 {
			// No worker drains this key yet.
			b.wg.Go(func() { b.drainKey(s, d.OrderingKey) })
		}
	}
	return nil
}

// drainKey delivers the queued messages of one ordering key in order, each
// only after the one before it was acked or dead-lettered.
func (b *Bus) drainKey(s *subscription, key string) {
	for {
		b.mu.Lock()
		q := s.keyQueue[key]
		if len(q) == 0 {
			delete(s.keyQueue, key)
			b.mu.Unlock()
			return
		}
		d := q[0]
		b.mu.Unlock()

		b.attempt(s, d)

		// The key is released in the same critical section that empties
		// it: a Publish finding it empty starts the next worker, and this
		// one must not take that worker's message too.
		b.mu.Lock()
		rest := s.keyQueue[key][1:]
		if len(rest) == 0 {
			delete(s.keyQueue, key)
		} else {
			s.keyQueue[key] = rest
		}
		b.donePendingLocked()
		b.mu.Unlock()
		if len(rest) == 0 {
			return
		}
	}
}

func (b *Bus) deliver(s *subscription, d bus.Delivery) {
	b.attempt(s, d)
	b.mu.Lock()
	b.donePendingLocked()
	b.mu.Unlock()
}

// attempt pushes d until it is acked, dead-lettered, or the bus closes.
func (b *Bus) attempt(s *subscription, d bus.Delivery) {
	delays := backoff.Exponential{Min: b.opts.MinBackoff, Max: b.opts.MaxBackoff}
	for n := 1; ; n++ {
		if b.ctx.Err() != nil {
			b.opts.Logger.WithFields(logrus.Fields{"subscription": s.name, "messageId": d.ID}).
				Warn("membus: bus closed, message dropped")
			return
		}
		d.DeliveryAttempt = n
		err := b.push(s, d)
		if err == nil {
			return
		}
		log := b.opts.Logger.WithFields(logrus.Fields{
			"subscription": s.name,
			"messageId":    d.ID,
			"attempt":      n,
		}).WithError(err)
		if b.ctx.Err() != nil {
			log.Warn("membus: bus closed, message dropped")
			return
		}
		if n >= b.opts.MaxAttempts {
			log.Error("membus: message dead-lettered")
			b.mu.Lock()
			b.dead = append(b.dead, d)
			b.mu.Unlock()
			return
		}
		wait := delays.After(n)
		log.WithField("retryIn", wait.String()).Info("membus: push failed, will retry")
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-b.ctx.Done():
			timer.Stop()
			log.Warn("membus: bus closed, message dropped")
			return
		}
	}
}

// push makes one delivery attempt; any 2xx answer acks the message.
func (b *Bus) push(s *subscription, d bus.Delivery) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.opts.PushTimeout)
	defer cancel()
	return bus.Post(ctx, b.opts.Client, s.pushURL, d)
}

func (b *Bus) addPendingLocked()  { b.pending.Add() }
func (b *Bus) donePendingLocked() { b.pending.Done() }

// Idle waits until every published message has been acked or
// dead-lettered (including those waiting for a retry), or ctx ends.
func (b *Bus) Idle(ctx context.Context) error {
	return idle.Wait(ctx, &b.pending, b.mu.Lock, b.mu.Unlock, "membus")
}

// DeadLetters returns the messages that exhausted their attempts, with
// Subscription and DeliveryAttempt of the last try.
func (b *Bus) DeadLetters() []bus.Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bus.Delivery(nil), b.dead...)
}

// Close stops accepting messages, abandons the undelivered ones (logging
// each) and waits for in-flight pushes to end. It is safe to call twice.
func (b *Bus) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	return nil
}

var _ bus.Publisher = (*Bus)(nil)
