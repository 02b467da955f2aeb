// Package jobs builds an Env's use-case services from its clients, once
// per Env: the routing configuration cache, conversation, the console's
// read models and the configuration use cases. Sending (with carriers) is
// built by SendSMS itself, so only it links the carriers' clients.
package jobs

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/platform/mediaenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/tasksenv"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Conversation returns the Env's conversation service.
func Conversation(ctx context.Context, e *platform.Env) (*conversation.Service, error) {
	return platform.Part(e, "conversation", func() (*conversation.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		b, err := busenv.Bus(ctx, e)
		if err != nil {
			return nil, err
		}
		tq, err := tasksenv.Tasks(ctx, e)
		if err != nil {
			return nil, err
		}
		md, err := mediaenv.Media(ctx, e)
		if err != nil {
			return nil, err
		}
		trees, err := Trees(ctx, e)
		if err != nil {
			return nil, err
		}
		names, err := crmenv.FirstNames(ctx, e)
		if err != nil {
			return nil, err
		}
		return &conversation.Service{
			Store: st, Trees: trees, Bus: b, Tasks: tq, URLs: e.URLs(), Media: md, Names: consumerNames(names),
			// Conversation only enqueues sends; SendSMS sends them.
			Delivery: &delivery.Service{Store: st, Tasks: tq, URLs: e.URLs(), Media: md},
		}, nil
	})
}

// consumerNames is nil without CRM sync, so nothing is read for
// @{CONSUMER_FIRST_NAME}.
func consumerNames(f builtin.FirstNames) conversation.ConsumerNames {
	if f.Links == nil || f.Connector == nil {
		return nil
	}
	return f
}

// Trees returns the Env's routing configuration cache.
func Trees(ctx context.Context, e *platform.Env) (*configtree.Cache, error) {
	return platform.Part(e, "trees", func() (*configtree.Cache, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		return configtree.New(st), nil
	})
}

// Desk returns the Env's console read models.
func Desk(ctx context.Context, e *platform.Env) (*desk.Service, error) {
	return platform.Part(e, "desk", func() (*desk.Service, error) {
		conv, err := Conversation(ctx, e)
		if err != nil {
			return nil, err
		}
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		return &desk.Service{Store: st, Trees: conv.Trees, Media: conv.Media, Conversation: conv}, nil
	})
}

// Admin returns the Env's configuration use cases.
func Admin(ctx context.Context, e *platform.Env) (*admin.Service, error) {
	return platform.Part(e, "admin", func() (*admin.Service, error) {
		conv, err := Conversation(ctx, e)
		if err != nil {
			return nil, err
		}
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		keys, err := APIKeys(ctx, e)
		if err != nil {
			return nil, err
		}
		return &admin.Service{Store: st, Statuses: conv, Keys: keys}, nil
	})
}

// Set is every use case over one set of clients.
type Set struct {
	Intake       *intake.Service
	Conversation *conversation.Service
	Delivery     *delivery.Service
	Desk         *desk.Service
	Admin        *admin.Service
	Media        *media.Service
	Outbound     *outbound.Service
	Stats        *stats.Service // nil when the store keeps no statistics
}

// Clients are what a Set is composed over. Media may be nil (media off);
// Senders may be nil where nothing sends.
type Clients struct {
	Store   store.Store
	Bus     bus.Publisher
	Tasks   tasks.Scheduler
	URLs    wire.URLs
	Media   *media.Service
	Senders map[string]carrier.Sender
	Clock   clock.Clock
}

// Compose wires every use case over c, for tests and tools that hold
// their clients themselves.
func Compose(c Clients) Set {
	md := c.Media
	if md == nil {
		md = &media.Service{Store: c.Store, Clock: c.Clock}
	}
	d := &delivery.Service{Store: c.Store, Tasks: c.Tasks, Carriers: c.Senders, URLs: c.URLs, Media: md,
		Pacing: pacing.Reserver{Store: c.Store, Clock: c.Clock}, Clock: c.Clock}
	conv := &conversation.Service{
		Store: c.Store, Trees: configtree.New(c.Store), Bus: c.Bus, Tasks: c.Tasks, URLs: c.URLs,
		Delivery: d, Media: md, Clock: c.Clock,
	}
	return Set{
		Intake:       &intake.Service{Store: c.Store, Bus: c.Bus, Clock: c.Clock},
		Conversation: conv,
		Delivery:     d,
		Desk:         &desk.Service{Store: c.Store, Trees: conv.Trees, Media: md, Conversation: conv, Clock: c.Clock},
		Admin:        &admin.Service{Store: c.Store, Statuses: conv, Keys: keysOf(c.Store, c.Clock)},
		Media:        md,
		Outbound: &outbound.Service{Store: c.Store, Trees: conv.Trees, Conversation: conv,
			Pacing: pacing.Reserver{Store: c.Store, Clock: c.Clock}, Clock: c.Clock},
		Stats: statsOf(c.Store),
	}
}

// Outbound returns the Env's outbound service (agent-initiated chats,
// OutboundAPI sessions and sessionless batches).
func Outbound(ctx context.Context, e *platform.Env) (*outbound.Service, error) {
	return platform.Part(e, "outbound", func() (*outbound.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		conv, err := Conversation(ctx, e)
		if err != nil {
			return nil, err
		}
		return &outbound.Service{Store: st, Trees: conv.Trees, Conversation: conv, Pacing: pacing.Reserver{Store: st}}, nil
	})
}
