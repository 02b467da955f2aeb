// Package httpapi is the toolkit smsdesk's JSON APIs (AgentAPI, AdminAPI,
// and the ones to come) are built with, so that they answer alike: one
// route table per API turned into a handler (404 for an unknown path, 405
// with Allow for a known path and another method, authentication and role
// checks, the /FunctionName prefix accepted or not), the cross-origin
// policy for browser callers, strict JSON request bodies whose refusals
// name the field, one mapping from a use case's error to a status, and the
// OpenAPI document served as it is embedded in shared/api.
//
// Every error answer is an ErrorBody.
package httpapi

import (
	"net/http"

	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
)

// ErrorBody is every error answer: a message for the person, and for a
// refused request body one problem per field.
type ErrorBody struct {
	Error    string            `json:"error"`
	Problems []chat.FieldError `json:"problems,omitempty"`
}

// WriteJSON answers with a document no cache may keep: what the APIs
// answer is private (chats, the configuration) and changes.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSON(w, status, v)
}

// WriteError answers with an ErrorBody.
func WriteError(w http.ResponseWriter, status int, msg string, problems []chat.FieldError) {
	WriteJSON(w, status, ErrorBody{Error: msg, Problems: problems})
}

// NoContent answers 204, as a DELETE does.
func NoContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// OpenAPIPath is where every API serves its contract.
const OpenAPIPath = "/openapi.yaml"

// OpenAPI is the public route serving the contract at GET /openapi.yaml.
func OpenAPI() Route {
	return Route{Method: http.MethodGet, Path: OpenAPIPath, Public: true, Handler: http.HandlerFunc(ServeOpenAPI)}
}

// ServeOpenAPI answers with the OpenAPI document. It may be cached but
// must be revalidated, so a client sees a deployment's new contract.
func ServeOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", api.ContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(api.OpenAPI)
}
