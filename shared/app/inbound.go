package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// AcceptResult says what AcceptInbound did with a delivery.
type AcceptResult struct {
	Duplicate bool
}

// AcceptInbound is the carrier webhook's whole job after verification:
// record the delivery once and publish it. It does one store write and one
// publish so the carrier gets its answer fast; routing happens after the ack.
//
// A duplicate delivery is published again: if the first attempt stored the
// record and then failed to publish, this is the retry that repairs it, and
// RouteInbound ignores a message it already routed.
func (a *App) AcceptInbound(ctx context.Context, in chat.Inbound) (AcceptResult, error) {
	in.ID = in.Provider + "_" + in.ProviderMessageID
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = a.now()
	}
	rec := InboundRecord{Message: in, ExpireAt: in.ReceivedAt.Add(InboundRetention)}
	res := AcceptResult{}
	if err := a.Store.CreateInbound(ctx, rec); err != nil {
		if !errors.Is(err, ErrConflict) {
			return res, fmt.Errorf("record inbound %s: %w", in.ID, err)
		}
		res.Duplicate = true
		logging.From(ctx).Info("duplicate carrier delivery; republishing for safety")
	}
	data, err := json.Marshal(in)
	if err != nil {
		return res, fmt.Errorf("encode inbound %s: %w", in.ID, err)
	}
	msg := bus.Message{
		Data:        data,
		Attributes:  map[string]string{"inboundId": in.ID, "provider": in.Provider},
		OrderingKey: in.ThreadKey(),
	}
	if err := a.Bus.Publish(ctx, bus.TopicInbound, msg); err != nil {
		return res, fmt.Errorf("publish inbound %s: %w", in.ID, err)
	}
	return res, nil
}
