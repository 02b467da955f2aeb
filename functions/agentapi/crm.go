package agentapi

import (
	"errors"
	"net/http"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// CRMChoice is the agent's pick when several CRM contacts have the
// consumer's number: one of the candidates, or a new contact.
type CRMChoice struct {
	ContactID string `json:"contactId,omitempty"`
	Create    bool   `json:"create,omitempty"`
}

// crmRoutes are the chat's CRM panel (GET /chats/{id}/crm: whoever may see
// the chat) and the several-matches choice (POST: the agent holding the
// chat, or a supervisor).
func crmRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/chats/{id}/crm", Handle: getChatCRM},
		{Method: "POST", Path: "/chats/{id}/crm", Handle: chooseChatCRM},
	}
}

// crmChat loads the chat and checks the caller may see it (hold, when
// they must be its agent or a supervisor).
func crmChat(a *Services, w http.ResponseWriter, r *http.Request, hold bool) (chat.Chat, bool) {
	v := ViewerOf(r)
	id := r.PathValue("id")
	c, err := a.Conversation.Store.Chat(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return c, false
	}
	tree, err := a.Conversation.Trees.Tree(r.Context())
	if err != nil {
		Fail(w, r, err)
		return c, false
	}
	switch {
	case hold && !v.Supervisor && (v.AgentID == "" || c.AgentID != v.AgentID):
		Fail(w, r, access.Forbidden("only the agent holding chat %s, or a supervisor, picks its CRM contact", id))
		return c, false
	case !access.CanSee(v, c, tree):
		Fail(w, r, access.Forbidden("chat %s is not yours", id))
		return c, false
	}
	return c, true
}

func getChatCRM(a *Services, w http.ResponseWriter, r *http.Request) {
	if _, ok := crmChat(a, w, r, false); !ok {
		return
	}
	view, err := a.CRM.ViewOf(r.Context(), r.PathValue("id"))
	answer(w, r, view, err)
}

func chooseChatCRM(a *Services, w http.ResponseWriter, r *http.Request) {
	var in CRMChoice
	if !Decode(w, r, "CRMChoice", &in) {
		return
	}
	if _, ok := crmChat(a, w, r, true); !ok {
		return
	}
	v := ViewerOf(r)
	by := v.AgentID
	if by == "" {
		by = v.UID
	}
	_, err := a.CRM.Choose(r.Context(), r.PathValue("id"), by, in.ContactID, in.Create)
	switch {
	case errors.Is(err, crm.ErrBadChoice):
		httpapi.WriteError(w, http.StatusBadRequest, err.Error(), []chat.FieldError{{Field: "contactId", Message: err.Error()}})
		return
	case errors.Is(err, crm.ErrNotCandidate):
		httpapi.WriteError(w, http.StatusBadRequest, err.Error(), []chat.FieldError{{Field: "contactId", Message: err.Error()}})
		return
	case errors.Is(err, crm.ErrOff), errors.Is(err, crm.ErrNotChoosing):
		httpapi.WriteError(w, http.StatusConflict, err.Error(), nil)
		return
	case err != nil:
		Fail(w, r, err)
		return
	}
	view, err := a.CRM.ViewOf(r.Context(), r.PathValue("id"))
	answer(w, r, view, err)
}
