package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Adapter names a CRM adapter in Settings.
type Adapter string

const (
	// AdapterDefault leaves the choice to the deployment's environment
	// (HubSpot when HUBSPOT_ACCESS_TOKEN is set), as before settings
	// existed; the record rules then come from the CRM_ variables too.
	AdapterDefault Adapter = ""
	AdapterOff     Adapter = "off"
	AdapterBuiltin Adapter = "builtin"
	AdapterHubSpot Adapter = "hubspot"
	AdapterWebhook Adapter = "webhook"
)

// DefaultRateLimit is how many CRM calls all instances together make per
// RateWindow: HubSpot's limit for private apps (100 per 10 s).
const (
	DefaultRateLimit = 100
	RateWindow       = 10 * time.Second
)

// Settings is the CRM connection an admin configures through AdminAPI
// (settings/crm). Secrets are never in it: HubSpot's token and the
// webhook's signing secret stay in Secret Manager (the function's
// environment), so no API answer, export or backup carries them.
type Settings struct {
	Adapter Adapter `firestore:"adapter" json:"adapter"`
	// HubSpotPortalID is the HubSpot account id, for links to contacts
	// (HUBSPOT_PORTAL_ID when empty).
	HubSpotPortalID string `firestore:"hubspotPortalId,omitempty" json:"hubspotPortalId,omitempty"`
	// WebhookURL receives the signed webhook's requests.
	WebhookURL string `firestore:"webhookUrl,omitempty" json:"webhookUrl,omitempty"`
	// WebhookContactURL opens a contact in that CRM, {id} replaced by
	// its id; empty leaves the console without a link.
	WebhookContactURL string `firestore:"webhookContactUrl,omitempty" json:"webhookContactUrl,omitempty"`
	// The record rules (Rules).
	MinConsumerTexts int  `firestore:"minConsumerTexts" json:"minConsumerTexts"`
	AppendOpen       bool `firestore:"appendOpen" json:"appendOpen"`
	AppendClosedDays int  `firestore:"appendClosedDays" json:"appendClosedDays"`
	// RateLimit is the most CRM calls per 10 s across every instance;
	// 0 is DefaultRateLimit.
	RateLimit int       `firestore:"rateLimit,omitempty" json:"rateLimit,omitempty"`
	UpdatedAt time.Time `firestore:"updatedAt,omitempty" json:"updatedAt,omitzero"`
	UpdatedBy string    `firestore:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

// Rules are the settings' record rules.
func (s Settings) Rules() Rules {
	return Rules{MinConsumerMessages: s.MinConsumerTexts, AppendOpen: s.AppendOpen, AppendClosedWithin: time.Duration(s.AppendClosedDays) * 24 * time.Hour}
}

// Limit is the rate limit in force.
func (s Settings) Limit() int {
	if s.RateLimit > 0 {
		return s.RateLimit
	}
	return DefaultRateLimit
}

// Revision is a digest of what an admin edits: GET's ETag and PUT's
// If-Match precondition.
func (s Settings) Revision() string {
	s.UpdatedAt, s.UpdatedBy = time.Time{}, ""
	raw, _ := json.Marshal(s)
	sum := sha256.Sum256(raw)
	return `"crm-` + hex.EncodeToString(sum[:8]) + `"`
}

var digitsRe = regexp.MustCompile(`^[0-9]{1,12}$`)

// Validate checks the settings as a whole; a refusal is a
// *chat.ValidationError naming each field.
func (s Settings) Validate() error {
	var ps []chat.FieldError
	bad := func(field, format string, args ...any) {
		ps = append(ps, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch s.Adapter {
	case AdapterDefault, AdapterOff, AdapterBuiltin, AdapterHubSpot, AdapterWebhook:
	default:
		bad("adapter", "%q is not one of off, builtin, hubspot, webhook (or empty for the deployment's default)", s.Adapter)
	}
	if s.HubSpotPortalID != "" && !digitsRe.MatchString(s.HubSpotPortalID) {
		bad("hubspotPortalId", "%q must be the HubSpot account id (digits)", s.HubSpotPortalID)
	}
	switch {
	case s.Adapter == AdapterWebhook && s.WebhookURL == "":
		bad("webhookUrl", "the webhook adapter needs the receiver's URL")
	case s.WebhookURL != "":
		if err := CheckReceiverURL(s.WebhookURL); err != nil {
			bad("webhookUrl", "%v", err)
		}
	}
	if s.WebhookContactURL != "" {
		if err := CheckReceiverURL(strings.ReplaceAll(s.WebhookContactURL, "{id}", "x")); err != nil || !strings.Contains(s.WebhookContactURL, "{id}") {
			bad("webhookContactUrl", "must be an https URL with {id} where the contact's id goes")
		}
	}
	if s.MinConsumerTexts < 0 || s.MinConsumerTexts > 100 {
		bad("minConsumerTexts", "must be from 0 to 100, got %d", s.MinConsumerTexts)
	}
	if s.AppendClosedDays < 0 || s.AppendClosedDays > 365 {
		bad("appendClosedDays", "must be from 0 to 365, got %d", s.AppendClosedDays)
	}
	if s.AppendClosedDays > 0 && !s.AppendOpen {
		bad("appendClosedDays", "takes effect only with appendOpen: true")
	}
	if s.RateLimit < 0 || s.RateLimit > 10000 {
		bad("rateLimit", "must be from 1 to 10000 calls per 10 s (0 for %d), got %d", DefaultRateLimit, s.RateLimit)
	}
	if len(ps) > 0 {
		return &chat.ValidationError{Problems: ps}
	}
	return nil
}

// CheckReceiverURL reports why u cannot be a CRM endpoint: it must be an
// absolute https URL without credentials (http only to a loopback host,
// for tests and scripts/dev).
func CheckReceiverURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil || !strings.Contains(u, "://") {
		return errors.New("must be an absolute URL such as https://crm.example.com/smsdesk, without credentials")
	}
	switch {
	case p.Scheme == "https":
	case p.Scheme == "http" && (p.Hostname() == "localhost" || p.Hostname() == "127.0.0.1" || p.Hostname() == "::1"):
	default:
		return errors.New("must use https (http only to localhost)")
	}
	return nil
}

// SettingsStore keeps settings/crm; memlink and firelink implement it.
type SettingsStore interface {
	// CRMSettings returns the stored settings; ok false when none were
	// ever saved.
	CRMSettings(ctx context.Context) (s Settings, ok bool, err error)
	PutCRMSettings(ctx context.Context, s Settings) error
}

// PendingLister lists the chats with parked events (scripts/crm-resync).
type PendingLister interface {
	// PendingChats are the ids of the chats whose links have parked
	// events, oldest update first, at most limit.
	PendingChats(ctx context.Context, limit int) ([]string, error)
}

// PendingOrder is the ids of links, oldest update first (ties by id).
func PendingOrder(ls []Link) []string {
	slices.SortFunc(ls, func(a, b Link) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ChatID, b.ChatID)
	})
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ChatID
	}
	return out
}
