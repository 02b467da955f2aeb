package deliverystatus

import (
	"context"
	"net/http"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestTwilioErrorsExplained: a failed status carries the agent's sentence
// for its code, and 30005/30006 mark the consumer's number undeliverable on
// its consent document (consent itself untouched), so a proactive text to
// it is refused with that reason.
func TestTwilioErrorsExplained(t *testing.T) {
	for _, tc := range []struct {
		code          string
		want          carrier.Meaning
		undeliverable bool
	}{
		{"30003", carrier.Unreachable, false},
		{"30005", carrier.UnknownNumber, true},
		{"30006", carrier.Landline, true},
		{"30007", carrier.Spam, false},
		{"30032", carrier.TollFreeUnverified, false},
		{"21211", carrier.InvalidNumber, false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			w := newWorld(t)
			cb := urls.StatusCallback(wire.ProviderTwilio, carriertest.StatusRef)
			if rec := w.serve(w.signed(cb, twiliotable.StatusCallback(sentSID, "undelivered", tc.code))); rec.Code != http.StatusNoContent {
				t.Fatalf("answered %d %s", rec.Code, rec.Body)
			}
			got := w.snapshot(t)
			if d := got.Message.Delivery; d.ErrorCode != tc.code || d.ErrorMessage != tc.want.Sentence {
				t.Errorf("delivery %+v, want code %s with %q", d, tc.code, tc.want.Sentence)
			}
			var refusal *proactive.Refusal
			if got.Consent != nil {
				if got.Consent.State != chat.ConsentUnknown {
					t.Errorf("consent state %q: an undeliverable number is not an opt-out", got.Consent.State)
				}
				refusal = proactive.CheckConsent(*got.Consent)
			}
			if marked := refusal != nil && refusal.Code == proactive.CodeUndeliverable; marked != tc.undeliverable {
				t.Fatalf("consent %+v: proactive refusal %v, want undeliverable %v", got.Consent, refusal, tc.undeliverable)
			}
			if tc.undeliverable {
				want := "end_user_number cannot receive texts: " + tc.want.Sentence + " (carrier error " + tc.code + ")"
				if refusal.Message != want {
					t.Errorf("refusal %q, want %q", refusal.Message, want)
				}
			}
		})
	}
}

// TestIdempotencyTokenRecognisesTwiliosRetry: the I-Twilio-Idempotency-
// Token of the callback applied last is kept with the delivery, so
// Twilio's retry of that callback is acknowledged as a retry without
// applying it again; a callback without the header is judged by its status
// alone, as before.
func TestIdempotencyTokenRecognisesTwiliosRetry(t *testing.T) {
	const token = "9a3b2f0e-8b1c-4d5e-a6f7-0123456789ab"
	w := newWorld(t)
	cb := urls.StatusCallback(wire.ProviderTwilio, carriertest.StatusRef)
	post := func(word, tok string) int {
		r := w.signed(cb, twiliotable.StatusCallback(sentSID, word, ""))
		if tok != "" {
			r.Header.Set(twilio.IdempotencyTokenHeader, tok)
		}
		return w.serve(r).Code
	}
	for range 2 {
		if code := post("delivered", token); code != http.StatusNoContent {
			t.Fatalf("answered %d", code)
		}
	}
	m := w.snapshot(t).Message
	if m.Delivery.Status != chat.DeliveryDelivered || m.Delivery.Token != token {
		t.Fatalf("delivery %+v, want delivered with the callback's token", m.Delivery)
	}

	// The use case says which callback was which.
	d := &delivery.Service{Store: w.st}
	ctx := context.Background()
	st := carrier.Status{ProviderMessageID: sentSID, Status: chat.DeliveryDelivered}
	for _, tc := range []struct {
		name  string
		token string
		want  delivery.StatusOutcome
	}{
		{"the same token: Twilio's retry", token, delivery.StatusRetried},
		{"no token: a duplicate by its status", "", delivery.StatusStale},
		{"another token: a second callback of the same status", "0f1e2d3c-4b5a-6978-8a9b-abcdefabcdef", delivery.StatusStale},
	} {
		st.IdempotencyToken = tc.token
		got, err := d.ApplyStatus(ctx, twilio.Name, carriertest.StatusRef, st)
		if err != nil || got != tc.want {
			t.Errorf("%s: ApplyStatus = %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	st.IdempotencyToken, st.Status = "", chat.DeliveryRead
	if got, err := d.ApplyStatus(ctx, twilio.Name, carriertest.StatusRef, st); err != nil || got != delivery.StatusApplied {
		t.Errorf("a later status without a token: %s, %v; want applied", got, err)
	}
}
