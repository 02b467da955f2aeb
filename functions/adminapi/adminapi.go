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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
)

// Name is the function's name and path.
const Name = app.FnAdminAPI

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, func(d *platform.Deps) http.Handler {
	return New(d.App, d.Guard.Require(auth.RoleAdmin))
})

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

type server struct{ app *app.App }

func (s *server) routes() []route {
	return []route{
		{Route{"GET", "/openapi.yaml", true}, serveOpenAPI},
		{Route{"GET", "/config", false}, s.getConfig},
		{Route{"PUT", "/config", false}, s.putConfig},
		{Route{"GET", "/settings", false}, s.getSettings},
		{Route{"PUT", "/settings", false}, s.putSettings},
		{Route{"GET", "/numbers", false}, s.listNumbers},
		{Route{"GET", "/numbers/{e164}", false}, s.getNumber},
		{Route{"PUT", "/numbers/{e164}", false}, s.putNumber},
		{Route{"DELETE", "/numbers/{e164}", false}, s.deleteNumber},
		{Route{"GET", "/queues", false}, s.listQueues},
		{Route{"GET", "/queues/{id}", false}, s.getQueue},
		{Route{"PUT", "/queues/{id}", false}, s.putQueue},
		{Route{"DELETE", "/queues/{id}", false}, s.deleteQueue},
		{Route{"GET", "/teams", false}, s.listTeams},
		{Route{"GET", "/teams/{id}", false}, s.getTeam},
		{Route{"PUT", "/teams/{id}", false}, s.putTeam},
		{Route{"DELETE", "/teams/{id}", false}, s.deleteTeam},
		{Route{"GET", "/agents", false}, s.listAgents},
		{Route{"GET", "/agents/{id}", false}, s.getAgent},
		{Route{"PUT", "/agents/{id}", false}, s.putAgent},
		{Route{"DELETE", "/agents/{id}", false}, s.deleteAgent},
		{Route{"GET", "/chats/{id}", false}, s.getChat},
		{Route{"GET", "/chats/{id}/transcript.txt", false}, s.exportText},
		{Route{"GET", "/chats/{id}/transcript.json", false}, s.exportJSON},
	}
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
func New(a *app.App, guard func(http.Handler) http.Handler) http.Handler {
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
	return stripPrefix("/"+Name, public)
}

// stripPrefix serves /AdminAPI/x as /x, and /x as itself.
func stripPrefix(prefix string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || (rest != "" && rest[0] != '/') {
			h.ServeHTTP(w, r)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = rest
		if u.Path == "" {
			u.Path = "/"
		}
		u.RawPath = ""
		if raw, ok := strings.CutPrefix(r.URL.RawPath, prefix); ok {
			u.RawPath = raw
		}
		r2.URL = &u
		h.ServeHTTP(w, r2)
	})
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

// Numbers.

func (s *server) listNumbers(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	s.answer(w, r, c.Numbers, err)
}

func (s *server) getNumber(w http.ResponseWriter, r *http.Request) {
	n, err := s.app.ConfigNumber(r.Context(), r.PathValue("e164"))
	s.answer(w, r, n, err)
}

func (s *server) putNumber(w http.ResponseWriter, r *http.Request) {
	var in chat.Number
	if !decode(w, r, maxDocumentBytes, "Number", &in) {
		return
	}
	path := app.NormalizeE164(r.PathValue("e164"))
	if !matchID(w, "e164", path, &in.E164, app.NormalizeE164) {
		return
	}
	out, err := s.app.PutNumber(r.Context(), in)
	s.answer(w, r, out, err)
}

func (s *server) deleteNumber(w http.ResponseWriter, r *http.Request) {
	s.deleted(w, r, s.app.DeleteNumber(r.Context(), r.PathValue("e164")))
}

// Queues.

func (s *server) listQueues(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	s.answer(w, r, c.Queues, err)
}

func (s *server) getQueue(w http.ResponseWriter, r *http.Request) {
	q, err := s.app.ConfigQueue(r.Context(), r.PathValue("id"))
	s.answer(w, r, q, err)
}

func (s *server) putQueue(w http.ResponseWriter, r *http.Request) {
	var in chat.Queue
	if !decode(w, r, maxDocumentBytes, "Queue", &in) || !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
		return
	}
	out, err := s.app.PutQueue(r.Context(), in)
	s.answer(w, r, out, err)
}

func (s *server) deleteQueue(w http.ResponseWriter, r *http.Request) {
	s.deleted(w, r, s.app.DeleteQueue(r.Context(), r.PathValue("id")))
}

// Teams.

func (s *server) listTeams(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	s.answer(w, r, c.Teams, err)
}

func (s *server) getTeam(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.ConfigTeam(r.Context(), r.PathValue("id"))
	s.answer(w, r, t, err)
}

func (s *server) putTeam(w http.ResponseWriter, r *http.Request) {
	var in chat.Team
	if !decode(w, r, maxDocumentBytes, "Team", &in) || !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
		return
	}
	out, err := s.app.PutTeam(r.Context(), in)
	s.answer(w, r, out, err)
}

func (s *server) deleteTeam(w http.ResponseWriter, r *http.Request) {
	s.deleted(w, r, s.app.DeleteTeam(r.Context(), r.PathValue("id")))
}

// Agents.

func (s *server) listAgents(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	s.answer(w, r, c.Agents, err)
}

func (s *server) getAgent(w http.ResponseWriter, r *http.Request) {
	a, err := s.app.ConfigAgent(r.Context(), r.PathValue("id"))
	s.answer(w, r, a, err)
}

func (s *server) putAgent(w http.ResponseWriter, r *http.Request) {
	var in chat.Agent
	if !decode(w, r, maxDocumentBytes, "Agent", &in) || !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
		return
	}
	out, err := s.app.PutAgentProfile(r.Context(), in)
	s.answer(w, r, out, err)
}

func (s *server) deleteAgent(w http.ResponseWriter, r *http.Request) {
	s.deleted(w, r, s.app.DeleteAgent(r.Context(), r.PathValue("id")))
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
	case errors.Is(err, app.ErrNotFound):
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
	if problems := decodeStrict(body, v); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the body is not a valid "+schema+" document", problems)
		return false
	}
	if problems := missing(body, schema, ""); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the body lacks required members", problems)
		return false
	}
	return true
}

func decodeStrict(body []byte, v any) []chat.FieldError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&json.RawMessage{}) != io.EOF {
			return []chat.FieldError{{Field: "", Message: "the body holds more than one JSON document"}}
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return []chat.FieldError{{Field: "", Message: "the body is empty; send a JSON document"}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return []chat.FieldError{{Field: "", Message: "the JSON document is cut short"}}
	case errors.As(err, &syntax):
		return []chat.FieldError{{Field: "", Message: fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)}}
	case errors.As(err, &typ):
		return []chat.FieldError{{Field: typ.Field, Message: fmt.Sprintf("got %s, want %s (at byte %d)", typ.Value, jsonType(typ.Type.Kind().String()), typ.Offset)}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []chat.FieldError{{Field: strings.Trim(name, `"`), Message: "unknown member; check its spelling against the OpenAPI document"}}
	}
	return []chat.FieldError{{Field: "", Message: err.Error()}}
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
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
