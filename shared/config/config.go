// Package config reads smsdesk's environment variables once, at start-up,
// and reports every missing or malformed one in a single error, so an
// operator fixes a deployment in one pass.
package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
)

// Backends.
const (
	BackendGoogle   = "google"   // Firestore, Pub/Sub, Cloud Tasks (or their emulators)
	BackendEmbedded = "embedded" // in-process twins, for scripts/dev
)

// How the Pub/Sub emulator delivers (PUBSUB_EMULATOR_DELIVERY).
const (
	PubSubPush = "push"
	PubSubPull = "pull"
)

// Carriers.
const (
	CarrierTwilio  = "twilio"
	CarrierSandbox = "sandbox" // keeps outbound texts in memory; the dev phone simulator reads them
)

// Sign-in modes for the agent and admin APIs.
const (
	AuthFirebase = "firebase" // Firebase Authentication / Identity Platform ID tokens
	AuthDev      = "dev"      // tokens the dev server mints itself; never deployed
)

// Config is the validated environment.
type Config struct {
	ProjectID       string
	Backend         string
	Carrier         string
	PublicBaseURL   string
	InternalBaseURL string

	TwilioAccountSID string
	TwilioAuthToken  string
	TwilioAPIBaseURL string

	TelnyxPublicKey  []byte
	TelnyxAPIKey     string
	TelnyxAPIBaseURL string

	// Bandwidth: the account, its messaging application, the API
	// Credential (OAuth 2.0 client) sends use, and the Basic credentials
	// set on the application's callbacks.
	BandwidthAccountID       string
	BandwidthApplicationID   string
	BandwidthClientID        string
	BandwidthClientSecret    string
	BandwidthAPIBaseURL      string
	BandwidthTokenURL        string
	BandwidthWebhookUser     string
	BandwidthWebhookPassword string

	TasksLocation       string
	TasksServiceAccount string
	TasksEmulatorHost   string

	// PubSubEmulatorDelivery is how the Pub/Sub emulator's subscriptions
	// reach the functions: "push" (the emulator's push loop, one message
	// at a time per subscription) or "pull" (a relay in the dev server
	// pushing many at once; scripts/load and scripts/faults).
	PubSubEmulatorDelivery string

	MediaBucket string
	// StorageEmulatorHost is a Cloud Storage emulator (host:port or URL)
	// the media bucket lives on instead of Cloud Storage.
	StorageEmulatorHost string
	LogLevel            logrus.Level
	// Auth is how AgentAPI and AdminAPI authenticate people.
	Auth string
	// FirebaseAPIKey and FirebaseAuthDomain are the console's web sign-in
	// settings (public values, shown to every browser).
	FirebaseAPIKey     string
	FirebaseAuthDomain string
	// FirebaseProjectID is the project whose ID tokens are accepted
	// (FIREBASE_PROJECT_ID): GOOGLE_CLOUD_PROJECT unless Identity Platform
	// lives in another project (and, in tests, the Auth emulator's project).
	FirebaseProjectID string
	// AuthEmulatorHost is the Firebase Auth emulator (host:port) the
	// console's pages sign in against instead of Google; tests and the dev
	// server only (the verifier refuses it when deployed).
	AuthEmulatorHost string
	// ConsoleOrigins are other origins (scheme://host[:port]) allowed to call
	// AgentAPI from a browser, besides the functions' own host.
	ConsoleOrigins []string
	CRM            CRM // CRM sync (shared/crm)
	IVR            IVR // IVR webhook (functions/ivrwebhook)
}

// Error lists every problem found.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "configuration: " + strings.Join(e.Problems, "; ")
}

// twilioTokenRe is what Twilio issues (32 hex digits) loosened to what
// twilio-go sends: it refuses any other character before calling the API
// (its error 21224, "Invalid Password. Illegal chars"), so such a token
// would fail every send.
var twilioTokenRe = regexp.MustCompile(`^[0-9A-Za-z]{32}$`)

var (
	twilioSIDRe   = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	locationRe    = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	projectIDRe   = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	bucketRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$`)
	serviceAcctRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$`)
	bwAccountRe   = regexp.MustCompile(`^[0-9]{1,12}$`)
	uuidRe        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// minWebhookPassword is the shortest Bandwidth callback password accepted:
