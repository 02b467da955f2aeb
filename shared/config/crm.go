package config

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// CRM is the CRM sync's settings (shared/crm): HubSpot's, on when
// HubSpotAccessToken is set, and the record-creation rules.
type CRM struct {
	// HubSpotAccessToken is a private app's token (Secret Manager:
	// hubspot-access-token), with the crm.objects.contacts.read and
	// .write scopes.
	HubSpotAccessToken string
	HubSpotAPIBaseURL  string
	// HubSpotPortalID, the HubSpot account id, lets the console link to
	// the contact in HubSpot's app.
	HubSpotPortalID string
	// Builtin syncs to the built-in contacts (CRM_ADAPTER=builtin):
	// contacts kept in smsdesk's own database, for a business without a
	// CRM (shared/crm/builtin).
	Builtin bool
	// Webhook syncs through the signed webhook (CRM_ADAPTER=webhook) to
	// WebhookURL (CRM_WEBHOOK_URL), signing with WebhookSecret
	// (CRM_WEBHOOK_SECRET, Secret Manager crm-webhook-secret; also used
	// when an admin picks the webhook in AdminAPI); WebhookContactURL
	// (CRM_WEBHOOK_CONTACT_URL, {id} for the contact's id) links the
	// console to the contact.
	Webhook           bool
	WebhookURL        string
	WebhookSecret     string
	WebhookContactURL string
	// RateLimit is the most CRM calls per 10 s across instances
	// (CRM_RATE_LIMIT; 0: HubSpot's 100).
	RateLimit int

	// MinConsumerMessages delays the record until the consumer has sent
	// this many texts (CRM_MIN_CONSUMER_TEXTS; 0: on assignment).
	MinConsumerMessages int
	// AppendOpen links a chat to the contact of the consumer's open chat
	// in the same leaf queue (CRM_APPEND_OPEN), or one closed within
	// AppendClosedWithin (CRM_APPEND_CLOSED_DAYS).
	AppendOpen         bool
	AppendClosedWithin time.Duration
}

// Enabled reports whether CRM sync is configured.
func (c CRM) Enabled() bool { return c.HubSpotAccessToken != "" || c.Builtin || c.Webhook }

var portalIDRe = regexp.MustCompile(`^[0-9]{1,12}$`)

// loadCRM reads HUBSPOT_ACCESS_TOKEN, HUBSPOT_API_BASE_URL,
// HUBSPOT_PORTAL_ID and the CRM_ rules.
func loadCRM(get func(string) string, bad func(string, ...any), checkURL func(string, string, bool)) CRM {
	c := CRM{
		HubSpotAccessToken: get("HUBSPOT_ACCESS_TOKEN"),
		HubSpotAPIBaseURL:  strings.TrimSuffix(get("HUBSPOT_API_BASE_URL"), "/"),
		HubSpotPortalID:    get("HUBSPOT_PORTAL_ID"),
	}
	// A secret: the problem says what is wrong, never the value.
	if t := c.HubSpotAccessToken; t != "" && (!strings.HasPrefix(t, "pat-") || strings.ContainsFunc(t, unicode.IsSpace) || len(t) > 200) {
		bad("HUBSPOT_ACCESS_TOKEN must be a HubSpot private app access token (pat-...; got %d characters)", len(t))
	}
	checkURL("HUBSPOT_API_BASE_URL", c.HubSpotAPIBaseURL, false)
	if c.HubSpotAPIBaseURL == "" {
		c.HubSpotAPIBaseURL = "https://api.hubapi.com"
	}
	if c.HubSpotPortalID != "" && !portalIDRe.MatchString(c.HubSpotPortalID) {
		bad("HUBSPOT_PORTAL_ID %q must be the HubSpot account id (digits)", c.HubSpotPortalID)
	}
	// HUBSPOT_PORTAL_ID without the token is fine: every function gets the
	// plain environment, the token is mounted only where HubSpot is called.
	switch v := get("CRM_ADAPTER"); v {
	case "", "hubspot":
	case "builtin":
		c.Builtin = true
		if c.HubSpotAccessToken != "" {
			bad("CRM_ADAPTER=builtin is set with HUBSPOT_ACCESS_TOKEN; choose one CRM")
		}
	case "webhook":
		// A HubSpot token may be mounted too (terraform crm_secrets), so
		// an admin can switch to HubSpot in AdminAPI; the webhook is the
		// default until then.
		c.Webhook = true
		if get("CRM_WEBHOOK_URL") == "" {
			bad("CRM_ADAPTER=webhook needs CRM_WEBHOOK_URL")
		}
	default:
		bad("CRM_ADAPTER %q must be builtin, hubspot or webhook", v)
	}
	c.WebhookURL, c.WebhookContactURL = get("CRM_WEBHOOK_URL"), get("CRM_WEBHOOK_CONTACT_URL")
	c.WebhookSecret = get("CRM_WEBHOOK_SECRET")
	// A secret: the problem says what is wrong, never the value.
	if n := len(c.WebhookSecret); n > 0 && (n < 32 || strings.ContainsFunc(c.WebhookSecret, unicode.IsSpace)) {
		bad("CRM_WEBHOOK_SECRET must be at least 32 characters without spaces (got %d); generate one with openssl rand -hex 32", n)
	}
	// The secret is mounted only on the functions that call the receiver
	// (CRMSync, AgentAPI, AdminAPI): without it they report the webhook
	// not configured (AdminAPI's test connection) rather than refusing
	// to start every other function.
	checkURL("CRM_WEBHOOK_URL", c.WebhookURL, false)
	checkURL("CRM_WEBHOOK_CONTACT_URL", strings.ReplaceAll(c.WebhookContactURL, "{id}", "x"), false)
	count := func(name string, max int) int {
		v := get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > max {
			bad("%s %q must be a whole number from 0 to %d", name, v, max)
		}
		return n
	}
	c.MinConsumerMessages = count("CRM_MIN_CONSUMER_TEXTS", 100)
	c.RateLimit = count("CRM_RATE_LIMIT", 10000)
	switch v := get("CRM_APPEND_OPEN"); v {
	case "", "false":
	case "true":
		c.AppendOpen = true
	default:
		bad("CRM_APPEND_OPEN %q must be true or false", v)
	}
	c.AppendClosedWithin = time.Duration(count("CRM_APPEND_CLOSED_DAYS", 365)) * 24 * time.Hour
	if c.AppendClosedWithin > 0 && !c.AppendOpen {
		bad("CRM_APPEND_CLOSED_DAYS is set without CRM_APPEND_OPEN=true")
	}
	return c
}
