// Package adminapi is the AdminAPI function: the JSON API the admin app edits
// the channel configuration with — SMS settings, business numbers, the queue
// tree, teams and agent profiles — piece by piece or as one document. The
// contract is shared/api/openapi.yaml, served at GET /AdminAPI/openapi.yaml.
//
// Every change is validated against the whole resulting configuration before
// anything is written; a refused change answers 400 with one problem per
// field. Changes take effect with the next consumer message.
package adminapi

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnAdminAPI

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	a, err := jobs.Admin(ctx, e)
	if err != nil {
		return nil, err
	}
	guard, err := authenv.Guard(e)
	if err != nil {
		return nil, err
	}
	cs, err := crmenv.Service(ctx, e)
	if err != nil {
		return nil, err
	}
	conn, err := crmenv.Connector(ctx, e)
	if err != nil {
		return nil, err
	}
	if acc := accountsFor(e); acc != nil {
		// A copy: the Env's admin service is shared with other functions.
		with := *a
		with.Accounts = acc
		a = &with
	}
	return New(a, guard.Require(auth.RoleAdmin), WithCRM(CRM{Sync: cs, Connector: conn})), nil
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Body size limits. A single document is a few kilobytes; a whole
// configuration with hundreds of queues and agents stays well under the
// import limit.
const (
	maxDocumentBytes = 256 << 10
	maxImportBytes   = 8 << 20
)

// unguarded is the answer to every request while authentication is not
// configured.
const unguarded = "admin authentication is not configured"

// RefuseAll is the guard used until authentication is configured: it
// answers every API request 503, so the configuration is never open.
func RefuseAll(next http.Handler) http.Handler { return httpapi.RefuseAll(unguarded)(next) }

// ErrorBody is every error answer: a message, and for a refused document one
// problem per field.
type ErrorBody = httpapi.ErrorBody

// RequiredFields are the members a request body must spell out, by schema
// name: those whose omission would silently mean something drastic (a
// channel or number turned off, a whole list deleted by an import). The
// OpenAPI document's "required" lists say the same; a test checks.
var RequiredFields = map[string][]string{
	"Settings": {"channelEnabled"},
	"Number":   {"provider", "entryQueue", "enabled"},
	"Queue":    {"name"},
	"Team":     {"name"},
	"Agent":    {"name", "capacity"},
	"Canned":   {"title", "body"},
	// InviteRequest: an account without a role could not sign in.
	"InviteRequest": {"role"},
	"Config":        {"settings", "numbers", "queues", "agents"},
	// APIKeyRequest: a key for no number or no scope could do nothing.
	"APIKeyRequest": {"name", "numbers", "scopes"},
}

// bodies reads the API's request bodies: a configuration imported whole
// may be larger than one document, and its required members are checked
// in every document it holds. errs answers the use cases' errors.
var (
	bodies = httpapi.Bodies{
		MaxBytes: maxDocumentBytes,
		Limits:   map[string]int64{"Config": maxImportBytes},
		Required: RequiredFields,
		Nested: map[string][]httpapi.Nested{"Config": {
			{Member: "settings", Schema: "Settings"},
			{Member: "numbers", Schema: "Number", List: true},
			{Member: "queues", Schema: "Queue", List: true},
			{Member: "teams", Schema: "Team", List: true},
			{Member: "agents", Schema: "Agent", List: true},
		}},
	}
	errs = apiErrors{httpapi.Errors{
		API: Name,
		Invalid: func(*chat.ValidationError) string {
			return "invalid configuration: the change was not saved"
		},
		Internal: "internal error; the change may be incomplete, retry it",
	}}
)

type server struct {
	app *admin.Service
	crm *CRM
}

// route is a guarded route.
func route(method, path string, h http.HandlerFunc) httpapi.Route {
	return httpapi.Route{Method: method, Path: path, Handler: h}
}

func (s *server) routes() []httpapi.Route {
	var out []httpapi.Route
	for _, rs := range s.resources() {
		out = append(out, rs...)
	}
	out = append(out, s.keyRoutes()...)
	out = append(out, s.cannedRoutes()...)
	out = append(out, s.accountRoutes()...)
	out = append(out, s.ivrRoutes()...)
	out = append(out, s.statsRoutes()...)
	out = append(out, s.crmRoutes()...)
	return s.revisioned(append(out,
		httpapi.OpenAPI(),
		route("GET", "/config", s.getConfig),
		route("PUT", "/config", s.putConfig),
		route("POST", "/config/diff", s.diffConfig),
		route("GET", "/settings", s.getSettings),
		route("PUT", "/settings", s.putSettings),
		route("GET", "/chats/{id}", s.getChat),
		route("GET", "/chats/{id}/transcript.txt", s.exportText),
		route("GET", "/chats/{id}/transcript.json", s.exportJSON),
		route("GET", "/queues/{id}/preview", s.previewMenu),
		route("POST", "/queues/{id}/messages/preview", s.previewQueueMessages),
		route("POST", "/settings/preview", s.previewSettings),
	))
}

// Routes lists what the API serves, for the contract test.
func Routes() []httpapi.Route { return (&server{}).routes() }

// New builds the handler. guard authenticates every request but those for
// the OpenAPI document and OPTIONS; it answers the request itself to refuse
// it. A nil guard refuses everything. Paths are accepted with or without
// the /AdminAPI prefix: the dev server and some front ends keep it, Cloud
// Functions strips it. No cross-origin policy: the admin app calls from
// the API's own host, or from no browser at all.
func New(a *admin.Service, guard func(http.Handler) http.Handler, opts ...Option) http.Handler {
	s := &server{app: a}
	for _, o := range opts {
		o(s)
	}
	return httpapi.New(httpapi.Config{
		Name:      Name,
		Routes:    s.routes(),
		Guard:     guard,
		Unguarded: unguarded,
	})
}