// Basic credentials are the callbacks' only authentication, and a short
// one can be guessed.
const minWebhookPassword = 16

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	c := Config{
		ProjectID:                get("GOOGLE_CLOUD_PROJECT"),
		Backend:                  get("SMSDESK_BACKEND"),
		Carrier:                  get("SMSDESK_CARRIER"),
		PublicBaseURL:            strings.TrimSuffix(get("PUBLIC_BASE_URL"), "/"),
		InternalBaseURL:          strings.TrimSuffix(get("INTERNAL_BASE_URL"), "/"),
		TwilioAccountSID:         get("TWILIO_ACCOUNT_SID"),
		TwilioAuthToken:          get("TWILIO_AUTH_TOKEN"),
		TwilioAPIBaseURL:         strings.TrimSuffix(get("TWILIO_API_BASE_URL"), "/"),
		TelnyxAPIKey:             get("TELNYX_API_KEY"),
		TelnyxAPIBaseURL:         strings.TrimSuffix(get("TELNYX_API_BASE_URL"), "/"),
		BandwidthAccountID:       get("BANDWIDTH_ACCOUNT_ID"),
		BandwidthApplicationID:   get("BANDWIDTH_APPLICATION_ID"),
		BandwidthClientID:        get("BANDWIDTH_CLIENT_ID"),
		BandwidthClientSecret:    get("BANDWIDTH_CLIENT_SECRET"),
		BandwidthAPIBaseURL:      strings.TrimSuffix(get("BANDWIDTH_API_BASE_URL"), "/"),
		BandwidthTokenURL:        get("BANDWIDTH_TOKEN_URL"),
		BandwidthWebhookUser:     get("BANDWIDTH_WEBHOOK_USER"),
		BandwidthWebhookPassword: get("BANDWIDTH_WEBHOOK_PASSWORD"),
		TasksLocation:            get("TASKS_LOCATION"),
		TasksServiceAccount:      get("TASKS_SERVICE_ACCOUNT"),
		TasksEmulatorHost:        get("CLOUD_TASKS_EMULATOR_HOST"),
		PubSubEmulatorDelivery:   get("PUBSUB_EMULATOR_DELIVERY"),
		MediaBucket:              get("MEDIA_BUCKET"),
		StorageEmulatorHost:      get("STORAGE_EMULATOR_HOST"),
		Auth:                     get("SMSDESK_AUTH"),
		FirebaseAPIKey:           get("FIREBASE_API_KEY"),
		FirebaseAuthDomain:       get("FIREBASE_AUTH_DOMAIN"),
		FirebaseProjectID:        get("FIREBASE_PROJECT_ID"),
		AuthEmulatorHost:         get("FIREBASE_AUTH_EMULATOR_HOST"),
	}
	for _, o := range strings.Split(get("CONSOLE_ORIGINS"), ",") {
		if o = strings.TrimSuffix(strings.TrimSpace(o), "/"); o != "" {
			c.ConsoleOrigins = append(c.ConsoleOrigins, o)
		}
	}

	switch c.Backend {
	case "":
		c.Backend = BackendGoogle
	case BackendGoogle, BackendEmbedded:
	default:
		bad("SMSDESK_BACKEND %q must be %q or %q", c.Backend, BackendGoogle, BackendEmbedded)
	}
	if c.Carrier == "" {
		c.Carrier = CarrierTwilio
		if c.TwilioAccountSID == "" && c.TwilioAuthToken == "" && c.Backend == BackendEmbedded {
			c.Carrier = CarrierSandbox
		}
	}
	if c.Carrier != CarrierTwilio && c.Carrier != CarrierSandbox {
		bad("SMSDESK_CARRIER %q must be %q or %q", c.Carrier, CarrierTwilio, CarrierSandbox)
	}

	if c.ProjectID == "" {
		if c.Backend == BackendGoogle {
			bad("GOOGLE_CLOUD_PROJECT is required")
		} else {
			c.ProjectID = "smsdesk-dev"
		}
	} else if !projectIDRe.MatchString(c.ProjectID) {
		bad("GOOGLE_CLOUD_PROJECT %q is not a valid project id", c.ProjectID)
	}

	checkURL := func(name, v string, required bool) {
		if v == "" {
			if required {
				bad("%s is required", name)
			}
			return
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			bad("%s %q must be an absolute http(s) URL without a query", name, v)
		}
	}
	checkURL("PUBLIC_BASE_URL", c.PublicBaseURL, true)
	checkURL("INTERNAL_BASE_URL", c.InternalBaseURL, false)
	if c.InternalBaseURL == "" {
		c.InternalBaseURL = c.PublicBaseURL
	}

	if c.Carrier == CarrierTwilio {
		if c.TwilioAccountSID == "" {
			bad("TWILIO_ACCOUNT_SID is required (or set SMSDESK_CARRIER=sandbox)")
		}
		if c.TwilioAuthToken == "" {
			bad("TWILIO_AUTH_TOKEN is required (or set SMSDESK_CARRIER=sandbox)")
		}
	}
	if c.TwilioAccountSID != "" && !twilioSIDRe.MatchString(c.TwilioAccountSID) {
		bad("TWILIO_ACCOUNT_SID %q must be AC followed by 32 hex digits", c.TwilioAccountSID)
	}
	// The token is a secret: the problem names the variable and the shape
	// of what is wrong, never the value, since this error is logged.
	if t := c.TwilioAuthToken; t != "" && !twilioTokenRe.MatchString(t) {
		bad("TWILIO_AUTH_TOKEN must be the 32 letters and digits of the account's auth token (got %d characters%s); Twilio's library refuses any other token",
			utf8.RuneCountInString(t), tokenProblem(t))
	}
	checkURL("TWILIO_API_BASE_URL", c.TwilioAPIBaseURL, false)
	if c.TwilioAPIBaseURL == "" {
		c.TwilioAPIBaseURL = "https://api.twilio.com"
	}

	if k := get("TELNYX_PUBLIC_KEY"); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil || len(key) != 32 {
			bad("TELNYX_PUBLIC_KEY must be the base64 Ed25519 public key (32 bytes) from the Telnyx portal")
		}
		c.TelnyxPublicKey = key
	}
	checkURL("TELNYX_API_BASE_URL", c.TelnyxAPIBaseURL, false)
	if c.TelnyxAPIBaseURL == "" {
		c.TelnyxAPIBaseURL = "https://api.telnyx.com"
	}

	checkBandwidth(c, get, bad, checkURL)
	c.CRM = loadCRM(get, bad, checkURL)
	c.IVR = loadIVR(get, bad)
	if c.BandwidthAPIBaseURL == "" {
		c.BandwidthAPIBaseURL = "https://messaging.bandwidth.com"
	}
	if c.BandwidthTokenURL == "" {
		c.BandwidthTokenURL = "https://api.bandwidth.com/api/v1/oauth2/token"
	}

	switch {
	case c.TasksLocation != "" && !locationRe.MatchString(c.TasksLocation):
		bad("TASKS_LOCATION %q is not a region such as us-central1", c.TasksLocation)
	case c.TasksLocation == "" && c.Backend == BackendGoogle:
		bad("TASKS_LOCATION is required (the region of the Cloud Tasks queues, e.g. us-central1)")
	}
	if c.TasksServiceAccount != "" && !serviceAcctRe.MatchString(c.TasksServiceAccount) {
		bad("TASKS_SERVICE_ACCOUNT %q must be a service account email (NAME@PROJECT.iam.gserviceaccount.com)", c.TasksServiceAccount)
	}
	if h := c.TasksEmulatorHost; h != "" {
		if _, _, err := net.SplitHostPort(h); err != nil {
			bad("CLOUD_TASKS_EMULATOR_HOST %q must be host:port", h)
		}
	}
	switch c.PubSubEmulatorDelivery {
	case "":
		c.PubSubEmulatorDelivery = PubSubPush
	case PubSubPush, PubSubPull:
	default:
		bad("PUBSUB_EMULATOR_DELIVERY %q must be %q or %q", c.PubSubEmulatorDelivery, PubSubPush, PubSubPull)
	}
	if c.MediaBucket != "" && !bucketRe.MatchString(c.MediaBucket) {
		bad("MEDIA_BUCKET %q is not a valid bucket name", c.MediaBucket)
	}
	if h := c.StorageEmulatorHost; h != "" {
		hostport := h
		if strings.Contains(h, "://") {
			u, err := url.Parse(h)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				hostport = ""
			} else {
				hostport = u.Host
			}
		}
		if _, _, err := net.SplitHostPort(hostport); err != nil {
			bad("STORAGE_EMULATOR_HOST %q must be host:port or an http(s) URL with a port", h)
		}
	}

	if c.FirebaseProjectID == "" {
		c.FirebaseProjectID = c.ProjectID
	} else if !projectIDRe.MatchString(c.FirebaseProjectID) {
		bad("FIREBASE_PROJECT_ID %q is not a valid project id", c.FirebaseProjectID)
	}
	if h := c.AuthEmulatorHost; h != "" {
		if _, _, err := net.SplitHostPort(h); err != nil {
			bad("FIREBASE_AUTH_EMULATOR_HOST %q must be host:port", h)
		}
	}

	switch c.Auth {
	case "":
		c.Auth = AuthFirebase
	case AuthFirebase, AuthDev:
	default:
		bad("SMSDESK_AUTH %q must be %q or %q", c.Auth, AuthFirebase, AuthDev)
	}

	for _, o := range c.ConsoleOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			bad("CONSOLE_ORIGINS entry %q must be an origin such as https://console.acme.example", o)
		}
	}

	c.LogLevel = logrus.InfoLevel
	if lv := get("LOG_LEVEL"); lv != "" {
		l, err := logrus.ParseLevel(lv)
		if err != nil {
			bad("LOG_LEVEL %q must be one of debug, info, warning, error", lv)
		}
		c.LogLevel = l
	}

	if len(problems) > 0 {
		return c, &Error{Problems: problems}
	}
	return c, nil
}

