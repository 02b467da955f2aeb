package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// devBandwidthUser is the callback user name the dev server gives
// Bandwidth's webhooks when none is configured.
const devBandwidthUser = "smsdesk-dev"

// devApplicationID is the messaging application the simulator's Bandwidth
// callbacks name.
const devApplicationID = "93de2206-9669-4e07-948d-329f4b722ee2"

// carriers is how the phone simulator and the sandbox act as each
// provider: the secrets each one's webhooks are checked with.
type carriers struct {
	twilioToken string
	// telnyxKey signs as Telnyx; nil when TELNYX_PUBLIC_KEY is someone's
	// real key, whose private half we do not have.
	telnyxKey          ed25519.PrivateKey
	bwUser, bwPassword string
}

// setUpCarriers gives a sandbox run every provider's webhook secrets, so
// the simulator can text as any of them through the production handlers:
// an Ed25519 key pair made now (its public half is TELNYX_PUBLIC_KEY) and
// Bandwidth callback credentials (BANDWIDTH_WEBHOOK_USER and _PASSWORD),
// each only when not configured. With a real carrier nothing is set.
func setUpCarriers(getenv func(string) string, setenv func(k, v string) error) (carriers, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return carriers{}, err
	}
	c := carriers{twilioToken: cfg.WebhookAuthToken()}
	if cfg.Carrier != config.CarrierSandbox {
		return c, nil
	}
	if getenv("TELNYX_PUBLIC_KEY") == "" {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return c, fmt.Errorf("make a dev Telnyx key pair: %w", err)
		}
		if err := setenv("TELNYX_PUBLIC_KEY", base64.StdEncoding.EncodeToString(pub)); err != nil {
			return c, err
		}
		c.telnyxKey = priv
	}
	c.bwUser, c.bwPassword = getenv("BANDWIDTH_WEBHOOK_USER"), getenv("BANDWIDTH_WEBHOOK_PASSWORD")
	if c.bwUser == "" && c.bwPassword == "" {
		secret := make([]byte, 16)
		if _, err := rand.Read(secret); err != nil {
			return c, err
		}
		c.bwUser, c.bwPassword = devBandwidthUser, hex.EncodeToString(secret)
		for k, v := range map[string]string{"BANDWIDTH_WEBHOOK_USER": c.bwUser, "BANDWIDTH_WEBHOOK_PASSWORD": c.bwPassword} {
			if err := setenv(k, v); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// providers are the carriers the simulator can text as.
func (c carriers) providers() []string {
	out := []string{twilio.Name}
	if c.telnyxKey != nil {
		out = append(out, telnyx.Name)
	}
	if c.bwUser != "" && c.bwPassword != "" {
		out = append(out, bandwidth.Name)
	}
	return out
}

// report makes the sandbox post Telnyx's and Bandwidth's status callbacks
// as they do (Twilio's it posts itself).
func (c carriers) report(sb *sandbox.Carrier) {
	if c.telnyxKey != nil {
		sb.ReportAs(telnyx.Name, func(callbackURL string, m sandbox.Message, st chat.DeliveryStatus) (*http.Request, error) {
			now := time.Now()
			body := telnyx.DeliveryUpdate("sandbox-"+m.SID+"-"+string(st), m.SID, m.From, m.To, string(st), now)
			return post(callbackURL, body, telnyx.Sign(c.telnyxKey, now, body))
		})
	}
	if c.bwUser != "" {
		words := map[chat.DeliveryStatus]string{chat.DeliverySent: bandwidth.EventSent, chat.DeliveryDelivered: bandwidth.EventDelivered}
		sb.ReportAs(bandwidth.Name, func(callbackURL string, m sandbox.Message, st chat.DeliveryStatus) (*http.Request, error) {
			// Bandwidth posts every status to the application's one
			// OutboundCallbackUrl; the message rides in the send's tag.
			u, err := url.Parse(callbackURL)
			if err != nil {
				return nil, err
			}
			tag := u.RawQuery
			u.RawQuery = ""
			body := bandwidth.StatusCallbackBody(devApplicationID, m.SID, m.From, m.To, words[st], tag, time.Now())
			return post(u.String(), body, bandwidth.Sign(c.bwUser, c.bwPassword))
		})
	}
}

// inbound is a consumer's text as provider posts it to its inbound
// function: the request and the credentials a Basic challenge is
// answered with (Bandwidth).
func (c carriers) inbound(provider string, urls wire.URLs, selfBase, number, consumer, body string) (*http.Request, http.Header, error) {
	now := time.Now()
	id := clock.RandomID()
	switch provider {
	case telnyx.Name:
		if c.telnyxKey == nil {
			return nil, nil, fmt.Errorf("carrier: cannot sign as Telnyx with a configured TELNYX_PUBLIC_KEY")
		}
		b := telnyx.ReceivedEvent("sim-evt-"+id, "sim-"+id, consumer, number, body, now)
		req, err := post(selfBase+"/"+wire.FnTelnyxInbound, b, telnyx.Sign(c.telnyxKey, now, b))
		return req, nil, err
	case bandwidth.Name:
		if c.bwUser == "" {
			return nil, nil, fmt.Errorf("carrier: no Bandwidth callback credentials")
		}
		b := bandwidth.ReceivedCallback(devApplicationID, "sim"+id, consumer, number, body, now)
		req, err := post(selfBase+"/"+wire.FnBandwidthInbound, b, nil)
		return req, bandwidth.Sign(c.bwUser, c.bwPassword), err
	case twilio.Name, "":
		form := url.Values{
			"MessageSid": {"SMsim" + id[:27]}, "AccountSid": {"ACsimulator"},
			"From": {consumer}, "To": {number}, "Body": {body}, "NumMedia": {"0"},
			"NumSegments": {fmt.Sprint(sms.Measure(body).Segments)}, "ApiVersion": {"2010-04-01"},
		}
		// Signed for the public URL, as Twilio would; posted to this
		// process.
		req, err := twilio.SignedRequest(c.twilioToken, urls.PublicFunction(wire.FnTwilioInbound), form)
		if err != nil {
			return nil, nil, err
		}
		req.URL, err = url.Parse(selfBase + "/" + wire.FnTwilioInbound)
		if err != nil {
			return nil, nil, err
		}
		req.Host = req.URL.Host
		return req, nil, nil
	}
	return nil, nil, fmt.Errorf("carrier: %q is not one of %s", provider, strings.Join(c.providers(), ", "))
}

func post(target string, body []byte, header http.Header) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return req, nil
}
