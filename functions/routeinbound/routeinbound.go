// Package routeinbound is the RouteInbound function: the Pub/Sub push
// target of sms-inbound. It applies each consumer text to its chat (consent,
// commands, transcript) and enqueues the replies. A non-2xx answer makes
// Pub/Sub redeliver; the use case is idempotent per message.
package routeinbound

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat/langdetect"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnRouteInbound

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	conv, err := jobs.Conversation(ctx, e)
	if err != nil {
		return nil, err
	}
	if conv.Detector == nil {
		// Only this function links the detector's models; every other
		// function builds the same service without it.
		conv.Detector = langdetect.New()
	}
	return New(conv), nil
}

// New builds the handler.
func New(conv *conversation.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		d, err := bus.DecodePush(r)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "malformed Pub/Sub push: "+err.Error())
			return
		}
		in, err := wire.DecodeInbound(d.Data)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"provider": in.Provider, "provider_message_id": in.ProviderMessageID})
		ctx = media.WithDeliveryAttempt(ctx, d.DeliveryAttempt)
		if err := conv.RouteInbound(ctx, in); err != nil {
			logging.From(ctx).WithError(err).WithField("delivery_attempt", d.DeliveryAttempt).Error("routing failed; Pub/Sub will redeliver")
			httpx.Error(w, http.StatusInternalServerError, "routing failed; retry")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
