package connect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/connect"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/crm/webhook/webhooktest"
)

// TestTest: the connection test sorts every failure an admin meets.
func TestTest(t *testing.T) {
	hs := hubspottest.New(t)
	wh := webhooktest.New(t)
	good := connect.Secrets{HubSpotToken: hubspottest.Token, HubSpotBaseURL: hs.URL(), WebhookSecret: webhooktest.Secret}
	tests := []struct {
		name    string
		secrets connect.Secrets
		scopes  []string
		s       crm.Settings
		ok      bool
		problem string
		text    string
	}{
		{"hubspot works", good, nil, crm.Settings{Adapter: crm.AdapterHubSpot}, true, "", ""},
		{"hubspot bad token", connect.Secrets{HubSpotToken: "pat-na1-bad", HubSpotBaseURL: hs.URL()}, nil, crm.Settings{Adapter: crm.AdapterHubSpot}, false, "unauthorized", "HTTP 401"},
		{"hubspot missing scope", good, []string{"crm.objects.contacts.write"}, crm.Settings{Adapter: crm.AdapterHubSpot}, false, "forbidden", "required scopes: crm.objects.contacts.read"},
		{"hubspot unreachable", connect.Secrets{HubSpotToken: hubspottest.Token, HubSpotBaseURL: "http://127.0.0.1:1"}, nil, crm.Settings{Adapter: crm.AdapterHubSpot}, false, "unreachable", "connection refused"},
		{"hubspot without a token", connect.Secrets{}, nil, crm.Settings{Adapter: crm.AdapterHubSpot}, false, "not_configured", "HUBSPOT_ACCESS_TOKEN"},
		{"webhook works", good, nil, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL()}, true, "", ""},
		{"webhook wrong secret", connect.Secrets{WebhookSecret: strings.Repeat("z", 64)}, nil, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL()}, false, "unauthorized", "HTTP 401"},
		{"webhook bad URL", good, nil, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "http://crm.example.com/hook"}, false, "bad_url", "webhookUrl"},
		{"webhook unreachable", good, nil, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "http://127.0.0.1:1/hook"}, false, "unreachable", "connection refused"},
		{"webhook without a secret", connect.Secrets{}, nil, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL()}, false, "not_configured", "CRM_WEBHOOK_SECRET"},
		{"off", good, nil, crm.Settings{Adapter: crm.AdapterOff}, false, "off", ""},
		{"builtin missing", good, nil, crm.Settings{Adapter: crm.AdapterBuiltin}, false, "not_configured", "built-in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scopes := tc.scopes
			if scopes == nil {
				scopes = hubspottest.AllScopes
			}
			hs.SetScopes(scopes...)
			c := &connect.Connector{Store: memlink.New(), Secrets: tc.secrets}
			r := c.Test(context.Background(), tc.s)
			if r.OK != tc.ok || r.Problem != tc.problem || !strings.Contains(r.Error, tc.text) {
				t.Fatalf("report %+v, want ok %v problem %q error with %q", r, tc.ok, tc.problem, tc.text)
			}
		})
	}
}

// TestConnection: the saved settings choose the adapter and rules; the
// default adapter is the environment's; a saved change applies at once on
// the instance that saved it.
func TestConnection(t *testing.T) {
	ctx := context.Background()
	wh := webhooktest.New(t)
	hs := hubspottest.New(t)
	c := &connect.Connector{Store: memlink.New(),
		Default: crm.Settings{Adapter: crm.AdapterHubSpot, MinConsumerTexts: 3},
		Secrets: connect.Secrets{HubSpotToken: hubspottest.Token, HubSpotBaseURL: hs.URL(), WebhookSecret: webhooktest.Secret}}
	conn, err := c.Connection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if conn.CRM == nil || conn.Rules.MinConsumerMessages != 3 {
		t.Fatalf("default connection %+v: want HubSpot with the environment's rules", conn)
	}
	if err := c.Put(ctx, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: "ftp://x"}); err == nil {
		t.Fatal("an invalid webhook URL was saved")
	}
	if err := c.Put(ctx, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL(), AppendOpen: true}); err != nil {
		t.Fatal(err)
	}
	if conn, err = c.Connection(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.CRM.FindContactsByPhone(ctx, "+14155550123"); err != nil || wh.Count("contact.lookup") != 1 {
		t.Fatalf("lookup through the saved webhook: %v, %d lookups", err, wh.Count("contact.lookup"))
	}
	if !conn.Rules.AppendOpen || conn.Rules.MinConsumerMessages != 0 {
		t.Errorf("rules %+v, want the saved ones", conn.Rules)
	}
	// The webhook's secret not mounted: the events are refused (parked),
	// not dropped.
	c.Secrets.WebhookSecret = ""
	if err := c.Put(ctx, crm.Settings{Adapter: crm.AdapterWebhook, WebhookURL: wh.URL()}); err != nil {
		t.Fatal(err)
	}
	conn, _ = c.Connection(ctx)
	if _, err := conn.CRM.FindContactsByPhone(ctx, "+14155550123"); err == nil || crm.Retryable(err) || !strings.Contains(err.Error(), "CRM_WEBHOOK_SECRET") {
		t.Errorf("a webhook without its secret: %v, want a refusal naming the secret", err)
	}
	if err := c.Put(ctx, crm.Settings{Adapter: crm.AdapterOff}); err != nil {
		t.Fatal(err)
	}
	if conn, _ = c.Connection(ctx); conn.CRM != nil {
		t.Errorf("off: CRM %v", conn.CRM)
	}
}
