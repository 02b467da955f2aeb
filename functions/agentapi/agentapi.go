// Package agentapi is the AgentAPI function: the JSON API agents and
// supervisors work in from the console — their inbox, a chat's transcript
// with consent and delivery status, accepting, declining, replying
// (custom or canned), transferring and ending chats, agent status, canned
// messages, a consumer's history and the segment counter. The contract is
// shared/api/openapi.yaml, served at GET /AgentAPI/openapi.yaml.
//
// Every request but the OpenAPI document carries a Firebase ID token
// (Authorization: Bearer) of an agent, supervisor or admin; admins act as
// supervisors. Who may see and do what is decided by the app layer
// (access.CanSee, access.Authorize): an agent acting on a chat that is not theirs
// gets 403, a chat in the wrong state for the action (ended, no longer
// offered, a transfer pending) 409.
//
// New also takes routes with WithRoutes (tests).
package agentapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/stats/monitor"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnAgentAPI

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

// Services are the use cases AgentAPI calls.
type Services struct {
	Conversation *conversation.Service
	Desk         *desk.Service
	Media        *media.Service
	Outbound     *outbound.Service
	CRM          *crm.Service // nil or off: GET /chats/{id}/crm says disabled
	Stats        *stats.Service
	Monitor      *monitor.Service // nil where Stats is: the monitoring and report routes answer 503
	IVR          *ivr.Service     // nil: the voice-blending routes answer 503
}

// FromSet takes AgentAPI's services from a composed set.
func FromSet(s jobs.Set) *Services {
	return &Services{Conversation: s.Conversation, Desk: s.Desk, Media: s.Media, Outbound: s.Outbound, IVR: ivrFromSet(s), Stats: s.Stats,
		Monitor: monitorOf(s.Stats, s.Desk.Clock)}
}

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	d, err := jobs.Desk(ctx, e)
	if err != nil {
		return nil, err
	}
	guard, err := authenv.Guard(e)
	if err != nil {
		return nil, err
	}
	// The console is served at PUBLIC_BASE_URL/Console: its origin is
	// allowed even where a proxy presents the API with another Host.
	origins := append([]string{e.Config.PublicBaseURL}, e.Config.ConsoleOrigins...)
	ob, err := jobs.Outbound(ctx, e)
	if err != nil {
		return nil, err
	}
	cs, err := crmenv.Service(ctx, e)
	if err != nil {
		return nil, err
	}
	sts, err := jobs.Stats(ctx, e)
	if err != nil {
		return nil, err
	}
	svc := &Services{Conversation: d.Conversation, Desk: d, Media: d.Media, Outbound: ob, CRM: cs, Stats: sts, IVR: ivrOf(ctx, e), Monitor: monitorOf(sts, d.Clock)}
	return New(svc, guard, AllowOrigins(origins...)), nil
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// MaxBodyBytes bounds a request body: a reply is at most 1,600 characters
// (6.4 KB in UTF-8) with ten media references.
const MaxBodyBytes = 64 << 10

// Route is one method and path the API serves, as written in the OpenAPI
// document (without the /AgentAPI prefix).
type Route struct {
	Method string
	Path   string
	// Public routes are served without a token (the OpenAPI document).
	Public bool
	// Supervisor routes admit supervisors and admins only.
	Supervisor bool
	// Requires, when set, is the action the caller must be allowed to take
	// on the chat named by the path's {id} (access.Authorize) before Handle
	// runs: an upload of media for a reply requires access.ActReply.
	Requires access.Action
	// Handle serves the route with the App the handler was built with. The
	// request's context carries the caller (ViewerOf, auth.From).
	Handle func(a *Services, w http.ResponseWriter, r *http.Request)
}

// Option configures New.
type Option func(*options)

type options struct {
	origins []string
	routes  []Route
}

// AllowOrigins lets browsers on these origins (scheme://host[:port], as
// CONSOLE_ORIGINS lists them) call the API, besides the API's own host.
func AllowOrigins(origins ...string) Option {
	return func(o *options) { o.origins = append(o.origins, origins...) }
}

