// Package sandbox is a carrier that never reaches a phone: it keeps every
// outbound text in memory for the dev phone simulator, and plays the
// carrier's part afterwards by posting signed "sent" and "delivered" status
// callbacks, so the whole delivery path runs locally.
package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Message is one text the sandbox accepted.
type Message struct {
	SID       string   `json:"sid"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Body      string   `json:"body"`
	MediaURLs []string `json:"mediaUrls,omitempty"`
	// StatusCallback is where the sandbox posts the text's status
	// callbacks.
	StatusCallback string    `json:"statusCallback,omitempty"`
	At             time.Time `json:"at"`
}

// Carrier is the sandbox carrier.
type Carrier struct {
	token  string
	client *http.Client
	log    logrus.FieldLogger

	mu   sync.Mutex
	sent []Message
	wg   sync.WaitGroup
}

var _ carrier.Sender = (*Carrier)(nil)

// New returns a sandbox that signs its status callbacks with authToken.
func New(authToken string, log logrus.FieldLogger) *Carrier {
	return &Carrier{token: authToken, client: &http.Client{Timeout: 10 * time.Second}, log: log}
}

// Send records the text and schedules its status callbacks.
func (c *Carrier) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	c.mu.Lock()
	m := Message{
		SID:  fmt.Sprintf("SMsandbox%023d", len(c.sent)+1),
		From: msg.From, To: msg.To, Body: msg.Body, MediaURLs: msg.MediaURLs, StatusCallback: msg.StatusCallbackURL,
		At: time.Now().UTC(),
	}
	c.sent = append(c.sent, m)
	c.mu.Unlock()
	if msg.StatusCallbackURL != "" {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for _, st := range []chat.DeliveryStatus{chat.DeliverySent, chat.DeliveryDelivered} {
				c.callback(msg.StatusCallbackURL, m, st)
			}
		}()
	}
	return carrier.SendResult{ProviderMessageID: m.SID, Status: chat.DeliveryQueued}, nil
}

func (c *Carrier) callback(to string, m Message, st chat.DeliveryStatus) {
	form := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {string(st)},
		"From": {m.From}, "To": {m.To}, "AccountSid": {"ACsandbox"}, "ApiVersion": {"2010-04-01"},
	}
	req, err := c.CallbackRequest(to, form)
	if err != nil {
		c.log.WithError(err).Warn("sandbox: bad status callback URL")
		return
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.log.WithError(err).Warn("sandbox: status callback failed")
		return
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		c.log.WithField("status", resp.StatusCode).Warn("sandbox: status callback refused")
	}
}

// CallbackRequest is a status callback as the sandbox posts it to
// callbackURL: the form signed with the sandbox's token the way Twilio
// signs, so DeliveryStatus verifies it with Twilio's verifier.
func (c *Carrier) CallbackRequest(callbackURL string, form url.Values) (*http.Request, error) {
	return twilio.SignedRequest(c.token, callbackURL, form)
}

// Sent returns every text accepted so far.
func (c *Carrier) Sent() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.sent...)
}

// Conversation returns the texts sent from a business number to a consumer.
func (c *Carrier) Conversation(number, consumer string) []Message {
	var out []Message
	for _, m := range c.Sent() {
		if m.From == number && m.To == consumer {
			out = append(out, m)
		}
	}
	return out
}

// Wait blocks until pending status callbacks are posted.
func (c *Carrier) Wait() { c.wg.Wait() }
