package agentapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Cross-origin requests and request forgery.
//
// The console is served from the same host as the API in production: every
// Cloud Function of a project answers at https://REGION-PROJECT.cloudfunctions.net/NAME,
// so /Console calling /AgentAPI is same-origin and needs no CORS at all.
// The origin of PUBLIC_BASE_URL is allowed too, in case a front end
// presents the API with another Host than the browser used. CONSOLE_ORIGINS
// names further origins (a custom domain, a local console
// build) that may call the API from a browser; for them the API answers
// CORS preflights and sets Access-Control-Allow-Origin.
//
// Why this is enough against cross-site request forgery: the API
// authenticates with a bearer token in the Authorization header, never a
// cookie, so a browser does not attach credentials to a request another
// site makes. A forged request arrives without a token and the guard
// refuses it (401); a script on another origin cannot add the header
// without a CORS preflight, which this policy refuses for origins not
// allowed; and it cannot read the token, which lives in the console's own
// origin. As defence in depth a state-changing request (anything but GET,
// HEAD and OPTIONS) whose Origin header names neither the API's host nor an
// allowed origin is refused (403) before authentication, whatever it
// carries. Requests without an Origin header (curl, servers, the Go client)
// are not browser requests and are judged by their token alone.
//
// No response allows credentials (Access-Control-Allow-Credentials is
// never sent), so even an allowed origin's page cannot make the browser
// send cookies here.

// preflightMaxAge is how long a browser may cache a preflight answer.
const preflightMaxAge = "600"

type originPolicy struct {
	allowed []string // normalised scheme://host[:port]
	methods func(r *http.Request) ([]string, string)
}

func newOriginPolicy(origins []string, methods func(*http.Request) ([]string, string)) *originPolicy {
	p := &originPolicy{methods: methods}
	for _, o := range origins {
		if n, ok := normaliseOrigin(o); ok {
			p.allowed = append(p.allowed, n)
		}
	}
	return p
}

// normaliseOrigin lower-cases an origin and drops its scheme's default
// port, so "HTTPS://Console.Example:443" matches "https://console.example".
func normaliseOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return strings.ToLower(u.Scheme) + "://" + hostOnly(u.Host, u.Scheme), true
}

// hostOnly is host[:port] in lower case without the scheme's default port.
func hostOnly(host, scheme string) string {
	host = strings.ToLower(host)
	switch {
	case strings.EqualFold(scheme, "https"):
		host = strings.TrimSuffix(host, ":443")
	case strings.EqualFold(scheme, "http"):
		host = strings.TrimSuffix(host, ":80")
	default:
		host = strings.TrimSuffix(strings.TrimSuffix(host, ":443"), ":80")
	}
	return host
}

// check says whether a request's Origin may use the API: same-host (the
// Origin's host is the Host the request was sent to), or allowed. It
// returns the normalised origin for the CORS headers.
func (p *originPolicy) check(r *http.Request) (origin string, sameHost, allowed bool) {
	raw := r.Header.Get("Origin")
	o, ok := normaliseOrigin(raw)
	if !ok {
		return raw, false, false // "null" (sandboxed frames, file://) or garbage
	}
	u, _ := url.Parse(o)
	if hostOnly(u.Host, u.Scheme) == hostOnly(r.Host, "") {
		return o, true, true
	}
	return o, false, slices.Contains(p.allowed, o)
}

func stateChanging(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

func (p *originPolicy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hasOrigin := r.Header.Get("Origin") != ""
		origin, sameHost, allowed := p.check(r)
		if hasOrigin {
			w.Header().Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			p.options(w, r, hasOrigin, origin, allowed)
			return
		}
		if hasOrigin && !allowed && stateChanging(r.Method) {
			WriteError(w, http.StatusForbidden, fmt.Sprintf(
				"requests from %s may not change anything here; the console's origin must be this API's host or listed in CONSOLE_ORIGINS", origin), nil)
			return
		}
		if hasOrigin && allowed && !sameHost {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate")
		}
		next.ServeHTTP(w, r)
	})
}

// options answers an OPTIONS request: a CORS preflight from an allowed
// origin gets the methods and headers the API accepts; one from another
// origin is refused; without an Origin it just lists the path's methods.
func (p *originPolicy) options(w http.ResponseWriter, r *http.Request, hasOrigin bool, origin string, allowed bool) {
	methods, pattern := p.methods(r)
	if hasOrigin && !allowed {
		WriteError(w, http.StatusForbidden, fmt.Sprintf("cross-origin requests from %s are not allowed; list the console's origin in CONSOLE_ORIGINS", origin), nil)
		return
	}
	if pattern == "" {
		WriteError(w, http.StatusNotFound, "no such resource: "+r.URL.Path, nil)
		return
	}
	h := w.Header()
	h.Set("Allow", strings.Join(methods, ", "))
	if hasOrigin {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		h.Set("Access-Control-Max-Age", preflightMaxAge)
	}
	w.WriteHeader(http.StatusNoContent)
}
