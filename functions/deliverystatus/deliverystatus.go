// Package deliverystatus is the DeliveryStatus function: carriers' message
// status callbacks, for every provider. Twilio's are posted to
// /DeliveryStatus, another provider's to /DeliveryStatus/{provider}. Each is
// authenticated like the provider's inbound webhooks and names its message
// in the query string (Bandwidth's, posted to the application's one URL,
// in the tag of the body); a report whose provider message id is not the
// message's is refused, and updates are monotonic, so reordered and
// repeated callbacks end in the right state.
package deliverystatus

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/bandwidthenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/telnyxenv"
	"github.com/smsdesk/smsdesk/shared/platform/twilioenv"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnDeliveryStatus

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env: the store and each provider's
// webhook verifier.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	hooks := map[string]carrier.Webhooks{wire.ProviderTwilio: twilioenv.Verifier(e)}
	// Telnyx's delivery updates come to /DeliveryStatus/telnyx, the
	// webhook_url of each send, once its public key is configured.
	if v := telnyxenv.Verifier(e); v != nil {
		hooks[wire.ProviderTelnyx] = v
	}
	// Bandwidth's come to /DeliveryStatus/bandwidth, the application's
	// OutboundCallbackUrl, once its callback credentials are configured.
	if v := bandwidthenv.Verifier(e); v != nil {
		hooks[wire.ProviderBandwidth] = v
	}
	return New(&delivery.Service{Store: st}, hooks, e.URLs()), nil
}

// New builds the handler over each provider's webhooks.
func New(d *delivery.Service, hooks map[string]carrier.Webhooks, urls wire.URLs) http.Handler {
	return httpx.StripFunctionPrefix(Name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		provider := strings.Trim(r.URL.Path, "/")
		if provider == "" {
			provider = wire.ProviderTwilio
		}
		h, ok := hooks[provider]
		if !ok {
			httpx.Error(w, http.StatusNotFound, "no status callbacks for provider "+strconv.Quote(provider))
			return
		}
		if !h.Authenticate(w, r, urls.StatusCallbackPath(provider)) {
			return
		}
		// The message rides in the query of the callback URL each send was
		// given, or, for a provider that posts every report to one URL
		// (Bandwidth), in the report's body.
		q := r.URL.Query()
		inQuery := q.Has("chat") || q.Has("seq")
		var ref chat.Ref
		if inQuery {
			var err error
			if ref, err = wire.ParseStatusQuery(q); err != nil {
				httpx.Error(w, http.StatusBadRequest, err.Error())
				return
			}
		}
		st, err := h.ParseStatus(r)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "malformed status callback: "+err.Error())
			return
		}
		switch {
		case st.Ref != nil && inQuery && *st.Ref != ref:
			httpx.Error(w, http.StatusConflict, "the status names another message than its URL")
			return
		case st.Ref != nil:
			ref = *st.Ref
		case !inQuery:
			httpx.Error(w, http.StatusBadRequest, "query parameter chat is required")
			return
		}
		_, err = d.ApplyStatus(r.Context(), provider, ref, st)
		switch {
		case errors.Is(err, store.ErrNotFound):
			httpx.Error(w, http.StatusNotFound, "no such message")
		case errors.Is(err, delivery.ErrProviderIDMismatch):
			httpx.Error(w, http.StatusConflict, "the provider's message id does not match the message")
		case err != nil:
			logging.From(r.Context()).WithError(err).Error("could not record delivery status")
			httpx.Error(w, http.StatusServiceUnavailable, "temporarily unable to record the status")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
}
