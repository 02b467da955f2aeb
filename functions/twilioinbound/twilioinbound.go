// Package twilioinbound is the TwilioInbound function: Twilio's incoming
// SMS/MMS webhook. It verifies the signature, parses, records the message
// once and publishes it to sms-inbound, then answers <Response/>; routing
// happens after the answer (RouteInbound), so Twilio is never kept waiting.
package twilioinbound

import (
	"errors"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/twilio"
)

// Name is the function's name and path.
const Name = app.FnTwilioInbound

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
		in, err := twilio.ParseInbound(r.PostForm)
		if err != nil {
			var fe *twilio.FieldError
			if errors.As(err, &fe) {
				httpx.Error(w, http.StatusBadRequest, "malformed Twilio webhook: "+fe.Error())
				return
			}
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"provider": in.Provider, "provider_message_id": in.ProviderMessageID})
		if _, err := a.AcceptInbound(ctx, in); err != nil {
			// Twilio retries nothing on its own for messaging webhooks, but a
			// 5xx shows in its debugger and a fallback URL can retry; the
			// dedupe record makes that retry safe.
			logging.From(ctx).WithError(err).Error("could not accept inbound message")
			httpx.Error(w, http.StatusServiceUnavailable, "temporarily unable to accept the message")
			return
		}
		twilio.WriteEmptyResponse(w)
	})
}
