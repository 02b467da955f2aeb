package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	valid := map[string]string{
		"GOOGLE_CLOUD_PROJECT": "acme-support",
		"PUBLIC_BASE_URL":      "https://us-central1-acme-support.cloudfunctions.net/",
		"TWILIO_ACCOUNT_SID":   "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN":    "0123456789abcdef0123456789abcdef",
		"TASKS_LOCATION":       "us-central1",
	}
	with := func(changes map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range valid {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		problems []string // each must appear in the error
		check    func(t *testing.T, c Config)
	}{
		{name: "production", env: valid, check: func(t *testing.T, c Config) {
			if c.PublicBaseURL != "https://us-central1-acme-support.cloudfunctions.net" || c.InternalBaseURL != c.PublicBaseURL {
				t.Errorf("base URLs = %q, %q", c.PublicBaseURL, c.InternalBaseURL)
			}
			if c.Backend != BackendGoogle || c.Carrier != CarrierTwilio || c.TwilioAPIBaseURL != "https://api.twilio.com" || c.PubSubEmulatorDelivery != PubSubPush {
				t.Errorf("defaults: backend=%q carrier=%q api=%q pubsub delivery=%q", c.Backend, c.Carrier, c.TwilioAPIBaseURL, c.PubSubEmulatorDelivery)
			}
		}},
		{name: "embedded dev needs only a base URL", env: map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080"},
			check: func(t *testing.T, c Config) {
				if c.Carrier != CarrierSandbox || c.WebhookAuthToken() != SandboxAuthToken || c.ProjectID != "smsdesk-dev" {
					t.Errorf("carrier=%q token=%q project=%q", c.Carrier, c.WebhookAuthToken(), c.ProjectID)
				}
			}},
		{name: "everything missing is listed at once", env: map[string]string{},
			problems: []string{"GOOGLE_CLOUD_PROJECT is required", "PUBLIC_BASE_URL is required", "TWILIO_ACCOUNT_SID is required", "TWILIO_AUTH_TOKEN is required", "TASKS_LOCATION is required"}},
		{name: "malformed values are named", env: with(map[string]string{
			"PUBLIC_BASE_URL": "cloudfunctions.net", "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_API_BASE_URL": "ftp://x",
			"TASKS_LOCATION": "US Central", "TELNYX_PUBLIC_KEY": "not-base64!", "LOG_LEVEL": "loud",
			"CLOUD_TASKS_EMULATOR_HOST": "localhost", "TASKS_SERVICE_ACCOUNT": "me@gmail.com", "SMSDESK_BACKEND": "aws",
			"PUBSUB_EMULATOR_DELIVERY": "stream",
		}), problems: []string{"PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID \"AC123\"", "TWILIO_API_BASE_URL", "TASKS_LOCATION", "TELNYX_PUBLIC_KEY", "LOG_LEVEL", "CLOUD_TASKS_EMULATOR_HOST", "TASKS_SERVICE_ACCOUNT", "SMSDESK_BACKEND", "PUBSUB_EMULATOR_DELIVERY \"stream\""}},
		{name: "sandbox carrier on the emulators", env: with(map[string]string{"SMSDESK_CARRIER": "sandbox", "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": ""}),
			check: func(t *testing.T, c Config) {
				if c.Carrier != CarrierSandbox {
					t.Errorf("carrier = %q", c.Carrier)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if len(tc.problems) == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				tc.check(t, c)
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load error = %v, want *config.Error", err)
			}
			if len(ce.Problems) != len(tc.problems) {
				t.Errorf("got %d problems, want %d: %v", len(ce.Problems), len(tc.problems), ce.Problems)
			}
			for _, p := range tc.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

func TestConsoleOrigins(t *testing.T) {
	tests := []struct {
		value   string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"https://console.acme.example, http://localhost:3000/", []string{"https://console.acme.example", "http://localhost:3000"}, ""},
		{"console.acme.example", nil, "CONSOLE_ORIGINS entry \"console.acme.example\""},
		{"https://acme.example/console", nil, "must be an origin"},
	}
	for _, tc := range tests {
		env := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080", "CONSOLE_ORIGINS": tc.value}
		c, err := Load(func(k string) string { return env[k] })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.value, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(c.ConsoleOrigins, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.value, c.ConsoleOrigins, err, tc.want)
		}
	}
}

func TestStorageEmulatorHost(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"", true},
		{"127.0.0.1:4443", true},
		{"http://127.0.0.1:4443", true},
		{"https://gcs.local:4443/", true},
		{"localhost", false},
		{"ftp://127.0.0.1:21", false},
		{"http://127.0.0.1", false},
	}
	for _, tc := range tests {
		env := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080",
			"STORAGE_EMULATOR_HOST": tc.value, "MEDIA_BUCKET": "acme-smsdesk-media"}
		c, err := Load(func(k string) string { return env[k] })
		if tc.ok != (err == nil) {
			t.Errorf("%q: err %v, want ok %v", tc.value, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "STORAGE_EMULATOR_HOST") {
			t.Errorf("%q: error %v does not name STORAGE_EMULATOR_HOST", tc.value, err)
		}
		if tc.ok && (c.StorageEmulatorHost != tc.value || c.MediaBucket != "acme-smsdesk-media") {
			t.Errorf("%q: config %q %q", tc.value, c.StorageEmulatorHost, c.MediaBucket)
		}
	}
}

