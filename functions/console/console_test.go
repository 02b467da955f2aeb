package console_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/console"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/wire"
)

func devOptions(t *testing.T) (console.Options, *auth.DevVerifier) {
	t.Helper()
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	return console.Options{
		Auth:      config.AuthDev,
		AgentAPI:  "http://127.0.0.1:8080/AgentAPI",
		Simulator: "/Simulator",
		DevSignIn: dev,
	}, dev
}

func firebaseOptions() console.Options {
	return console.Options{
		Auth:       config.AuthFirebase,
		Firebase:   console.Firebase{APIKey: "AIza-test", AuthDomain: "acme.firebaseapp.com", ProjectID: "acme-smsdesk"},
		AgentAPI:   "https://us-central1-acme-smsdesk.cloudfunctions.net/AgentAPI",
		PublicPath: "/Console/",
	}
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestConfigJSON(t *testing.T) {
	devOpts, _ := devOptions(t)
	tests := []struct {
		name string
		opts console.Options
		path string
		want console.PublicConfig
	}{
		{"dev, with the prefix", devOpts, "/Console/config.json", console.PublicConfig{
			Auth: "dev", DevSignIn: "/Console/dev-sign-in", Simulator: "/Simulator",
			AgentAPI: "http://127.0.0.1:8080/AgentAPI", AdminAPI: "http://127.0.0.1:8080/AdminAPI", PollMillis: 1000,
		}},
		{"firebase, prefix stripped", firebaseOptions(), "/config.json", console.PublicConfig{
			Auth:       "firebase",
			Firebase:   &console.Firebase{APIKey: "AIza-test", AuthDomain: "acme.firebaseapp.com", ProjectID: "acme-smsdesk"},
			SDK:        "/Console/" + console.FirebaseSDK,
			AgentAPI:   "https://us-central1-acme-smsdesk.cloudfunctions.net/AgentAPI",
			AdminAPI:   "https://us-central1-acme-smsdesk.cloudfunctions.net/AdminAPI",
			PollMillis: 1000,
		}},
		{"agentAPI defaults to the sibling path", console.Options{Auth: config.AuthFirebase, PublicPath: "/fn/Console/"}, "/config.json", console.PublicConfig{
			Auth: "firebase", Firebase: &console.Firebase{}, SDK: "/fn/Console/" + console.FirebaseSDK, AgentAPI: "/fn/AgentAPI", AdminAPI: "/fn/AdminAPI", PollMillis: 1000,
		}},
		{"the carriers' webhook URLs", console.Options{Auth: config.AuthFirebase, PublicPath: "/fn/Console/",
			Webhooks: console.WebhooksFor(wire.URLs{Public: "https://sms.acme.example/fn"})}, "/config.json", console.PublicConfig{
			Auth: "firebase", Firebase: &console.Firebase{}, SDK: "/fn/Console/" + console.FirebaseSDK, AgentAPI: "/fn/AgentAPI", AdminAPI: "/fn/AdminAPI", PollMillis: 1000,
			Webhooks: []console.Webhook{
				{Provider: "twilio", Inbound: "https://sms.acme.example/fn/TwilioInbound", Status: "https://sms.acme.example/fn/DeliveryStatus"},
				{Provider: "telnyx", Inbound: "https://sms.acme.example/fn/TelnyxInbound", Status: "https://sms.acme.example/fn/DeliveryStatus/telnyx"},
				{Provider: "bandwidth", Inbound: "https://sms.acme.example/fn/BandwidthInbound", Status: "https://sms.acme.example/fn/DeliveryStatus/bandwidth"},
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, console.New(tc.opts), tc.path)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
			}
			var got console.PublicConfig
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("config.json (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigFollowsThePrefix(t *testing.T) {
	// Deployed under a path (PUBLIC_BASE_URL=https://host/fn): a request
	// that kept the prefix was sent to /Console/, one that lost it (Cloud
	// Functions) to PUBLIC_BASE_URL's /fn/Console/.
	opts, _ := devOptions(t)
	opts.PublicPath = "/fn/Console/"
	h := console.New(opts)
	for path, want := range map[string]string{"/Console/config.json": "/Console/dev-sign-in", "/config.json": "/fn/Console/dev-sign-in"} {
		var got console.PublicConfig
		if err := json.Unmarshal(get(t, h, path).Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.DevSignIn != want {
			t.Errorf("GET %s: devSignIn %q, want %q", path, got.DevSignIn, want)
		}
	}
}

func TestFromDeps(t *testing.T) {
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  config.Config
		dev  *auth.DevVerifier
		want console.Options
	}{
		{"production", config.Config{
			Auth: config.AuthFirebase, ProjectID: "acme-smsdesk", PublicBaseURL: "https://us-central1-acme-smsdesk.cloudfunctions.net",
			FirebaseAPIKey: "AIza-test",
		}, nil, console.Options{
			Auth:     config.AuthFirebase,
			Firebase: console.Firebase{APIKey: "AIza-test", AuthDomain: "acme-smsdesk.firebaseapp.com", ProjectID: "acme-smsdesk"},
			// Absolute: the console may be opened on its own run.app host.
			AgentAPI:     "https://us-central1-acme-smsdesk.cloudfunctions.net/AgentAPI",
			PublicPath:   "/Console/",
			MediaOrigins: []string{"https://storage.googleapis.com", "https://us-central1-acme-smsdesk.cloudfunctions.net"},
			Webhooks:     console.WebhooksFor(wire.URLs{Public: "https://us-central1-acme-smsdesk.cloudfunctions.net"}),
		}},
		{"custom auth domain, base path", config.Config{
			Auth: config.AuthFirebase, ProjectID: "acme-smsdesk", PublicBaseURL: "https://sms.acme.example/fn",
			FirebaseAuthDomain: "login.acme.example",
		}, nil, console.Options{
			Auth:         config.AuthFirebase,
			Firebase:     console.Firebase{AuthDomain: "login.acme.example", ProjectID: "acme-smsdesk"},
			AgentAPI:     "https://sms.acme.example/fn/AgentAPI",
			PublicPath:   "/fn/Console/",
			MediaOrigins: []string{"https://storage.googleapis.com", "https://sms.acme.example"},
			Webhooks:     console.WebhooksFor(wire.URLs{Public: "https://sms.acme.example/fn"}),
		}},
		{"dev server", config.Config{
			Auth: config.AuthDev, ProjectID: "smsdesk-dev", PublicBaseURL: "http://localhost:8080",
		}, dev, console.Options{
			Auth:     config.AuthDev,
			Firebase: console.Firebase{AuthDomain: "smsdesk-dev.firebaseapp.com", ProjectID: "smsdesk-dev"},
			// A path: localhost, 127.0.0.1 and a tunnel all reach the API.
			AgentAPI:     "/AgentAPI",
			PublicPath:   "/Console/",
			Simulator:    "/Simulator",
			MediaOrigins: []string{"https://storage.googleapis.com", "http://localhost:8080"},
			DevSignIn:    dev,
			Webhooks:     console.WebhooksFor(wire.URLs{Public: "http://localhost:8080"}),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, console.OptionsFor(tc.cfg, tc.dev), cmp.Comparer(func(a, b *auth.DevVerifier) bool { return a == b })); diff != "" {
				t.Errorf("OptionsFor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaticFilesAndHeaders(t *testing.T) {
	devOpts, _ := devOptions(t)
	h := console.New(devOpts)
	fb := console.New(firebaseOptions())
	tests := []struct {
		h           http.Handler
		path        string
		code        int
		contentType string
		contains    string
	}{
		{h, "/Console", 200, "text/html; charset=utf-8", `<script type="module" src="/Console/app.js">`},
		{h, "/Console/", 200, "text/html; charset=utf-8", `href="/Console/app.css"`},
		{h, "/Console/index.html", 200, "text/html; charset=utf-8", `<main id="signin-view"`},
		{h, "/Console/app.js", 200, "text/javascript; charset=utf-8", "from './segments.js'"},
		{h, "/Console/segments.js", 200, "text/javascript; charset=utf-8", "export function measure"},
		{h, "/Console/app.css", 200, "text/css; charset=utf-8", ".transcript"},
		{h, "/Console/favicon.svg", 200, "image/svg+xml", "<svg"},
		{h, "/app.js", 200, "text/javascript; charset=utf-8", "import"},
		{h, "/Console/nope.js", 404, "text/plain; charset=utf-8", "no such file"},
		{h, "/Console/../go.mod", 404, "text/plain; charset=utf-8", ""},
		{h, "/ConsoleX/app.js", 404, "text/plain; charset=utf-8", ""},
		// Cloud Functions strips /Console: the page still loads its files
		// through the prefix, which the browser's address has.
		{fb, "/", 200, "text/html; charset=utf-8", `src="/Console/app.js"`},
		{fb, "/dev-sign-in", 404, "text/plain; charset=utf-8", "only served by scripts/dev"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := get(t, tc.h, tc.path)
			if rec.Code != tc.code || rec.Header().Get("Content-Type") != tc.contentType || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Fatalf("GET %s: %d %q %.200q; want %d %q containing %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), tc.code, tc.contentType, tc.contains)
			}
			hd := rec.Header()
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "strict-origin",
				"X-Frame-Options":        "DENY",
			} {
				if hd.Get(name) != want {
					t.Errorf("%s = %q, want %q", name, hd.Get(name), want)
				}
			}
			if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	devOpts, _ := devOptions(t)
	csp := func(o console.Options) map[string]string {
		rec := get(t, console.New(o), "/Console/")
		out := map[string]string{}
		for _, d := range strings.Split(rec.Header().Get("Content-Security-Policy"), ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			out[name] = value
		}
		return out
	}
	emuOpts := firebaseOptions()
	emuOpts.AuthEmulator = "127.0.0.1:9099"
	dev, fb, emu := csp(devOpts), csp(firebaseOptions()), csp(emuOpts)
	checks := []struct {
		name, directive, want string
		present               bool
	}{
		{"dev: scripts only from self", dev["script-src"], "'self'", true},
		{"dev: no gstatic", dev["script-src"], "gstatic", false},
		{"dev: AgentAPI reachable", dev["connect-src"], "http://127.0.0.1:8080", true},
		{"dev: no inline styles", dev["style-src"], "unsafe-inline", false},
		{"firebase: no CDN (the SDK is vendored)", fb["script-src"], "gstatic", false},
		{"firebase: scripts only from self", fb["script-src"], "'self'", true},
		{"firebase: no emulator unless configured", fb["connect-src"], "http://127.0.0.1", false},
		{"firebase: the Auth emulator when configured", emu["connect-src"], "http://127.0.0.1:9099", true},
		{"firebase: no eval", fb["script-src"], "unsafe-eval", false},
		{"firebase: Identity Toolkit", fb["connect-src"], "https://identitytoolkit.googleapis.com", true},
		{"firebase: token refresh", fb["connect-src"], "https://securetoken.googleapis.com", true},
		{"firebase: AgentAPI origin", fb["connect-src"], "https://us-central1-acme-smsdesk.cloudfunctions.net", true},
		{"firebase: signed media URLs", fb["img-src"], "https://storage.googleapis.com", true},
		{"firebase: no plain-http media", fb["img-src"], "http://127.0.0.1", false},
		{"not framed", fb["frame-ancestors"], "'none'", true},
	}
	for _, c := range checks {
		if strings.Contains(c.directive, c.want) != c.present {
			t.Errorf("%s: directive %q; want %q present=%v", c.name, c.directive, c.want, c.present)
		}
	}
}

// TestVendoredFiles: the Firebase SDK that config.json names is served (a
// version bump that forgets one of the two fails here), and the vendoring's
// manifest, lock and entry files are not.
func TestVendoredFiles(t *testing.T) {
	h := console.New(firebaseOptions())
	tests := []struct {
		path string
		want int
	}{
		{"/Console/" + console.FirebaseSDK, http.StatusOK},
		{"/Console/" + strings.TrimSuffix(console.FirebaseSDK, "firebase-auth.js") + "LICENSE", http.StatusOK},
		{"/Console/vendor/package.json", http.StatusNotFound},
		{"/Console/vendor/package-lock.json", http.StatusNotFound},
		{"/Console/vendor/src/firebase-auth.js", http.StatusNotFound},
	}
	for _, tc := range tests {
		if rec := get(t, h, tc.path); rec.Code != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, rec.Code, tc.want)
		}
	}
}

func TestETagsAndCompression(t *testing.T) {
	devOpts, _ := devOptions(t)
	h := console.New(devOpts)
	first := get(t, h, "/Console/app.js")
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q Cache-Control %q", etag, first.Header().Get("Cache-Control"))
	}
	if again := get(t, h, "/Console/app.js", "If-None-Match", etag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304 and none", again.Code, again.Body.Len())
	}
	if other := get(t, h, "/Console/app.js", "If-None-Match", `"stale"`); other.Code != http.StatusOK {
		t.Errorf("stale ETag: %d, want 200", other.Code)
	}

	gz := get(t, h, "/Console/app.js", "Accept-Encoding", "gzip, deflate, br")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == etag || !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: encoding %q etag %q vary %q", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"), gz.Header().Get("Vary"))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != first.Body.String() {
		t.Error("gzipped app.js differs from app.js")
	}
	if gz.Body.Len() >= first.Body.Len() {
		t.Errorf("gzip %d bytes, plain %d", gz.Body.Len(), first.Body.Len())
	}
	if g := get(t, h, "/Console/app.js", "Accept-Encoding", "gzip;q=0"); g.Header().Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}

	// index.html differs by where its files are, so its ETag does too.
	a := get(t, h, "/Console/").Header().Get("ETag")
	if a == "" || a != get(t, h, "/Console/index.html").Header().Get("ETag") {
		t.Errorf("index ETag %q", a)
	}
	prefixed := console.New(console.Options{Auth: config.AuthFirebase, PublicPath: "/fn/Console/"})
	other := get(t, prefixed, "/")
	if other.Header().Get("ETag") == a || !strings.Contains(other.Body.String(), `src="/fn/Console/app.js"`) {
		t.Errorf("index under /fn/Console/: ETag %q (same as %q?), body %.300q", other.Header().Get("ETag"), a, other.Body.String())
	}
}

func TestMethods(t *testing.T) {
	devOpts, _ := devOptions(t)
	h := console.New(devOpts)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req := httptest.NewRequest(m, "/Console/app.js", strings.NewReader("x"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	req := httptest.NewRequest(http.MethodHead, "/Console/app.css", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
}

func TestDevSignIn(t *testing.T) {
	opts, dev := devOptions(t)
	h := console.New(opts)
	post := func(path, contentType, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		name, path, contentType, body string
		code                          int
		want                          auth.Principal
		errContains                   string
	}{
		{"agent", "/Console/dev-sign-in", "application/json", `{"role":"agent","agentId":"ana"}`, 200, auth.Principal{UID: "ana", Role: auth.RoleAgent, AgentID: "ana"}, ""},
		{"supervisor", "/dev-sign-in", "application/json; charset=utf-8", `{"role":"supervisor"}`, 200, auth.Principal{UID: "dev-supervisor", Role: auth.RoleSupervisor}, ""},
		{"admin with email", "/Console/dev-sign-in", "application/json", `{"role":"admin","email":"a@acme.example"}`, 200, auth.Principal{UID: "dev-admin", Role: auth.RoleAdmin, Email: "a@acme.example"}, ""},
		{"agent without id", "/Console/dev-sign-in", "application/json", `{"role":"agent"}`, 400, auth.Principal{}, "agentId"},
		{"unknown role", "/Console/dev-sign-in", "application/json", `{"role":"root"}`, 400, auth.Principal{}, "not agent, supervisor or admin"},
		{"unknown field", "/Console/dev-sign-in", "application/json", `{"role":"admin","isAdmin":true}`, 400, auth.Principal{}, "isAdmin"},
		{"form post (cross-site)", "/Console/dev-sign-in", "application/x-www-form-urlencoded", `role=admin`, 415, auth.Principal{}, "application/json"},
		{"text post (cross-site)", "/Console/dev-sign-in", "text/plain", `{"role":"admin"}`, 415, auth.Principal{}, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(tc.path, tc.contentType, tc.body)
			var out struct {
				Token     string `json:"token"`
				ExpiresIn int    `json:"expiresIn"`
				Error     string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("%d %q: %v", rec.Code, rec.Body, err)
			}
			if rec.Code != tc.code {
				t.Fatalf("%d %+v, want %d", rec.Code, out, tc.code)
			}
			if tc.code != 200 {
				if !strings.Contains(out.Error, tc.errContains) {
					t.Errorf("error %q lacks %q", out.Error, tc.errContains)
				}
				return
			}
			if out.ExpiresIn != 3600 || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("expiresIn %d, Cache-Control %q", out.ExpiresIn, rec.Header().Get("Cache-Control"))
			}
			p, err := dev.Verify(t.Context(), out.Token)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
	if rec := get(t, h, "/Console/dev-sign-in"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET dev-sign-in: %d", rec.Code)
	}
	// Without a dev verifier (firebase mode) nothing is minted.
	noDev := opts
	noDev.DevSignIn = nil
	req := httptest.NewRequest(http.MethodPost, "/Console/dev-sign-in", strings.NewReader(`{"role":"admin"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	console.New(noDev).ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("without DevSignIn: %d", rec.Code)
	}
}
