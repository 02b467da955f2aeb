package config

import (
	"regexp"
	"strings"
	"unicode"
)

// HubSpot is the CRM sync's HubSpot settings; a zero AccessToken turns
// the sync off.
type HubSpot struct {
	// AccessToken is a private app's token (Secret Manager:
	// hubspot-access-token), with the crm.objects.contacts.read and
	// .write scopes.
	AccessToken string
	APIBaseURL  string
	// PortalID, the HubSpot account id, lets the console link to the
	// contact in HubSpot's app.
	PortalID string
}

// Enabled reports whether CRM sync to HubSpot is configured.
func (h HubSpot) Enabled() bool { return h.AccessToken != "" }

var portalIDRe = regexp.MustCompile(`^[0-9]{1,12}$`)

// loadHubSpot reads HUBSPOT_ACCESS_TOKEN, HUBSPOT_API_BASE_URL and
// HUBSPOT_PORTAL_ID.
func loadHubSpot(get func(string) string, bad func(string, ...any), checkURL func(string, string, bool)) HubSpot {
	h := HubSpot{
		AccessToken: get("HUBSPOT_ACCESS_TOKEN"),
		APIBaseURL:  strings.TrimSuffix(get("HUBSPOT_API_BASE_URL"), "/"),
		PortalID:    get("HUBSPOT_PORTAL_ID"),
	}
	// A secret: the problem says what is wrong, never the value.
	if t := h.AccessToken; t != "" && (!strings.HasPrefix(t, "pat-") || strings.ContainsFunc(t, unicode.IsSpace) || len(t) > 200) {
		bad("HUBSPOT_ACCESS_TOKEN must be a HubSpot private app access token (pat-...; got %d characters)", len(t))
	}
	checkURL("HUBSPOT_API_BASE_URL", h.APIBaseURL, false)
	if h.APIBaseURL == "" {
		h.APIBaseURL = "https://api.hubapi.com"
	}
	if h.PortalID != "" && !portalIDRe.MatchString(h.PortalID) {
		bad("HUBSPOT_PORTAL_ID %q must be the HubSpot account id (digits)", h.PortalID)
	}
	if h.PortalID != "" && h.AccessToken == "" {
		bad("HUBSPOT_PORTAL_ID is set without HUBSPOT_ACCESS_TOKEN")
	}
	return h
}