// WithRoutes serves more routes (tests; features built outside this
// package).
func WithRoutes(routes ...Route) Option {
	return func(o *options) { o.routes = append(o.routes, routes...) }
}

// ErrorBody is every error answer: a message for the person, and for a
// refused request body one problem per field.
type ErrorBody = httpapi.ErrorBody

// RequiredFields are the members a request body must spell out, by schema
// name; the OpenAPI document's "required" lists say the same (a test
// checks).
var RequiredFields = map[string][]string{
	"StatusRequest":   {"status"},
	"ReplyRequest":    {"requestId"},
	"MeasureRequest":  {"body"},
	"Canned":          {"title", "body"},
	"OutboundRequest": {"number", "consumer", "requestId"},
	"LinkRequest":     {"requestId"},
	"AppLinkRequest":  {"requestId"},
	"NoteRequest":     {"body", "requestId"},
}

// bodies reads the API's request bodies; errs answers its use cases'
// errors.
var (
	bodies = httpapi.Bodies{MaxBytes: MaxBodyBytes, Required: RequiredFields}
	errs   = httpapi.Errors{API: Name}
)

// routes are the API's own routes.
func routes() []Route {
	return []Route{
		{Method: "GET", Path: httpapi.OpenAPIPath, Public: true, Handle: func(_ *Services, w http.ResponseWriter, r *http.Request) {
			httpapi.ServeOpenAPI(w, r)
		}},
		{Method: "GET", Path: "/me", Handle: getMe},
		{Method: "PUT", Path: "/me/status", Handle: putMyStatus},
		{Method: "GET", Path: "/agents", Handle: listAgents},
		{Method: "GET", Path: "/transfer-targets", Handle: getTransferTargets},
		{Method: "PUT", Path: "/agents/{id}/status", Supervisor: true, Handle: putAgentStatus},
		{Method: "GET", Path: "/inbox", Handle: getInbox},
		{Method: "GET", Path: "/chats/{id}", Handle: getChat},
		{Method: "POST", Path: "/chats/{id}/accept", Handle: acceptChat},
		{Method: "POST", Path: "/chats/{id}/decline", Handle: declineChat},
		{Method: "POST", Path: "/chats/{id}/take", Handle: takeChat},
		{Method: "POST", Path: "/chats/{id}/messages", Handle: postMessage},
		{Method: "POST", Path: "/chats/{id}/transfer", Handle: transferChat},
		{Method: "POST", Path: "/chats/{id}/end", Handle: endChat},
		{Method: "GET", Path: "/chats/{id}/canned", Handle: chatCanned},
		{Method: "GET", Path: "/consumers/{e164}/chats", Handle: consumerChats},
		{Method: "GET", Path: "/canned", Handle: listCanned},
		{Method: "PUT", Path: "/canned/{id}", Supervisor: true, Handle: putCanned},
		{Method: "DELETE", Path: "/canned/{id}", Supervisor: true, Handle: deleteCanned},
		{Method: "POST", Path: "/measure", Handle: measure},
		{Method: "POST", Path: "/outbound", Handle: startOutbound},
		{Method: "GET", Path: "/stats", Handle: getStats},
		// MMS out (media.go): only the agent who may reply uploads.
		{Method: "POST", Path: "/chats/{id}/media", Requires: access.ActReply, Handle: func(a *Services, w http.ResponseWriter, r *http.Request) {
			UploadMedia(a.Media)(w, r)
		}},
	}
}

// Routes lists what the API serves, for the contract test.
func Routes() []Route {
	return slices.Concat(routes(), crmRoutes(), noteRoutes(), contactRoutes(), ivrRoutes(), statsRoutes())
}

