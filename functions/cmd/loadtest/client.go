package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
)

const accountSID = "AC00000000000000000000000000000000"

// client talks to one smsdesk as Twilio (signed webhooks), as people
// signed in through dev sign-in (AgentAPI, AdminAPI) and as the phones
// behind the sandbox carrier (the simulator's outbox).
type client struct {
	base   string // where smsdesk listens
	public string // PUBLIC_BASE_URL, which webhooks are signed for
	token  string // Twilio auth token
	http   *http.Client

	mu     sync.Mutex
	tokens map[string]string // principal JSON → bearer token
}

func newClient(base, public, token string) *client {
	return &client{
		base: strings.TrimSuffix(base, "/"), public: strings.TrimSuffix(public, "/"), token: token,
		http:   &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512}},
		tokens: map[string]string{},
	}
}

// errStatus is an answer outside 2xx.
type errStatus struct {
	code int
	msg  string
}

func (e *errStatus) Error() string { return fmt.Sprintf("%d %s", e.code, e.msg) }

// statusOf is the HTTP status of err, 0 when there was no answer.
func statusOf(err error) int {
	var es *errStatus
	if errors.As(err, &es) {
		return es.code
	}
	return 0
}

// as returns the bearer token of a principal, minting it on first use.
// Dev tokens are signed with a key the server draws at start: after a
// restart, the old ones answer 401 and fresh ones are minted (renew).
func (c *client) as(ctx context.Context, principal string) (string, error) {
	c.mu.Lock()
	tok, ok := c.tokens[principal]
	c.mu.Unlock()
	if ok {
		return tok, nil
	}
	var out struct{ Token string }
	if err := c.do(ctx, "", "POST", "/DevSignIn", principal, &out); err != nil {
		return "", fmt.Errorf("dev sign-in as %s (run the server with SMSDESK_AUTH=dev): %w", principal, err)
	}
	c.mu.Lock()
	c.tokens[principal] = out.Token
	c.mu.Unlock()
	return out.Token, nil
}

func (c *client) renew(principal, stale string) {
	c.mu.Lock()
	if c.tokens[principal] == stale {
		delete(c.tokens, principal)
	}
	c.mu.Unlock()
}

// call is one API request as principal, signing in again once on 401.
func (c *client) call(ctx context.Context, principal, method, path, body string, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.as(ctx, principal)
		if err != nil {
			return err
		}
		err = c.do(ctx, tok, method, path, body, out)
		if statusOf(err) == http.StatusUnauthorized && attempt == 0 {
			c.renew(principal, tok)
			continue
		}
		return err
	}
}

func (c *client) do(ctx context.Context, token, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return &errStatus{code: resp.StatusCode, msg: method + " " + path + ": " + strings.TrimSpace(string(data))}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// webhook posts one consumer text as Twilio would, signed for the public
// URL and sent to the server's address.
func (c *client) webhook(ctx context.Context, sid, from, to, body string) error {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "To": {to}, "Body": {body},
		"NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"}}
	req, err := twilio.SignedRequest(c.token, c.public+"/TwilioInbound", form)
	if err != nil {
		return err
	}
	target, err := url.Parse(c.base + "/TwilioInbound")
	if err != nil {
		return err
	}
	req.URL, req.Host = target, target.Host
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return &errStatus{code: resp.StatusCode, msg: "TwilioInbound"}
	}
	return nil
}

// attempt is one call the sandbox carrier got (GET /Simulator/api/outbox).
type attempt struct {
	SID   string    `json:"sid"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Body  string    `json:"body"`
	At    time.Time `json:"at"`
	Key   string    `json:"key"`
	Fault string    `json:"fault"`
}

type outboxPage struct {
	Boot     string    `json:"boot"`
	Attempts []attempt `json:"attempts"`
	Next     int       `json:"next"`
}

func (c *client) outbox(ctx context.Context, after int) (outboxPage, error) {
	var p outboxPage
	err := c.do(ctx, "", "GET", fmt.Sprintf("/Simulator/api/outbox?after=%d", after), "", &p)
	return p, err
}
