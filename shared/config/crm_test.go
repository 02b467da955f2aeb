package config

import (
	"strings"
	"testing"
)

func TestHubSpot(t *testing.T) {
	base := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080"}
	const token = "pat-na1-11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name    string
		env     map[string]string
		want    HubSpot
		problem string
	}{
		{"off by default", nil, HubSpot{APIBaseURL: "https://api.hubapi.com"}, ""},
		{"a token turns it on", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_PORTAL_ID": "4242"},
			HubSpot{AccessToken: token, APIBaseURL: "https://api.hubapi.com", PortalID: "4242"}, ""},
		{"a stand-in's URL", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_API_BASE_URL": "http://127.0.0.1:9/"},
			HubSpot{AccessToken: token, APIBaseURL: "http://127.0.0.1:9"}, ""},
		{"not a private app token", map[string]string{"HUBSPOT_ACCESS_TOKEN": "secret-value"}, HubSpot{}, "HUBSPOT_ACCESS_TOKEN must be a HubSpot private app access token (pat-...; got 12 characters)"},
		{"a bad URL", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_API_BASE_URL": "api.hubapi.com"}, HubSpot{}, "HUBSPOT_API_BASE_URL"},
		{"a bad portal", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_PORTAL_ID": "acme"}, HubSpot{}, "HUBSPOT_PORTAL_ID \"acme\""},
		{"a portal without a token", map[string]string{"HUBSPOT_PORTAL_ID": "4242"}, HubSpot{}, "HUBSPOT_PORTAL_ID is set without HUBSPOT_ACCESS_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range tc.env {
				m[k] = v
			}
			c, err := Load(env(m))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("err = %v, want %q", err, tc.problem)
				}
				if strings.Contains(err.Error(), "secret-value") {
					t.Fatalf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.HubSpot != tc.want || c.HubSpot.Enabled() != (tc.want.AccessToken != "") {
				t.Fatalf("HubSpot = %+v, want %+v", c.HubSpot, tc.want)
			}
		})
	}
}
