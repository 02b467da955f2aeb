// Package crmenv builds an Env's CRM sync: HubSpot when
// HUBSPOT_ACCESS_TOKEN is set (off otherwise), its crm/{chatId} links on
// the embedded twin or Firestore, over the Env's store and bus.
package crmenv

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/crm"
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
		return &crm.Service{
			CRM:   hubspot.New(h.HubSpotAPIBaseURL, h.HubSpotAccessToken, h.HubSpotPortalID),
			Links: links, Chats: st, Bus: b, Clock: clock.Clock{},
			Rules: crm.Rules{MinConsumerMessages: h.MinConsumerMessages, AppendOpen: h.AppendOpen, AppendClosedWithin: h.AppendClosedWithin},
		}, nil
	})
}
