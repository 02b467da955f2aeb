// Package telnyxinbound is the TelnyxInbound function: Telnyx's incoming
// SMS/MMS webhook (message.received). It verifies the Ed25519 signature,
// parses, records the message once and publishes it to sms-inbound, then
// answers 200; routing happens after the answer (RouteInbound), so Telnyx's
// 2-second deadline is never at risk.
package telnyxinbound

import (
	"context"
	"errors"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/telnyxenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnTelnyxInbound

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env: the store, the bus and Telnyx's
// webhook verifier. Without TELNYX_PUBLIC_KEY there is nothing to verify
// Telnyx's webhooks with, and the function refuses to start rather than
// admit unsigned ones.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	v := telnyxenv.Verifier(e)
	if v == nil {
		return nil, errors.New("TELNYX_PUBLIC_KEY is not set: " + Name + " cannot verify Telnyx's webhooks")
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

// New builds the handler; publicURL is the address configured in Telnyx's
// messaging profile.
func New(in *intake.Service, hooks carrier.Webhooks, publicURL string) http.Handler {
	// Telnyx retries a webhook that got no 2xx and then tries its failover
	// URL.
	return carrier.InboundHandler(hooks, publicURL, "Telnyx", func(ctx context.Context, msg chat.Inbound) error {
		_, err := in.Accept(ctx, msg)
		return err
	})
}
