package adminapi

import (
	"errors"
	"net/http"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

// ivrErrs answers the IVR queue routes' errors.
var ivrErrs = httpapi.Errors{
	API:     Name,
	Invalid: func(*chat.ValidationError) string { return "invalid IVR queue: nothing was saved" },
}

// ivrRoutes edit the IVR queues' SMS deflection (ivrQueues/{id}), read by
// IVRWebhook.
func (s *server) ivrRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("GET", "/ivrQueues", func(w http.ResponseWriter, r *http.Request) {
			qs, err := s.ivr().List(r.Context())
			failIVR(w, r, qs, err)
		}),
		route("GET", "/ivrQueues/{id}", func(w http.ResponseWriter, r *http.Request) {
			q, err := s.ivr().Get(r.Context(), r.PathValue("id"))
			failIVR(w, r, q, err)
		}),
		route("PUT", "/ivrQueues/{id}", func(w http.ResponseWriter, r *http.Request) {
			var in ivrrec.Queue
			if !bodies.Decode(w, r, "IVRQueue", &in) {
				return
			}
			if !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
				return
			}
			q, err := s.ivr().Put(r.Context(), in)
			failIVR(w, r, q, err)
		}),
		route("DELETE", "/ivrQueues/{id}", func(w http.ResponseWriter, r *http.Request) {
			if err := s.ivr().Delete(r.Context(), r.PathValue("id")); err != nil {
				failIVR(w, r, nil, err)
				return
			}
			httpapi.NoContent(w)
		}),
	}
}

// ivr is the IVR queue configuration over the admin service's store.
func (s *server) ivr() *ivr.Configs {
	st, _ := s.app.Store.(ivrrec.Store)
	return &ivr.Configs{Store: st, Config: s.app}
}

// failIVR answers v, or err; a store without IVR records is 503.
func failIVR(w http.ResponseWriter, r *http.Request, v any, err error) {
	if errors.Is(err, ivr.ErrNoIVRStore) {
		httpapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), nil)
		return
	}
	ivrErrs.Answer(w, r, v, err)
}
