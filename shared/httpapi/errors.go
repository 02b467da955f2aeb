package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Errors answers a use case's error with its status, the same way in every
// API; the API chooses two messages.
type Errors struct {
	// API names the API in the log ("AgentAPI").
	API string
	// Invalid is the message of the 400 that answers a
	// *chat.ValidationError (its problems go with it); nil: "invalid
	// request: " and the problems.
	Invalid func(*chat.ValidationError) string
	// Internal is the message of a 500, whose cause is logged and not
	// shown; "": "internal error; retry the request".
	Internal string
}

// Status is how err is answered:
//   - *chat.ValidationError: 400 with its problems;
//   - *media.Error: by its kind (MediaStatus);
//   - access.ErrForbidden (a *access.AccessError): 403 with its reason;
//   - store.ErrNotFound: 404;
//   - a chat in the wrong state (chat.IsStateError): 409;
//   - anything else: 500, its message not shown.
func (e Errors) Status(err error) (int, ErrorBody) {
	var ve *chat.ValidationError
	var me *media.Error
	var ae *access.AccessError
	switch {
	case errors.As(err, &ve):
		return http.StatusBadRequest, ErrorBody{Error: e.invalid(ve), Problems: ve.Problems}
	case errors.As(err, &me):
		return MediaStatus(me), ErrorBody{Error: me.Message}
	case errors.Is(err, access.ErrForbidden):
		msg := "you may not do this"
		if errors.As(err, &ae) {
			msg = ae.Reason
		}
		return http.StatusForbidden, ErrorBody{Error: msg}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, ErrorBody{Error: err.Error()}
	case chat.IsStateError(err):
		return http.StatusConflict, ErrorBody{Error: err.Error()}
	}
	msg := e.Internal
	if msg == "" {
		msg = "internal error; retry the request"
	}
	return http.StatusInternalServerError, ErrorBody{Error: msg}
}

func (e Errors) invalid(ve *chat.ValidationError) string {
	if e.Invalid != nil {
		return e.Invalid(ve)
	}
	return InvalidRequest(ve)
}

// InvalidRequest is the default message of a refused request: "invalid
// request: " and every problem.
func InvalidRequest(ve *chat.ValidationError) string {
	msgs := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		msgs[i] = p.Error()
	}
	return "invalid request: " + strings.Join(msgs, "; ")
}

// Fail answers err (Status). A refusal for access is logged as
// information, an internal error as an error with its cause.
func (e Errors) Fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := e.Status(err)
	switch status {
	case http.StatusForbidden:
		logging.From(r.Context()).WithError(err).WithField("path", r.URL.Path).Info("request denied")
	case http.StatusInternalServerError:
		logging.From(r.Context()).WithError(err).WithField("path", r.URL.Path).Error(e.api() + " request failed")
	}
	WriteJSON(w, status, body)
}

func (e Errors) api() string {
	if e.API == "" {
		return "API"
	}
	return e.API
}

// Answer answers v (200), or err when there is one.
func (e Errors) Answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		e.Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, v)
}

// Deleted answers 204, or err when there is one.
func (e Errors) Deleted(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		e.Fail(w, r, err)
		return
	}
	NoContent(w)
}

// MediaStatus is the HTTP status that says why a medium was refused.
func MediaStatus(e *media.Error) int {
	switch e.Kind {
	case media.TooLarge:
		return http.StatusRequestEntityTooLarge
	case media.UnsupportedType:
		return http.StatusUnsupportedMediaType
	case media.Off:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}