// New builds the handler. guard authenticates every request but those for
// the OpenAPI document and CORS preflights; a nil guard refuses them all
// (503). Paths are accepted with or without the /AgentAPI prefix: the dev
// server and some front ends keep it, Cloud Functions strips it.
func New(a *Services, guard *auth.Guard, opts ...Option) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var served []httpapi.Route
	for _, rt := range append(Routes(), o.routes...) {
		served = append(served, rt.serve(a))
	}
	c := httpapi.Config{
		Name:   Name,
		Routes: served,
		// The console's origin: the API's own host, PUBLIC_BASE_URL and
		// CONSOLE_ORIGINS (Build).
		Origins: &httpapi.OriginPolicy{Allowed: o.origins, Client: "the console", Setting: "CONSOLE_ORIGINS"},
	}
	if guard != nil {
		c.Guard = guard.Require(auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin)
	}
	return httpapi.New(c)
}

// serve is the toolkit's route for rt: supervisor routes admit supervisors
// and admins, and a route that requires an action checks it on the chat
// before rt.Handle runs.
func (rt Route) serve(a *Services) httpapi.Route {
	out := httpapi.Route{Method: rt.Method, Path: rt.Path, Public: rt.Public}
	if rt.Supervisor {
		out.Roles = []auth.Role{auth.RoleSupervisor, auth.RoleAdmin}
	}
	out.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Requires != "" {
			if err := a.Conversation.CheckAction(r.Context(), ViewerOf(r), r.PathValue("id"), rt.Requires); err != nil {
				Fail(w, r, err)
				return
			}
		}
		rt.Handle(a, w, r)
	})
	return out
}

// ViewerOf is the caller of an authenticated request as the app layer
// knows them. Admins act as supervisors.
func ViewerOf(r *http.Request) access.Viewer {
	p, _ := auth.From(r.Context())
	return access.Viewer{UID: p.UID, AgentID: p.AgentID, Supervisor: p.Role == auth.RoleSupervisor || p.Role == auth.RoleAdmin}
}

// Me is who is signed in: the token's identity, their agent and queues.
type Me struct {
	UID        string    `json:"uid"`
	Email      string    `json:"email,omitempty"`
	Role       auth.Role `json:"role"`
	AgentID    string    `json:"agentId,omitempty"`
	Supervisor bool      `json:"supervisor"`
	// Agent is the caller's agent document, null without one.
	Agent          *chat.Agent     `json:"agent"`
	Queues         []desk.QueueRef `json:"queues"`
	TransferQueues []desk.QueueRef `json:"transferQueues"`
	// OutboundNumbers are the numbers the person may start a chat from
	// (POST /outbound); empty when they may start none.
	OutboundNumbers []desk.OutboundNumber `json:"outboundNumbers"`
	// OutboundFrom is the recipient's local time a text held by quiet
	// hours goes out at ("08:00"); absent when quiet hours are off.
	OutboundFrom string `json:"outboundFrom,omitempty"`
}

func getMe(a *Services, w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	v := ViewerOf(r)
	prof, err := a.Desk.Profile(r.Context(), v)
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, Me{UID: p.UID, Email: p.Email, Role: p.Role, AgentID: p.AgentID, Supervisor: v.Supervisor,
		Agent: prof.Agent, Queues: prof.Queues, TransferQueues: prof.TransferQueues,
		OutboundNumbers: prof.OutboundNumbers, OutboundFrom: prof.OutboundFrom})
}

// StatusRequest changes an agent's availability.
type StatusRequest struct {
	Status chat.AgentStatus `json:"status"`
}

func putMyStatus(a *Services, w http.ResponseWriter, r *http.Request) {
	setStatus(a, w, r, ViewerOf(r).AgentID)
}

func putAgentStatus(a *Services, w http.ResponseWriter, r *http.Request) {
	setStatus(a, w, r, r.PathValue("id"))
}

func setStatus(a *Services, w http.ResponseWriter, r *http.Request, agentID string) {
	var in StatusRequest
	if !Decode(w, r, "StatusRequest", &in) {
		return
	}
	ag, err := a.Conversation.SetStatus(r.Context(), ViewerOf(r), agentID, in.Status)
	answer(w, r, ag, err)
}

func listAgents(a *Services, w http.ResponseWriter, r *http.Request) {
	agents, err := a.Desk.Directory(r.Context(), ViewerOf(r))
	answer(w, r, agents, err)
}

