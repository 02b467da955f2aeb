package adminapi

import (
	"net/http"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// Canned messages: the admin pages edit them here, with the configuration's
// revision precondition (admin.Service.PutCanned); supervisors keep their
// AgentAPI routes, which write the same documents through the same check.

// cannedErrs answers the canned routes: a refused canned message is not a
// refused configuration.
var cannedErrs = apiErrors{httpapi.Errors{
	API:     Name,
	Invalid: func(*chat.ValidationError) string { return "invalid canned message: it was not saved" },
}}

// CannedPreview answers POST /canned/preview: the message as an agent
// would send it, for a consumer whose first name is known and for one
// whose is not.
type CannedPreview struct {
	Texts []PreviewText `json:"texts"`
}

func (s *server) cannedRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("GET", "/canned", func(w http.ResponseWriter, r *http.Request) {
			cs, err := s.app.CannedMessages(r.Context())
			cannedErrs.Answer(w, r, cs, err)
		}),
		route("PUT", "/canned/{id}", func(w http.ResponseWriter, r *http.Request) {
			var in chat.Canned
			if !bodies.Decode(w, r, "Canned", &in) {
				return
			}
			if !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
				return
			}
			out, err := s.app.PutCanned(r.Context(), in)
			cannedErrs.Answer(w, r, out, err)
		}),
		route("DELETE", "/canned/{id}", func(w http.ResponseWriter, r *http.Request) {
			cannedErrs.Deleted(w, r, s.app.DeleteCanned(r.Context(), r.PathValue("id")))
		}),
		route("POST", "/canned/preview", s.previewCanned),
	}
}

func (s *server) previewCanned(w http.ResponseWriter, r *http.Request) {
	var in chat.Canned
	if !bodies.Decode(w, r, "Canned", &in) {
		return
	}
	samples, err := s.app.PreviewCanned(r.Context(), in)
	if err != nil {
		cannedErrs.Fail(w, r, err)
		return
	}
	out := CannedPreview{Texts: []PreviewText{}}
	for _, c := range samples {
		t := measured(in.Language, "", c.Text)
		t.Case = c.Case
		out.Texts = append(out.Texts, t)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}
