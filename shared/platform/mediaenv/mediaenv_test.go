package mediaenv

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/config"
)

// TestLocalCarrierAPI: media downloads may reach loopback only when the
// Twilio API itself is a stand-in on loopback, never with Twilio's.
func TestLocalCarrierAPI(t *testing.T) {
	cases := []struct {
		base string
		want bool
	}{
		{"https://api.twilio.com", false},
		{"https://api.dublin.ie1.twilio.com", false},
		{"http://10.0.0.5:4010", false},
		{"http://127.0.0.1:4010", true},
		{"http://127.0.0.2:4010", true},
		{"http://localhost:4010", true},
		{"http://[::1]:4010", true},
		{"http://localhost.evil.example", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := localCarrierAPI(config.Config{TwilioAPIBaseURL: tc.base}); got != tc.want {
			t.Errorf("TWILIO_API_BASE_URL %q: loopback allowed %v, want %v", tc.base, got, tc.want)
		}
	}
	prod, err := config.Load(func(k string) string {
		return map[string]string{"GOOGLE_CLOUD_PROJECT": "acme-support", "PUBLIC_BASE_URL": "https://sms.acme.example",
			"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
			"TASKS_LOCATION": "us-central1"}[k]
	})
	if err != nil || localCarrierAPI(prod) {
		t.Errorf("a production configuration allows loopback (%v)", err)
	}
}
