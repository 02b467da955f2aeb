// Package bandwidthtest is a local HTTP server standing in for Bandwidth's
// Messaging API v2 and its OAuth 2.0 token endpoint: it issues access
// tokens for one API Credential, records every message created, answers
// like Bandwidth (202 with the message, or {"type", "description"} with
// Bandwidth's HTTP statuses), serves the account's media to a valid token,
// and can be told to answer an error, a proxy's error page or nothing at
// all, a number of times or for a while. Tests point the real client at it
// through BANDWIDTH_API_BASE_URL and BANDWIDTH_TOKEN_URL.
//
// It checks requests as Bandwidth documents them: the token request is
// POST /api/v1/oauth2/token with Basic client id and secret and the form
// grant_type=client_credentials ("Credential Management"); Create Message
// is POST /api/v2/users/{accountId}/messages with Authorization: Bearer
// <token>, Content-Type application/json and a body with applicationId,
// to (an array), from, and text and/or media, tag at most 1024 characters,
// text at most 2048 ("Create Message", "Errors"). It refuses what Bandwidth
// would refuse, plus a body field the endpoint does not document, since a
// misspelled field is a send bug nobody would otherwise notice.
package bandwidthtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/standin"
)

// Account is the stand-in's one account, application and API Credential.
type Account struct {
	AccountID, ApplicationID string
	ClientID, ClientSecret   string
}

// Sent is one message the server accepted.
type Sent struct {
	ID             string
	From, To, Text string
	Media          []string
	Tag            string
	At             time.Time
}

// Failure is what the server answers instead of creating a message.
type Failure struct {
	HTTPStatus int
	// Type is Bandwidth's error type; empty means the type Bandwidth uses
	// for HTTPStatus.
	Type        string
	Description string
	// Times is how many requests fail before sends succeed again; 0 means
	// no limit.
	Times int
	// Until, when set, ends the failure at that instant.
	Until time.Time
	// Body, when set, is answered verbatim as text/html.
	Body string
	// Hang reads the request and answers nothing until the client gives
	// up.
	Hang bool
}

type medium struct {
	contentType string
	data        []byte
}

// Server is the fake Messaging API. The recorder's methods (Sent, SentTo,
// Requests, Fail, FailFor, Recover) are the test's view of it.
type Server struct {
	*httptest.Server
	*standin.Recorder[Sent, Failure]
	Account Account

	mu     sync.Mutex
	tokens map[string]bool
	issued int
	media  map[string]medium
}

// Recipient is the number the message was sent to.
func (m Sent) Recipient() string { return m.To }

// Limits says how long the failure lasts.
func (f Failure) Limits() (int, time.Time) { return f.Times, f.Until }

// Raw is how the failure answers below Bandwidth's API.
func (f Failure) Raw() (int, string, bool) { return f.HTTPStatus, f.Body, f.Hang }

// New starts a server for an account; Close it when done.
func New(a Account) *Server {
	s := &Server{Account: a, Recorder: standin.New[Sent, Failure](), tokens: map[string]bool{}, media: map[string]medium{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+bandwidth.TokenPath, s.token)
	mux.HandleFunc("POST /api/v2/users/{account}/messages", s.create)
	mux.HandleFunc("GET /api/v2/users/{account}/media/{media...}", s.getMedia)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"timestamp": time.Now().UTC().Format(time.RFC3339),
			"status": 404, "error": "Not Found", "message": "Not Found", "path": r.URL.Path})
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// TokenURL is the stand-in's token endpoint.
func (s *Server) TokenURL() string { return s.URL + bandwidth.TokenPath }

// Close releases hanging requests and shuts the server down.
func (s *Server) Close() {
	s.Stop()
	s.Server.Close()
}

// TokensIssued counts the access tokens handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Revoke invalidates every token issued so far, as rotating the client
// secret does.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// AddMedia serves a medium of the account, as an inbound MMS's media are,
// and returns its URL.
func (s *Server) AddMedia(messageID, name, contentType string, data []byte) string {
	key := messageID + "/0/" + name
	s.mu.Lock()
	s.media[key] = medium{contentType: contentType, data: append([]byte(nil), data...)}
	s.mu.Unlock()
	return s.URL + bandwidth.MediaPath(s.Account.AccountID) + key
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, typ, description string) {
	writeJSON(w, status, map[string]string{"type": typ, "description": description})
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "bwtest." + hex.EncodeToString(b)
}

// token is the client_credentials grant (RFC 6749 section 4.4) with the
// client authenticated by HTTP Basic, as Bandwidth's SDKs make it.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	oauthError := func(status int, code, description string) {
		writeJSON(w, status, map[string]string{"error": code, "error_description": description})
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.Account.ClientID || secret != s.Account.ClientSecret {
		w.Header().Set("WWW-Authenticate", `Basic realm="bandwidthtest"`)
		oauthError(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(http.StatusBadRequest, "invalid_request", "bandwidthtest: the token request must be a form")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "bandwidthtest: grant_type must be client_credentials")
		return
	}
	tok := newToken()
	s.mu.Lock()
	s.tokens[tok] = true
	s.issued++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": ""})
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok && s.tokens[tok]
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("account") != s.Account.AccountID {
		apiError(w, http.StatusUnauthorized, "unauthorized", "Authentication Failed")
		return
	}
	s.mu.Lock()
	m, ok := s.media[r.PathValue("media")]
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, "not-found", "no such media")
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	_, _ = w.Write(m.data)
}

