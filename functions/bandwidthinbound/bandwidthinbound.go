// Package bandwidthinbound is the BandwidthInbound function: the
// messaging application's InboundCallbackUrl (message-received). It checks
// the application's Basic callback credentials, parses, records the
// message once and publishes it to sms-inbound, then answers 200; routing
// happens after the answer (RouteInbound), so Bandwidth's 10-second
// deadline is never at risk.
package bandwidthinbound

import (
	"context"
	"errors"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/bandwidthenv"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnBandwidthInbound

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env: the store, the bus and Bandwidth's
// callback verifier. Without BANDWIDTH_WEBHOOK_USER and
// BANDWIDTH_WEBHOOK_PASSWORD there is nothing to check Bandwidth's
// callbacks with, and the function refuses to start rather than admit
// anyone's.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	v := bandwidthenv.Verifier(e)
	if v == nil {
		return nil, errors.New("BANDWIDTH_WEBHOOK_USER and BANDWIDTH_WEBHOOK_PASSWORD are not set: " + Name + " cannot authenticate Bandwidth's callbacks")
	}
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	b, err := busenv.Bus(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(&intake.Service{Store: st, Bus: b}, v, e.URLs().PublicFunction(Name)), nil
}

// New builds the handler; publicURL is the application's
// InboundCallbackUrl.
func New(in *intake.Service, hooks carrier.Webhooks, publicURL string) http.Handler {
	// Bandwidth retries a callback that got no 2xx for 24 hours, and
	// delivers at least once: the record of the message id dedupes.
	return carrier.InboundHandler(hooks, publicURL, "Bandwidth", func(ctx context.Context, msg chat.Inbound) error {
		_, err := in.Accept(ctx, msg)
		return err
	})
}
