package adminapi

import (
	"errors"
	"net/http"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// APIKeyRequest is the body of POST /apiKeys.
type APIKeyRequest struct {
	Name    string         `json:"name"`
	Numbers []string       `json:"numbers"`
	Scopes  []apikey.Scope `json:"scopes"`
	// RatePerSecond is requests per second; 0 or absent: 10.
	RatePerSecond int `json:"ratePerSecond,omitempty"`
}

// APIKeyCreated answers POST /apiKeys: the key and its secret, which is
// never shown again.
type APIKeyCreated struct {
	Key    apikey.View `json:"key"`
	Secret string      `json:"secret"`
}

// keyErrs answers the key routes' errors: a refused key is not a refused
// configuration.
var keyErrs = httpapi.Errors{
	API:     Name,
	Invalid: func(*chat.ValidationError) string { return "invalid API key: nothing was saved" },
}

func (s *server) keyRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("POST", "/apiKeys", s.createKey),
		route("GET", "/apiKeys", s.listKeys),
		route("DELETE", "/apiKeys/{id}", s.revokeKey),
	}
}

// failKey answers a key route's error; a store without API keys is 503.
func failKey(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, admin.ErrNoKeys) {
		httpapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), nil)
		return
	}
	keyErrs.Fail(w, r, err)
}

func (s *server) createKey(w http.ResponseWriter, r *http.Request) {
	var in APIKeyRequest
	if !bodies.Decode(w, r, "APIKeyRequest", &in) {
		return
	}
	p, _ := auth.From(r.Context())
	by := p.Email
	if by == "" {
		by = p.UID
	}
	k, secret, err := s.app.CreateAPIKey(r.Context(), apikey.Key{
		Name: in.Name, Numbers: in.Numbers, Scopes: in.Scopes, RatePerSecond: in.RatePerSecond, CreatedBy: by,
	})
	if err != nil {
		failKey(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, APIKeyCreated{Key: apikey.ViewOf(k), Secret: secret})
}

func (s *server) listKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := s.app.APIKeys(r.Context())
	if err != nil {
		failKey(w, r, err)
		return
	}
	views := make([]apikey.View, len(ks))
	for i, k := range ks {
		views[i] = apikey.ViewOf(k)
	}
	httpapi.WriteJSON(w, http.StatusOK, views)
}

func (s *server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if err := s.app.RevokeAPIKey(r.Context(), r.PathValue("id")); err != nil {
		failKey(w, r, err)
		return
	}
	httpapi.NoContent(w)
}
