package config

import (
	"net/http"
	"strings"
	"time"
)

// IVR is the IVR webhook's settings (functions/ivrwebhook). With neither a
// secret nor ID-token senders it refuses every call.
type IVR struct {
	// Secret is the shared secret the CX webhook sends in SecretHeader.
	Secret       string
	SecretHeader string
	// IDTokenAudience is the audience a Google-signed ID token must carry
	// (default: the function's public URL); IDTokenEmails are the service
	// accounts it may be issued to (the Dialogflow service agent). Anyone
	// can get a Google ID token for any audience, so without emails ID
	// tokens are not accepted.
	IDTokenAudience string
	IDTokenEmails   []string
	// SendWait bounds how long deflection-accept waits for the carrier.
	SendWait time.Duration
}

// The IVR webhook's defaults and bounds.
const (
	DefaultIVRSecretHeader = "X-IVR-Webhook-Secret"
	DefaultIVRSendWait     = 3500 * time.Millisecond
	// maxIVRSendWait leaves the answer time to travel within CX's 5 s.
	maxIVRSendWait = 4500 * time.Millisecond
	minIVRSecret   = 16
)

// loadIVR reads IVR_WEBHOOK_SECRET, IVR_WEBHOOK_SECRET_HEADER,
// IVR_ID_TOKEN_AUDIENCE, IVR_ID_TOKEN_EMAILS and IVR_SEND_WAIT.
func loadIVR(get func(string) string, bad func(string, ...any)) IVR {
	c := IVR{
		Secret: get("IVR_WEBHOOK_SECRET"), SecretHeader: get("IVR_WEBHOOK_SECRET_HEADER"),
		IDTokenAudience: get("IVR_ID_TOKEN_AUDIENCE"), SendWait: DefaultIVRSendWait,
	}
	if c.Secret != "" && len(c.Secret) < minIVRSecret {
		bad("IVR_WEBHOOK_SECRET must be at least %d characters (got %d)", minIVRSecret, len(c.Secret))
	}
	if c.SecretHeader == "" {
		c.SecretHeader = DefaultIVRSecretHeader
	}
	if http.CanonicalHeaderKey(c.SecretHeader) == "Authorization" || strings.ContainsAny(c.SecretHeader, " :\t") {
		bad("IVR_WEBHOOK_SECRET_HEADER %q must be a header name other than Authorization (which carries ID tokens)", c.SecretHeader)
	}
	for _, e := range strings.Split(get("IVR_ID_TOKEN_EMAILS"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			if !strings.Contains(e, "@") {
				bad("IVR_ID_TOKEN_EMAILS: %q is not a service account email", e)
			}
			c.IDTokenEmails = append(c.IDTokenEmails, e)
		}
	}
	if v := get("IVR_SEND_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxIVRSendWait {
			bad("IVR_SEND_WAIT %q must be a duration above 0 and at most %s (Dialogflow CX waits 5s for a webhook)", v, maxIVRSendWait)
		} else {
			c.SendWait = d
		}
	}
	return c
}