// getTransferTargets is the transfer picker's directory: agents with status
// and free capacity, queues with their waiting count.
func getTransferTargets(a *Services, w http.ResponseWriter, r *http.Request) {
	targets, err := a.Desk.TransferTargets(r.Context(), ViewerOf(r))
	answer(w, r, targets, err)
}

func getInbox(a *Services, w http.ResponseWriter, r *http.Request) {
	withEnded := true
	switch v := r.URL.Query().Get("ended"); v {
	case "", "true":
	case "false":
		withEnded = false
	default:
		httpapi.WriteError(w, http.StatusBadRequest, "ended: must be true or false, got "+strconv.Quote(v), nil)
		return
	}
	in, err := a.Desk.InboxOf(r.Context(), ViewerOf(r), withEnded)
	answer(w, r, in, err)
}

func getChat(a *Services, w http.ResponseWriter, r *http.Request) {
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			httpapi.WriteError(w, http.StatusBadRequest, "after: must be a message sequence number (0 or more), got "+strconv.Quote(v), nil)
			return
		}
		after = n
	}
	view, err := a.Desk.ChatViewAfter(r.Context(), ViewerOf(r), r.PathValue("id"), after)
	answer(w, r, view, err)
}

func acceptChat(a *Services, w http.ResponseWriter, r *http.Request) {
	if !DecodeEmpty(w, r) {
		return
	}
	c, err := a.Conversation.Accept(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, c, err)
}

func declineChat(a *Services, w http.ResponseWriter, r *http.Request) {
	if !DecodeEmpty(w, r) {
		return
	}
	c, err := a.Conversation.Decline(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, c, err)
}

// ReplyRequest is an agent's reply: a body or a canned message, optional
// media, and a request id that is the same when the request is retried.
type ReplyRequest struct {
	Body      string       `json:"body,omitempty"`
	CannedID  string       `json:"cannedId,omitempty"`
	RequestID string       `json:"requestId"`
	Media     []chat.Media `json:"media,omitempty"`
}

func postMessage(a *Services, w http.ResponseWriter, r *http.Request) {
	var in ReplyRequest
	if !Decode(w, r, "ReplyRequest", &in) {
		return
	}
	m, err := a.Conversation.Reply(r.Context(), ViewerOf(r), r.PathValue("id"),
		conversation.ReplyInput{Body: in.Body, CannedID: in.CannedID, Media: in.Media, RequestID: in.RequestID})
	answer(w, r, m, err)
}

// TransferRequest hands a chat to an agent or a queue. Force queues the
// chat even where no agent could be offered it now (else 409 naming why).
type TransferRequest struct {
	ToAgent string `json:"toAgent,omitempty"`
	ToQueue string `json:"toQueue,omitempty"`
	Note    string `json:"note,omitempty"`
	Force   bool   `json:"force,omitempty"`
}

func transferChat(a *Services, w http.ResponseWriter, r *http.Request) {
	var in TransferRequest
	if !Decode(w, r, "TransferRequest", &in) {
		return
	}
	c, err := a.Conversation.Transfer(r.Context(), ViewerOf(r), r.PathValue("id"),
		conversation.TransferInput{ToAgent: in.ToAgent, ToQueue: in.ToQueue, Note: in.Note, Force: in.Force})
	answer(w, r, c, err)
}

// EndRequest ends a chat.
type EndRequest struct {
	WrapUp string `json:"wrapUp,omitempty"`
	// WrapUpCode is one of the chat's queue's codes (ChatView.wrapUp).
	WrapUpCode string `json:"wrapUpCode,omitempty"`
}

func endChat(a *Services, w http.ResponseWriter, r *http.Request) {
	var in EndRequest
	if !DecodeOptional(w, r, "EndRequest", &in) {
		return
	}
	c, err := a.Conversation.EndWith(r.Context(), ViewerOf(r), r.PathValue("id"), in.WrapUp, in.WrapUpCode)
	answer(w, r, c, err)
}

