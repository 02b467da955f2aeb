// Package bandwidthtable is Bandwidth described to carriertest: its
// verifier and the Basic credentials of the messaging application's
// callbacks, its captured callbacks (captures/), its status types and
// opt-out code, its client against bandwidthtest and its documented send
// errors. Bandwidth's own tests run the table with it, and the functions'
// tests use its captures and forgeries against their handlers.
package bandwidthtable

import (
	"bytes"
	"embed"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtest"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// The stand-in account and the application's callback credentials.
var (
	Account = bandwidthtest.Account{
		AccountID: "9900902", ApplicationID: "93de2206-9669-4e07-948d-329f4b722ee2",
		ClientID: "bwtable-client-6f1c", ClientSecret: "bwtable-secret-0123456789abcdef",
	}
	WebhookUser     = "smsdesk-callbacks"
	WebhookPassword = "cb-password-5b7e0a9d13f24c68"
)

//go:embed captures/*.json
var captures embed.FS

// Captures are Bandwidth's captured callbacks with what they parse to.
func Captures(t testing.TB) []carriertest.Capture {
	t.Helper()
	cs, err := carriertest.ReadCaptures(captures, "captures")
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// Key is carriertest's key for Basic credentials: "user:password".
func Key(user, password string) string { return user + ":" + password }

// Sign is carriertest's Provider.Sign: the Authorization header Bandwidth
// sends once challenged. Basic credentials cover neither the URL nor the
// body.
func Sign(key, _ string, _ []byte) http.Header {
	user, password, _ := strings.Cut(key, ":")
	return bandwidth.Sign(user, password)
}

// Tamper changes a callback after it was sent: another sender for a text,
// another outcome for a status.
func Tamper(body []byte) []byte {
	for _, swap := range [][2]string{
		{`"from":"+12345678901"`, `"from":"+12345678999"`},
		{`"type":"message-sending"`, `"type":"message-delivered"`},
		{`"type":"message-delivered"`, `"type":"message-failed"`},
	} {
		if bytes.Contains(body, []byte(swap[0])) {
			return bytes.Replace(body, []byte(swap[0]), []byte(swap[1]), 1)
		}
	}
	return append(bytes.TrimSuffix(body, []byte("]")), []byte(`,{}]`)...)
}

// Repeat gives the event a second "type" member.
func Repeat(body []byte) []byte {
	return bytes.Replace(body, []byte(`[{`), []byte(`[{"type":"message-delivered",`), 1)
}

// statusPath is the application's OutboundCallbackUrl in the harness.
var statusPath = wire.URLs{Public: carriertest.DefaultPublicBase}.StatusCallbackPath(bandwidth.Name)

// standIn is bandwidthtest's server as the harness sees it.
type standIn struct{ srv *bandwidthtest.Server }

func (s standIn) URL() string   { return s.srv.URL }
func (s standIn) Requests() int { return s.srv.Requests() }
func (s standIn) Recover()      { s.srv.Recover() }

// Accepted reports each message's status callback as where its status
// will go: the application's OutboundCallbackUrl, with the message named
// by the tag.
func (s standIn) Accepted() []carriertest.Accepted {
	var out []carriertest.Accepted
	for _, m := range s.srv.Sent() {
		a := carriertest.Accepted{ID: m.ID, From: m.From, To: m.To, Body: m.Text, MediaURLs: m.Media}
		if m.Tag != "" {
			a.StatusCallback = statusPath + "?" + m.Tag
		}
		out = append(out, a)
	}
	return out
}

func (s standIn) Answer(a carriertest.Answer) {
	f := bandwidthtest.Failure{HTTPStatus: a.HTTPStatus, Type: a.Code, Description: a.Message, Times: a.Times, Body: a.Body, Hang: a.Hang}
	if a.For > 0 {
		f.Until = time.Now().Add(a.For)
	}
	s.srv.Fail(f)
}

// NewSender is a client of the stand-in at base, whose token endpoint is
// beside its Messaging API.
func NewSender(base string) (*bandwidth.Client, error) {
	tokens := bandwidth.NewTokens(Account.ClientID, Account.ClientSecret, base+bandwidth.TokenPath, nil)
	return bandwidth.NewClient(bandwidth.Credentials{AccountID: Account.AccountID, ApplicationID: Account.ApplicationID, Tokens: tokens}, base, nil)
}

const basicCoversNothing = "Bandwidth authenticates callbacks with Basic credentials, which cover neither the URL nor the body"

// Provider describes Bandwidth to carriertest, with a bandwidthtest server
// (closed when t ends) standing in for the Messaging API.
func Provider(t testing.TB) carriertest.Provider {
	srv := bandwidthtest.New(Account)
	t.Cleanup(srv.Close)
	return carriertest.Provider{
		Name:            bandwidth.Name,
		Webhooks:        bandwidth.NewVerifier(WebhookUser, WebhookPassword),
		Sign:            Sign,
		Key:             Key(WebhookUser, WebhookPassword),
		WrongKey:        Key(WebhookUser, "someone-elses-password"),
		ContentType:     "application/json",
		Tamper:          Tamper,
		Repeat:          Repeat,
		InboundURL:      wire.URLs{Public: carriertest.DefaultPublicBase}.PublicFunction(wire.FnBandwidthInbound),
		Captures:        Captures(t),
		StatusWords:     bandwidth.StatusWords,
		StatusCallback:  StatusCallback,
		OptedOutCodes:   []string{bandwidth.CodeOptedOut},
		Meanings:        bandwidth.Meanings(),
		NotOptedOutCode: "4720",
		NewSender:       func(base string) (carrier.Sender, error) { return NewSender(base) },
		StandIn:         standIn{srv},
		SendErrors: []carriertest.SendError{
			{Name: "400 request-validation", Answer: carriertest.Answer{HTTPStatus: 400, Code: "request-validation", Message: "Your request could not be accepted"},
				Class: carrier.Permanent},
			// A 401 is retried once with a fresh token; refused twice, the
			// credential itself is wrong.
			{Name: "401 unauthorized with a fresh token too", Answer: carriertest.Answer{HTTPStatus: 401, Code: "unauthorized", Message: "Authentication Failed", Times: 2},
				Class: carrier.Permanent},
			{Name: "403 forbidden", Answer: carriertest.Answer{HTTPStatus: 403, Code: "forbidden", Message: "Access Denied"},
				Class: carrier.Permanent},
			{Name: "415 unsupported-content-type", Answer: carriertest.Answer{HTTPStatus: 415, Code: "unsupported-content-type", Message: "Content type not supported"},
				Class: carrier.Permanent},
			{Name: "429 max-message-queue-size-exceeded", Answer: carriertest.Answer{HTTPStatus: 429, Code: "max-message-queue-size-exceeded",
				Message: "The SMS queue for your account is full and cannot accept more messages right now."}, Class: carrier.Retryable},
			{Name: "500 internal server error", Answer: carriertest.Answer{HTTPStatus: 500, Code: "internal-server-error", Message: "Internal Server Error"},
				Class: carrier.Retryable},
		},
		Skip: map[string]string{
			"webhooks/inbound/unsigned":                      "Bandwidth posts without credentials first and sends them only after a 401 with a WWW-Authenticate challenge (RFC 7235), so an unsigned callback gets 401, not 403: TestAuthenticateChallenge",
			"webhooks/status/unsigned":                       "Bandwidth posts without credentials first and sends them only after a 401 with a WWW-Authenticate challenge (RFC 7235), so an unsigned callback gets 401, not 403: TestAuthenticateChallenge",
			"webhooks/inbound/signed for another URL":        basicCoversNothing,
			"webhooks/status/signed for another URL":         basicCoversNothing,
			"webhooks/inbound/signed for the request's Host": basicCoversNothing,
			"webhooks/status/signed for the request's Host":  basicCoversNothing,
			"webhooks/inbound/tampered body":                 basicCoversNothing + " (TLS protects the body in transit)",
			"webhooks/status/tampered body":                  basicCoversNothing + " (TLS protects the body in transit)",
			"webhooks/inbound/repeated parameter":            basicCoversNothing + "; a repeated JSON member is decoded as its last value",
			"webhooks/status/repeated parameter":             basicCoversNothing + "; a repeated JSON member is decoded as its last value",
			"webhooks/status/query altered after signing":    "Bandwidth posts statuses to the application's one URL and names the message in the tag; DeliveryStatus refuses a report whose message id is not the tagged message's (409)",
		},
	}
}

// StatusCallback is a status callback Bandwidth posts about message id:
// the type word, our tag naming carriertest.StatusRef and, for a failure,
// an errorCode.
func StatusCallback(id, word, code string) []byte {
	ev := map[string]any{
		"time": time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), "type": word, "to": carriertest.To,
		"description": "carriertest " + word,
		"message": map[string]any{
			"id": id, "owner": carriertest.From, "applicationId": Account.ApplicationID,
			"time": time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), "segmentCount": 1, "direction": "out",
			"to": []string{carriertest.To}, "from": carriertest.From, "text": "Your order has shipped.",
			"tag": bandwidth.Tag(wire.URLs{Public: carriertest.DefaultPublicBase}.StatusCallback(bandwidth.Name, carriertest.StatusRef)),
		},
	}
	if code != "" {
		n, err := strconv.Atoi(code)
		if err != nil {
			panic(err)
		}
		ev["errorCode"] = n
	}
	b, err := json.Marshal([]any{ev})
	if err != nil {
		panic(err)
	}
	return b
}
