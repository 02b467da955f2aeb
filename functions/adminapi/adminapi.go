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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
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
	return New(a, guard.Require(auth.RoleAdmin)), nil
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Body size limits. A single document is a few kilobytes; a whole
// configuration with hundreds of queues and agents stays well under the
// import limit.
const (
	maxDocumentBytes = 256 << 10
	maxImportBytes   = 8 << 20
)

// RefuseAll is the guard used until authentication is configured: it
// answers every API request 503, so the configuration is never open.
func RefuseAll(http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusServiceUnavailable, "admin authentication is not configured", nil)
	})
}

// Route is one method and path the API serves, as written in the OpenAPI
// document (without the /AdminAPI prefix).
type Route struct {
	Method string
	Path   string
	// Public routes are served without the guard (the OpenAPI document).
	Public bool
}

// ErrorBody is every error answer: a message, and for a refused document one
// problem per field.
type ErrorBody struct {
	Error    string            `json:"error"`
	Problems []chat.FieldError `json:"problems,omitempty"`
}

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
	"Config":   {"settings", "numbers", "queues", "agents"},
}

type route struct {
	Route
	handle http.HandlerFunc
}

type server struct{ app *admin.Service }

func (s *server) routes() []route {
	var out []route
	for _, rs := range s.resources() {
		out = append(out, rs...)
	}
	return append(out, []route{
		{Route{"GET", "/openapi.yaml", true}, serveOpenAPI},
		{Route{"GET", "/config", false}, s.getConfig},
		{Route{"PUT", "/config", false}, s.putConfig},
		{Route{"GET", "/settings", false}, s.getSettings},
		{Route{"PUT", "/settings", false}, s.putSettings},
		{Route{"GET", "/chats/{id}", false}, s.getChat},
		{Route{"GET", "/chats/{id}/transcript.txt", false}, s.exportText},
		{Route{"GET", "/chats/{id}/transcript.json", false}, s.exportJSON},
	}...)
}

// Routes lists what the API serves, for the contract test.
func Routes() []Route {
	var out []Route
	for _, r := range (&server{}).routes() {
		out = append(out, r.Route)
	}
	return out
}

// New builds the handler. guard authenticates every request but those for
// the OpenAPI document; it answers the request itself to refuse it. A nil
// guard refuses everything. Paths are accepted with or without the /AdminAPI
// prefix: the dev server and some front ends keep it, Cloud Functions
// strips it.
func New(a *admin.Service, guard func(http.Handler) http.Handler) http.Handler {
	if guard == nil {
		guard = RefuseAll
	}
	s := &server{app: a}
	private := http.NewServeMux()
	public := http.NewServeMux()
	paths := http.NewServeMux() // by path alone, to tell 405 from 404
	allow := map[string][]string{}
	for _, rt := range s.routes() {
		if rt.Public {
			public.Handle(rt.Method+" "+rt.Path, rt.handle)
		} else {
			private.Handle(rt.Method+" "+rt.Path, rt.handle)
		}
		if _, ok := allow[rt.Path]; !ok {
			paths.Handle(rt.Path, http.NotFoundHandler())
		}
		allow[rt.Path] = append(allow[rt.Path], rt.Method)
	}
	noRoute := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := paths.Handler(r); pattern != "" {
			methods := allow[pattern]
			if slices.Contains(methods, http.MethodGet) {
				methods = append(slices.Clone(methods), http.MethodHead)
			}
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+pattern+"; use "+strings.Join(methods, ", "), nil)
			return
		}
		writeError(w, http.StatusNotFound, "no such resource: "+r.URL.Path, nil)
	})
	private.Handle("/", noRoute)
	public.Handle("/", guard(private))
	return httpx.StripFunctionPrefix(Name, public)
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", api.ContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(api.OpenAPI)
}

// The whole document.

func (s *server) getConfig(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *server) putConfig(w http.ResponseWriter, r *http.Request) {
	var c chat.Config
	if !decode(w, r, maxImportBytes, "Config", &c) {
		return
	}
	if err := s.app.ImportConfig(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	s.getConfig(w, r)
}

// Settings.

func (s *server) getSettings(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c.Settings)
}

