package config

import (
	"strings"
	"testing"
)

func TestLoadBandwidth(t *testing.T) {
	base := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080"}
	full := map[string]string{
		"BANDWIDTH_ACCOUNT_ID": "9900902", "BANDWIDTH_APPLICATION_ID": "93de2206-9669-4e07-948d-329f4b722ee2",
		"BANDWIDTH_CLIENT_ID": "client-1", "BANDWIDTH_CLIENT_SECRET": "s3cret-value",
		"BANDWIDTH_WEBHOOK_USER": "smsdesk", "BANDWIDTH_WEBHOOK_PASSWORD": "0123456789abcdef",
	}
	with := func(maps ...map[string]string) map[string]string {
		m := map[string]string{}
		for _, x := range append([]map[string]string{base}, maps...) {
			for k, v := range x {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		problem string // "" means valid
	}{
		{"not configured", with(), ""},
		{"configured", with(full), ""},
		{"ids come together", with(map[string]string{"BANDWIDTH_ACCOUNT_ID": "9900902"}), "BANDWIDTH_CLIENT_ID is required"},
		{"a secret comes with its id", with(map[string]string{"BANDWIDTH_CLIENT_SECRET": "s3cret-value"}), "BANDWIDTH_CLIENT_ID is required with"},
		{"ids without the secrets (a function that mounts neither)", with(full, map[string]string{"BANDWIDTH_CLIENT_SECRET": "", "BANDWIDTH_WEBHOOK_PASSWORD": ""}), ""},
		{"account id is digits", with(full, map[string]string{"BANDWIDTH_ACCOUNT_ID": "acme"}), "BANDWIDTH_ACCOUNT_ID \"acme\""},
		{"application id is a UUID", with(full, map[string]string{"BANDWIDTH_APPLICATION_ID": "app"}), "BANDWIDTH_APPLICATION_ID"},
		{"webhook password without user", with(map[string]string{"BANDWIDTH_WEBHOOK_PASSWORD": "0123456789abcdef"}), "BANDWIDTH_WEBHOOK_USER is required"},
		{"short webhook password", with(full, map[string]string{"BANDWIDTH_WEBHOOK_PASSWORD": "hunter2"}), "at least 16 characters (got 7)"},
		{"colon in the user", with(full, map[string]string{"BANDWIDTH_WEBHOOK_USER": "a:b"}), "must not contain a colon"},
		{"retired API user", with(full, map[string]string{"BANDWIDTH_API_USER": "jdoe"}), "retires API Users on 2 December 2026"},
		{"bad API base URL", with(full, map[string]string{"BANDWIDTH_API_BASE_URL": "messaging.bandwidth.com"}), "BANDWIDTH_API_BASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if tc.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.BandwidthAPIBaseURL != "https://messaging.bandwidth.com" || c.BandwidthTokenURL != "https://api.bandwidth.com/api/v1/oauth2/token" {
					t.Errorf("defaults %q %q", c.BandwidthAPIBaseURL, c.BandwidthTokenURL)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("error %v, want one containing %q", err, tc.problem)
			}
			if strings.Contains(err.Error(), "0123456789abcdef") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error names a secret: %v", err)
			}
		})
	}
}
