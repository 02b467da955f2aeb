package ivrwebhook

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"google.golang.org/api/idtoken"
)

const agentEmail = "service-123@gcp-sa-dialogflow.iam.gserviceaccount.com"

// validate stands in for idtoken.Validate: "good" is a token for the
// function's URL issued to the Dialogflow service agent.
func validate(_ context.Context, token, audience string) (*idtoken.Payload, error) {
	if audience != "https://sms.acme.example/fn/IVRWebhook" {
		return nil, errors.New("audience mismatch")
	}
	switch token {
	case "good":
		return &idtoken.Payload{Claims: map[string]any{"email": agentEmail, "email_verified": true}}, nil
	case "other-sender":
		return &idtoken.Payload{Claims: map[string]any{"email": "someone@else.iam.gserviceaccount.com", "email_verified": true}}, nil
	case "unverified":
		return &idtoken.Payload{Claims: map[string]any{"email": agentEmail}}, nil
	}
	return nil, errors.New("bad signature")
}

func TestAuth(t *testing.T) {
	full := Auth{Secret: "s3cret-s3cret-s3cret", SecretHeader: "X-IVR-Webhook-Secret",
		Audience: "https://sms.acme.example/fn/IVRWebhook", Emails: []string{agentEmail}, Validate: validate}
	secretOnly := full
	secretOnly.Emails = nil
	tests := []struct {
		name    string
		auth    Auth
		headers map[string]string
		want    bool
	}{
		{"the secret", full, map[string]string{"X-IVR-Webhook-Secret": "s3cret-s3cret-s3cret"}, true},
		{"a wrong secret", full, map[string]string{"X-IVR-Webhook-Secret": "s3cret-s3cret-s3creT"}, false},
		{"a wrong secret is not saved by a good token", full, map[string]string{"X-IVR-Webhook-Secret": "x", "Authorization": "Bearer good"}, false},
		{"nothing", full, nil, false},
		{"an ID token from the agent", full, map[string]string{"Authorization": "Bearer good"}, true},
		{"an ID token from another sender", full, map[string]string{"Authorization": "Bearer other-sender"}, false},
		{"an unverified email", full, map[string]string{"Authorization": "Bearer unverified"}, false},
		{"a badly signed token", full, map[string]string{"Authorization": "Bearer forged"}, false},
		{"ID tokens without allowed senders", secretOnly, map[string]string{"Authorization": "Bearer good"}, false},
		{"no secret configured", Auth{SecretHeader: "X-IVR-Webhook-Secret"}, map[string]string{"X-IVR-Webhook-Secret": ""}, false},
		{"wrong audience", func() Auth { a := full; a.Audience = "https://evil.example"; return a }(), map[string]string{"Authorization": "Bearer good"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/IVRWebhook", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := tt.auth.check(r); got != tt.want {
				t.Errorf("check = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCallOf(t *testing.T) {
	for code, want := range map[string]string{"en-US": "en", "es": "es", "": ""} {
		if got := language(code); got != want {
			t.Errorf("language(%q) = %q, want %q", code, got, want)
		}
	}
}
