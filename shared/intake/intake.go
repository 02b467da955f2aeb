// Package intake is a carrier webhook's whole job after verification:
// record the delivery once and publish it to sms-inbound. It does one store
// write and one publish so the carrier gets its answer fast; routing
// happens after the answer.
package intake

import (
	"context"
	"errors"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Store is what intake needs of chat state.
type Store interface {
	// CreateInbound stores a delivery's dedupe record; store.ErrConflict
	// when the carrier delivered this message before.
	CreateInbound(ctx context.Context, rec store.InboundRecord) error
}

// Service accepts carriers' inbound texts.
type Service struct {
	Store Store
	Bus   bus.Publisher
	Clock clock.Clock
}

// Result says what Accept did with a delivery.
type Result struct {
	Duplicate bool
	// NotAPerson: the text came from a short code or an alphanumeric
	// sender id (a carrier's or a business's system message), which no
	// person texts from and nothing may answer; it was only logged.
	NotAPerson bool
}

// Accept records a delivery once and publishes it.
//
// A duplicate delivery is published again: if the first attempt stored the
// record and then failed to publish, this is the retry that repairs it, and
// RouteInbound ignores a message it already routed.
func (s *Service) Accept(ctx context.Context, in chat.Inbound) (Result, error) {
	if !sender.Person(in.Consumer) {
		// Answering would text a carrier's notice service (or another
		// business) our opt-in and menu, and a short code's own
		// auto-replies back: a loop nobody reads. The carrier is answered
		// as usual, so it does not retry.
		logging.From(ctx).WithField("from", in.Consumer).WithField("number", in.Number).
			Warn("a text from a short code or an alphanumeric sender (a carrier's or a business's system message) is logged and not answered")
		return Result{NotAPerson: true}, nil
	}
	in.ID = in.Provider + "_" + in.ProviderMessageID
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.Clock.Time()
	}
	rec := store.InboundRecord{Message: in, ExpireAt: in.ReceivedAt.Add(store.InboundRetention)}
	res := Result{}
	if err := s.Store.CreateInbound(ctx, rec); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			return res, fmt.Errorf("record inbound %s: %w", in.ID, err)
		}
		res.Duplicate = true
		logging.From(ctx).Info("duplicate carrier delivery; republishing for safety")
	}
	msg, err := wire.InboundMessage(in)
	if err != nil {
		return res, err
	}
	if err := s.Bus.Publish(ctx, wire.TopicInbound, msg); err != nil {
		return res, fmt.Errorf("publish inbound %s: %w", in.ID, err)
	}
	return res, nil
}
