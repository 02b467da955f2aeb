// Package twiliotest is a local HTTP server standing in for Twilio's
// Messages API: it records every message created, answers like Twilio, and
// can be told to answer a Twilio error, a proxy's error page or nothing at
// all, for one recipient or every one, a number of times or for a while.
// Tests point the real twilio-go client at it through TWILIO_API_BASE_URL.
//
// It checks requests as Twilio documents them and refuses what Twilio would
// refuse, plus one thing Twilio silently ignores: a parameter the Create
// Message API does not document, since a misspelled parameter is a send bug
// nobody would otherwise notice.
package twiliotest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/standin"
)

// Sent is one message the server accepted.
type Sent struct {
	SID            string
	AccountSID     string
	From, To, Body string
	// MessagingServiceSID is the service the send named; From is then the
	// sender Twilio picked from its pool when the request named none.
	MessagingServiceSID string
	MediaURLs           []string
	StatusCallback      string
	At                  time.Time
}

// Failure is what the server answers instead of creating a message.
type Failure struct {
	HTTPStatus int
	// Code is the Twilio error code of the JSON error body; 0 means the
	// code Twilio uses for HTTPStatus (20429 for 429, 20500 for 500, ...).
	Code    int
	Message string
	// Times is how many requests fail before sends succeed again; 0 means
	// no limit.
	Times int
	// Until, when set, ends the failure at that instant: Twilio answering
	// an error for a while (an outage, a rate limit window).
	Until time.Time
	// Body, when set, is answered verbatim as text/html instead of
	// Twilio's JSON error: what a proxy or load balancer in front of the
	// API answers.
	Body string
	// Hang reads the request and answers nothing until the client gives
	// up: the request reached Twilio and no answer came back.
	Hang bool
}

// Server is the fake Messages API. The recorder's methods (Sent, SentTo,
// Requests, Fail, FailFor, Recover) are the test's view of it.
type Server struct {
	*httptest.Server
	*standin.Recorder[Sent, Failure]
	AccountSID, AuthToken string

	mu       sync.Mutex
	services map[string][]string // Messaging Service SID → its sender pool
	delay    func(to, body string) time.Duration
}

// Recipient is the number the message was sent to.
func (m Sent) Recipient() string { return m.To }

// Limits says how long the failure lasts.
func (f Failure) Limits() (int, time.Time) { return f.Times, f.Until }

// Raw is how the failure answers below Twilio's API.
func (f Failure) Raw() (int, string, bool) { return f.HTTPStatus, f.Body, f.Hang }

