// Package sandbox is a carrier that never reaches a phone: it keeps every
// outbound text in memory for the dev phone simulator, and plays the
// carrier's part afterwards by posting signed "sent" and "delivered" status
// callbacks, so the whole delivery path runs locally. It sends for every
// provider (As): each provider's callbacks are posted as that provider
// posts them, by the Reporter set for it (Twilio's is built in).
package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	// Key is the sender's idempotency key (SendSMS: the message's send task
	// name), so a drill can tell a text handed over twice.
	Key string `json:"key,omitempty"`
	// Provider is the carrier the text went out as (twilio when sent
	// through the Carrier itself).
	Provider string `json:"provider,omitempty"`
}

// Reporter builds the request a provider posts to callbackURL (the send's
// status callback URL) to report status st of message m.
type Reporter func(callbackURL string, m Message, st chat.DeliveryStatus) (*http.Request, error)

// Attempt is one call of Send: the text, and the fault played instead of
// taking it, if any.
type Attempt struct {
	Message
	Fault FaultKind `json:"fault,omitempty"`
}

// FaultKind is a carrier failure the sandbox can play instead of taking a
// text, for fault drills (scripts/faults).
type FaultKind string

const (
	// FaultRateLimited is Twilio's 429 (code 20429): retryable.
	FaultRateLimited FaultKind = "429"
	// FaultServerError is a 500 from the carrier's API: retryable.
	FaultServerError FaultKind = "500"
	// FaultTimeout is no answer: the call hangs for the fault's delay (or
	// until the caller gives up) and fails as ambiguous, which must never
	// be resent.
	FaultTimeout FaultKind = "timeout"
	// FaultOptedOut is Twilio's 21610, the consumer opted out at the
	// carrier: permanent, and consent is revoked.
	FaultOptedOut FaultKind = "opted-out"
)

// Faults lists the kinds InjectFaults takes.
var Faults = []FaultKind{FaultRateLimited, FaultServerError, FaultTimeout, FaultOptedOut}

// Carrier is the sandbox carrier.
type Carrier struct {
	token  string
	client *http.Client
	log    logrus.FieldLogger

	mu       sync.Mutex
	sent     []Message
	attempts []Attempt
	fault    FaultKind
	faults   int // sends left to fail with fault
	delay    time.Duration
	reports  map[string]Reporter // by provider
	wg       sync.WaitGroup
}

var _ carrier.Sender = (*Carrier)(nil)

// New returns a sandbox that signs its status callbacks with authToken.
func New(authToken string, log logrus.FieldLogger) *Carrier {
	c := &Carrier{token: authToken, client: &http.Client{Timeout: 10 * time.Second}, log: log}
	c.reports = map[string]Reporter{twilio.Name: c.twilioReport}
	return c
}

// ReportAs makes the sandbox post a provider's status callbacks with r.
// A provider without a Reporter gets no callbacks (its texts stay queued).
func (c *Carrier) ReportAs(provider string, r Reporter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports[provider] = r
}

// As is the sandbox sending as a provider: the texts are kept alike, and
// their status callbacks are the provider's.
func (c *Carrier) As(provider string) carrier.Sender { return as{c, provider} }

type as struct {
	c        *Carrier
	provider string
}

func (a as) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	return a.c.send(ctx, a.provider, msg)
}

// Send records the text and schedules its status callbacks, or plays an
// injected fault.
func (c *Carrier) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	return c.send(ctx, twilio.Name, msg)
}

func (c *Carrier) send(ctx context.Context, provider string, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	c.mu.Lock()
	m := Message{
		From: msg.From, To: msg.To, Body: msg.Body, MediaURLs: msg.MediaURLs, StatusCallback: msg.StatusCallbackURL,
		At:       time.Now().UTC(),
		Key:      msg.IdempotencyKey,
		Provider: provider,
	}
	if c.faults > 0 {
		c.faults--
		kind, delay := c.fault, c.delay
		c.attempts = append(c.attempts, Attempt{Message: m, Fault: kind})
		c.mu.Unlock()
		return carrier.SendResult{}, play(ctx, kind, delay)
	}
	m.SID = fmt.Sprintf("SMsandbox%023d", len(c.sent)+1)
	c.sent = append(c.sent, m)
	c.attempts = append(c.attempts, Attempt{Message: m})
	report := c.reports[provider]
	c.mu.Unlock()
	if msg.StatusCallbackURL != "" && report != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for _, st := range []chat.DeliveryStatus{chat.DeliverySent, chat.DeliveryDelivered} {
				c.callback(report, msg.StatusCallbackURL, m, st)
			}
		}()
	}
	return carrier.SendResult{ProviderMessageID: m.SID, Status: chat.DeliveryQueued}, nil
}

// twilioReport is Twilio's status callback form, signed with the
// sandbox's token the way Twilio signs.
func (c *Carrier) twilioReport(callbackURL string, m Message, st chat.DeliveryStatus) (*http.Request, error) {
	form := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {string(st)},
		"From": {m.From}, "To": {m.To}, "AccountSid": {"ACsandbox"}, "ApiVersion": {"2010-04-01"},
	}
	return c.CallbackRequest(callbackURL, form)
}

func (c *Carrier) callback(report Reporter, to string, m Message, st chat.DeliveryStatus) {
	req, err := report(to, m, st)
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

// InjectFaults makes the next n sends fail with kind instead of taking the
// text; a timeout hangs for delay first (or until the sender's context
// ends). n = 0 clears what is left.
func (c *Carrier) InjectFaults(kind FaultKind, n int, delay time.Duration) error {
	if n < 0 || (n > 0 && !slices.Contains(Faults, kind)) {
		return fmt.Errorf("sandbox: fault %q ×%d: want one of %v and a count of 0 or more", kind, n, Faults)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fault, c.faults, c.delay = kind, n, delay
	return nil
}

// FaultsLeft is how many sends will still fail.
func (c *Carrier) FaultsLeft() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults
}

// Attempts returns the calls of Send from the index after on, oldest
// first: a reader that polls passes the count it has.
func (c *Carrier) Attempts(after int) []Attempt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if after < 0 || after >= len(c.attempts) {
		return nil
	}
	return append([]Attempt(nil), c.attempts[after:]...)
}

// play answers a send as the fault would. The codes and classes are what
// the Twilio client reports for the same answers.
func play(ctx context.Context, kind FaultKind, delay time.Duration) error {
	switch kind {
	case FaultRateLimited:
		return &carrier.Error{Class: carrier.Retryable, Code: "20429", HTTPStatus: http.StatusTooManyRequests, Message: "Too Many Requests (sandbox fault)"}
	case FaultServerError:
		return &carrier.Error{Class: carrier.Retryable, HTTPStatus: http.StatusInternalServerError, Message: "Internal Server Error (sandbox fault)"}
	case FaultOptedOut:
		return &carrier.Error{Class: carrier.Permanent, Code: twilio.CodeOptedOut, HTTPStatus: http.StatusBadRequest,
			Message: "Attempt to send to unsubscribed recipient (sandbox fault)", OptedOut: true}
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	why := "no answer within " + delay.String()
	select {
	case <-t.C:
	case <-ctx.Done():
		why = "no answer: " + ctx.Err().Error()
	}
	return &carrier.Error{Class: carrier.Ambiguous, Message: why + " (sandbox fault)"}
}

// Wait blocks until pending status callbacks are posted.
func (c *Carrier) Wait() { c.wg.Wait() }
