// Package telnyxtest is a local HTTP server standing in for Telnyx's
// Messages API v2: it records every message created, answers like Telnyx
// (a {"data": message} body, or {"errors": [...]} with Telnyx's codes),
// and can be told to answer an error, a proxy's error page or nothing at
// all, a number of times or for a while. Tests point the real client at
// it through TELNYX_API_BASE_URL.
//
// It checks requests as Telnyx documents them ("Send a message": POST
// /v2/messages, Authorization: Bearer <API key>, a JSON body with from,
// to, text and/or media_urls) and refuses what Telnyx would refuse, plus
// one thing Telnyx ignores: a body field the endpoint does not document,
// since a misspelled field is a send bug nobody would otherwise notice. It
// honours Idempotency-Key: a repeated key answers the message it created.
package telnyxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/standin"
)

// Sent is one message the server accepted.
type Sent struct {
	ID             string
	From, To, Text string
	MediaURLs      []string
	WebhookURL     string
	IdempotencyKey string
	At             time.Time
}

// Failure is what the server answers instead of creating a message.
type Failure struct {
	HTTPStatus int
	// Code is Telnyx's error code; empty means the code Telnyx uses for
	// HTTPStatus (10011 for 429, 10007 for 5xx).
	Code    string
	Message string
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

// Server is the fake Messages API. The recorder's methods (Sent, SentTo,
// Requests, Fail, FailFor, Recover) are the test's view of it.
type Server struct {
	*httptest.Server
	*standin.Recorder[Sent, Failure]
	APIKey string
}

// Recipient is the number the message was sent to.
func (m Sent) Recipient() string { return m.To }

// Limits says how long the failure lasts.
func (f Failure) Limits() (int, time.Time) { return f.Times, f.Until }

// Raw is how the failure answers below Telnyx's API.
func (f Failure) Raw() (int, string, bool) { return f.HTTPStatus, f.Body, f.Hang }

// New starts a server for an API key; Close it when done.
func New(apiKey string) *Server {
	s := &Server{APIKey: apiKey, Recorder: standin.New[Sent, Failure]()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/messages", s.create)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		telnyxError(w, http.StatusNotFound, "10005", "Resource not found", "The requested resource "+r.URL.Path+" was not found")
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Close releases hanging requests and shuts the server down.
func (s *Server) Close() {
	s.Stop()
	s.Server.Close()
}

func telnyxError(w http.ResponseWriter, status int, code, title, detail string) {
	standin.WriteJSON(w, status, map[string]any{"errors": []map[string]any{{
		"code": code, "title": title, "detail": detail,
		"meta": map[string]string{"url": "https://developers.telnyx.com/docs/overview/errors/" + code},
	}}})
}

// documented are the request body fields of Send a message.
var documented = map[string]bool{
	"from": true, "to": true, "text": true, "media_urls": true, "subject": true, "type": true,
	"messaging_profile_id": true, "webhook_url": true, "webhook_failover_url": true,
	"use_profile_webhooks": true, "auto_detect": true, "send_at": true, "encoding": true, "validity_period_secs": true,
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	shortCode = regexp.MustCompile(`^[0-9]{5,6}$`)
	alphaID   = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
)

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(raw) <= 2000
}

type request struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Text       string   `json:"text"`
	MediaURLs  []string `json:"media_urls"`
	WebhookURL string   `json:"webhook_url"`
	Type       string   `json:"type"`
}

// check answers what Telnyx would for a malformed request.
func (s *Server) check(w http.ResponseWriter, r *http.Request) (request, bool) {
	var req request
	if r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		telnyxError(w, http.StatusUnauthorized, "10009", "Authentication failed", "The required authentication headers were either invalid or not included in the request.")
		return req, false
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		telnyxError(w, http.StatusUnsupportedMediaType, "10014", "Unsupported Media Type", "telnyxtest: Content-Type "+ct+" is not application/json")
		return req, false
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		telnyxError(w, http.StatusBadRequest, "10015", "Bad Request", err.Error())
		return req, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		telnyxError(w, http.StatusBadRequest, "10015", "Bad Request", "the body is not a JSON object: "+err.Error())
		return req, false
	}
	for name := range fields {
		if !documented[name] {
			telnyxError(w, http.StatusBadRequest, "10015", "Bad Request", fmt.Sprintf("telnyxtest: %q is not a documented Send a message field", name))
			return req, false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&req); err != nil {
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "Bad Request", err.Error())
		return req, false
	}
	switch {
	case req.To == "":
		telnyxError(w, http.StatusUnprocessableEntity, "10004", "Missing required parameter", "The 'to' parameter is required.")
	case !e164.MatchString(req.To) && !shortCode.MatchString(req.To):
		telnyxError(w, http.StatusUnprocessableEntity, "10016", "Phone number must be in +E.164 format", "to: "+req.To)
	case req.From == "":
		telnyxError(w, http.StatusUnprocessableEntity, "10004", "Missing required parameter", "The 'from' parameter is required.")
	case !e164.MatchString(req.From) && !shortCode.MatchString(req.From) && !alphaID.MatchString(req.From):
		telnyxError(w, http.StatusUnprocessableEntity, "10002", "Invalid phone number", "from: "+req.From)
	case req.Text == "" && len(req.MediaURLs) == 0:
		telnyxError(w, http.StatusUnprocessableEntity, "10004", "Missing required parameter", "text is required for SMS, media_urls for MMS.")
	case len(req.MediaURLs) > 10:
		telnyxError(w, http.StatusUnprocessableEntity, "10015", "Bad Request", "at most 10 media_urls")
	case req.WebhookURL != "" && !absoluteHTTP(req.WebhookURL):
		telnyxError(w, http.StatusUnprocessableEntity, "10003", "Invalid URL", "webhook_url: "+req.WebhookURL)
	default:
		for _, m := range req.MediaURLs {
			if !absoluteHTTP(m) {
				telnyxError(w, http.StatusUnprocessableEntity, "10003", "Invalid URL", "media_urls: "+m)
				return req, false
			}
		}
		return req, true
	}
	return req, false
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, f Failure) {
	if s.AnswerRaw(w, r, f) {
		return
	}
	code := f.Code
	if code == "" {
		code = "10007"
		if f.HTTPStatus == http.StatusTooManyRequests {
			code = "10011"
		}
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.HTTPStatus)
	}
	telnyxError(w, f.HTTPStatus, code, msg, msg)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.CountRequest()
	req, ok := s.check(w, r)
	if !ok {
		return
	}
	if f, ok := s.NextFailure(req.To); ok {
		s.answer(w, r, f)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	m, _ := s.Record(key, func(accepted int) Sent {
		return Sent{
			ID:   fmt.Sprintf("40385f64-5717-4562-b3fc-%012x", accepted+1),
			From: req.From, To: req.To, Text: req.Text, MediaURLs: req.MediaURLs,
			WebhookURL: req.WebhookURL, IdempotencyKey: key, At: time.Now(),
		}
	})
	standin.WriteJSON(w, http.StatusOK, map[string]any{"data": record(m)})
}

// record is the OutboundMessagePayload Telnyx answers for a message.
func record(m Sent) map[string]any {
	typ := "SMS"
	media := []map[string]any{}
	for _, u := range m.MediaURLs {
		typ = "MMS"
		media = append(media, map[string]any{"url": u, "content_type": nil, "sha256": nil, "size": nil})
	}
	parts := 1
	if n := len(m.Text); n > 160 {
		parts = (n + 152) / 153
	}
	return map[string]any{
		"record_type": "message", "direction": "outbound", "id": m.ID, "type": typ,
		"messaging_profile_id": "4000eba1-a0c0-4563-9925-b25e842a7cb6",
		"from":                 map[string]any{"phone_number": m.From, "carrier": "TELNYX LLC", "line_type": "VoIP"},
		"to":                   []map[string]any{{"phone_number": m.To, "status": "queued", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"}},
		"cc":                   []any{}, "text": m.Text, "media": media,
		"webhook_url": m.WebhookURL, "encoding": "GSM-7", "parts": parts, "tags": []string{},
		"received_at": m.At.UTC().Format(time.RFC3339Nano), "sent_at": nil, "completed_at": nil,
		"valid_until": nil, "errors": []any{},
	}
}
