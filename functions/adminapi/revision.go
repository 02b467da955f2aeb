package adminapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// Concurrent edits (admin.IfRevision): every answer about the configuration
// carries its revision as an ETag; a change sent with If-Match naming a
// revision that is no longer the configuration's is refused with 409 and
// nothing is written. A change without If-Match (a script PUTting the
// whole document) is applied as before. "*" sets no precondition.

// StaleMessage is the 409's message.
const StaleMessage = "changed by someone else since you loaded it: reload, then make your change again"

// revisionPaths are the routes about the configuration.
var revisionPaths = []string{"/config", "/settings", "/numbers", "/queues", "/teams", "/agents", "/canned"}

// revisioned wraps the configuration's routes with the revision.
func (s *server) revisioned(routes []httpapi.Route) []httpapi.Route {
	for i, rt := range routes {
		// Previews change nothing.
		if !hasRevision(rt.Path) || strings.HasSuffix(rt.Path, "/preview") {
			continue
		}
		next := rt.Handler
		// An import's diff changes nothing and answers the revision it was
		// made against, which the import then names in If-Match.
		if rt.Method == http.MethodGet || strings.HasSuffix(rt.Path, "/diff") {
			routes[i].Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Read before the answer's data: a change between the two
				// makes the page's next save a conflict, never a lost
				// update.
				if rev, err := s.app.Revision(r.Context()); err == nil {
					w.Header().Set("ETag", etag(rev))
				}
				next.ServeHTTP(w, r)
			})
			continue
		}
		routes[i].Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(admin.IfRevision(r.Context(), ifMatch(r)))
			next.ServeHTTP(&revisionWriter{ResponseWriter: w, s: s, r: r}, r)
		})
	}
	return routes
}

func hasRevision(path string) bool {
	for _, p := range revisionPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

func etag(rev string) string { return `"` + rev + `"` }

// ifMatch is the revision If-Match names: one entity tag, quoted or not,
// weak or strong; "" for none or "*".
func ifMatch(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	if v == "*" {
		return ""
	}
	return v
}

// revisionWriter gives a successful change's answer the revision the
// change made.
type revisionWriter struct {
	http.ResponseWriter
	s       *server
	r       *http.Request
	written bool
}

func (w *revisionWriter) WriteHeader(code int) {
	if !w.written && code < 300 {
		if rev, err := w.s.app.Revision(w.r.Context()); err == nil {
			w.Header().Set("ETag", etag(rev))
		}
	}
	w.written = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *revisionWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// apiErrors are httpapi's answers with the stale revision's 409.
type apiErrors struct{ httpapi.Errors }

func (e apiErrors) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, admin.ErrStale) {
		httpapi.WriteError(w, http.StatusConflict, StaleMessage, nil)
		return
	}
	e.Errors.Fail(w, r, err)
}

func (e apiErrors) Answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		e.Fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

func (e apiErrors) Deleted(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		e.Fail(w, r, err)
		return
	}
	httpapi.NoContent(w)
}
