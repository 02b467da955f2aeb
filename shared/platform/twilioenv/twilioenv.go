// Package twilioenv builds an Env's verifier of Twilio's webhooks and
// status callbacks (the sandbox signs its callbacks the same way). It is a
// package of its own so that TwilioInbound links Twilio's verifier and no
// other carrier.
package twilioenv

import (
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Verifier returns the Env's Twilio webhook verifier.
func Verifier(e *platform.Env) *twilio.Verifier {
	v, _ := platform.Part(e, "twilio-webhooks", func() (*twilio.Verifier, error) {
		return twilio.NewVerifier(e.Config.WebhookAuthToken()), nil
	})
	return v
}
