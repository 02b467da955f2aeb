package telnyx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// DefaultAPIBaseURL is Telnyx's API.
const DefaultAPIBaseURL = "https://api.telnyx.com"

// MessagesPath is the Send a message endpoint.
const MessagesPath = "/v2/messages"

// IdempotencyHeader carries a key Telnyx uses to create a message once
// however often the same request is made.
const IdempotencyHeader = "Idempotency-Key"

// Client sends texts with Telnyx's Messages API. Its base URL can point at
// a local stand-in (telnyxtest).
type Client struct {
	apiKey    string
	endpoint  string
	transport http.RoundTripper
}

var _ carrier.Sender = (*Client)(nil)

// NewClient returns a client for an API key. apiBaseURL empty means
// Telnyx.
func NewClient(apiKey, apiBaseURL string, transport http.RoundTripper) (*Client, error) {
	if apiBaseURL == "" {
		apiBaseURL = DefaultAPIBaseURL
	}
	base, err := url.Parse(strings.TrimSuffix(apiBaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("telnyx API base URL %q is not an absolute URL", apiBaseURL)
	}
	if apiKey == "" {
		return nil, errors.New("telnyx: no API key")
	}
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{apiKey: apiKey, endpoint: base.String() + MessagesPath, transport: transport}, nil
}

// SendRequest is the body of Send a message, with the fields we set.
type SendRequest struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Text       string   `json:"text,omitempty"`
	MediaURLs  []string `json:"media_urls,omitempty"`
	WebhookURL string   `json:"webhook_url,omitempty"`
}

// Answer is the body of Telnyx's answers: data on success, errors
// otherwise.
type Answer struct {
	Data   *Message   `json:"data,omitempty"`
	Errors []APIError `json:"errors,omitempty"`
}

// Send creates a message. A status callback URL becomes webhook_url, so
// the message's delivery updates reach DeliveryStatus; the idempotency key
// makes a repeated request create no second message.
func (c *Client) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	body, err := json.Marshal(SendRequest{From: msg.From, To: msg.To, Text: msg.Body, MediaURLs: msg.MediaURLs, WebhookURL: msg.StatusCallbackURL})
	if err != nil {
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Permanent, Message: "encode the request: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, carrier.SendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Permanent, Message: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if msg.IdempotencyKey != "" {
		req.Header.Set(IdempotencyHeader, msg.IdempotencyKey)
	}
	hc := &http.Client{
		Transport:     c.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := hc.Do(req)
	if err != nil {
		return carrier.SendResult{}, transportError(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		// An answer came and could not be read: a success may hide in it.
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Ambiguous, HTTPStatus: res.StatusCode, Message: "read the answer: " + err.Error()}
	}
	var ans Answer
	jsonErr := json.Unmarshal(raw, &ans)
	if res.StatusCode >= 300 {
		return carrier.SendResult{}, classify(res.StatusCode, ans.Errors, jsonErr, raw)
	}
	if jsonErr != nil || ans.Data == nil || ans.Data.ID == "" {
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Ambiguous, HTTPStatus: res.StatusCode,
			Message: "Telnyx answered " + res.Status + " without a message id"}
	}
	out := carrier.SendResult{ProviderMessageID: ans.Data.ID, Status: chat.DeliveryQueued}
	if len(ans.Data.To) > 0 {
		if s, ok := StatusWords[ans.Data.To[0].Status]; ok {
			out.Status = s
		}
	}
	return out, nil
}

// transportError classifies a request that got no answer. A failure to
// connect means Telnyx never saw the request, so a retry is safe; anything
// later (a timeout while waiting for the answer, a reset) may have created
// the message.
func transportError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &carrier.Error{Class: carrier.Retryable, Message: err.Error()}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &carrier.Error{Class: carrier.Retryable, Message: err.Error()}
	}
	return &carrier.Error{Class: carrier.Ambiguous, Message: err.Error()}
}

