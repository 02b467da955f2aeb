package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/httpx"
)

// Route is one method and path an API serves, as written in the OpenAPI
// document without the /FunctionName prefix. Path is a net/http ServeMux
// pattern: the handler reads {id} with r.PathValue.
type Route struct {
	Method string
	Path   string
	// Public routes are served without the guard (the OpenAPI document).
	Public bool
	// Roles, when set, are the roles a guarded route admits besides what
	// the guard checks; a caller with another role gets 403.
	Roles   []auth.Role
	Handler http.Handler
}

// Config is one API.
type Config struct {
	// Name is the function's name: a path is served with or without the
	// /Name prefix (httpx.StripFunctionPrefix). Empty: paths as they come.
	Name   string
	Routes []Route
	// Guard authenticates every route but the public ones and answers the
	// request itself to refuse it; it also guards the answers to unknown
	// paths and methods, so they tell nothing to a caller without a token.
	// A nil Guard refuses everything with 503 (Unguarded): an API is
	// never open because its authentication is not configured.
	Guard     func(http.Handler) http.Handler
	Unguarded string
	// Origins lets browsers on other origins call the API; nil: no
	// cross-origin use (OPTIONS still lists a path's methods).
	Origins *OriginPolicy
}

// DefaultUnguarded is the message of the 503 an API without a guard
// answers.
const DefaultUnguarded = "authentication is not configured"

// RefuseAll is a guard that answers every request 503 with msg: the one to
// use until authentication is configured.
func RefuseAll(msg string) func(http.Handler) http.Handler {
	return func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			WriteError(w, http.StatusServiceUnavailable, msg, nil)
		})
	}
}

// New builds an API's handler from its route table. It panics on a route
// table that cannot be right (a public route requiring a role, an unknown
// role, a pattern twice), as a ServeMux does, so the mistake shows in the
// first test.
func New(c Config) http.Handler {
	t := &table{allow: map[string][]string{}, paths: http.NewServeMux()}
	public := http.NewServeMux()
	private := http.NewServeMux()
	for _, rt := range c.Routes {
		h := rt.Handler
		if len(rt.Roles) > 0 {
			if rt.Public {
				panic(fmt.Sprintf("httpapi: %s %s is public but requires roles %v", rt.Method, rt.Path, rt.Roles))
			}
			h = requireRole(rt.Roles, h)
		}
		if rt.Public {
			public.Handle(rt.Method+" "+rt.Path, h)
		} else {
			private.Handle(rt.Method+" "+rt.Path, h)
		}
		if _, ok := t.allow[rt.Path]; !ok {
			t.paths.Handle(rt.Path, http.NotFoundHandler())
		}
		t.allow[rt.Path] = append(t.allow[rt.Path], rt.Method)
	}
	private.Handle("/", http.HandlerFunc(t.noRoute))
	guard := c.Guard
	if guard == nil {
		msg := c.Unguarded
		if msg == "" {
			msg = DefaultUnguarded
		}
		guard = RefuseAll(msg)
	}
	public.Handle("/", guard(private))
	var h http.Handler = &server{table: t, next: public, origins: c.Origins.compile()}
	if c.Name != "" {
		h = httpx.StripFunctionPrefix(c.Name, h)
	}
	return h
}

// table knows the methods of each path, to tell 405 from 404 and to answer
// OPTIONS.
type table struct {
	paths *http.ServeMux // by path alone
	allow map[string][]string
}

// methods are the methods a request's path is served with, as Allow lists
// them (GET implies HEAD; OPTIONS always, last), and the route pattern; no
// pattern for an unknown path.
func (t *table) methods(r *http.Request) ([]string, string) {
	_, pattern := t.paths.Handler(r)
	if pattern == "" {
		return nil, ""
	}
	methods := slices.Clone(t.allow[pattern])
	if slices.Contains(methods, http.MethodGet) && !slices.Contains(methods, http.MethodHead) {
		methods = append(methods, http.MethodHead)
	}
	return append(methods, http.MethodOptions), pattern
}

func (t *table) noRoute(w http.ResponseWriter, r *http.Request) {
	methods, pattern := t.methods(r)
	if pattern == "" {
		WriteError(w, http.StatusNotFound, "no such resource: "+r.URL.Path, nil)
		return
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	WriteError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+pattern+"; use "+strings.Join(methods[:len(methods)-1], ", "), nil)
}

// server answers OPTIONS and applies the origin policy before routing.
type server struct {
	*table
	next    http.Handler
	origins *originPolicy
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o := s.origins.check(r)
	if o.present && s.origins != nil {
		w.Header().Add("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		s.options(w, r, o)
		return
	}
	if s.origins != nil && !s.origins.admit(w, r, o) {
		return
	}
	s.next.ServeHTTP(w, r)
}

// options answers an OPTIONS request before authentication, as a CORS
// preflight carries no token: the path's methods, and for a preflight from
// an allowed origin what the API accepts.
func (s *server) options(w http.ResponseWriter, r *http.Request, o origin) {
	if s.origins != nil && o.present && !o.allowed {
		s.origins.refusePreflight(w, o)
		return
	}
	methods, pattern := s.methods(r)
	if pattern == "" {
		WriteError(w, http.StatusNotFound, "no such resource: "+r.URL.Path, nil)
		return
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	if s.origins != nil && o.present {
		s.origins.preflight(w, o, methods)
	}
	w.WriteHeader(http.StatusNoContent)
}

// requireRole admits a caller the guard let through only with one of
// roles.
func requireRole(roles []auth.Role, next http.Handler) http.Handler {
	for _, r := range roles {
		if !r.Valid() {
			panic(fmt.Sprintf("httpapi: role %q is not a role", r))
		}
	}
	roles = slices.Clone(roles)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.From(r.Context())
		if !slices.Contains(roles, p.Role) {
			WriteError(w, http.StatusForbidden, fmt.Sprintf("role %s may not do this; it needs %s", p.Role, joinRoles(roles)), nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// joinRoles lists roles as a sentence does: "supervisor or admin".
func joinRoles(roles []auth.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
