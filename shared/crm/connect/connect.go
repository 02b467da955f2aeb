// Package connect chooses the CRM adapter and its rules from the
// configuration an admin saves through AdminAPI (settings/crm), falling
// back to the deployment's environment (HUBSPOT_ACCESS_TOKEN,
// CRM_ADAPTER, the CRM_ rules) when nothing was saved or the saved
// adapter is the default. Secrets never come from the document: the
// HubSpot token and the webhook's signing secret are the environment's
// (Secret Manager). Every adapter but the built-in contacts is wrapped in
// the cross-instance rate limiter.
package connect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"
)

// DefaultTTL is how long an instance uses the settings it read: a saved
// change reaches every instance within it (at once on the instance that
// saved it).
const DefaultTTL = 10 * time.Second

// Secrets are the environment's credentials and endpoints.
type Secrets struct {
	HubSpotToken   string
	HubSpotBaseURL string
	WebhookSecret  string
}

// Connector is the crm.Connector over settings/crm.
type Connector struct {
	Store crm.SettingsStore
	// Default is what the environment configures, used while no adapter
	// is saved.
	Default crm.Settings
	Secrets Secrets
	// Builtin makes the built-in contacts adapter; nil when the build has
	// none.
	Builtin func(ctx context.Context) (crm.CRM, error)
	// Tokens hold the rate limit across instances; nil: no limit.
	Tokens crm.TokenStore
	TTL    time.Duration
	Clock  clock.Clock

	mu       sync.Mutex
	readAt   time.Time
	settings crm.Settings
	conn     crm.Connection
	built    bool
	limiters map[crm.Adapter]*crm.Limiter
}

var _ crm.Connector = (*Connector)(nil)

// Errors of Build, which test connection reports.
var (
	ErrNoHubSpotToken  = errors.New("HUBSPOT_ACCESS_TOKEN is not set on the deployment (Secret Manager hubspot-access-token)")
	ErrNoWebhookSecret = errors.New("CRM_WEBHOOK_SECRET is not set on the deployment (Secret Manager crm-webhook-secret)")
	ErrNoBuiltin       = errors.New("the built-in contacts are not available on this deployment")
)

// Saved is the stored settings, ok false when none were saved.
func (c *Connector) Saved(ctx context.Context) (crm.Settings, bool, error) {
	return c.Store.CRMSettings(ctx)
}

// Effective is what s means once the environment fills its defaults: the
// default adapter takes the environment's whole configuration, and an
// empty portal id the environment's.
func (c *Connector) Effective(s crm.Settings) crm.Settings {
	if s.Adapter == crm.AdapterDefault {
		d := c.Default
		d.UpdatedAt, d.UpdatedBy = s.UpdatedAt, s.UpdatedBy
		return d
	}
	if s.HubSpotPortalID == "" {
		s.HubSpotPortalID = c.Default.HubSpotPortalID
	}
	return s
}

// Put validates and saves the settings; this instance uses them at once.
func (c *Connector) Put(ctx context.Context, s crm.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := c.Store.PutCRMSettings(ctx, s); err != nil {
		return err
	}
	c.mu.Lock()
	c.built = false
	c.mu.Unlock()
	return nil
}

// Connection is the CRM in use: rebuilt when the settings change, read
// at most every TTL.
func (c *Connector) Connection(ctx context.Context) (crm.Connection, error) {
	now := c.Clock.Time()
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	c.mu.Lock()
	if c.built && now.Sub(c.readAt) < ttl {
		defer c.mu.Unlock()
		return c.conn, nil
	}
	c.mu.Unlock()
	saved, _, err := c.Store.CRMSettings(ctx)
	if err != nil {
		return crm.Connection{}, err
	}
	s := c.Effective(saved)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built && s.Revision() == c.settings.Revision() {
		c.readAt = now
		return c.conn, nil
	}
	adapter, err := c.build(ctx, s)
	if err != nil {
		// A misconfiguration (a secret not mounted) parks every event with
		// why, to be replayed once it is fixed, rather than dropping them.
		adapter = broken{err}
	}
	c.conn = crm.Connection{CRM: adapter, Rules: s.Rules()}
	if _, isBroken := adapter.(broken); adapter != nil && !isBroken && s.Adapter != crm.AdapterBuiltin && c.Tokens != nil {
		c.conn.CRM = crm.Limited(adapter, c.limiter(s))
	}
	c.settings, c.readAt, c.built = s, now, true
	return c.conn, nil
}

func (c *Connector) limiter(s crm.Settings) *crm.Limiter {
	if c.limiters == nil {
		c.limiters = map[crm.Adapter]*crm.Limiter{}
	}
	l := c.limiters[s.Adapter]
	if l == nil || l.Limit != s.Limit() {
		l = &crm.Limiter{Tokens: c.Tokens, Name: string(s.Adapter), Limit: s.Limit(), Window: crm.RateWindow, Clock: c.Clock}
		c.limiters[s.Adapter] = l
	}
	return l
}

