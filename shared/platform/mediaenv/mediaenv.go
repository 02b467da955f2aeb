// Package mediaenv builds an Env's MMS media service: the in-memory bucket
// on the embedded backend, the MEDIA_BUCKET bucket (or the emulator at
// STORAGE_EMULATOR_HOST) on the google backend, or none when MEDIA_BUCKET
// is unset there.
package mediaenv

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/media/gcs"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/bandwidthenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
)

// Path is where the embedded bucket's signed URLs point, under
// PUBLIC_BASE_URL.
const Path = "/Media"

type built struct {
	svc     *media.Service
	handler http.Handler
}

func build(ctx context.Context, e *platform.Env) (built, error) {
	return platform.Part(e, "media", func() (built, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return built{}, err
		}
		b := built{svc: &media.Service{Store: st, Access: access(e), AllowLoopback: localCarrierAPI(e.Config)}}
		switch cfg := e.Config; {
		case cfg.Backend == config.BackendEmbedded:
			mm, err := memmedia.New(memmedia.Options{BaseURL: cfg.PublicBaseURL + Path})
			if err != nil {
				return built{}, fmt.Errorf("embedded media store: %w", err)
			}
			b.svc.Bucket, b.handler = mm, mm.Handler()
		case cfg.MediaBucket == "":
			e.Logger.Warn("MMS media are off: MEDIA_BUCKET is not set, so consumers' media keep the carrier's URLs and agents cannot attach images")
		default:
			bucket, err := gcs.New(ctx, gcs.Options{Bucket: cfg.MediaBucket, EmulatorHost: cfg.StorageEmulatorHost})
			if err != nil {
				return built{}, fmt.Errorf("media bucket %s: %w", cfg.MediaBucket, err)
			}
			e.OnClose(bucket.Close)
			b.svc.Bucket = bucket
		}
		return b, nil
	})
}

// Media returns the Env's media service; its Bucket is nil when media are
// off.
func Media(ctx context.Context, e *platform.Env) (*media.Service, error) {
	b, err := build(ctx, e)
	return b.svc, err
}

// Handler serves the embedded bucket's signed URLs, to mount at Path; nil
// on the google backend, where Cloud Storage serves its own.
func Handler(ctx context.Context, e *platform.Env) (http.Handler, error) {
	b, err := build(ctx, e)
	return b.handler, err
}

// access says where each provider's media URLs may lead and how their
// downloads authenticate (Bandwidth's with the API Credential's access
// token). Twilio's hosts are known even without an account
// (the sandbox carrier takes Twilio-shaped webhooks); its credentials are
// sent only when both are configured.
func access(e *platform.Env) map[string]carrier.MediaAccess {
	cfg := e.Config
	return map[string]carrier.MediaAccess{
		twilio.Name:    twilio.MediaAccess(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioAPIBaseURL),
		telnyx.Name:    telnyx.MediaAccess(cfg.TelnyxAPIBaseURL),
		bandwidth.Name: bandwidth.MediaAccess(bandwidthenv.Tokens(e), cfg.BandwidthAPIBaseURL),
	}
}

// localCarrierAPI reports whether TWILIO_API_BASE_URL is a stand-in on
// this machine (tests, scripts/dev against a local mock). Only then may
// media downloads reach loopback addresses: the stand-ins serve media
// there. In production the API is Twilio's, and loopback, like every
// address that is not public, is refused.
func localCarrierAPI(cfg config.Config) bool {
	u, err := url.Parse(cfg.TwilioAPIBaseURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