// TestTwilioCredentials: start-up refuses the credentials twilio-go would
// refuse on every send (its errors 21222 and 21224), naming the variable
// and never quoting the token.
func TestTwilioCredentials(t *testing.T) {
	const sid = "AC0123456789abcdef0123456789abcdef"
	tests := []struct {
		name, sid, token string
		problem          string // "" when valid
	}{
		{"a real token's shape", sid, "0123456789abcdef0123456789abcdef", ""},
		{"upper-case hex", sid, "0123456789ABCDEF0123456789ABCDEF", ""},
		{"letters beyond hex, as twilio-go allows", sid, "0123456789abcdefghijklmnopqrstuv", ""},
		{"white space around is trimmed", sid, "  0123456789abcdef0123456789abcdef\n", ""},
		{"dashes", sid, "0123-4567-89ab-cdef-0123-4567-89ab", "TWILIO_AUTH_TOKEN must be the 32 letters and digits"},
		{"a UUID", sid, "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "including characters other than letters and digits"},
		{"quoted", sid, `"0123456789abcdef0123456789abcdef"`, "including quotes"},
		{"space inside", sid, "0123456789abcdef 0123456789abcdef", "including white space"},
		{"too short", sid, "0123456789abcdef0123456789abcde", "got 31 characters"},
		{"too long", sid, "0123456789abcdef0123456789abcdef0", "got 33 characters"},
		{"the sandbox's public token", sid, SandboxAuthToken, "TWILIO_AUTH_TOKEN"},
		{"account SID with a dash", "AC0123456789abcdef-123456789abcdef", "fedcba9876543210fedcba9876543210", "TWILIO_ACCOUNT_SID"},
		{"API key SID instead of the account SID", "SK0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", "TWILIO_ACCOUNT_SID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SMSDESK_BACKEND": "embedded", "PUBLIC_BASE_URL": "http://localhost:8080",
				"TWILIO_ACCOUNT_SID": tc.sid, "TWILIO_AUTH_TOKEN": tc.token}
			c, err := Load(func(k string) string { return env[k] })
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.Carrier != CarrierTwilio || c.TwilioAuthToken != strings.TrimSpace(tc.token) {
					t.Errorf("carrier %q, token %q", c.Carrier, c.TwilioAuthToken)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.Contains(ce.Problems[0], tc.problem) {
				t.Fatalf("Load error = %v, want one problem mentioning %q", err, tc.problem)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(tc.token)) {
				t.Errorf("the error quotes the token: %v", err)
			}
		})
	}
}
