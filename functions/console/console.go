// Package console is the Console function: the agent and supervisor web app,
// plain HTML, CSS and JavaScript modules embedded in the binary with
// go:embed and served with strict security headers. The pages talk to
// AgentAPI with the bearer token of the signed-in person; this function
// serves only files, the settings the pages need (config.json) and, on the
// dev server only, the token minting that stands in for Firebase
// Authentication (POST dev-sign-in).
//
// Paths are accepted with and without the /Console prefix: the dev server
// keeps it, Cloud Functions strips it.
package console

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnConsole

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

// Build makes the handler from an Env: its configuration, and in dev mode
// the token minting.
func Build(_ context.Context, e *platform.Env) (http.Handler, error) {
	dev, err := authenv.DevSignIn(e)
	if err != nil {
		return nil, err
	}
	return New(OptionsFor(e.Config, dev)), nil
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// FirebaseSDK is the Firebase web SDK the sign-in page imports in firebase
// mode, relative to the console's base path: Firebase's own modules bundled
// into one ES module and served from here (static/vendor, checked against
// its npm lock by scripts/check-vendor), never from a CDN.
const FirebaseSDK = "vendor/firebase@12.19.0/firebase-auth.js"

// DevSignInTTL matches a Firebase ID token's hour; the page mints a new
// token five minutes before it runs out.
const DevSignInTTL = time.Hour

// Firebase is the public web configuration of the Firebase project the
// console signs people in with. None of it is secret: every browser gets it.
type Firebase struct {
	APIKey     string `json:"apiKey"`
	AuthDomain string `json:"authDomain"`
	ProjectID  string `json:"projectId"`
}

// Options configure the console.
type Options struct {
	// Auth is config.AuthFirebase or config.AuthDev.
	Auth     string
	Firebase Firebase
	// AgentAPI is the base URL of AgentAPI the pages call: absolute
	// (https://host/AgentAPI) or a path on the console's own host.
	AgentAPI string
	// AdminAPI is the base URL of AdminAPI the admin pages call; empty:
	// next to AgentAPI.
	AdminAPI string
	// Webhooks are the carrier-facing URLs the admin pages show for an
	// admin to paste at each carrier.
	Webhooks []Webhook
	// PublicPath is the console's path on its public host, ending in a
	// slash ("/Console/"). Pages load their files from it when the request
	// reached this handler without the /Console prefix (Cloud Functions
	// strips it), so index.html must name the prefix itself.
	PublicPath string
	// Simulator is the phone simulator's address, shown as a link (dev only).
	Simulator string
	// MediaOrigins may serve the media shown inline (signed Cloud Storage
	// URLs); AgentAPI's origin is always allowed. Default
	// https://storage.googleapis.com.
	MediaOrigins []string
	// DevSignIn, when set, mints tokens at POST dev-sign-in. Only the dev
	// server has one (auth.NewDevVerifier refuses to run when deployed).
	DevSignIn *auth.DevVerifier
	// AuthEmulator is the Firebase Auth emulator's host:port the pages sign
	// in against in firebase mode (tests, local runs); the ID token
	// verifier refuses the emulator on a deployed service.
	AuthEmulator string
}

// OptionsFor derives the options from a process's configuration: AgentAPI
// next to the console under PUBLIC_BASE_URL, the Firebase web settings, and
// in dev mode (dev is the dev server's token minter) the token minting and
// the phone simulator.
func OptionsFor(c config.Config, dev *auth.DevVerifier) Options {
	o := Options{
		Auth:       c.Auth,
		Firebase:   Firebase{APIKey: c.FirebaseAPIKey, AuthDomain: c.FirebaseAuthDomain, ProjectID: c.FirebaseProjectID},
		AgentAPI:   c.PublicBaseURL + "/" + wire.FnAgentAPI,
		PublicPath: "/" + Name + "/",
		DevSignIn:  dev,
		Webhooks:   WebhooksFor(wire.URLs{Public: c.PublicBaseURL}),
	}
	if o.Firebase.ProjectID == "" { // a Config not made by config.Load
		o.Firebase.ProjectID = c.ProjectID
	}
	if c.Auth == config.AuthFirebase {
		o.AuthEmulator = c.AuthEmulatorHost
	}
	if u, err := url.Parse(c.PublicBaseURL); err == nil {
		base := strings.TrimSuffix(u.Path, "/")
		o.PublicPath = base + "/" + Name + "/"
		if dev != nil {
			// The dev server serves everything from one host, reached as
			// localhost, 127.0.0.1 or a tunnel alike: a path keeps the
			// pages' API calls on whichever host they were loaded from.
			o.AgentAPI = base + "/" + wire.FnAgentAPI
			o.Simulator = base + "/Simulator"
		}
	}
	if pub := origin(c.PublicBaseURL); pub != "" {
		// Media the functions serve themselves (the dev server's embedded
		// media store signs URLs under PUBLIC_BASE_URL).
		o.MediaOrigins = []string{"https://storage.googleapis.com", pub}
	}
	if o.Firebase.AuthDomain == "" && o.Firebase.ProjectID != "" {
		o.Firebase.AuthDomain = o.Firebase.ProjectID + ".firebaseapp.com"
	}
	return o
}

//go:embed static
var staticFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	name, contentType string
	body, gzipped     []byte
	etag, gzipETag    string
}