// The whole document.

func (s *server) getConfig(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	errs.Answer(w, r, c, err)
}

func (s *server) putConfig(w http.ResponseWriter, r *http.Request) {
	var c chat.Config
	if !bodies.Decode(w, r, "Config", &c) {
		return
	}
	if err := s.app.ImportConfig(r.Context(), c); err != nil {
		errs.Fail(w, r, err)
		return
	}
	s.getConfig(w, r)
}

// diffConfig answers what importing the body would change, and why it
// would be refused, writing nothing.
func (s *server) diffConfig(w http.ResponseWriter, r *http.Request) {
	var c chat.Config
	if !bodies.Decode(w, r, "Config", &c) {
		return
	}
	p, err := s.app.PreviewImport(r.Context(), c)
	errs.Answer(w, r, p, err)
}

// Settings.

func (s *server) getSettings(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	errs.Answer(w, r, c.Settings, err)
}

func (s *server) putSettings(w http.ResponseWriter, r *http.Request) {
	var in chat.Settings
	if !bodies.Decode(w, r, "Settings", &in) {
		return
	}
	out, err := s.app.PutSettings(r.Context(), in)
	errs.Answer(w, r, out, err)
}

// resource serves the list, get, put and delete routes of one kind of
// configuration document, identified by a path parameter.
type resource[T any] struct {
	path, param, schema string
	list                func(chat.Config) []T
	get                 func(ctx context.Context, id string) (T, error)
	put                 func(ctx context.Context, v T) (T, error)
	del                 func(ctx context.Context, id string) error
	id                  func(v *T) *string
	// norm canonicalises an id before it is compared (E.164 numbers).
	norm func(string) string
}

func (rs resource[T]) routes(s *server) []httpapi.Route {
	item := rs.path + "/{" + rs.param + "}"
	return []httpapi.Route{
		route("GET", rs.path, func(w http.ResponseWriter, r *http.Request) {
			c, err := s.app.Config(r.Context())
			errs.Answer(w, r, rs.list(c), err)
		}),
		route("GET", item, func(w http.ResponseWriter, r *http.Request) {
			v, err := rs.get(r.Context(), r.PathValue(rs.param))
			errs.Answer(w, r, v, err)
		}),
		route("PUT", item, func(w http.ResponseWriter, r *http.Request) {
			var in T
			if !bodies.Decode(w, r, rs.schema, &in) {
				return
			}
			path := r.PathValue(rs.param)
			if rs.norm != nil {
				path = rs.norm(path)
			}
			if !matchID(w, rs.param, path, rs.id(&in), rs.norm) {
				return
			}
			out, err := rs.put(r.Context(), in)
			errs.Answer(w, r, out, err)
		}),
		route("DELETE", item, func(w http.ResponseWriter, r *http.Request) {
			errs.Deleted(w, r, rs.del(r.Context(), r.PathValue(rs.param)))
		}),
	}
}

func (s *server) resources() [][]httpapi.Route {
	a := s.app
	return [][]httpapi.Route{
		resource[chat.Number]{
			path: "/numbers", param: "e164", schema: "Number",
			list: func(c chat.Config) []chat.Number { return c.Numbers },
			get:  a.ConfigNumber, put: a.PutNumber, del: a.DeleteNumber,
			id: func(n *chat.Number) *string { return &n.E164 }, norm: sms.NormalizeE164,
		}.routes(s),
		resource[chat.Queue]{
			path: "/queues", param: "id", schema: "Queue",
			list: func(c chat.Config) []chat.Queue { return c.Queues },
			get:  a.ConfigQueue, put: a.PutQueue, del: a.DeleteQueue,
			id: func(q *chat.Queue) *string { return &q.ID },
		}.routes(s),
		resource[chat.Team]{
			path: "/teams", param: "id", schema: "Team",
			list: func(c chat.Config) []chat.Team { return c.Teams },
			get:  a.ConfigTeam, put: a.PutTeam, del: a.DeleteTeam,
			id: func(t *chat.Team) *string { return &t.ID },
		}.routes(s),
		resource[chat.Agent]{
			path: "/agents", param: "id", schema: "Agent",
			list: func(c chat.Config) []chat.Agent { return c.Agents },
			get:  a.ConfigAgent, put: a.PutAgentProfile, del: a.DeleteAgent,
			id: func(ag *chat.Agent) *string { return &ag.ID },
		}.routes(s),
	}
}

// matchID fills an empty body id from the path, or checks that they agree
// (after norm, when given).
func matchID(w http.ResponseWriter, field, path string, body *string, norm func(string) string) bool {
	if *body == "" {
		*body = path
		return true
	}
	got := *body
	if norm != nil {
		got = norm(got)
	}
	if got != path {
		httpapi.WriteError(w, http.StatusBadRequest, "the body names another document than the path", []chat.FieldError{{
			Field: field, Message: fmt.Sprintf("%q differs from %q in the path; to rename, delete and create", *body, path),
		}})
		return false
	}
	*body = got
	return true
}

// Chats: a chat's transcript, and its exports for records requests.

func (s *server) getChat(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	errs.Answer(w, r, t, err)
}

func (s *server) exportJSON(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="chat-`+t.Chat.ID+`.json"`)
	httpapi.WriteJSON(w, http.StatusOK, t)
}

func (s *server) exportText(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="chat-`+t.Chat.ID+`.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, t.Text(nil))
}
