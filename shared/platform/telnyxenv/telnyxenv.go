// Package telnyxenv builds an Env's verifier of Telnyx's webhooks and
// delivery updates. It is a package of its own so that each inbound
// function links its own carrier's verifier only.
package telnyxenv

import (
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Verifier checks Telnyx's signatures with TELNYX_PUBLIC_KEY; nil when no
// key is configured, so no Telnyx webhook is admitted.
func Verifier(e *platform.Env) *telnyx.Verifier {
	if len(e.Config.TelnyxPublicKey) == 0 {
		return nil
	}
	v, _ := platform.Part(e, "telnyx-webhooks", func() (*telnyx.Verifier, error) {
		return telnyx.NewVerifier(e.Config.TelnyxPublicKey), nil
	})
	return v
}
