// Package twiliotable is Twilio described to carriertest: its verifier and
// signature, its captured webhooks and status callbacks (captures/),
// its status words and opt-out code, its client against twiliotest and its
// documented send errors. Twilio's own tests run the table with it, and the
// functions' tests use its captures and forgeries against their handlers.
package twiliotable

import (
	"embed"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// The account the captures came from, and a token of another account.
const (
	AccountSID     = "AC3c5a3f9b0e8d4c1fa2b7e6d5c4b3a291"
	AuthToken      = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	OtherAuthToken = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

//go:embed captures/*.json
var captures embed.FS

// Captures are Twilio's captured callbacks with what they parse to.
func Captures(t testing.TB) []carriertest.Capture {
	t.Helper()
	cs, err := carriertest.ReadCaptures(captures, "captures")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// standIn is twiliotest's server as the harness sees it.
type standIn struct{ srv *twiliotest.Server }

func (s standIn) URL() string   { return s.srv.URL }
func (s standIn) Requests() int { return s.srv.Requests() }
func (s standIn) Recover()      { s.srv.Recover() }

func (s standIn) Accepted() []carriertest.Accepted {
	var out []carriertest.Accepted
	for _, m := range s.srv.Sent() {
		out = append(out, carriertest.Accepted{ID: m.SID, From: m.From, To: m.To, Body: m.Body, MediaURLs: m.MediaURLs, StatusCallback: m.StatusCallback})
	}
	return out
}

func (s standIn) Answer(a carriertest.Answer) {
	f := twiliotest.Failure{HTTPStatus: a.HTTPStatus, Message: a.Message, Times: a.Times, Body: a.Body, Hang: a.Hang}
	if a.Code != "" {
		code, err := strconv.Atoi(a.Code)
		if err != nil {
			panic("Twilio error codes are numbers, got " + a.Code)
		}
		f.Code = code
	}
	if a.For > 0 {
		f.Until = time.Now().Add(a.For)
	}
	s.srv.Fail(f)
}

// Form decodes a callback body; Twilio posts forms.
func Form(body []byte) url.Values {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		panic("a Twilio callback body is a form: " + err.Error())
	}
	return f
}

// Tamper changes a callback after it was signed: another sender for a
// text, another outcome for a status.
func Tamper(body []byte) []byte {
	f := Form(body)
	switch {
	case f.Has("Body"):
		f.Set("From", "+14155550199")
	case f.Get("MessageStatus") == string(chat.DeliveryDelivered):
		f.Set("MessageStatus", string(chat.DeliveryFailed))
	default:
		f.Set("MessageStatus", string(chat.DeliveryDelivered))
	}
	return []byte(f.Encode())
}

// Repeat gives From (or the first parameter) a second value.
func Repeat(body []byte) []byte {
	f := Form(body)
	name := "From"
	if !f.Has(name) {
		names := make([]string, 0, len(f))
		for k := range f {
			names = append(names, k)
		}
		sort.Strings(names)
		name = names[0]
	}
	f.Add(name, "+14155550199")
	return []byte(f.Encode())
}

// Sign is Twilio's X-Twilio-Signature for a form body.
func Sign(key, fullURL string, body []byte) http.Header {
	return http.Header{twilio.SignatureHeader: {twilio.Sign(key, fullURL, Form(body))}}
}

// Provider describes Twilio to carriertest, with a twiliotest server
// (closed when t ends) standing in for the Messages API.
func Provider(t testing.TB) carriertest.Provider {
	srv := twiliotest.New(AccountSID, AuthToken)
	t.Cleanup(srv.Close)
	return carriertest.Provider{
		Name:     twilio.Name,
		Webhooks: twilio.NewVerifier(AuthToken),
		Sign:     Sign,
		Key:      AuthToken, WrongKey: OtherAuthToken,
		Tamper: Tamper, Repeat: Repeat,
		InboundURL: wire.URLs{Public: carriertest.DefaultPublicBase}.PublicFunction(wire.FnTwilioInbound),
		Captures:   Captures(t),
		// Twilio's MessageStatus values for an outbound message; receiving
		// and received belong to inbound messages and never reach a status
		// callback.
		StatusWords: map[string]chat.DeliveryStatus{
			"accepted": chat.DeliveryAccepted, "scheduled": chat.DeliveryScheduled, "queued": chat.DeliveryQueued,
			"sending": chat.DeliverySending, "sent": chat.DeliverySent, "delivered": chat.DeliveryDelivered,
			"undelivered": chat.DeliveryUndelivered, "failed": chat.DeliveryFailed, "canceled": chat.DeliveryCanceled,
			"read": chat.DeliveryRead,
		},
		StatusCallback:  StatusCallback,
		OptedOutCodes:   []string{twilio.CodeOptedOut},
		NotOptedOutCode: "30003",
		Meanings:        twilio.Meanings(),
		NewSender: func(base string) (carrier.Sender, error) {
			return twilio.NewClient(AccountSID, AuthToken, base, nil)
		},
		StandIn: standIn{srv},
		SendErrors: []carriertest.SendError{
			{Name: "21610 opted out", Answer: carriertest.Answer{HTTPStatus: 400, Code: "21610", Message: "Attempt to send to unsubscribed recipient"},
				Class: carrier.Permanent, OptedOut: true},
			{Name: "21211 invalid To", Answer: carriertest.Answer{HTTPStatus: 400, Code: "21211", Message: "Invalid 'To' Phone Number"},
				Class: carrier.Permanent},
			{Name: "21614 not a mobile number", Answer: carriertest.Answer{HTTPStatus: 400, Code: "21614", Message: "'To' number is not a valid mobile number"},
				Class: carrier.Permanent},
			{Name: "30034 unregistered 10DLC", Answer: carriertest.Answer{HTTPStatus: 400, Code: "30034", Message: "Message from an Unregistered Number"},
				Class: carrier.Permanent},
			{Name: "20429 too many requests", Answer: carriertest.Answer{HTTPStatus: 429, Code: "20429", Message: "Too Many Requests"},
				Class: carrier.Retryable},
		},
	}
}

// StatusCallback is the form Twilio posts about message id: a status word
// and, for a failure, its error code.
func StatusCallback(id, word, code string) []byte {
	f := url.Values{"SmsSid": {id}, "SmsStatus": {word}, "MessageStatus": {word}, "To": {carriertest.To},
		"MessageSid": {id}, "AccountSid": {AccountSID}, "From": {carriertest.From}, "ApiVersion": {"2010-04-01"}}
	if code != "" {
		f.Set("ErrorCode", code)
	}
	return []byte(f.Encode())
}
