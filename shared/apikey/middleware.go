package apikey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/smsdesk/smsdesk/shared/logging"
)

// Body and response sizes the middleware handles.
const (
	// MaxBodyBytes bounds a request body, which the middleware reads to
	// hash: a sessionless batch of 1,000 recipients is well under it.
	MaxBodyBytes = 1 << 20
	// maxStoredResponse bounds a replayable answer, under Firestore's
	// 1 MiB document limit; a larger one is not stored and a retry
	// runs again.
	maxStoredResponse = 512 << 10
)

type ctxKey struct{}

// WithKey is ctx carrying the key a request authenticated with.
func WithKey(ctx context.Context, k Key) context.Context { return context.WithValue(ctx, ctxKey{}, k) }

// KeyFrom is the key the middleware authenticated the request with.
func KeyFrom(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(ctxKey{}).(Key)
	return k, ok
}

// ErrorBody is an error answer in the reference product's shape.
type ErrorBody struct {
	Message string `json:"message"`
}

// WriteError answers {"message": msg}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Message: msg})
}

// Messages of the middleware's refusals.
const (
	msgNoKey      = "an API key is required: send Authorization: Bearer KEY, or HTTP Basic with the key as the password"
	msgBadKey     = "invalid API key"
	msgTooLarge   = "request body is larger than 1 MiB"
	msgBadIdemKey = "Idempotency-Key must be 1 to 255 printable ASCII characters"
	msgInternal   = "internal error; retry the request"
)

// Middleware guards an OutboundAPI handler: it authenticates the key (401
// with WWW-Authenticate), checks it has scopeFor(r) ("" checks none; 403),
// takes a rate-limit token (429 with Retry-After), and on a POST with an
// Idempotency-Key replays a stored answer (with Idempotent-Replayed: true)
// or records the one next gives. next finds the key with KeyFrom and
// checks the sending number with Key.Allows.
//
// The request's identity for Idempotency-Key is its method, path and body,
// so a key reused on another endpoint is a mismatch too. Answers of 500
// and more are not stored: a retry runs again.
func (s *Service) Middleware(scopeFor func(*http.Request) Scope, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		log := logging.From(ctx).WithField("path", r.URL.Path)
		k, err := s.Authenticate(ctx, r)
		switch {
		case errors.Is(err, ErrUnauthenticated):
			log.WithError(err).Info("OutboundAPI request not authenticated")
			w.Header().Add("WWW-Authenticate", `Bearer realm="OutboundAPI"`)
			w.Header().Add("WWW-Authenticate", `Basic realm="OutboundAPI", charset="UTF-8"`)
			msg := msgBadKey
			if errors.Is(err, ErrNoCredentials) {
				msg = msgNoKey
			}
			WriteError(w, http.StatusUnauthorized, msg)
			return
		case err != nil:
			log.WithError(err).Error("OutboundAPI authentication failed")
			WriteError(w, http.StatusServiceUnavailable, "API keys cannot be checked now; retry the request")
			return
		}
		log = log.WithField("api_key", k.ID)
		if scope := scopeFor(r); scope != "" && !k.HasScope(scope) {
			WriteError(w, http.StatusForbidden, fmt.Sprintf("API key %s does not have the %s scope", k.ID, scope))
			return
		}
		ok, wait, err := s.Allow(ctx, k)
		switch {
		case err != nil:
			log.WithError(err).Error("OutboundAPI rate limit failed")
			WriteError(w, http.StatusServiceUnavailable, "the rate limit cannot be checked now; retry the request")
			return
		case !ok:
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfter(wait)))
			WriteError(w, http.StatusTooManyRequests, fmt.Sprintf("rate limit exceeded: %d requests per second", k.Rate()))
			return
		}
		r = r.WithContext(WithKey(ctx, k))
		idem := r.Header.Values(HeaderIdempotencyKey)
		if r.Method != http.MethodPost || len(idem) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if len(idem) > 1 || ValidateIdempotencyKey(idem[0]) != nil {
			WriteError(w, http.StatusBadRequest, msgBadIdemKey)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				WriteError(w, http.StatusRequestEntityTooLarge, msgTooLarge)
				return
			}
			WriteError(w, http.StatusBadRequest, "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fingerprint := append([]byte(r.Method+" "+r.URL.Path+"\n"), body...)
		replay, err := s.Begin(ctx, k.ID, idem[0], fingerprint)
		switch {
		case errors.Is(err, ErrIdempotencyMismatch):
			WriteError(w, http.StatusConflict, ErrIdempotencyMismatch.Error())
			return
		case err != nil:
			log.WithError(err).Error("OutboundAPI idempotency record failed")
			WriteError(w, http.StatusInternalServerError, msgInternal)
			return
		case replay != nil:
			if replay.ContentType != "" {
				w.Header().Set("Content-Type", replay.ContentType)
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set(HeaderReplayed, "true")
			w.WriteHeader(replay.Status)
			_, _ = w.Write(replay.Body)
			return
		}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if rec.status >= 500 || rec.overflow {
			return
		}
		resp := Response{Status: rec.status, ContentType: w.Header().Get("Content-Type"), Body: rec.body.Bytes()}
		// The client has its answer; a request cancelled now must still
		// record it.
		if err := s.Finish(context.WithoutCancel(ctx), k.ID, idem[0], resp); err != nil {
			log.WithError(err).Error("OutboundAPI idempotency record not finished; a retry will run again")
		}
	})
}

// recorder passes an answer through and keeps a copy to replay.
type recorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if !r.overflow {
		if r.body.Len()+len(b) > maxStoredResponse {
			r.overflow = true
			r.body.Reset()
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