// Error codes from Telnyx's tables ("API Error Codes" for the 1xxxx
// request errors, "Messaging Error Code Reference" for the 40xxx delivery
// errors) whose retry can succeed: the platform failed or was busy, or
// the carrier's refusal is temporary. Every other code is permanent: the
// request or the destination is wrong, and sending it again cannot help.
var retryableCodes = map[string]string{
	"10007": "unexpected error (a temporary issue at Telnyx)",
	"10011": "too many requests",
	"40002": "blocked as spam (temporary)",
	"40004": "rejected by destination (retry after a delay)",
	"40006": "recipient's carrier unavailable",
	"40011": "carrier throughput limit exceeded",
}

// ambiguousCodes: Telnyx gave up on a request it may have carried out.
var ambiguousCodes = map[string]string{
	"10008": "request timeout",
}

// permanentCodes are documented codes no retry can fix, for the message
// when Telnyx sends none.
var permanentCodes = map[string]string{
	CodeOptedOut:     "recipient opted out (texted STOP)",
	"10001":          "inactive phone number",
	"10002":          "invalid phone number",
	"10009":          "authentication failed",
	"10016":          "phone number must be in +E.164 format",
	"40001":          "destination is not routable (landline or non-SMS number)",
	"40003":          "blocked as spam (permanent)",
	"40008":          "undeliverable",
	"40012":          "invalid destination number",
	"40013":          "invalid source number",
	CodeUnregistered: "sender is not 10DLC registered",
}

// CodeUnregistered is Telnyx's 40010 "Not 10DLC registered": a US long
// code without an approved campaign.
const CodeUnregistered = "40010"

// classify maps an error answer onto what retrying would do.
func classify(status int, errs []APIError, jsonErr error, raw []byte) error {
	if jsonErr != nil || len(errs) == 0 {
		// Not Telnyx's JSON error: whatever stands in front of the API (a
		// proxy, a load balancer) answered, and its status says whether the
		// message was taken.
		ce := &carrier.Error{HTTPStatus: status, Class: carrier.Permanent, Message: fmt.Sprintf("HTTP %d: %.200s", status, bytes.TrimSpace(raw))}
		if retryableStatus(status) {
			ce.Class = carrier.Retryable
		}
		return ce
	}
	e := errs[0]
	code := string(e.Code)
	ce := &carrier.Error{Code: code, HTTPStatus: status, Message: e.message()}
	if ce.Message == "" {
		ce.Message = permanentCodes[code] + retryableCodes[code] + ambiguousCodes[code]
	}
	if m, ok := Explain(code); ok {
		m.Explain(ce)
		return ce
	}
	switch {
	case ambiguousCodes[code] != "":
		ce.Class = carrier.Ambiguous
	case retryableCodes[code] != "" || retryableStatus(status):
		ce.Class = carrier.Retryable
	default:
		ce.Class = carrier.Permanent
	}
	return ce
}

// retryableStatus: rate limited, or the API failed before taking the
// message.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// mediaHosts: the media of an inbound MMS are served by Telnyx
// (https://media.telnyx.com/... in "Send & Receive MMS"); telnyx.com
// covers its media subdomains. They need no credentials.
var mediaHosts = []string{"telnyx.com"}

// MediaAccess is where Telnyx's media URLs may lead: Telnyx's hosts and
// the configured API host (a local stand-in in tests). No credentials go
// anywhere: Telnyx's media links are unauthenticated, and the API key is
// only ever sent to the Messages API.
func MediaAccess(apiBaseURL string) carrier.MediaAccess {
	hosts := slices.Clone(mediaHosts)
	if u, err := url.Parse(apiBaseURL); err == nil && u.Hostname() != "" && !slices.Contains(hosts, u.Hostname()) {
		hosts = append(hosts, u.Hostname())
	}
	return carrier.MediaAccess{Hosts: hosts}
}
