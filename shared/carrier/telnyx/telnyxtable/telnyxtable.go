// Package telnyxtable is Telnyx described to carriertest: its verifier and
// Ed25519 signature (keys generated per run), its captured webhooks and
// delivery updates (captures/), its status words and opt-out code, its
// client against telnyxtest and its documented send errors. Telnyx's own
// tests run the table with it, and the functions' tests use its captures
// and forgeries against their handlers.
package telnyxtable

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtest"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// APIKey is the stand-in account's API key.
const APIKey = "KEY0123456789ABCDEF0123456789ABCDEF_telnyxtable"

//go:embed captures/*.json
var captures embed.FS

// Captures are Telnyx's captured callbacks with what they parse to.
func Captures(t testing.TB) []carriertest.Capture {
	t.Helper()
	cs, err := carriertest.ReadCaptures(captures, "captures")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// Keys is a signing key pair made for one test: Telnyx keeps the private
// key, the deployment is given the public one.
type Keys struct {
	Public  ed25519.PublicKey
	Private ed25519.PrivateKey
}

// NewKeys generates a key pair.
func NewKeys(t testing.TB) Keys {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Keys{Public: pub, Private: priv}
}

// Sign is carriertest's Provider.Sign: key is a private key as a string
// (string(Keys.Private)); Telnyx's signature covers the time and the body,
// not the URL.
func Sign(key, _ string, body []byte) http.Header {
	return telnyx.Sign(ed25519.PrivateKey(key), time.Now(), body)
}

// Tamper changes a callback after it was signed: another sender for a
// text, another outcome for a delivery update.
func Tamper(body []byte) []byte {
	for _, swap := range [][2]string{
		{`"from":{"phone_number":"+18665550001"`, `"from":{"phone_number":"+18665550099"`},
		{`"status":"delivered"`, `"status":"delivery_failed"`},
		{`"status":"sent"`, `"status":"delivered"`},
		{`"status":"queued"`, `"status":"delivered"`},
	} {
		if bytes.Contains(body, []byte(swap[0])) {
			return bytes.Replace(body, []byte(swap[0]), []byte(swap[1]), 1)
		}
	}
	return append(bytes.TrimSuffix(body, []byte("}")), []byte(`,"x":1}`)...)
}

// Repeat gives the event a second "data" member. Telnyx signs every byte,
// so a repeated member signed as such is Telnyx's own body: the row is
// skipped, and Repeat exists so Forgeries can build every forgery.
func Repeat(body []byte) []byte {
	return append([]byte(`{"data":{},`), bytes.TrimPrefix(body, []byte("{"))...)
}

// standIn is telnyxtest's server as the harness sees it.
type standIn struct{ srv *telnyxtest.Server }

func (s standIn) URL() string   { return s.srv.URL }
func (s standIn) Requests() int { return s.srv.Requests() }
func (s standIn) Recover()      { s.srv.Recover() }

func (s standIn) Accepted() []carriertest.Accepted {
	var out []carriertest.Accepted
	for _, m := range s.srv.Sent() {
		out = append(out, carriertest.Accepted{ID: m.ID, From: m.From, To: m.To, Body: m.Text, MediaURLs: m.MediaURLs, StatusCallback: m.WebhookURL})
	}
	return out
}

func (s standIn) Answer(a carriertest.Answer) {
	f := telnyxtest.Failure{HTTPStatus: a.HTTPStatus, Code: a.Code, Message: a.Message, Times: a.Times, Body: a.Body, Hang: a.Hang}
	if a.For > 0 {
		f.Until = time.Now().Add(a.For)
	}
	s.srv.Fail(f)
}

// Provider describes Telnyx to carriertest with fresh keys, and a
// telnyxtest server (closed when t ends) standing in for the Messages API.
func Provider(t testing.TB) carriertest.Provider {
	keys, other := NewKeys(t), NewKeys(t)
	srv := telnyxtest.New(APIKey)
	t.Cleanup(srv.Close)
	return carriertest.Provider{
		Name:            telnyx.Name,
		Webhooks:        telnyx.NewVerifier(keys.Public),
		Sign:            Sign,
		Key:             string(keys.Private),
		WrongKey:        string(other.Private),
		ContentType:     "application/json",
		Tamper:          Tamper,
		Repeat:          Repeat,
		InboundURL:      wire.URLs{Public: carriertest.DefaultPublicBase}.PublicFunction(wire.FnTelnyxInbound),
		Captures:        Captures(t),
		StatusWords:     telnyx.StatusWords,
		StatusCallback:  StatusCallback,
		OptedOutCodes:   []string{telnyx.CodeOptedOut},
		Meanings:        telnyx.Meanings(),
		NotOptedOutCode: "40001",
		NewSender: func(base string) (carrier.Sender, error) {
			return telnyx.NewClient(APIKey, base, nil)
		},
		StandIn: standIn{srv},
		SendErrors: []carriertest.SendError{
			{Name: "40300 opted out", Answer: carriertest.Answer{HTTPStatus: 409, Code: "40300", Message: "Blocked due to STOP message"},
				Class: carrier.Permanent, OptedOut: true},
			{Name: "40001 not routable", Answer: carriertest.Answer{HTTPStatus: 400, Code: "40001", Message: "Not routable"},
				Class: carrier.Permanent},
			{Name: "40002 spam temporary", Answer: carriertest.Answer{HTTPStatus: 400, Code: "40002", Message: "Blocked as spam - temporary"},
				Class: carrier.Retryable},
			{Name: "40003 spam permanent", Answer: carriertest.Answer{HTTPStatus: 400, Code: "40003", Message: "Blocked as spam - permanent"},
				Class: carrier.Permanent},
			{Name: "10002 invalid number", Answer: carriertest.Answer{HTTPStatus: 422, Code: "10002", Message: "Invalid phone number"},
				Class: carrier.Permanent},
			{Name: "10009 authentication failed", Answer: carriertest.Answer{HTTPStatus: 401, Code: "10009", Message: "Authentication failed"},
				Class: carrier.Permanent},
			{Name: "10007 unexpected error", Answer: carriertest.Answer{HTTPStatus: 500, Code: "10007", Message: "Unexpected error"},
				Class: carrier.Retryable},
			{Name: "10011 too many requests", Answer: carriertest.Answer{HTTPStatus: 429, Code: "10011", Message: "Too many requests"},
				Class: carrier.Retryable},
			{Name: "10008 request timeout", Answer: carriertest.Answer{HTTPStatus: 504, Code: "10008", Message: "Request timeout"},
				Class: carrier.Ambiguous},
		},
		Skip: map[string]string{
			"webhooks/inbound/signed for another URL":        "Telnyx signs the timestamp and the body, not the URL (Ed25519 over {telnyx-timestamp}|{body})",
			"webhooks/status/signed for another URL":         "Telnyx signs the timestamp and the body, not the URL (Ed25519 over {telnyx-timestamp}|{body})",
			"webhooks/inbound/signed for the request's Host": "Telnyx signs the timestamp and the body, not the URL",
			"webhooks/status/signed for the request's Host":  "Telnyx signs the timestamp and the body, not the URL",
			"webhooks/inbound/repeated parameter":            "Telnyx posts one JSON object; every byte of it is signed",
			"webhooks/status/repeated parameter":             "Telnyx posts one JSON object; every byte of it is signed",
			"webhooks/status/query altered after signing":    "the query is not signed by Telnyx; DeliveryStatus refuses a report whose signed payload id is not the message's recorded id (409)",
		},
	}
}

// StatusCallback is a delivery update Telnyx posts about message id: a
// message.finalized event for a final word, message.sent otherwise, the
// recipient's status word and, for a failure, an errors[] entry.
func StatusCallback(id, word, code string) []byte {
	event := telnyx.EventSent
	switch word {
	case "delivered", "delivery_failed", "sending_failed", "delivery_unconfirmed":
		event = telnyx.EventFinalized
	}
	errs := []map[string]string{}
	if code != "" {
		errs = append(errs, map[string]string{"code": code, "title": "carriertest error " + code, "detail": ""})
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	b, err := json.Marshal(map[string]any{
		"data": map[string]any{
			"record_type": "event", "id": fmt.Sprintf("evt-%s-%s", id, word), "event_type": event, "occurred_at": now,
			"payload": map[string]any{
				"record_type": "message", "direction": "outbound", "id": id, "type": "SMS",
				"from": map[string]string{"phone_number": carriertest.From, "carrier": "TELNYX LLC", "line_type": "VoIP"},
				"to":   []map[string]string{{"phone_number": carriertest.To, "status": word, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"}},
				"cc":   []any{}, "text": "Your order has shipped.", "media": []any{},
				"encoding": "GSM-7", "parts": 1, "errors": errs,
			},
		},
		"meta": map[string]any{"attempt": 1},
	})
	if err != nil {
		panic(err)
	}
	return b
}
