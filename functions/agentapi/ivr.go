package agentapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
)

// ivrRoutes are the voice-blended routes: a queue's estimated wait, and
// the links an agent sends during a call (in-call SMS, the app link).
func ivrRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/queues/{id}/ewt", Handle: getQueueEWT},
		{Method: "GET", Path: "/incall/links", Handle: getInCallLinks},
		{Method: "POST", Path: "/chats/{id}/link", Requires: access.ActReply, Handle: postCallLink},
		{Method: "POST", Path: "/chats/{id}/app-link", Requires: access.ActReply, Handle: postAppLink},
	}
}

// QueueEWT is a queue's estimated wait for a new chat.
type QueueEWT struct {
	QueueID string `json:"queueId"`
	// Minutes is -1 when no agent of the queue is available.
	Minutes   int  `json:"minutes"`
	QueueSize int  `json:"queueSize"`
	Known     bool `json:"known"`
}

func ivrService(w http.ResponseWriter, a *Services) (*ivr.Service, bool) {
	if a.IVR == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "voice blending is not available on this deployment", nil)
		return nil, false
	}
	return a.IVR, true
}

func getQueueEWT(a *Services, w http.ResponseWriter, r *http.Request) {
	svc, ok := ivrService(w, a)
	if !ok {
		return
	}
	id := r.PathValue("id")
	tree, err := svc.Trees.Tree(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	if _, ok := tree.Queue(id); !ok {
		httpapi.WriteError(w, http.StatusNotFound, fmt.Sprintf("id: no queue %q", id), nil)
		return
	}
	est, err := svc.EWT(r.Context(), id)
	answer(w, r, QueueEWT{QueueID: id, Minutes: est.Minutes(), QueueSize: est.QueueSize, Known: !est.Unstaffed}, err)
}

// InCallLinks are what an agent may send during a call.
type InCallLinks struct {
	Links []chat.Link `json:"links"`
	// AppLink: the business has an app link to send (POST /chats/{id}/app-link).
	AppLink bool `json:"appLink"`
}

func getInCallLinks(a *Services, w http.ResponseWriter, r *http.Request) {
	svc, ok := ivrService(w, a)
	if !ok {
		return
	}
	tree, err := svc.Trees.Tree(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, InCallLinks{Links: append([]chat.Link{}, tree.Settings.InCallLinks...), AppLink: tree.Settings.AppLink != ""})
}

// LinkRequest sends a mobile-web link in a call's chat: a preset
// (linkId) or a custom https URL, after an optional text.
type LinkRequest struct {
	LinkID    string `json:"linkId,omitempty"`
	URL       string `json:"url,omitempty"`
	Text      string `json:"text,omitempty"`
	RequestID string `json:"requestId"`
}

// callChat reads the chat named by the path: a chat of a voice call.
func callChat(svc *ivr.Service, w http.ResponseWriter, r *http.Request) (chat.Chat, *chat.Tree, bool) {
	c, err := svc.Store.Chat(r.Context(), r.PathValue("id"))
	if err != nil {
		Fail(w, r, err)
		return chat.Chat{}, nil, false
	}
	if c.CallID == "" {
		httpapi.WriteError(w, http.StatusConflict, ivr.ErrNotCallChat.Error(), nil)
		return chat.Chat{}, nil, false
	}
	tree, err := svc.Trees.Tree(r.Context())
	if err != nil {
		Fail(w, r, err)
		return chat.Chat{}, nil, false
	}
	return c, tree, true
}

func postCallLink(a *Services, w http.ResponseWriter, r *http.Request) {
	svc, ok := ivrService(w, a)
	if !ok {
		return
	}
	var in LinkRequest
	if !Decode(w, r, "LinkRequest", &in) {
		return
	}
	c, tree, ok := callChat(svc, w, r)
	if !ok {
		return
	}
	link := strings.TrimSpace(in.URL)
	text := in.Text
	switch {
	case in.LinkID != "" && link != "":
		httpapi.WriteError(w, http.StatusBadRequest, "linkId or url, not both", nil)
		return
	case in.LinkID != "":
		i := slices.IndexFunc(tree.Settings.InCallLinks, func(l chat.Link) bool { return l.ID == in.LinkID })
		if i < 0 {
			httpapi.WriteError(w, http.StatusBadRequest, fmt.Sprintf("linkId: no preset link %q (GET /incall/links)", in.LinkID), nil)
			return
		}
		link, text = tree.Settings.InCallLinks[i].URL, cmp.Or(text, tree.Settings.InCallLinks[i].Title)
	default:
		if u, err := url.Parse(link); err != nil || u.Scheme != "https" || u.Host == "" {
			httpapi.WriteError(w, http.StatusBadRequest, fmt.Sprintf("url: must be an https URL, got %q", in.URL), nil)
			return
		}
	}
	m, err := a.Conversation.Reply(r.Context(), ViewerOf(r), c.ID, conversation.ReplyInput{Body: joinLink(text, link), RequestID: in.RequestID})
	answer(w, r, m, err)
}

// joinLink puts the link after the text, on its own line, so phones
// make it tappable.
func joinLink(text, link string) string {
	if text = strings.TrimSpace(text); text == "" {
		return link
	}
	return text + "\n" + link
}

// AppLinkRequest sends the business's app link with a one-time token.
type AppLinkRequest struct {
	Text      string `json:"text,omitempty"`
	RequestID string `json:"requestId"`
}

// AppLinkSent is the text sent and when its token expires.
type AppLinkSent struct {
	Message   chat.Message `json:"message"`
	ExpiresAt time.Time    `json:"expiresAt"`
}

func postAppLink(a *Services, w http.ResponseWriter, r *http.Request) {
	svc, ok := ivrService(w, a)
	if !ok {
		return
	}
	var in AppLinkRequest
	if !Decode(w, r, "AppLinkRequest", &in) {
		return
	}
	c, tree, ok := callChat(svc, w, r)
	if !ok {
		return
	}
	if tree.Settings.AppLink == "" {
		httpapi.WriteError(w, http.StatusConflict, "no app link is configured (settings.appLink)", nil)
		return
	}
	v := ViewerOf(r)
	if c.Status != chat.StatusActive || c.AgentID != v.AgentID || v.AgentID == "" {
		// Checked before a token is made; Reply checks it again.
		Fail(w, r, chat.ErrNotAssigned)
		return
	}
	link, err := svc.IssueAppLink(r.Context(), tree.Settings.AppLink, c, v.AgentID)
	if errors.Is(err, ivr.ErrNotCallChat) {
		httpapi.WriteError(w, http.StatusConflict, err.Error(), nil)
		return
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	m, err := a.Conversation.Reply(r.Context(), v, c.ID, conversation.ReplyInput{Body: joinLink(cmp.Or(in.Text, "Open the app:"), link.URL), RequestID: in.RequestID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, AppLinkSent{Message: m, ExpiresAt: link.ExpiresAt})
}

// ivrOf is the Env's IVR use case; nil where the store keeps no IVR
// records (the routes then say voice blending is not available).
func ivrOf(ctx context.Context, e *platform.Env) *ivr.Service {
	svc, err := jobs.IVR(ctx, e)
	if err != nil {
		return nil
	}
	return svc
}

// ivrFromSet is the IVR use case over a composed set's conversation.
func ivrFromSet(s jobs.Set) *ivr.Service {
	if s.Conversation == nil {
		return nil
	}
	is, ok := s.Conversation.Store.(ivr.Store)
	if !ok {
		return nil
	}
	return &ivr.Service{Store: is, Trees: s.Conversation.Trees, Start: s.Conversation, Clock: s.Conversation.Clock}
}
