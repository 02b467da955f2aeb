// Package bus is the Pub/Sub port of smsdesk: publishing to a topic and
// decoding what a push subscription delivers. Adapters: pubsub (Google Cloud
// Pub/Sub and its emulator) and membus (in-process, for scripts/dev and tests).
package bus

import "context"

// Message is one published message. OrderingKey keeps per-key order where the
// subscription enables message ordering (one consumer's texts stay in order).
type Message struct {
	Data        []byte
	Attributes  map[string]string
	OrderingKey string
}

// Publisher publishes messages. Publish returns once the message is durably
// accepted (Pub/Sub acknowledged it), so a caller may ack its own input.
type Publisher interface {
	Publish(ctx context.Context, topic string, msg Message) error
}
