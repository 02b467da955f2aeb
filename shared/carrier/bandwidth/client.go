package bandwidth

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
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// DefaultAPIBaseURL is Bandwidth's Messaging API.
const DefaultAPIBaseURL = "https://messaging.bandwidth.com"

// DefaultTokenURL is Bandwidth's OAuth 2.0 token endpoint. API Users
// (Basic username and password) stop working on 2 December 2026; API
// Credentials (a client id and secret, exchanged here for an access token
// with the client_credentials grant) are the only way in after that.
const DefaultTokenURL = "https://api.bandwidth.com/api/v1/oauth2/token"

// TokenPath is the token endpoint's path, for a stand-in that serves it
// beside the Messaging API.
const TokenPath = "/api/v1/oauth2/token"

// MessagesPath is the Create Message endpoint of an account.
func MessagesPath(accountID string) string {
	return "/api/v2/users/" + url.PathEscape(accountID) + "/messages"
}

// MediaPath is the prefix of an account's media URLs.
func MediaPath(accountID string) string {
	return "/api/v2/users/" + url.PathEscape(accountID) + "/media/"
}

// refreshBefore is how long before its expiry a token is replaced, as
// Bandwidth's SDKs do: a send never carries a token about to lapse.
const refreshBefore = 60 * time.Second

// Tokens is an API Credential's access token, fetched on first use and
// again before it expires or after Bandwidth refused it.
type Tokens struct {
	cfg    clientcredentials.Config
	client *http.Client

	mu  sync.Mutex
	tok *oauth2.Token
}

// NewTokens returns the tokens of an API Credential. tokenURL empty means
// Bandwidth's.
func NewTokens(clientID, clientSecret, tokenURL string, transport http.RoundTripper) *Tokens {
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Tokens{
		cfg: clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret, TokenURL: tokenURL,
			AuthStyle: oauth2.AuthStyleInHeader},
		client: &http.Client{Transport: transport, Timeout: carrier.SendTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// Token returns a valid access token, fetching one when there is none.
func (t *Tokens) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && (t.tok.Expiry.IsZero() || time.Until(t.tok.Expiry) > refreshBefore) {
		return t.tok.AccessToken, nil
	}
	tok, err := t.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, t.client))
	if err != nil {
		return "", err
	}
	t.tok = tok
	return tok.AccessToken, nil
}

// Drop forgets token if it is the one held: Bandwidth refused it.
func (t *Tokens) Drop(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken == token {
		t.tok = nil
	}
}

// Credentials are what a send needs: the account, the messaging
// application (whose callback URLs and credentials Bandwidth uses) and the
// API Credential's tokens.
type Credentials struct {
	AccountID, ApplicationID string
	Tokens                   *Tokens
}

// Client sends texts with Bandwidth's Messaging API. Its base URL can point
// at a local stand-in (bandwidthtest).
type Client struct {
	creds     Credentials
	endpoint  string
	transport http.RoundTripper
}

var _ carrier.Sender = (*Client)(nil)

// NewClient returns a client. apiBaseURL empty means Bandwidth.
func NewClient(creds Credentials, apiBaseURL string, transport http.RoundTripper) (*Client, error) {
	if apiBaseURL == "" {
		apiBaseURL = DefaultAPIBaseURL
	}
	base, err := url.Parse(strings.TrimSuffix(apiBaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("bandwidth API base URL %q is not an absolute URL", apiBaseURL)
	}
	switch {
	case creds.AccountID == "":
		return nil, errors.New("bandwidth: no account id")
	case creds.ApplicationID == "":
		return nil, errors.New("bandwidth: no messaging application id")
	case creds.Tokens == nil:
		return nil, errors.New("bandwidth: no API credential")
	}
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{creds: creds, endpoint: base.String() + MessagesPath(creds.AccountID), transport: transport}, nil
}

// SendRequest is the body of Create Message, with the fields we set.
type SendRequest struct {
	ApplicationID string   `json:"applicationId"`
	To            []string `json:"to"`
	From          string   `json:"from"`
	Text          string   `json:"text,omitempty"`
	Media         []string `json:"media,omitempty"`
	Tag           string   `json:"tag,omitempty"`
}

// APIError is the body of Bandwidth's error answers.
type APIError struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	FieldErrors []struct {
		FieldName   string `json:"fieldName"`
		Description string `json:"description"`
	} `json:"fieldErrors,omitempty"`
}