// New starts a server; Close it when done.
func New(accountSID, authToken string) *Server {
	s := &Server{AccountSID: accountSID, AuthToken: authToken, Recorder: standin.New[Sent, Failure](), services: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", s.create)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Close releases hanging requests and shuts the server down.
func (s *Server) Close() {
	s.Stop()
	s.Server.Close()
}

// AddService creates a Messaging Service of the account with its sender
// pool (at least one sender); a send naming it without From goes from the
// pool's first sender.
func (s *Server) AddService(sid string, senders ...string) {
	if len(senders) == 0 {
		panic("twiliotest: a Messaging Service needs a sender in its pool")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[sid] = append([]string(nil), senders...)
}

// pool returns a Messaging Service's senders; ok is false for a service the
// account does not have.
func (s *Server) pool(sid string) (senders []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	senders, ok = s.services[sid]
	return senders, ok
}

// SetDelay makes the server hold each create request for delay(to, body)
// before it accepts and records the message, as a slow path to Twilio
// would: concurrent sends then reach it in another order than they left
// in. nil removes the delay.
func (s *Server) SetDelay(delay func(to, body string) time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = delay
}

// hold waits out the delay set for a message; false when the client or
// the server gave up first.
func (s *Server) hold(r *http.Request, to, body string) bool {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay == nil {
		return true
	}
	return s.Wait(r, delay(to, body))
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	standin.WriteJSON(w, status, map[string]any{
		"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

// documented are the Create Message parameters of Twilio's API reference.
var documented = map[string]bool{
	"To": true, "From": true, "MessagingServiceSid": true, "Body": true, "MediaUrl": true, "ContentSid": true,
	"ContentVariables": true, "StatusCallback": true, "ApplicationSid": true, "MaxPrice": true,
	"ProvideFeedback": true, "Attempt": true, "ValidityPeriod": true, "ForceDelivery": true,
	"ContentRetention": true, "AddressRetention": true, "SmartEncoded": true, "PersistentAction": true,
	"TrafficType": true, "ShortenUrls": true, "ScheduleType": true, "SendAt": true, "SendAsMms": true,
	"RiskCheck": true, "FallbackFrom": true,
}

// Twilio takes E.164, a short code, or (From only) an alphanumeric sender ID.
var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	shortCode = regexp.MustCompile(`^[0-9]{5,6}$`)
	alphaID   = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	// messagingServiceSID: "MG" and 32 hexadecimal digits.
	messagingServiceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// check answers what Twilio would for a malformed create request and
// reports whether the request is well formed.
func (s *Server) check(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.AccountSID || pass != s.AuthToken || r.PathValue("account") != s.AccountSID {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	// Twilio reads the parameters from a form body only; PostForm ignores
	// the query string and any other content type.
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21100, "bad form: "+err.Error())
		return false
	}
	form := r.PostForm
	for name, vs := range form {
		if !documented[name] {
			twilioError(w, http.StatusBadRequest, 21100, fmt.Sprintf("twiliotest: %q is not a documented Create Message parameter", name))
			return false
		}
		if len(vs) > 1 && name != "MediaUrl" && name != "PersistentAction" {
			twilioError(w, http.StatusBadRequest, 21100, fmt.Sprintf("twiliotest: %q is given %d times", name, len(vs)))
			return false
		}
	}
	to, from, service := form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid")
	// Twilio takes From, MessagingServiceSid, or both (a specific sender of
	// the service's pool): "either instead of or in addition to a specific
	// 'From' parameter" (error 21603).
	_, known := s.pool(service)
	switch {
	case to == "":
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
	case !e164.MatchString(to) && !shortCode.MatchString(to):
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("Invalid 'To' Phone Number: %s", to))
	case from == "" && service == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
	case service != "" && !messagingServiceSID.MatchString(service):
		twilioError(w, http.StatusBadRequest, 21705, "The Messaging Service is invalid")
	case service != "" && !known:
		twilioError(w, http.StatusBadRequest, 21701, "The Messaging Service does not exist")
	case from != "" && !e164.MatchString(from) && !shortCode.MatchString(from) && !alphaID.MatchString(from):
		twilioError(w, http.StatusBadRequest, 21212, fmt.Sprintf("Invalid 'From' Phone Number: %s", from))
	case form.Get("Body") == "" && len(form["MediaUrl"]) == 0:
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
	case len([]rune(form.Get("Body"))) > 1600:
		twilioError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
	case len(form["MediaUrl"]) > 10:
		twilioError(w, http.StatusBadRequest, 21623, "Number of media files exceeds allowed limit")
	case form.Has("StatusCallback") && !absoluteHTTP(form.Get("StatusCallback")):
		twilioError(w, http.StatusBadRequest, 21609, "Invalid StatusCallback url")
	default:
		for _, m := range form["MediaUrl"] {
			if !absoluteHTTP(m) {
				twilioError(w, http.StatusBadRequest, 21620, "Invalid media URL(s)")
				return false
			}
		}
		return true
	}
	return false
}

// defaultCodes are the codes Twilio's JSON errors carry for bare HTTP
// failures.
var defaultCodes = map[int]int{
	http.StatusTooManyRequests: 20429, http.StatusInternalServerError: 20500, http.StatusServiceUnavailable: 20503,
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, f Failure) {
	if s.AnswerRaw(w, r, f) {
		return
	}
	code := f.Code
	if code == 0 {
		code = defaultCodes[f.HTTPStatus]
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.HTTPStatus)
	}
	twilioError(w, f.HTTPStatus, code, msg)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.CountRequest()
	if !s.check(w, r) {
		return
	}
	account := r.PathValue("account")
	to, from, service := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("MessagingServiceSid")
	body, media := r.PostForm.Get("Body"), r.PostForm["MediaUrl"]
	if from == "" {
		// Twilio picks the sender from the service's pool.
		if pool, _ := s.pool(service); len(pool) > 0 {
			from = pool[0]
		}
	}
	if !s.hold(r, to, body) {
		return
	}
	if f, ok := s.NextFailure(to); ok {
		s.answer(w, r, f)
		return
	}
	m, _ := s.Record("", func(accepted int) Sent {
		return Sent{
			SID: fmt.Sprintf("SM%032x", accepted+1), AccountSID: account, From: from, To: to, Body: body, MediaURLs: media,
			MessagingServiceSID: service, StatusCallback: r.PostForm.Get("StatusCallback"), At: time.Now(),
		}
	})
	sid := m.SID
	numSegments := "1"
	if n := len(body); n > 160 {
		numSegments = fmt.Sprint((n + 152) / 153)
	}
	standin.WriteJSON(w, http.StatusCreated, map[string]any{
		"sid": sid, "account_sid": account, "from": from, "to": to, "body": body,
		"status": "queued", "direction": "outbound-api", "num_segments": numSegments,
		"num_media": fmt.Sprint(len(media)), "api_version": "2010-04-01",
		"uri":          "/2010-04-01/Accounts/" + account + "/Messages/" + sid + ".json",
		"date_created": time.Now().UTC().Format(time.RFC1123Z),
		"error_code":   nil, "error_message": nil,
		"messaging_service_sid": nullIfEmpty(service),
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
