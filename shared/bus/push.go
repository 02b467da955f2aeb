package bus

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Delivery is one message as a push subscription delivers it.
type Delivery struct {
	Message
	// ID is the server-assigned message id, the same on every redelivery:
	// the key a handler dedupes on.
	ID          string
	PublishTime time.Time
	// Subscription is the full name, projects/P/subscriptions/S.
	Subscription string
	// DeliveryAttempt counts from 1. Pub/Sub only sends it on subscriptions
	// with a dead-letter policy; 0 means it was not sent.
	DeliveryAttempt int
}

// MaxPushBodyBytes bounds what DecodePush reads: a Pub/Sub message is at
// most 10 MB, which base64 and the JSON envelope grow by a third.
const MaxPushBodyBytes = 14 << 20

// pushBody is the JSON a push subscription POSTs. Pub/Sub sends the message
// id and publish time under both camelCase and snake_case names; both are
// read and written so either side of the pair can be the one that is set.
type pushBody struct {
	Message         *pushMessage `json:"message"`
	Subscription    string       `json:"subscription"`
	DeliveryAttempt int          `json:"deliveryAttempt,omitempty"`
}

type pushMessage struct {
	Data             string            `json:"data,omitempty"`
	Attributes       map[string]string `json:"attributes,omitempty"`
	MessageID        string            `json:"messageId"`
	MessageIDSnake   string            `json:"message_id,omitempty"`
	PublishTime      string            `json:"publishTime"`
	PublishTimeSnake string            `json:"publish_time,omitempty"`
	OrderingKey      string            `json:"orderingKey,omitempty"`
}

// DecodePush reads the body of a Pub/Sub push request. The returned error
// names the offending field, so a handler can answer 400 with it (a
// malformed push will never become well-formed on redelivery).
func DecodePush(r *http.Request) (Delivery, error) {
	if r.Body == nil {
		return Delivery{}, errors.New("bus: push body: empty")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxPushBodyBytes+1))
	if err != nil {
		return Delivery{}, fmt.Errorf("bus: push body: reading: %w", err)
	}
	if len(raw) > MaxPushBodyBytes {
		return Delivery{}, fmt.Errorf("bus: push body: larger than %d bytes", MaxPushBodyBytes)
	}
	return decodePushBytes(raw)
}

func decodePushBytes(raw []byte) (Delivery, error) {
	var body pushBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return Delivery{}, fmt.Errorf("bus: push body: not a push JSON object: %w", err)
	}
	m := body.Message
	if m == nil {
		return Delivery{}, errors.New("bus: push body: message: missing")
	}
	d := Delivery{
		Message: Message{
			Attributes:  m.Attributes,
			OrderingKey: m.OrderingKey,
		},
		ID:              firstNonEmpty(m.MessageID, m.MessageIDSnake),
		Subscription:    body.Subscription,
		DeliveryAttempt: body.DeliveryAttempt,
	}
	if d.ID == "" {
		return Delivery{}, errors.New("bus: push body: message.messageId: missing")
	}
	if m.Data != "" {
		data, err := base64.StdEncoding.DecodeString(m.Data)
		if err != nil {
			return Delivery{}, fmt.Errorf("bus: push body: message.data: not base64: %w", err)
		}
		d.Data = data
	}
	if pt := firstNonEmpty(m.PublishTime, m.PublishTimeSnake); pt != "" {
		t, err := time.Parse(time.RFC3339Nano, pt)
		if err != nil {
			return Delivery{}, fmt.Errorf("bus: push body: message.publishTime: %w", err)
		}
		d.PublishTime = t
	} else {
		return Delivery{}, errors.New("bus: push body: message.publishTime: missing")
	}
	if body.DeliveryAttempt < 0 {
		return Delivery{}, fmt.Errorf("bus: push body: deliveryAttempt: %d is negative", body.DeliveryAttempt)
	}
	return d, nil
}

// EncodePush is the inverse of DecodePush: the body Pub/Sub would POST for
// d. The in-process bus and tests use it to speak the real wire format.
func EncodePush(d Delivery) ([]byte, error) {
	if d.ID == "" {
		return nil, errors.New("bus: encode push: ID: empty")
	}
	if d.PublishTime.IsZero() {
		return nil, errors.New("bus: encode push: PublishTime: zero")
	}
	if d.DeliveryAttempt < 0 {
		return nil, fmt.Errorf("bus: encode push: DeliveryAttempt: %d is negative", d.DeliveryAttempt)
	}
	pt := d.PublishTime.UTC().Format(time.RFC3339Nano)
	body := pushBody{
		Message: &pushMessage{
			Data:             base64.StdEncoding.EncodeToString(d.Data),
			Attributes:       d.Attributes,
			MessageID:        d.ID,
			MessageIDSnake:   d.ID,
			PublishTime:      pt,
			PublishTimeSnake: pt,
			OrderingKey:      d.OrderingKey,
		},
		Subscription:    d.Subscription,
		DeliveryAttempt: d.DeliveryAttempt,
	}
	out, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("bus: encode push: %w", err)
	}
	return out, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Post makes one push delivery of d to url, as a push subscription does:
// any 2xx answer acknowledges it; anything else is an error.
func Post(ctx context.Context, client *http.Client, url string, d Delivery) error {
	body, err := EncodePush(d)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building push request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("push to %s: %w", url, err)
	}
	// Drain a little so the connection can be reused; a handler that
	// answers with a huge body is not waited for.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("push to %s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}
