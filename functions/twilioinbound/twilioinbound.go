// Package twilioinbound is the TwilioInbound function: Twilio's incoming
// SMS/MMS webhook. It verifies the signature, parses, records the message
// once and publishes it to sms-inbound, then answers <Response/>; routing
// happens after the answer (RouteInbound), so Twilio is never kept waiting.
package twilioinbound

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/twilioenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnTwilioInbound

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env: the store, the bus and Twilio's
// webhook verifier, nothing else.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	b, err := busenv.Bus(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(&intake.Service{Store: st, Bus: b}, twilioenv.Verifier(e), e.URLs().PublicFunction(Name)), nil
}

// New builds the handler; publicURL is the address Twilio signs.
func New(in *intake.Service, hooks carrier.Webhooks, publicURL string) http.Handler {
	// Twilio retries nothing on its own for messaging webhooks, but a 5xx
	// shows in its debugger and a fallback URL can retry.
	return carrier.InboundHandler(hooks, publicURL, "Twilio", func(ctx context.Context, msg chat.Inbound) error {
		_, err := in.Accept(ctx, msg)
		return err
	})
}