func (s *server) putSettings(w http.ResponseWriter, r *http.Request) {
	var in chat.Settings
	if !decode(w, r, maxDocumentBytes, "Settings", &in) {
		return
	}
	out, err := s.app.PutSettings(r.Context(), in)
	s.answer(w, r, out, err)
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

func (rs resource[T]) routes(s *server) []route {
	item := rs.path + "/{" + rs.param + "}"
	return []route{
		{Route{"GET", rs.path, false}, func(w http.ResponseWriter, r *http.Request) {
			c, err := s.app.Config(r.Context())
			s.answer(w, r, rs.list(c), err)
		}},
		{Route{"GET", item, false}, func(w http.ResponseWriter, r *http.Request) {
			v, err := rs.get(r.Context(), r.PathValue(rs.param))
			s.answer(w, r, v, err)
		}},
		{Route{"PUT", item, false}, func(w http.ResponseWriter, r *http.Request) {
			var in T
			if !decode(w, r, maxDocumentBytes, rs.schema, &in) {
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
			s.answer(w, r, out, err)
		}},
		{Route{"DELETE", item, false}, func(w http.ResponseWriter, r *http.Request) {
			s.deleted(w, r, rs.del(r.Context(), r.PathValue(rs.param)))
		}},
	}
}

func (s *server) resources() [][]route {
	a := s.app
	return [][]route{
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

// Answers.

func (s *server) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *server) deleted(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// fail answers a use case's error: 400 with the problems of a refused
// configuration, 404 for an unknown id, 500 (logged, not shown) otherwise.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *chat.ValidationError
	switch {
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, "invalid configuration: the change was not saved", ve.Problems)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error(), nil)
	default:
		logging.From(r.Context()).WithError(err).WithField("path", r.URL.Path).Error("admin request failed")
		writeError(w, http.StatusInternalServerError, "internal error; the change may be incomplete, retry it", nil)
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
		writeError(w, http.StatusBadRequest, "the body names another document than the path", []chat.FieldError{{
			Field: field, Message: fmt.Sprintf("%q differs from %q in the path; to rename, delete and create", *body, path),
		}})
		return false
	}
	*body = got
	return true
}

// decode reads a JSON request body into v: application/json, at most limit
// bytes, one document, no unknown members, the schema's required members
// present. It answers the request itself and returns false when the body is
// unusable.
func decode(w http.ResponseWriter, r *http.Request, limit int64, schema string, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			writeError(w, http.StatusUnsupportedMediaType, "send the body as application/json, not "+ct, nil)
			return false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit), nil)
			return false
		}
		writeError(w, http.StatusBadRequest, "could not read the body: "+err.Error(), nil)
		return false
	}
	if problems := httpx.DecodeStrict(body, v); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the body is not a valid "+schema+" document", problems)
		return false
	}
	if problems := missing(body, schema, ""); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the body lacks required members", problems)
		return false
	}
	return true
}

// missing lists the required members absent from a document (which has
// already decoded, so it is an object), descending into an imported
// configuration's lists.
func missing(body []byte, schema, prefix string) []chat.FieldError {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil // not an object: decoding has already said so
	}
	if members == nil {
		return []chat.FieldError{{Field: strings.TrimSuffix(prefix, "."), Message: "must be an object, not null"}}
	}
	var out []chat.FieldError
	for _, name := range RequiredFields[schema] {
		if _, ok := members[name]; !ok {
			out = append(out, chat.FieldError{Field: prefix + name, Message: "required"})
		}
	}
	if schema != "Config" {
		return out
	}
	if raw, ok := members["settings"]; ok {
		out = append(out, missing(raw, "Settings", prefix+"settings.")...)
	}
	for _, list := range []struct{ name, schema string }{
		{"numbers", "Number"}, {"queues", "Queue"}, {"teams", "Team"}, {"agents", "Agent"},
	} {
		var items []json.RawMessage
		if raw, ok := members[list.name]; ok {
			_ = json.Unmarshal(raw, &items)
		}
		for i, item := range items {
			out = append(out, missing(item, list.schema, fmt.Sprintf("%s%s[%d].", prefix, list.name, i))...)
		}
	}
	return out
}

// writeJSON answers with a document that no cache may keep: the
// configuration is private and changes.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSON(w, status, v)
}

func writeError(w http.ResponseWriter, status int, msg string, problems []chat.FieldError) {
	writeJSON(w, status, ErrorBody{Error: msg, Problems: problems})
}

// Chats: a chat's transcript, and its exports for records requests.

func (s *server) getChat(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	s.answer(w, r, t, err)
}

func (s *server) exportJSON(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="chat-`+t.Chat.ID+`.json"`)
	writeJSON(w, http.StatusOK, t)
}

func (s *server) exportText(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transcript(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="chat-`+t.Chat.ID+`.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, t.Text(nil))
}
