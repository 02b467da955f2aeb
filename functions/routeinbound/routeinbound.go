// Package routeinbound is the RouteInbound function: the Pub/Sub push
// target of sms-inbound. It applies each consumer text to its chat (consent,
// commands, transcript) and enqueues the replies. A non-2xx answer makes
// Pub/Sub redeliver; the use case is idempotent per message.
package routeinbound

import (
	"encoding/json"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Name is the function's name and path.
const Name = app.FnRouteInbound

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, func(d *platform.Deps) http.Handler { return New(d.App) })

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// New builds the handler.
func New(a *app.App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		d, err := bus.DecodePush(r)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "malformed Pub/Sub push: "+err.Error())
			return
		}
		var in chat.Inbound
		if err := json.Unmarshal(d.Data, &in); err != nil {
			httpx.Error(w, http.StatusBadRequest, "message.data is not an inbound message: "+err.Error())
			return
		}
		if in.ID == "" || in.Number == "" || in.Consumer == "" {
			httpx.Error(w, http.StatusBadRequest, "message.data lacks id, number or consumer")
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"provider": in.Provider, "provider_message_id": in.ProviderMessageID})
		ctx = app.WithDeliveryAttempt(ctx, d.DeliveryAttempt)
		if err := a.RouteInbound(ctx, in); err != nil {
			logging.From(ctx).WithError(err).WithField("delivery_attempt", d.DeliveryAttempt).Error("routing failed; Pub/Sub will redeliver")
			httpx.Error(w, http.StatusInternalServerError, "routing failed; retry")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
