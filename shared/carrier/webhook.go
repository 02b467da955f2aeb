package carrier

import (
	"context"
	"errors"
	"net/http"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// InboundHandler is every carrier's inbound webhook: authenticate against
// publicURL, parse, accept (record once and publish), and answer as the
// carrier expects. A forged request is refused by Authenticate and changes
// nothing; a malformed one is a 400 naming the field ("malformed <label>
// webhook: ..."); a failure to accept is a 503, which carriers retry (the
// dedupe record makes the retry safe).
func InboundHandler(hooks Webhooks, publicURL, label string, accept func(context.Context, chat.Inbound) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hooks.Authenticate(w, r, publicURL) {
			return
		}
		msg, err := hooks.ParseInbound(r)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				httpx.Error(w, http.StatusBadRequest, "malformed "+label+" webhook: "+fe.Error())
				return
			}
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"provider": msg.Provider, "provider_message_id": msg.ProviderMessageID})
		if err := accept(ctx, msg); err != nil {
			logging.From(ctx).WithError(err).Error("could not accept inbound message")
			httpx.Error(w, http.StatusServiceUnavailable, "temporarily unable to accept the message")
			return
		}
		hooks.AckInbound(w)
	})
}
