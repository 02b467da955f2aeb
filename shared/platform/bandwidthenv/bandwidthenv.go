// Package bandwidthenv builds an Env's verifier of Bandwidth's callbacks
// and the access tokens of its API Credential. It is a package of its own
// so that each inbound function links its own carrier only.
package bandwidthenv

import (
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Verifier checks Bandwidth's callbacks against BANDWIDTH_WEBHOOK_USER and
// BANDWIDTH_WEBHOOK_PASSWORD; nil when they are not configured, so no
// Bandwidth callback is admitted.
func Verifier(e *platform.Env) *bandwidth.Verifier {
	cfg := e.Config
	if cfg.BandwidthWebhookUser == "" || cfg.BandwidthWebhookPassword == "" {
		return nil
	}
	v, _ := platform.Part(e, "bandwidth-webhooks", func() (*bandwidth.Verifier, error) {
		return bandwidth.NewVerifier(cfg.BandwidthWebhookUser, cfg.BandwidthWebhookPassword), nil
	})
	return v
}

// Tokens are the access tokens of BANDWIDTH_CLIENT_ID, one cache for the
// Env's sends and media downloads; nil when no API Credential is
// configured.
func Tokens(e *platform.Env) *bandwidth.Tokens {
	cfg := e.Config
	if !cfg.BandwidthSends() {
		return nil
	}
	t, _ := platform.Part(e, "bandwidth-tokens", func() (*bandwidth.Tokens, error) {
		return bandwidth.NewTokens(cfg.BandwidthClientID, cfg.BandwidthClientSecret, cfg.BandwidthTokenURL, nil), nil
	})
	return t
}

// Credentials are what the Env's Bandwidth sends need; ok is false when
// no API Credential is configured.
func Credentials(e *platform.Env) (bandwidth.Credentials, bool) {
	t := Tokens(e)
	if t == nil {
		return bandwidth.Credentials{}, false
	}
	return bandwidth.Credentials{AccountID: e.Config.BandwidthAccountID, ApplicationID: e.Config.BandwidthApplicationID, Tokens: t}, true
}
