// Package deliverystatus is the DeliveryStatus function: Twilio's message
// status callbacks. Signed like inbound webhooks; each callback names its
// message in the (signed) query string, and updates are monotonic so
// reordered and repeated callbacks end in the right state.
package deliverystatus

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/twilio"
)

// Name is the function's name and path.
const Name = app.FnDeliveryStatus

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, func(d *platform.Deps) http.Handler {
	return New(d.App, d.Verifier)
})

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// New builds the handler.
func New(a *app.App, v *twilio.Verifier) http.Handler {
	publicURL := a.URLs.PublicFunction(Name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !v.Authenticate(w, r, publicURL) {
			return
		}
		q := r.URL.Query()
		chatID := q.Get("chat")
		if chatID == "" {
			httpx.Error(w, http.StatusBadRequest, "query parameter chat is required")
			return
		}
		seq, err := strconv.ParseInt(q.Get("seq"), 10, 64)
		if err != nil || seq < 1 {
			httpx.Error(w, http.StatusBadRequest, "query parameter seq must be a positive integer")
			return
		}
		st, err := twilio.ParseStatus(r.PostForm)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "malformed status callback: "+err.Error())
			return
		}
		_, err = a.ApplyStatus(r.Context(), app.StatusUpdate{
			Ref: chat.Ref{ChatID: chatID, Seq: seq}, Provider: app.ProviderTwilio,
			ProviderMessageID: st.MessageSid, Status: st.Status, ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
		})
		switch {
		case errors.Is(err, app.ErrNotFound):
			httpx.Error(w, http.StatusNotFound, "no such message")
		case errors.Is(err, app.ErrProviderIDMismatch):
			httpx.Error(w, http.StatusConflict, "MessageSid does not match the message")
		case err != nil:
			logging.From(r.Context()).WithError(err).Error("could not record delivery status")
			httpx.Error(w, http.StatusServiceUnavailable, "temporarily unable to record the status")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}
