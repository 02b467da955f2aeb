// Package httpx holds the few HTTP conventions every function shares: how
// errors are answered and how much body a request may carry.
package httpx

import (
	"encoding/json"
	"net/http"
	"strings"
)

// MaxFormBytes bounds a webhook body: Twilio's largest forms (MMS with ten
// media URLs) are a few kilobytes.
const MaxFormBytes = 64 << 10

// Error answers with a status and a one-line plain-text message. Carriers
// and Pub/Sub show the body in their logs, so say what was wrong.
func Error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// JSON answers with a JSON document.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// RequirePOST answers 405 to anything but POST and reports whether to go on.
func RequirePOST(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	Error(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use POST")
	return false
}

// ParseForm reads a bounded urlencoded POST body.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	return r.ParseForm()
}

// StripFunctionPrefix serves /Name/x as /x and /x as itself. Cloud
// Functions strips a function's name from the path; the dev server and
// some front ends keep it, so each API accepts both.
func StripFunctionPrefix(name string, h http.Handler) http.Handler {
	prefix := "/" + name
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