// Build makes the adapter effective settings name, nil when off.
func (c *Connector) Build(ctx context.Context, s crm.Settings) (crm.CRM, error) {
	return c.build(ctx, c.Effective(s))
}

func (c *Connector) build(ctx context.Context, s crm.Settings) (crm.CRM, error) {
	switch s.Adapter {
	case crm.AdapterDefault, crm.AdapterOff:
		return nil, nil
	case crm.AdapterHubSpot:
		if c.Secrets.HubSpotToken == "" {
			return nil, ErrNoHubSpotToken
		}
		return hubspot.New(c.Secrets.HubSpotBaseURL, c.Secrets.HubSpotToken, s.HubSpotPortalID), nil
	case crm.AdapterWebhook:
		if c.Secrets.WebhookSecret == "" {
			return nil, ErrNoWebhookSecret
		}
		if err := crm.CheckReceiverURL(s.WebhookURL); err != nil {
			return nil, fmt.Errorf("webhookUrl %q %w", s.WebhookURL, err)
		}
		return webhook.New(s.WebhookURL, c.Secrets.WebhookSecret, s.WebhookContactURL), nil
	case crm.AdapterBuiltin:
		if c.Builtin == nil {
			return nil, ErrNoBuiltin
		}
		return c.Builtin(ctx)
	}
	return nil, fmt.Errorf("unknown CRM adapter %q", s.Adapter)
}

// Report is the answer of a connection test.
type Report struct {
	OK      bool        `json:"ok"`
	Adapter crm.Adapter `json:"adapter"`
	// Problem sorts a failure: unauthorized (bad token or secret),
	// forbidden (a missing scope), unreachable, bad_url, not_configured
	// (a secret missing on the deployment), off, refused (another answer).
	Problem string `json:"problem,omitempty"`
	Status  int    `json:"status,omitempty"`
	Error   string `json:"error,omitempty"`
	// Took is the test's round trip in milliseconds.
	Took int64 `json:"tookMs"`
}

// Test checks the effective connection of s with one harmless call.
func (c *Connector) Test(ctx context.Context, s crm.Settings) Report {
	s = c.Effective(s)
	r := Report{Adapter: s.Adapter}
	if err := s.Validate(); err != nil {
		r.Problem, r.Error = "bad_url", err.Error()
		return r
	}
	start := time.Now()
	adapter, err := c.build(ctx, s)
	switch {
	case err != nil && (errors.Is(err, ErrNoHubSpotToken) || errors.Is(err, ErrNoWebhookSecret) || errors.Is(err, ErrNoBuiltin)):
		r.Problem, r.Error = "not_configured", err.Error()
		return r
	case err != nil:
		r.Problem, r.Error = "bad_url", err.Error()
		return r
	case adapter == nil:
		r.Problem, r.Error = "off", "CRM sync is off: choose an adapter"
		return r
	}
	if t, ok := adapter.(crm.Tester); ok {
		err = t.TestConnection(ctx)
	}
	r.Took = time.Since(start).Milliseconds()
	if err == nil {
		r.OK = true
		return r
	}
	r.Error = err.Error()
	var ce *crm.Error
	if !errors.As(err, &ce) {
		r.Problem = "refused"
		return r
	}
	r.Status = ce.Status
	switch {
	case ce.Status == 401:
		r.Problem = "unauthorized"
	case ce.Status == 403:
		r.Problem = "forbidden"
	case ce.Status == 0 && ce.Retryable:
		r.Problem = "unreachable"
	case ce.Status == 0:
		r.Problem = "bad_url"
	default:
		r.Problem = "refused"
	}
	return r
}

// broken is the adapter of settings that cannot work: every call is
// refused, not retried, so the events are parked with the reason.
type broken struct{ err error }

func (b broken) refuse(op string) error {
	return &crm.Error{Op: op, Message: "CRM connection not configured: " + b.err.Error()}
}

func (b broken) FindContactsByPhone(context.Context, string) ([]crm.Contact, error) {
	return nil, b.refuse("look up")
}

func (b broken) CreateContact(context.Context, crm.Contact) (crm.Contact, error) {
	return crm.Contact{}, b.refuse("create contact")
}

func (b broken) UpdateContact(context.Context, crm.Contact) (crm.Contact, error) {
	return crm.Contact{}, b.refuse("update contact")
}

func (b broken) AddNote(context.Context, string, crm.Note) (string, error) {
	return "", b.refuse("add note")
}

func (b broken) ContactURL(string) string { return "" }