func chatCanned(a *Services, w http.ResponseWriter, r *http.Request) {
	cs, err := a.Desk.ChatCanned(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, cs, err)
}

func consumerChats(a *Services, w http.ResponseWriter, r *http.Request) {
	cs, err := a.Desk.ConsumerHistory(r.Context(), ViewerOf(r), r.PathValue("e164"))
	answer(w, r, cs, err)
}

func listCanned(a *Services, w http.ResponseWriter, r *http.Request) {
	cs, err := a.Desk.CannedMessages(r.Context())
	answer(w, r, cs, err)
}

func putCanned(a *Services, w http.ResponseWriter, r *http.Request) {
	var in chat.Canned
	if !Decode(w, r, "Canned", &in) {
		return
	}
	id := r.PathValue("id")
	if in.ID != "" && in.ID != id {
		httpapi.WriteError(w, http.StatusBadRequest, "the body names another canned message than the path", []chat.FieldError{{
			Field: "id", Message: fmt.Sprintf("%q differs from %q in the path; to rename, delete and create", in.ID, id),
		}})
		return
	}
	in.ID = id
	out, err := a.Desk.PutCanned(r.Context(), ViewerOf(r), in)
	answer(w, r, out, err)
}

func deleteCanned(a *Services, w http.ResponseWriter, r *http.Request) {
	errs.Deleted(w, r, a.Desk.DeleteCanned(r.Context(), ViewerOf(r), r.PathValue("id")))
}

// MeasureRequest is a draft reply to measure.
type MeasureRequest struct {
	Body string `json:"body"`
}

// Measurement is what a body costs on the wire, shown as the agent types.
type Measurement struct {
	Characters int `json:"characters"`
	// Encoding is GSM-7 or UCS-2 (any character outside GSM 03.38).
	Encoding string `json:"encoding"`
	// Segments is the number of SMS parts a carrier bills for.
	Segments int `json:"segments"`
	// Units are GSM-7 septets or UTF-16 code units.
	Units int `json:"units"`
	// MaxCharacters is the longest body a reply may have.
	MaxCharacters int `json:"maxCharacters"`
}

func measure(_ *Services, w http.ResponseWriter, r *http.Request) {
	var in MeasureRequest
	if !Decode(w, r, "MeasureRequest", &in) {
		return
	}
	m := sms.Measure(in.Body)
	httpapi.WriteJSON(w, http.StatusOK, Measurement{Characters: m.Characters, Encoding: string(m.Encoding), Segments: m.Segments,
		Units: m.Units, MaxCharacters: sms.MaxBodyCharacters})
}

// Answers and request bodies, as every smsdesk API has them (httpapi).

func answer(w http.ResponseWriter, r *http.Request, v any, err error) { errs.Answer(w, r, v, err) }

// Fail answers a use case's error: 400 with the problems of a refused
// request, the status of a refused medium, 403 for an action the caller may
// not take, 404 for an unknown id, 409 for a chat in the wrong state, 500
// (logged, not shown) otherwise.
func Fail(w http.ResponseWriter, r *http.Request, err error) { errs.Fail(w, r, err) }

// WriteJSON answers with a document no cache may keep: chats are private
// and change by the second.
func WriteJSON(w http.ResponseWriter, status int, v any) { httpapi.WriteJSON(w, status, v) }

// Decode reads a JSON request body into v: application/json, at most
// MaxBodyBytes, one object, no unknown members, text in UTF-8, the
// schema's required members present. It answers the request itself and
// returns false when the body is unusable.
func Decode(w http.ResponseWriter, r *http.Request, schema string, v any) bool {
	return bodies.Decode(w, r, schema, v)
}

// DecodeOptional is Decode for a body that may be left out.
func DecodeOptional(w http.ResponseWriter, r *http.Request, schema string, v any) bool {
	return bodies.DecodeOptional(w, r, schema, v)
}

// DecodeEmpty accepts no body or an empty JSON object.
func DecodeEmpty(w http.ResponseWriter, r *http.Request) bool { return bodies.DecodeEmpty(w, r) }
