// Package crmenv builds an Env's CRM sync: the adapter saved through
// AdminAPI (settings/crm), else HubSpot when HUBSPOT_ACCESS_TOKEN is set,
// the built-in contacts with CRM_ADAPTER=builtin, the signed webhook with
// CRM_ADAPTER=webhook (off otherwise); its crm/{chatId} links on the
// embedded twin or Firestore, over the Env's store and bus.
package crmenv

import (
	"cmp"
	"context"
	"io"
	"time"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/firecontacts"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
	"github.com/smsdesk/smsdesk/shared/crm/connect"
	"github.com/smsdesk/smsdesk/shared/crm/firelink"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/mediaenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
)

// Service returns the Env's CRM sync. Which CRM it talks to is chosen at
// each call (crm/connect): the adapter an admin saved through AdminAPI
// (settings/crm), else the environment's (HUBSPOT_ACCESS_TOKEN,
// CRM_ADAPTER); with neither the sync does nothing. Its links and
// settings are opened on first use.
func Service(ctx context.Context, e *platform.Env) (*crm.Service, error) {
	return platform.Part(e, "crm", func() (*crm.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		b, err := busenv.Bus(ctx, e)
		if err != nil {
			return nil, err
		}
		conn, err := Connector(ctx, e)
		if err != nil {
			return nil, err
		}
		links, _ := conn.Store.(crm.Store)
		svc := &crm.Service{
			Connector: conn,
			Links:     links, Chats: st, Bus: b, Clock: clock.Clock{},
		}
		if ms, err := mediaenv.Media(ctx, e); err == nil && ms != nil && ms.Bucket != nil {
			svc.Media = bucketMedia{ms.Bucket}
		}
		return svc, nil
	})
}

// bucketMedia reads the consumer's media for the CRM from the media bucket.
type bucketMedia struct{ b media.Bucket }

func (m bucketMedia) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	rc, _, err := m.b.Open(ctx, name)
	return rc, err
}

// Connector is the Env's choice of CRM: settings/crm beside the links,
// the environment's secrets and defaults, the rate limit's tokens in the
// chat store.
func Connector(ctx context.Context, e *platform.Env) (*connect.Connector, error) {
	return platform.Part(e, "crm-connector", func() (*connect.Connector, error) {
		var links interface {
			crm.Store
			crm.SettingsStore
		}
		if e.Config.Backend == config.BackendEmbedded {
			links = memlink.New()
		} else {
			fl, err := firelink.Open(ctx, e.Config.ProjectID)
			if err != nil {
				return nil, err
			}
			e.OnClose(fl.Close)
			links = fl
		}
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		tokens, _ := st.(crm.TokenStore)
		h := e.Config.CRM
		return &connect.Connector{
			Store:   links,
			Default: defaults(h),
			Secrets: connect.Secrets{HubSpotToken: h.HubSpotAccessToken, HubSpotBaseURL: h.HubSpotAPIBaseURL, WebhookSecret: h.WebhookSecret},
			Builtin: func(ctx context.Context) (crm.CRM, error) {
				cs, err := Contacts(ctx, e)
				if err != nil || cs == nil {
					return nil, cmp.Or(err, connect.ErrNoBuiltin)
				}
				return &builtin.Adapter{Store: cs, Clock: clock.Clock{}}, nil
			},
			Tokens: tokens,
		}, nil
	})
}

// defaults are the environment's CRM settings.
func defaults(h config.CRM) crm.Settings {
	s := crm.Settings{
		Adapter: crm.AdapterOff, HubSpotPortalID: h.HubSpotPortalID,
		WebhookURL: h.WebhookURL, WebhookContactURL: h.WebhookContactURL,
		MinConsumerTexts: h.MinConsumerMessages, AppendOpen: h.AppendOpen,
		AppendClosedDays: int(h.AppendClosedWithin / (24 * time.Hour)), RateLimit: h.RateLimit,
	}
	switch {
	case h.Builtin:
		s.Adapter = crm.AdapterBuiltin
	case h.Webhook:
		s.Adapter = crm.AdapterWebhook
	case h.HubSpotAccessToken != "":
		s.Adapter = crm.AdapterHubSpot
	}
	return s
}

// Contacts is the Env's built-in contacts store, opened when the built-in
// contacts are the CRM in use (CRM_ADAPTER=builtin, or chosen in AdminAPI).
func Contacts(ctx context.Context, e *platform.Env) (builtin.Store, error) {
	// Held in a struct: a part may not be a nil interface.
	p, err := platform.Part(e, "crm-contacts", func() (contactsPart, error) {
		if e.Config.Backend == config.BackendEmbedded {
			return contactsPart{memcontacts.New()}, nil
		}
		fc, err := firecontacts.Open(ctx, e.Config.ProjectID)
		if err != nil {
			return contactsPart{}, err
		}
		e.OnClose(fc.Close)
		return contactsPart{fc}, nil
	})
	return p.store, err
}

type contactsPart struct{ store builtin.Store }

// FirstNames renders @{CONSUMER_FIRST_NAME} from the chat's linked
// contact; with no CRM it always renders empty.
func FirstNames(ctx context.Context, e *platform.Env) (builtin.FirstNames, error) {
	svc, err := Service(ctx, e)
	if err != nil || !svc.Enabled() {
		return builtin.FirstNames{}, err
	}
	return builtin.FirstNames{Links: svc.Links, Connector: svc.Connector}, nil
}
