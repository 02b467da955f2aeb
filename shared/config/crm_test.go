package config

import (
	"strings"
	"testing"
	"time"
)

func TestCRM(t *testing.T) {
	base := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080"}
	const token = "pat-na1-11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name    string
		env     map[string]string
		want    CRM
		problem string
	}{
		{"off by default", nil, CRM{HubSpotAPIBaseURL: "https://api.hubapi.com"}, ""},
		{"a token turns it on", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_PORTAL_ID": "4242"},
			CRM{HubSpotAccessToken: token, HubSpotAPIBaseURL: "https://api.hubapi.com", HubSpotPortalID: "4242"}, ""},
		{"a stand-in's URL", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_API_BASE_URL": "http://127.0.0.1:9/"},
			CRM{HubSpotAccessToken: token, HubSpotAPIBaseURL: "http://127.0.0.1:9"}, ""},
		{"not a private app token", map[string]string{"HUBSPOT_ACCESS_TOKEN": "secret-value"}, CRM{}, "HUBSPOT_ACCESS_TOKEN must be a HubSpot private app access token (pat-...; got 12 characters)"},
		{"a bad URL", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_API_BASE_URL": "api.hubapi.com"}, CRM{}, "HUBSPOT_API_BASE_URL"},
		{"a bad portal", map[string]string{"HUBSPOT_ACCESS_TOKEN": token, "HUBSPOT_PORTAL_ID": "acme"}, CRM{}, "HUBSPOT_PORTAL_ID \"acme\""},
		{"the record rules", map[string]string{"CRM_MIN_CONSUMER_TEXTS": "2", "CRM_APPEND_OPEN": "true", "CRM_APPEND_CLOSED_DAYS": "7"},
			CRM{HubSpotAPIBaseURL: "https://api.hubapi.com", MinConsumerMessages: 2, AppendOpen: true, AppendClosedWithin: 7 * 24 * time.Hour}, ""},
		{"bad rules", map[string]string{"CRM_MIN_CONSUMER_TEXTS": "-1"}, CRM{}, "CRM_MIN_CONSUMER_TEXTS \"-1\" must be a whole number from 0 to 100"},
		{"closed days need append", map[string]string{"CRM_APPEND_CLOSED_DAYS": "3"}, CRM{}, "CRM_APPEND_CLOSED_DAYS is set without CRM_APPEND_OPEN=true"},
		{"append must be a boolean", map[string]string{"CRM_APPEND_OPEN": "yes"}, CRM{}, "CRM_APPEND_OPEN \"yes\" must be true or false"},
		{"built-in contacts", map[string]string{"CRM_ADAPTER": "builtin"}, CRM{HubSpotAPIBaseURL: "https://api.hubapi.com", Builtin: true}, ""},
		{"built-in beside a token", map[string]string{"CRM_ADAPTER": "builtin", "HUBSPOT_ACCESS_TOKEN": token}, CRM{}, "CRM_ADAPTER=builtin is set with HUBSPOT_ACCESS_TOKEN"},
		{"an unknown adapter", map[string]string{"CRM_ADAPTER": "salesforce"}, CRM{}, "CRM_ADAPTER \"salesforce\" must be builtin, hubspot or webhook"},
		{"the signed webhook", map[string]string{"CRM_ADAPTER": "webhook", "CRM_WEBHOOK_URL": "https://crm.example.com/hook", "CRM_WEBHOOK_SECRET": strings.Repeat("s", 64),
			"CRM_WEBHOOK_CONTACT_URL": "https://crm.example.com/c/{id}", "CRM_RATE_LIMIT": "50"},
			CRM{HubSpotAPIBaseURL: "https://api.hubapi.com", Webhook: true, WebhookURL: "https://crm.example.com/hook", WebhookSecret: strings.Repeat("s", 64),
				WebhookContactURL: "https://crm.example.com/c/{id}", RateLimit: 50}, ""},
		{"a webhook without its secret mounted", map[string]string{"CRM_ADAPTER": "webhook", "CRM_WEBHOOK_URL": "https://crm.example.com/hook"},
			CRM{HubSpotAPIBaseURL: "https://api.hubapi.com", Webhook: true, WebhookURL: "https://crm.example.com/hook"}, ""},
		{"a webhook without a URL", map[string]string{"CRM_ADAPTER": "webhook", "CRM_WEBHOOK_SECRET": strings.Repeat("s", 64)}, CRM{}, "CRM_ADAPTER=webhook needs CRM_WEBHOOK_URL"},
		{"a short webhook secret", map[string]string{"CRM_WEBHOOK_SECRET": "short"}, CRM{}, "CRM_WEBHOOK_SECRET must be at least 32 characters without spaces (got 5)"},
		{"a bad webhook URL", map[string]string{"CRM_ADAPTER": "webhook", "CRM_WEBHOOK_URL": "crm.example.com", "CRM_WEBHOOK_SECRET": strings.Repeat("s", 64)}, CRM{}, "CRM_WEBHOOK_URL \"crm.example.com\""},
		{"a portal without the token mounted", map[string]string{"HUBSPOT_PORTAL_ID": "4242"}, CRM{HubSpotAPIBaseURL: "https://api.hubapi.com", HubSpotPortalID: "4242"}, ""},
		{"a webhook beside a token", map[string]string{"CRM_ADAPTER": "webhook", "CRM_WEBHOOK_URL": "https://crm.example.com/hook", "HUBSPOT_ACCESS_TOKEN": token},
			CRM{HubSpotAccessToken: token, HubSpotAPIBaseURL: "https://api.hubapi.com", Webhook: true, WebhookURL: "https://crm.example.com/hook"}, ""},
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
			if c.CRM != tc.want || c.CRM.Enabled() != (tc.want.HubSpotAccessToken != "" || tc.want.Builtin || tc.want.Webhook) {
				t.Fatalf("CRM = %+v, want %+v", c.CRM, tc.want)
			}
		})
	}
}
