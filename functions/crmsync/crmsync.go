// Package crmsync is the CRMSync function: the Pub/Sub push target of
// chat-events. It syncs each chat event to the CRM (shared/crm): the
// consumer's contact found, created or offered to the agent, the event
// posted once. It never holds up a chat: a CRM outage answers 503 so
// Pub/Sub redelivers with backoff, and after the retry budget the event
// is parked on the chat's crm/{chatId} document with its error.
package crmsync

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnCRMSync

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	svc, err := crmenv.Service(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(svc), nil
}

// New builds the handler.
func New(svc *crm.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		d, err := bus.DecodePush(r)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "malformed Pub/Sub push: "+err.Error())
			return
		}
		ev, err := wire.DecodeEvent(d.Data)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := svc.Apply(r.Context(), ev, d.DeliveryAttempt); err != nil {
			logging.From(r.Context()).WithError(err).WithField("delivery_attempt", d.DeliveryAttempt).
				WithField("event_id", ev.ID).Warn("CRM sync failed; Pub/Sub will redeliver")
			httpx.Error(w, http.StatusServiceUnavailable, "CRM sync failed; retry")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
