package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Cross-origin requests and request forgery.
//
// A browser page served from the API's own host (every Cloud Function of a
// project answers at https://REGION-PROJECT.cloudfunctions.net/NAME, so
// /Console calling /AgentAPI is same-origin) needs no CORS at all. An
// OriginPolicy names the further origins (a custom domain, a local build,
// the public base URL a proxy presents the API under) whose pages may call
// the API; for them the API answers CORS preflights and sets
// Access-Control-Allow-Origin.
//
// Why this is enough against cross-site request forgery: the APIs
// authenticate with a bearer token in the Authorization header, never a
// cookie, so a browser does not attach credentials to a request another
// site makes. A forged request arrives without a token and the guard
// refuses it (401); a script on another origin cannot add the header
// without a CORS preflight, which the policy refuses for origins not
// allowed; and it cannot read the token, which lives in its page's own
// origin. As defence in depth a state-changing request (anything but GET,
// HEAD and OPTIONS) whose Origin header names neither the API's host nor an
// allowed origin is refused (403) before authentication, whatever it
// carries. Requests without an Origin header (curl, servers, the Go client)
// are not browser requests and are judged by their token alone.
//
// No response allows credentials (Access-Control-Allow-Credentials is
// never sent), so even an allowed origin's page cannot make the browser
// send cookies here.

// OriginPolicy is which browser origins besides the API's own host may
// call an API.
type OriginPolicy struct {
	// Allowed are origins as scheme://host[:port], in any case and with or
	// without the scheme's default port; entries that are not origins are
	// ignored.
	Allowed []string
	// Client names the page that calls the API and Setting where an
	// operator lists its origin, for the refusals: "the console",
	// "CONSOLE_ORIGINS".
	Client, Setting string
}

// preflightMaxAge is how long a browser may cache a preflight answer.
const preflightMaxAge = "600"

// originPolicy is an OriginPolicy ready to judge requests.
type originPolicy struct {
	allowed         []string // normalised
	client, setting string
}

func (p *OriginPolicy) compile() *originPolicy {
	if p == nil {
		return nil
	}
	c := &originPolicy{client: p.Client, setting: p.Setting}
	if c.client == "" {
		c.client = "the page"
	}
	if c.setting == "" {
		c.setting = "the API's allowed origins"
	}
	for _, o := range p.Allowed {
		if n, ok := normaliseOrigin(o); ok {
			c.allowed = append(c.allowed, n)
		}
	}
	return c
}

// origin is what a request's Origin header says.
type origin struct {
	present bool
	// value is the normalised origin, or the header as sent when it is
	// none ("null" from sandboxed frames and file://).
	value string
	// sameHost: the origin's host is the Host the request was sent to.
	sameHost, allowed bool
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

// check reads a request's Origin; a nil policy allows no other origin.
func (p *originPolicy) check(r *http.Request) origin {
	raw := r.Header.Get("Origin")
	if raw == "" {
		return origin{}
	}
	o, ok := normaliseOrigin(raw)
	if !ok {
		return origin{present: true, value: raw}
	}
	u, _ := url.Parse(o)
	if hostOnly(u.Host, u.Scheme) == hostOnly(r.Host, "") {
		return origin{present: true, value: o, sameHost: true, allowed: true}
	}
	return origin{present: true, value: o, allowed: p != nil && slices.Contains(p.allowed, o)}
}

func stateChanging(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// admit refuses a state-changing request from an origin not allowed, and
// lets an allowed origin's page read the answer.
func (p *originPolicy) admit(w http.ResponseWriter, r *http.Request, o origin) bool {
	if !o.present {
		return true
	}
	if !o.allowed {
		if stateChanging(r.Method) {
			WriteError(w, http.StatusForbidden, fmt.Sprintf(
				"requests from %s may not change anything here; %s's origin must be this API's host or listed in %s", o.value, p.client, p.setting), nil)
			return false
		}
		return true
	}
	if !o.sameHost {
		w.Header().Set("Access-Control-Allow-Origin", o.value)
		w.Header().Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate")
	}
	return true
}

func (p *originPolicy) refusePreflight(w http.ResponseWriter, o origin) {
	WriteError(w, http.StatusForbidden, fmt.Sprintf("cross-origin requests from %s are not allowed; list %s's origin in %s", o.value, p.client, p.setting), nil)
}

// preflight adds the CORS headers of an allowed origin's preflight.
func (p *originPolicy) preflight(w http.ResponseWriter, o origin, methods []string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", o.value)
	h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", preflightMaxAge)
}