// tokenProblem says what besides the length is wrong with a token,
// without quoting it.
func tokenProblem(t string) string {
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return ", including white space"
		case r == '"' || r == '\'':
			return ", including quotes"
		default:
			return ", including characters other than letters and digits"
		}
	}
	return ""
}

// WebhookAuthToken is the token Twilio webhooks are verified with. The
// sandbox carrier has no account; the phone simulator signs with a fixed
// development token so the webhook path is the same code as production.
func (c Config) WebhookAuthToken() string {
	if c.Carrier == CarrierSandbox && c.TwilioAuthToken == "" {
		return SandboxAuthToken
	}
	return c.TwilioAuthToken
}

// SandboxAuthToken signs the sandbox's webhooks. It is public on purpose:
// the sandbox carrier never reaches a real phone.
const SandboxAuthToken = "sandbox-auth-token"

// BandwidthSends reports whether Bandwidth sends are configured: the ids
// and the API Credential's secret.
func (c Config) BandwidthSends() bool {
	return c.BandwidthClientID != "" && c.BandwidthClientSecret != ""
}

// checkBandwidth checks Bandwidth's variables: the ids come together, a
// secret comes with its id or user, the callback password is long enough,
// and the retired API User variables are refused with what replaces them.
// Secrets are never named by value.
func checkBandwidth(c Config, get func(string) string, bad func(string, ...any), checkURL func(string, string, bool)) {
	if get("BANDWIDTH_API_USER") != "" || get("BANDWIDTH_API_PASSWORD") != "" {
		bad("BANDWIDTH_API_USER and BANDWIDTH_API_PASSWORD are not used: Bandwidth retires API Users on 2 December 2026; create an API Credential (Account > API Credentials) and set BANDWIDTH_CLIENT_ID and BANDWIDTH_CLIENT_SECRET")
	}
	// The ids are plain configuration every function is given; the client
	// secret and the callback password are Secret Manager secrets mounted
	// only where they are used, so a function may see the ids without them.
	ids := map[string]string{
		"BANDWIDTH_ACCOUNT_ID": c.BandwidthAccountID, "BANDWIDTH_APPLICATION_ID": c.BandwidthApplicationID,
		"BANDWIDTH_CLIENT_ID": c.BandwidthClientID,
	}
	set := 0
	for _, v := range ids {
		if v != "" {
			set++
		}
	}
	if set > 0 && set < len(ids) {
		for _, name := range []string{"BANDWIDTH_ACCOUNT_ID", "BANDWIDTH_APPLICATION_ID", "BANDWIDTH_CLIENT_ID"} {
			if ids[name] == "" {
				bad("%s is required when any of BANDWIDTH_ACCOUNT_ID, BANDWIDTH_APPLICATION_ID, BANDWIDTH_CLIENT_ID is set", name)
			}
		}
	}
	if c.BandwidthClientSecret != "" && c.BandwidthClientID == "" {
		bad("BANDWIDTH_CLIENT_ID is required with BANDWIDTH_CLIENT_SECRET")
	}
	if v := c.BandwidthAccountID; v != "" && !bwAccountRe.MatchString(v) {
		bad("BANDWIDTH_ACCOUNT_ID %q must be the account's number (digits)", v)
	}
	if v := c.BandwidthApplicationID; v != "" && !uuidRe.MatchString(v) {
		bad("BANDWIDTH_APPLICATION_ID %q must be the messaging application's id (a UUID)", v)
	}
	user, password := c.BandwidthWebhookUser, c.BandwidthWebhookPassword
	switch {
	case user == "" && password != "":
		bad("BANDWIDTH_WEBHOOK_USER is required with BANDWIDTH_WEBHOOK_PASSWORD")
	case strings.Contains(user, ":"):
		bad("BANDWIDTH_WEBHOOK_USER must not contain a colon (HTTP Basic credentials are user:password)")
	case password != "" && utf8.RuneCountInString(password) < minWebhookPassword:
		bad("BANDWIDTH_WEBHOOK_PASSWORD must be at least %d characters (got %d)", minWebhookPassword, utf8.RuneCountInString(password))
	}
	checkURL("BANDWIDTH_API_BASE_URL", c.BandwidthAPIBaseURL, false)
	checkURL("BANDWIDTH_TOKEN_URL", c.BandwidthTokenURL, false)
}
