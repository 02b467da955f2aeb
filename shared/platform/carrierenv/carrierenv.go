// Package carrierenv builds an Env's carriers: the sandbox (scripts/dev's
// carrier that keeps texts) or the real providers, for sending and for
// verifying their webhooks.
package carrierenv

import (
	"errors"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/bandwidthenv"
)

// Senders returns the carrier that sends for each provider.
func Senders(e *platform.Env) (map[string]carrier.Sender, error) {
	return platform.Part(e, "senders", func() (map[string]carrier.Sender, error) {
		if sb := Sandbox(e); sb != nil {
			// The sandbox sends for every provider, so each demo number
			// works whatever its provider; scripts/dev sets how each
			// provider's status callbacks are posted (sandbox.ReportAs).
			return map[string]carrier.Sender{twilio.Name: sb, telnyx.Name: sb.As(telnyx.Name), bandwidth.Name: sb.As(bandwidth.Name)}, nil
		}
		cfg := e.Config
		tc, err := twilio.NewClient(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioAPIBaseURL, nil)
		if err != nil {
			return nil, err
		}
		senders := map[string]carrier.Sender{twilio.Name: tc}
		// Telnyx sends only where an API key is configured; a chat on a
		// provider without a carrier fails its sends permanently, saying so.
		if cfg.TelnyxAPIKey != "" {
			xc, err := telnyx.NewClient(cfg.TelnyxAPIKey, cfg.TelnyxAPIBaseURL, nil)
			if err != nil {
				return nil, err
			}
			senders[telnyx.Name] = xc
		}
		// The account's ids are everywhere; the secret is mounted where
		// texts are sent, and a sender that lacks it says so at start.
		if cfg.BandwidthClientID != "" && !cfg.BandwidthSends() {
			return nil, errors.New("BANDWIDTH_CLIENT_SECRET is not set: Bandwidth sends need the API Credential's secret")
		}
		if creds, ok := bandwidthenv.Credentials(e); ok {
			bc, err := bandwidth.NewClient(creds, cfg.BandwidthAPIBaseURL, nil)
			if err != nil {
				return nil, err
			}
			senders[bandwidth.Name] = bc
		}
		return senders, nil
	})
}

// Sandbox is the sandbox carrier when SMSDESK_CARRIER=sandbox, else nil.
func Sandbox(e *platform.Env) *sandbox.Carrier {
	if e.Config.Carrier != config.CarrierSandbox {
		return nil
	}
	sb, _ := platform.Part(e, "sandbox", func() (*sandbox.Carrier, error) {
		return sandbox.New(e.Config.WebhookAuthToken(), e.Logger), nil
	})
	return sb
}