func newAsset(name string, body []byte) *asset {
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) { // the host's MIME table may lack these
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	sum := sha256.Sum256(body)
	a := &asset{name: name, contentType: ct, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	if buf.Len() < len(body) {
		a.gzipped, a.gzipETag = buf.Bytes(), `"`+hex.EncodeToString(sum[:12])+`-gz"`
	}
	return a
}

// serve answers with the file, compressed when the client accepts gzip,
// and 304 when its ETag matches. Browsers revalidate on each load
// (no-cache): the files have no fingerprint in their names, and a 304 costs
// one short round trip.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	body, etag := a.body, a.etag
	if a.gzipped != nil && acceptsGzip(r) {
		body, etag = a.gzipped, a.gzipETag
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// handler serves the console.
type handler struct {
	opts    Options
	assets  map[string]*asset // by path without the leading slash
	index   []byte            // index.html with the {{BASE}} placeholder
	csp     string
	devMint http.Handler

	mu        sync.Mutex
	indexFor  map[string]*asset // index.html by base path
	configFor map[string][]byte // config.json by base path
}

// New builds the console's handler.
func New(o Options) http.Handler {
	if o.PublicPath == "" {
		o.PublicPath = "/" + Name + "/"
	}
	if !strings.HasSuffix(o.PublicPath, "/") {
		o.PublicPath += "/"
	}
	if o.AgentAPI == "" {
		o.AgentAPI = strings.TrimSuffix(strings.TrimSuffix(o.PublicPath, "/"), Name) + wire.FnAgentAPI
	}
	o.AgentAPI = strings.TrimSuffix(o.AgentAPI, "/")
	if o.AdminAPI == "" {
		o.AdminAPI = strings.TrimSuffix(o.AgentAPI, wire.FnAgentAPI) + wire.FnAdminAPI
	}
	o.AdminAPI = strings.TrimSuffix(o.AdminAPI, "/")
	if o.MediaOrigins == nil {
		o.MediaOrigins = []string{"https://storage.googleapis.com"}
	}
	h := &handler{opts: o, assets: map[string]*asset{}, indexFor: map[string]*asset{}, configFor: map[string][]byte{}}
	err := fs.WalkDir(staticFS, "static", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		if vendorSource(name) {
			return nil
		}
		if name == "index.html" {
			h.index = body
			return nil
		}
		h.assets[name] = newAsset(name, body)
		return nil
	})
	if err != nil || h.index == nil {
		panic("console: embedded files: " + errString(err)) // a build defect, caught by any test
	}
	h.csp = contentSecurityPolicy(o)
	if o.DevSignIn != nil {
		h.devMint = DevSignIn(o.DevSignIn)
	}
	return h
}

// vendorSource tells the vendoring's own files (the npm manifest, its lock,
// the bundles' entry files) from the vendored files under
// vendor/<package>@<version>/: only the latter are served.
func vendorSource(name string) bool {
	rest, ok := strings.CutPrefix(name, "vendor/")
	if !ok {
		return false
	}
	first, _, _ := strings.Cut(rest, "/")
	return !strings.Contains(first, "@")
}

func errString(err error) string {
	if err == nil {
		return "index.html missing"
	}
	return err.Error()
}

// origin returns the scheme://host of an absolute URL, or "" for a path.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// contentSecurityPolicy allows the page's own files (the Firebase SDK
// among them), AgentAPI, media from Cloud Storage and, in firebase mode, the
// Identity Toolkit endpoints the SDK signs in and refreshes tokens with (or
// the Auth emulator). No inline script or style, no framing.
func contentSecurityPolicy(o Options) string {
	connect := []string{"'self'"}
	media := []string{"'self'", "blob:", "data:"}
	scripts := []string{"'self'"}
	if api := origin(o.AgentAPI); api != "" {
		connect = append(connect, api)
		media = append(media, api)
	}
	media = append(media, o.MediaOrigins...)
	if o.Auth == config.AuthFirebase {
		connect = append(connect, "https://identitytoolkit.googleapis.com", "https://securetoken.googleapis.com")
		if o.AuthEmulator != "" {
			connect = append(connect, "http://"+o.AuthEmulator)
		}
	}
	if o.Auth == config.AuthDev {
		// Local stand-ins for Cloud Storage (fake-gcs-server) serve media
		// over plain HTTP on the loopback interface.
		media = append(media, "http://127.0.0.1:*", "http://localhost:*")
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(scripts, " "),
		"style-src 'self'",
		"img-src " + strings.Join(media, " "),
		"media-src " + strings.Join(media, " "),
		"connect-src " + strings.Join(connect, " "),
		"manifest-src 'self'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// PublicConfig is GET config.json: what the pages need to sign in and to
// find AgentAPI.
type PublicConfig struct {
	Auth     string    `json:"auth"`
	Firebase *Firebase `json:"firebase,omitempty"`
	SDK      string    `json:"firebaseSDK,omitempty"`
	// AuthEmulator is the Auth emulator's URL the SDK is pointed at
	// (connectAuthEmulator); tests and local runs only.
	AuthEmulator string    `json:"authEmulator,omitempty"`
	DevSignIn    string    `json:"devSignIn,omitempty"`
	Simulator    string    `json:"simulator,omitempty"`
	AgentAPI     string    `json:"agentAPI"`
	AdminAPI     string    `json:"adminAPI"`
	Webhooks     []Webhook `json:"webhooks,omitempty"`
	// PollMillis is how often the inbox is refreshed (see app.js).
	PollMillis int `json:"pollMillis"`
}

// Webhook is where one carrier posts: its inbound texts and its delivery
// reports, as configured in the carrier's console.
type Webhook struct {
	Provider string `json:"provider"`
	Inbound  string `json:"inbound"`
	Status   string `json:"status"`
}

// WebhooksFor lists every carrier's webhook URLs under the public base URL
// (the same URLs the functions check signatures against).
func WebhooksFor(u wire.URLs) []Webhook {
	if u.Public == "" {
		return nil
	}
	return []Webhook{
		{Provider: wire.ProviderTwilio, Inbound: u.PublicFunction(wire.FnTwilioInbound), Status: u.StatusCallbackPath(wire.ProviderTwilio)},
		{Provider: wire.ProviderTelnyx, Inbound: u.PublicFunction(wire.FnTelnyxInbound), Status: u.StatusCallbackPath(wire.ProviderTelnyx)},
		{Provider: wire.ProviderBandwidth, Inbound: u.PublicFunction(wire.FnBandwidthInbound), Status: u.StatusCallbackPath(wire.ProviderBandwidth)},
	}
}

// configJSON is config.json for pages loaded from base.
func (h *handler) configJSON(base string) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if b, ok := h.configFor[base]; ok {
		return b
	}
	c := PublicConfig{Auth: h.opts.Auth, AgentAPI: h.opts.AgentAPI, AdminAPI: h.opts.AdminAPI, Webhooks: h.opts.Webhooks, PollMillis: 1000}
	switch h.opts.Auth {
	case config.AuthDev:
		if h.opts.DevSignIn != nil {
			c.DevSignIn = base + "dev-sign-in"
		}
		c.Simulator = h.opts.Simulator
	default:
		f := h.opts.Firebase
		c.Firebase, c.SDK = &f, base+FirebaseSDK
		if h.opts.AuthEmulator != "" {
			c.AuthEmulator = "http://" + h.opts.AuthEmulator
		}
	}
	b, _ := json.Marshal(c)
	h.configFor[base] = b
	return b
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	// strict-origin, not no-referrer: the Firebase web API key may be
	// restricted to the console's referrer, which Identity Toolkit checks
	// against the Referer header. Nothing private is in the console's URLs
	// (chat ids ride in the fragment, which is never sent).
	hd.Set("Referrer-Policy", "strict-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")

	p, base := r.URL.Path, h.opts.PublicPath
	if rest, ok := strings.CutPrefix(p, "/"+Name); ok && (rest == "" || rest[0] == '/') {
		// The prefix is on the request: the browser's address starts with
		// it too, so the files are under it whatever PUBLIC_BASE_URL says.
		p, base = rest, "/"+Name+"/"
	}
	p = strings.TrimPrefix(p, "/")

	if p == "dev-sign-in" {
		if h.devMint == nil {
			httpx.Error(w, http.StatusNotFound, "dev sign-in is only served by scripts/dev (SMSDESK_AUTH=dev)")
			return
		}
		h.devMint.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		httpx.Error(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use GET")
		return
	}
	switch p {
	case "", "index.html":
		h.indexAsset(base).serve(w, r)
	case "config.json":
		hd.Set("Content-Type", "application/json")
		hd.Set("Cache-Control", "no-cache")
		_, _ = w.Write(h.configJSON(base))
	default:
		a, ok := h.assets[p]
		if !ok {
			httpx.Error(w, http.StatusNotFound, "no such file: "+p)
			return
		}
		a.serve(w, r)
	}
}

// indexAsset is index.html with its files addressed under base.
func (h *handler) indexAsset(base string) *asset {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.indexFor[base]
	if !ok {
		a = newAsset("index.html", bytes.ReplaceAll(h.index, []byte("{{BASE}}"), []byte(htmlAttr(base))))
		h.indexFor[base] = a
	}
	return a
}

// htmlAttr escapes a path for a double-quoted attribute.
func htmlAttr(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;").Replace(s)
}

// DevSignIn mints a sign-in token for whoever asks, as whatever role: the
// zero-setup stand-in for Firebase Authentication on scripts/dev. Only
// mounted when SMSDESK_AUTH=dev, which auth.NewDevVerifier refuses on a
// deployed service. The body must be JSON (a cross-site form cannot post
// it without a CORS preflight, which nothing here answers).
//
//	POST /Console/dev-sign-in {"role":"admin"} or {"role":"agent","agentId":"ana"}
//	→ {"token":"smsdesk-dev....","expiresIn":3600}
func DevSignIn(dev *auth.DevVerifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			httpx.JSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send the body as application/json"})
			return
		}
		var in struct {
			Role    auth.Role `json:"role"`
			AgentID string    `json:"agentId"`
			Email   string    `json:"email"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
			return
		}
		uid := "dev-" + string(in.Role)
		if in.AgentID != "" {
			uid = in.AgentID
		}
		token, err := dev.Mint(auth.Principal{UID: uid, Email: in.Email, Role: in.Role, AgentID: in.AgentID}, DevSignInTTL)
		if err != nil {
			httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.JSON(w, http.StatusOK, map[string]any{"token": token, "expiresIn": int(DevSignInTTL.Seconds())})
	})
}
