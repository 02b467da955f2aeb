// Package outboundapi is the OutboundAPI function: business systems text
// consumers first with an API key. POST /OutboundAPI/v1/sms starts a chat
// (the reference product's session-based Outbound SMS API: its field names
// and error messages); POST /OutboundAPI/v1/sessionless_sms sends without a
// chat, to up to 1,000 recipients paced over the sender's pool; GET
// /OutboundAPI/v1/sessionless_sms/{batch} reports each recipient through
// delivery. Keys, their scopes, the per-key rate limit and Idempotency-Key
// are shared/apikey's. Errors are {"message": ...}.
package outboundapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnOutboundAPI

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	ob, err := jobs.Outbound(ctx, e)
	if err != nil {
		return nil, err
	}
	keys, err := jobs.APIKeys(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(ob, keys), nil
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Paths, under /OutboundAPI (optional, as every function's prefix).
const (
	PathSession     = "/v1/sms"
	PathSessionless = "/v1/sessionless_sms"
)

// New serves the API over the outbound service, behind the key middleware.
func New(ob *outbound.Service, keys *apikey.Service) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathSession, func(w http.ResponseWriter, r *http.Request) { session(ob, w, r) })
	mux.HandleFunc("POST "+PathSessionless, func(w http.ResponseWriter, r *http.Request) { sessionless(ob, w, r) })
	mux.HandleFunc("GET "+PathSessionless+"/{batch}", func(w http.ResponseWriter, r *http.Request) { batch(ob, w, r) })
	api := keys.Middleware(scopeFor, mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/"+Name)
		if r.URL.Path == "" {
			r.URL.Path = "/"
		}
		if r.URL.Path == httpapi.OpenAPIPath && r.Method == http.MethodGet {
			httpapi.ServeOpenAPI(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// scopeFor is the key scope a route needs.
func scopeFor(r *http.Request) apikey.Scope {
	if strings.HasPrefix(r.URL.Path, PathSessionless) {
		return apikey.ScopeSessionless
	}
	return apikey.ScopeSession
}

// allowedBy is the key's check of a sending number for a scope.
func allowedBy(r *http.Request, scope apikey.Scope) (string, func(string) bool) {
	k, _ := apikey.KeyFrom(r.Context())
	return k.ID, func(n string) bool { return k.Allows(scope, n) }
}

func session(ob *outbound.Service, w http.ResponseWriter, r *http.Request) {
	var req outbound.SessionRequest
	if !decode(w, r, &req) {
		return
	}
	keyID, allowed := allowedBy(r, apikey.ScopeSession)
	v, err := ob.StartSession(r.Context(), keyID, allowed, r.Header.Get(apikey.HeaderIdempotencyKey), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// SessionlessRequest is the body of a sessionless send: phone_number and
// message each a string or an array of strings.
type SessionlessRequest struct {
	FromPhone   string          `json:"from_phone"`
	PhoneNumber json.RawMessage `json:"phone_number"`
	Message     json.RawMessage `json:"message"`
	Hold        *bool           `json:"hold,omitempty"`
}

// BatchView is a sessionless batch as the API shows it.
type BatchView struct {
	BatchID    string          `json:"batch_id"`
	FromPhone  string          `json:"from_phone"`
	CreatedAt  time.Time       `json:"created_at"`
	Counts     map[string]int  `json:"counts"`
	Recipients []RecipientView `json:"recipients"`
}

// RecipientView is one recipient: the outcome when the batch was taken
// and, for those texted, each text's delivery.
type RecipientView struct {
	PhoneNumber string          `json:"phone_number"`
	Status      string          `json:"status"`
	Error       string          `json:"error,omitempty"`
	FromPhone   string          `json:"from_phone,omitempty"`
	ChatID      string          `json:"chat_id,omitempty"`
	NotBefore   *time.Time      `json:"not_before,omitempty"`
	Delivery    string          `json:"delivery,omitempty"`
	Texts       []outbound.Text `json:"texts,omitempty"`
}

func sessionless(ob *outbound.Service, w http.ResponseWriter, r *http.Request) {
	var req SessionlessRequest
	if !decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.FromPhone) == "" {
		writeError(w, http.StatusBadRequest, "from_phone is required")
		return
	}
	numbers, err := stringOrList(req.PhoneNumber)
	if err != nil {
		writeError(w, http.StatusBadRequest, "phone_number "+err.Error())
		return
	}
	msgs, err := stringOrList(req.Message)
	if err != nil {
		writeError(w, http.StatusBadRequest, "message "+err.Error())
		return
	}
	keyID, allowed := allowedBy(r, apikey.ScopeSessionless)
	b, err := ob.SendSessionless(r.Context(), keyID, allowed, r.Header.Get(apikey.HeaderIdempotencyKey), outbound.SessionlessRequest{
		From: req.FromPhone, Recipients: numbers, Messages: msgs, Hold: req.Hold == nil || *req.Hold,
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusAccepted, view(b, nil))
}

func batch(ob *outbound.Service, w http.ResponseWriter, r *http.Request) {
	k, _ := apikey.KeyFrom(r.Context())
	b, deliveries, err := ob.BatchStatus(r.Context(), k.ID, r.PathValue("batch"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no batch "+r.PathValue("batch"))
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, view(b, deliveries))
}

func view(b store.OutboundBatch, deliveries map[string][]outbound.Text) BatchView {
	v := BatchView{BatchID: b.ID, FromPhone: b.From, CreatedAt: b.CreatedAt, Counts: map[string]int{}}
	for _, rc := range b.Recipients {
		rv := RecipientView{PhoneNumber: rc.Number, Status: rc.Status, Error: rc.Error, FromPhone: rc.From, ChatID: rc.ChatID}
		if rv.PhoneNumber == "" {
			rv.PhoneNumber = rc.Input
		}
		if !rc.NotBefore.IsZero() {
			nb := rc.NotBefore
			rv.NotBefore = &nb
		}
		if texts, ok := deliveries[rc.ChatID]; ok && rc.ChatID != "" {
			rv.Texts, rv.Delivery = texts, outbound.Summary(texts)
		}
		v.Counts[rc.Status]++
		v.Recipients = append(v.Recipients, rv)
	}
	return v
}

// stringOrList reads a member that is one string or an array of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("is required")
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("must be a string or an array of strings")
	}
	return many, nil
}

// maxBody bounds a request: 1,000 numbers and ten 1,600-character texts
// fit well inside.
const maxBody = apikey.MaxBodyBytes

// decode reads a JSON body strictly, answering the problem itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody))
		return false
	}
	if problems := httpapi.DecodeStrict(body, v); len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Error()
		}
		writeError(w, http.StatusBadRequest, strings.Join(msgs, "; "))
		return false
	}
	return true
}

func fail(w http.ResponseWriter, r *http.Request, err error) {
	var oe *outbound.Error
	if errors.As(err, &oe) {
		writeError(w, oe.Status, oe.Message)
		return
	}
	logging.From(r.Context()).WithError(err).Error("OutboundAPI request failed")
	writeError(w, http.StatusInternalServerError, "internal error; the request can be retried with the same Idempotency-Key")
}

func writeError(w http.ResponseWriter, status int, msg string) { apikey.WriteError(w, status, msg) }
