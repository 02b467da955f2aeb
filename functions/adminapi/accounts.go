package adminapi

import (
	"errors"
	"net/http"
	"os"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/admin/identity"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Agents' sign-in accounts (admin.Accounts): invite, password reset, the
// account's state, deactivate and reactivate.

// InviteRequest is the body of POST /agents/{id}/invite.
type InviteRequest struct {
	// Role is the role claim: agent, supervisor or admin.
	Role auth.Role `json:"role"`
}

// AgentActivity answers deactivate and reactivate: the agent as stored
// and, when there is one, the account.
type AgentActivity struct {
	Agent   chat.Agent     `json:"agent"`
	Account *admin.Account `json:"account,omitempty"`
}

// accountsFor are the accounts of an Env: Identity Platform when people
// sign in with it, or when the Auth emulator is running (the Admin SDK
// reads FIREBASE_AUTH_EMULATOR_HOST itself); none on a dev server that
// signs people in without accounts.
func accountsFor(e *platform.Env) admin.Accounts {
	if e.Config.Auth == config.AuthFirebase || os.Getenv(auth.EmulatorHostEnv) != "" {
		return identity.New(e.Config.ProjectID)
	}
	return nil
}

var accountErrs = apiErrors{httpapi.Errors{
	API:     Name,
	Invalid: func(*chat.ValidationError) string { return "the account was not changed" },
}}

func failAccount(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, admin.ErrNoAccounts):
		httpapi.WriteError(w, http.StatusNotImplemented, err.Error(), nil)
	case errors.Is(err, admin.ErrNoAccount):
		httpapi.WriteError(w, http.StatusNotFound, "the agent's email has no sign-in account yet: invite them", []chat.FieldError{{Field: "email", Message: "no account"}})
	default:
		accountErrs.Fail(w, r, err)
	}
}

func answerAccount(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		failAccount(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

func (s *server) accountRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("GET", "/agents/{id}/account", func(w http.ResponseWriter, r *http.Request) {
			acc, err := s.app.AgentAccount(r.Context(), r.PathValue("id"))
			answerAccount(w, r, acc, err)
		}),
		route("POST", "/agents/{id}/invite", func(w http.ResponseWriter, r *http.Request) {
			var in InviteRequest
			if !bodies.Decode(w, r, "InviteRequest", &in) {
				return
			}
			acc, err := s.app.InviteAgent(r.Context(), r.PathValue("id"), in.Role)
			answerAccount(w, r, acc, err)
		}),
		route("POST", "/agents/{id}/password-reset", func(w http.ResponseWriter, r *http.Request) {
			acc, err := s.app.ResetPassword(r.Context(), r.PathValue("id"))
			answerAccount(w, r, acc, err)
		}),
		route("POST", "/agents/{id}/deactivate", s.activity(false)),
		route("POST", "/agents/{id}/reactivate", s.activity(true)),
	}
}

func (s *server) activity(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ag, acc, err := s.app.SetAgentActive(r.Context(), r.PathValue("id"), active)
		answerAccount(w, r, AgentActivity{Agent: ag, Account: acc}, err)
	}
}