// Send creates a message. Its tag is the status callback URL's query, so
// the delivery status Bandwidth posts to the application's
// OutboundCallbackUrl names the message. Bandwidth has no idempotency
// key: the claim protocol of SendSMS is what prevents a second text.
func (c *Client) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	body, err := json.Marshal(SendRequest{ApplicationID: c.creds.ApplicationID, To: []string{msg.To}, From: msg.From,
		Text: msg.Body, Media: msg.MediaURLs, Tag: Tag(msg.StatusCallbackURL)})
	if err != nil {
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Permanent, Message: "encode the request: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, carrier.SendTimeout)
	defer cancel()
	// A token Bandwidth refuses (revoked, rotated) is dropped and the send
	// made once more with a fresh one: a 401 means no message was created.
	for attempt := 0; ; attempt++ {
		token, err := c.creds.Tokens.Token(ctx)
		if err != nil {
			return carrier.SendResult{}, tokenError(err)
		}
		res, status, err := c.create(ctx, token, body)
		if status == http.StatusUnauthorized && attempt == 0 {
			c.creds.Tokens.Drop(token)
			continue
		}
		return res, err
	}
}

func (c *Client) create(ctx context.Context, token string, body []byte) (carrier.SendResult, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return carrier.SendResult{}, 0, &carrier.Error{Class: carrier.Permanent, Message: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	hc := &http.Client{
		Transport:     c.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := hc.Do(req)
	if err != nil {
		return carrier.SendResult{}, 0, transportError(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		// An answer came and could not be read: a success may hide in it.
		return carrier.SendResult{}, res.StatusCode, &carrier.Error{Class: carrier.Ambiguous, HTTPStatus: res.StatusCode, Message: "read the answer: " + err.Error()}
	}
	if res.StatusCode >= 300 {
		return carrier.SendResult{}, res.StatusCode, classify(res.StatusCode, raw)
	}
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil || strings.TrimSpace(m.ID) == "" {
		return carrier.SendResult{}, res.StatusCode, &carrier.Error{Class: carrier.Ambiguous, HTTPStatus: res.StatusCode,
			Message: "Bandwidth answered " + res.Status + " without a message id"}
	}
	// 202 Accepted: the message is in Bandwidth's queue.
	return carrier.SendResult{ProviderMessageID: m.ID, Status: chat.DeliveryQueued}, res.StatusCode, nil
}

// classify maps an error answer onto what retrying would do. Bandwidth's
// Create Message errors carry a type and a description, no numeric code
// (those come in message-failed callbacks): "Any 4xx or 5xx HTTP response
// code will not be billed nor will the message be sent", so 429 and 5xx
// are safe to retry and the other 4xx repeat the same refusal.
func classify(status int, raw []byte) error {
	var e APIError
	ce := &carrier.Error{HTTPStatus: status, Class: carrier.Permanent}
	if err := json.Unmarshal(raw, &e); err == nil && (e.Type != "" || e.Description != "") {
		ce.Code, ce.Message = e.Type, e.Description
		for _, f := range e.FieldErrors {
			ce.Message += "; " + f.FieldName + ": " + f.Description
		}
	} else {
		// Not Bandwidth's JSON: whatever stands in front of the API
		// answered, and its status says whether the message was taken.
		ce.Message = fmt.Sprintf("HTTP %d: %.200s", status, bytes.TrimSpace(raw))
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		ce.Class = carrier.Retryable
	}
	return ce
}

// tokenError classifies a failure to get an access token. The send itself
// was never made, so it is never ambiguous: refused credentials are
// permanent (until someone fixes them), the rest is retryable.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		ce := &carrier.Error{Class: carrier.Permanent, Code: re.ErrorCode, HTTPStatus: re.Response.StatusCode,
			Message: "Bandwidth's token endpoint refused the API credential: " + strings.TrimSpace(re.ErrorCode+" "+re.ErrorDescription)}
		if s := re.Response.StatusCode; s == http.StatusTooManyRequests || s >= 500 {
			ce.Class = carrier.Retryable
			ce.Message = fmt.Sprintf("Bandwidth's token endpoint answered %d", s)
		}
		return ce
	}
	return &carrier.Error{Class: carrier.Retryable, Message: "get a Bandwidth access token: " + err.Error()}
}

// transportError classifies a request that got no answer. A failure to
// connect means Bandwidth never saw the request, so a retry is safe;
// anything later (a timeout while waiting for the answer, a reset) may
// have created the message.
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

// mediaHost serves an inbound MMS's media
// (https://messaging.bandwidth.com/api/v2/users/{accountId}/media/...),
// which need the account's credentials.
const mediaHost = "messaging.bandwidth.com"

// MediaAccess is where Bandwidth's media URLs may lead and how they are
// downloaded: from Bandwidth's messaging host and the configured API host
// (a local stand-in in tests), with the access token, sent to those hosts
// only. Without tokens, nothing carries credentials.
func MediaAccess(tokens *Tokens, apiBaseURL string) carrier.MediaAccess {
	hosts := []string{mediaHost}
	if u, err := url.Parse(apiBaseURL); err == nil && u.Hostname() != "" && !slices.Contains(hosts, u.Hostname()) {
		hosts = append(hosts, u.Hostname())
	}
	a := carrier.MediaAccess{Hosts: hosts}
	if tokens != nil {
		a.Token = tokens.Token
	}
	return a
}