// documented are the request body fields of Create Message.
var documented = map[string]bool{
	"applicationId": true, "to": true, "from": true, "text": true, "media": true,
	"tag": true, "priority": true, "expiration": true,
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	shortCode = regexp.MustCompile(`^[0-9]{5,6}$`)
	alphaID   = regexp.MustCompile(`^[A-Za-z0-9 +&_-]{1,11}$`)
)

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(raw) <= 4096
}

type request struct {
	ApplicationID string   `json:"applicationId"`
	To            []string `json:"to"`
	From          string   `json:"from"`
	Text          string   `json:"text"`
	Media         []string `json:"media"`
	Tag           string   `json:"tag"`
}

// check answers what Bandwidth would for a malformed request.
func (s *Server) check(w http.ResponseWriter, r *http.Request) (request, bool) {
	var req request
	if !s.authorized(r) {
		apiError(w, http.StatusUnauthorized, "unauthorized", "Authentication Failed")
		return req, false
	}
	if r.PathValue("account") != s.Account.AccountID {
		apiError(w, http.StatusForbidden, "forbidden", "Access Denied")
		return req, false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		apiError(w, http.StatusUnsupportedMediaType, "unsupported-content-type",
			fmt.Sprintf("Content type '%s' not supported. Please use 'application/json'", r.Header.Get("Content-Type")))
		return req, false
	}
	invalid := func(description string) (request, bool) {
		apiError(w, http.StatusBadRequest, "request-validation", description)
		return req, false
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return invalid(err.Error())
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return invalid("Your request could not be accepted: the body is not a JSON object")
	}
	for name := range fields {
		if !documented[name] {
			return invalid(fmt.Sprintf("bandwidthtest: %q is not a documented Create Message field", name))
		}
	}
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&req); err != nil {
		return invalid("Your request could not be accepted: " + err.Error())
	}
	switch {
	case req.ApplicationID != s.Account.ApplicationID:
		return invalid("The applicationId " + req.ApplicationID + " is not an application of the account")
	case len(req.To) == 0:
		return invalid("'to' must contain at least one telephone number")
	case req.From == "":
		return invalid("'from' is required")
	case !e164.MatchString(req.From) && !shortCode.MatchString(req.From) && !alphaID.MatchString(req.From):
		return invalid("'from' must be an E.164 telephone number, a short code or an alphanumeric sender id: " + req.From)
	case req.Text == "" && len(req.Media) == 0:
		return invalid("'text' or 'media' is required")
	case utf8.RuneCountInString(req.Text) > 2048:
		return invalid("'text' must be 2048 characters or less")
	case utf8.RuneCountInString(req.Tag) > 1024:
		return invalid("'tag' must be 1024 characters or less")
	}
	for _, to := range req.To {
		if !e164.MatchString(to) && !shortCode.MatchString(to) {
			return invalid("'to' must contain E.164 telephone numbers: " + to)
		}
	}
	for _, m := range req.Media {
		if !absoluteHTTP(m) {
			return invalid("'media' must contain URLs of at most 4096 characters: " + m)
		}
	}
	return req, true
}

// errorTypes are the types Bandwidth's "Errors" page gives each status.
var errorTypes = map[int]string{
	http.StatusBadRequest: "request-validation", http.StatusUnauthorized: "unauthorized",
	http.StatusForbidden: "forbidden", http.StatusUnsupportedMediaType: "unsupported-content-type",
	http.StatusTooManyRequests: "max-message-queue-size-exceeded",
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, f Failure) {
	if s.AnswerRaw(w, r, f) {
		return
	}
	typ := f.Type
	if typ == "" {
		typ = errorTypes[f.HTTPStatus]
	}
	if typ == "" {
		typ = "internal-server-error"
	}
	d := f.Description
	if d == "" {
		d = http.StatusText(f.HTTPStatus)
	}
	apiError(w, f.HTTPStatus, typ, d)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.CountRequest()
	req, ok := s.check(w, r)
	if !ok {
		return
	}
	if f, ok := s.NextFailure(req.To[0]); ok {
		s.answer(w, r, f)
		return
	}
	now := time.Now()
	m, _ := s.Record("", func(accepted int) Sent {
		return Sent{ID: fmt.Sprintf("%dbwtest%06d", now.UnixMilli(), accepted+1), From: req.From, To: req.To[0],
			Text: req.Text, Media: req.Media, Tag: req.Tag, At: now}
	})
	writeJSON(w, http.StatusAccepted, s.record(m, req.To))
}

// record is the message Bandwidth answers a Create Message with.
func (s *Server) record(m Sent, to []string) map[string]any {
	segments := 1
	if n := utf8.RuneCountInString(m.Text); n > 160 {
		segments = (n + 152) / 153
	}
	out := map[string]any{
		"id": m.ID, "owner": m.From, "applicationId": s.Account.ApplicationID,
		"time": m.At.UTC().Format("2006-01-02T15:04:05.000Z"), "segmentCount": segments, "direction": "out",
		"to": to, "from": m.From, "text": m.Text, "priority": "default",
	}
	if len(m.Media) > 0 {
		out["media"] = m.Media
	}
	if m.Tag != "" {
		out["tag"] = m.Tag
	}
	return out
}
