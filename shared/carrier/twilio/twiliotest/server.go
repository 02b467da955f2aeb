// Package twiliotest is a local HTTP server standing in for Twilio's
// Messages API: it records every message created, answers like Twilio, and
// can be told to refuse a recipient with a Twilio error. Tests point the real
// twilio-go client at it through TWILIO_API_BASE_URL.
package twiliotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Sent is one message the server accepted.
type Sent struct {
	SID            string
	AccountSID     string
	From, To, Body string
	MediaURLs      []string
	StatusCallback string
	At             time.Time
}

// Failure is the error answered for a recipient.
type Failure struct {
	HTTPStatus int
	Code       int
	Message    string
	// Times is how many requests fail before the recipient succeeds; 0
	// means always.
	Times int
}

// Server is the fake Messages API.
type Server struct {
	*httptest.Server
	AccountSID, AuthToken string

	mu       sync.Mutex
	sent     []Sent
	failures map[string]*Failure
	requests int
}

// New starts a server; Close it when done.
func New(accountSID, authToken string) *Server {
	s := &Server{AccountSID: accountSID, AuthToken: authToken, failures: map[string]*Failure{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", s.create)
	s.Server = httptest.NewServer(mux)
	return s
}

// FailFor makes sends to a recipient fail.
func (s *Server) FailFor(to string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[to] = &f
}

// Sent returns the messages accepted so far, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentTo returns the messages accepted for one recipient.
func (s *Server) SentTo(to string) []Sent {
	var out []Sent
	for _, m := range s.Sent() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// Requests counts create requests, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{
		"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	user, pass, ok := r.BasicAuth()
	account := r.PathValue("account")
	if !ok || user != s.AccountSID || pass != s.AuthToken || account != s.AccountSID {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21100, "bad form: "+err.Error())
		return
	}
	to, from := r.PostForm.Get("To"), r.PostForm.Get("From")
	if to == "" {
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	}
	if from == "" && r.PostForm.Get("MessagingServiceSid") == "" {
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	}
	body, media := r.PostForm.Get("Body"), r.PostForm["MediaUrl"]
	if body == "" && len(media) == 0 {
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	if len([]rune(body)) > 1600 {
		twilioError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	}
	s.mu.Lock()
	if f, ok := s.failures[to]; ok {
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				delete(s.failures, to)
			}
		}
		s.mu.Unlock()
		twilioError(w, f.HTTPStatus, f.Code, f.Message)
		return
	}
	sid := fmt.Sprintf("SM%032x", len(s.sent)+1)
	s.sent = append(s.sent, Sent{
		SID: sid, AccountSID: account, From: from, To: to, Body: body, MediaURLs: media,
		StatusCallback: r.PostForm.Get("StatusCallback"), At: time.Now(),
	})
	s.mu.Unlock()
	numSegments := "1"
	if n := len(body); n > 160 {
		numSegments = fmt.Sprint((n + 152) / 153)
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"sid": sid, "account_sid": account, "from": from, "to": to, "body": body,
		"status": "queued", "direction": "outbound-api", "num_segments": numSegments,
		"num_media": fmt.Sprint(len(media)), "api_version": "2010-04-01",
		"uri":          "/2010-04-01/Accounts/" + account + "/Messages/" + sid + ".json",
		"date_created": time.Now().UTC().Format(time.RFC1123Z),
		"error_code":   nil, "error_message": nil,
		"messaging_service_sid": nullIfEmpty(r.PostForm.Get("MessagingServiceSid")),
		"price":                 nil, "price_unit": "USD",
		"subresource_uris": map[string]string{"media": "/2010-04-01/Accounts/" + account + "/Messages/" + sid + "/Media.json"},
	})
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
