// Package crmenv builds an Env's CRM sync: HubSpot when
// HUBSPOT_ACCESS_TOKEN is set, the built-in contacts with
// CRM_ADAPTER=builtin (off otherwise), its crm/{chatId} links on the
// embedded twin or Firestore, over the Env's store and bus.
package crmenv

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/firecontacts"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
	"github.com/smsdesk/smsdesk/shared/crm/firelink"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
)

// Service returns the Env's CRM sync; with no CRM configured it is off
// (Enabled false) and opens nothing.
func Service(ctx context.Context, e *platform.Env) (*crm.Service, error) {
	return platform.Part(e, "crm", func() (*crm.Service, error) {
		h := e.Config.CRM
		if !h.Enabled() {
			return &crm.Service{}, nil
		}
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		b, err := busenv.Bus(ctx, e)
		if err != nil {
			return nil, err
		}
		var links crm.Store
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
		var adapter crm.CRM
		if h.Builtin {
			cs, err := Contacts(ctx, e)
			if err != nil {
				return nil, err
			}
			adapter = &builtin.Adapter{Store: cs, Clock: clock.Clock{}}
		} else {
			adapter = hubspot.New(h.HubSpotAPIBaseURL, h.HubSpotAccessToken, h.HubSpotPortalID)
		}
		return &crm.Service{
			CRM:   adapter,
			Links: links, Chats: st, Bus: b, Clock: clock.Clock{},
			Rules: crm.Rules{MinConsumerMessages: h.MinConsumerMessages, AppendOpen: h.AppendOpen, AppendClosedWithin: h.AppendClosedWithin},
		}, nil
	})
}

// Contacts is the Env's built-in contacts store, nil unless
// CRM_ADAPTER=builtin.
func Contacts(ctx context.Context, e *platform.Env) (builtin.Store, error) {
	// Held in a struct: a part may not be a nil interface.
	p, err := platform.Part(e, "crm-contacts", func() (contactsPart, error) {
		if !e.Config.CRM.Builtin {
			return contactsPart{}, nil
		}
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
	cs, err := Contacts(ctx, e)
	if err != nil {
		return builtin.FirstNames{}, err
	}
	return builtin.FirstNames{Links: svc.Links, Contacts: cs}, nil
}
