// Package chatstats is the ChatStats function: the Pub/Sub push target of
// chat-events. On chat.ended it adds the chat's contribution to the
// statistics counters (shared/stats), once per chat; other events are
// acknowledged. A store failure answers 503 so Pub/Sub redelivers.
package chatstats

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnChatStats

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	svc, err := jobs.Stats(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(svc), nil
}

// New builds the handler.
func New(svc *stats.Service) http.Handler {
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
		if err := svc.Apply(r.Context(), ev); err != nil {
			logging.From(r.Context()).WithError(err).WithField("event_id", ev.ID).Warn("stats not counted; Pub/Sub will redeliver")
			httpx.Error(w, http.StatusServiceUnavailable, "stats not counted; retry")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
