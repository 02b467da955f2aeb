// Package carrier is the port to SMS providers. Each provider is a package
// below it (twilio, telnyx, bandwidth, sandbox) that verifies and parses its webhooks and
// status callbacks, sends texts and classifies its errors, and says how its
// media downloads authenticate; carriertest is the one table every
// provider passes. Nothing outside a provider package knows a provider's
// wire format or error codes.
package carrier

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// SendTimeout bounds one carrier API call.
const SendTimeout = 20 * time.Second

// Sender sends texts through one provider.
type Sender interface {
	Send(ctx context.Context, msg OutboundSMS) (SendResult, error)
}

// OutboundSMS is one text to hand to a carrier.
type OutboundSMS struct {
	From, To string
	// MessagingServiceSID, when set (a Twilio number in a Messaging
	// Service), is what a Twilio send names instead of From: Twilio then
	// picks the sender from the service's pool. The other carriers send
	// from From.
	MessagingServiceSID string
	Body                string
	MediaURLs           []string
	StatusCallbackURL   string
	// IdempotencyKey is honoured by carriers that support it (Telnyx); for
	// the others, SendSMS's claim protocol prevents the second call.
	IdempotencyKey string
}

// SendResult is what the carrier answered to a send.
type SendResult struct {
	ProviderMessageID string
	Status            chat.DeliveryStatus
}

// ErrorClass tells SendSMS what a carrier error means for retrying; the
// send lifecycle in chat decides what each class does to the message.
type ErrorClass = chat.FailureClass

// The error classes.
const (
	// Retryable: the carrier did not take the message (rate limit, 5xx, no
	// connection); sending again is safe.
	Retryable = chat.FailRetryable
	// Permanent: the carrier refused the message for good (opted out,
	// invalid number, unregistered 10DLC); sending again cannot help.
	Permanent = chat.FailPermanent
	// Ambiguous: the request may have reached the carrier and no answer came
	// back; sending again could text the consumer twice.
	Ambiguous = chat.FailAmbiguous
)

// Error is a classified send failure.
type Error struct {
	Class      ErrorClass
	Code       string // the provider's error code, e.g. "21610"
	HTTPStatus int
	// Message is what the agent is shown: for a code the provider's table
	// explains, a sentence a person understands (Meaning.Sentence).
	Message string
	// Detail is the provider's own words when Message replaced them, for
	// the logs.
	Detail string
	// OptedOut is set when the carrier says the consumer opted out at the
	// carrier level: consent is revoked on our side too.
	OptedOut bool
	// Unregistered is set when the carrier refused the sender as a US long
	// code without a registered 10DLC campaign (Twilio 30034).
	Unregistered bool
	// Undeliverable: the consumer's number cannot receive texts (unknown,
	// a landline); proactive texts to it are refused from then on.
	Undeliverable bool
	// Alert: the business must act (spam filtering, an unverified
	// toll-free number, an unregistered campaign); logged at ERROR.
	Alert bool
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Detail != "" && e.Detail != e.Message {
		msg += " (" + e.Detail + ")"
	}
	if e.Code != "" {
		return "carrier error " + e.Code + ": " + msg
	}
	return "carrier error: " + msg
}

// Failure is the error as the send lifecycle records it.
func (e *Error) Failure() chat.SendFailure {
	return chat.SendFailure{Class: e.Class, Code: e.Code, Message: e.Message, OptedOut: e.OptedOut}
}

// Status is a provider's delivery report for one outbound message.
type Status struct {
	ProviderMessageID string
	Status            chat.DeliveryStatus
	ErrorCode         string
	ErrorMessage      string
	// OptedOut is set when the report's error says the consumer opted out
	// at the carrier (Twilio 21610): consent is revoked on our side too.
	OptedOut bool
	// Unregistered: the report says the sender has no registered 10DLC
	// campaign (Twilio 30034).
	Unregistered bool
	// Undeliverable and Alert are as on Error.
	Undeliverable, Alert bool
	// IdempotencyToken identifies the callback across the provider's
	// retries of it (Twilio's I-Twilio-Idempotency-Token); empty when the
	// provider sends none.
	IdempotencyToken string
	// Ref is the message the report names in its body, for a provider that
	// posts every report to one URL (Bandwidth's tag); nil when the message
	// rides in the status callback URL's query.
	Ref *chat.Ref
}

// Webhooks is a provider's side of the callbacks it makes to us: inbound
// texts and delivery reports.
type Webhooks interface {
	// Authenticate checks a callback's signature against the public URL the
	// provider was given (never the request's Host). When it fails it has
	// answered (403 for a forged or unsigned request, 4xx for an unreadable
	// one) and returns false; nothing may change.
	Authenticate(w http.ResponseWriter, r *http.Request, publicURL string) bool
	// ParseInbound reads an authenticated inbound webhook. A malformed one
	// is a *FieldError.
	ParseInbound(r *http.Request) (chat.Inbound, error)
	// ParseStatus reads an authenticated delivery report.
	ParseStatus(r *http.Request) (Status, error)
	// AckInbound answers an accepted inbound webhook as the provider
	// expects (Twilio: an empty TwiML <Response/>).
	AckInbound(w http.ResponseWriter)
}

// FieldError is a webhook field that is missing or malformed.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// MediaAccess says where a provider's media URLs may lead and how they are
// downloaded. A consumer's medium is fetched only from Hosts, following
// redirects only to Hosts and RedirectHosts: the URL comes from a webhook,
// and fetching anything it names would let a request reach inside our
// network. The HTTP basic credentials (Twilio: the account SID and auth
// token, which "HTTP Basic Authentication for media access" requires) or
// the bearer token (Bandwidth's OAuth 2.0 access token) go to Hosts only.
type MediaAccess struct {
	Username, Password string
	// Token, when set, returns the bearer token a download carries instead
	// of basic credentials.
	Token func(context.Context) (string, error)
	// Hosts are host names (without port) the provider's media URLs name;
	// each also covers its subdomains. A media URL elsewhere is not
	// fetched.
	Hosts []string
	// RedirectHosts are further hosts a download from Hosts may be
	// redirected to (Twilio's media CDN), fetched without credentials.
	RedirectHosts []string
}

// Serves reports whether u, a media URL a webhook gave, may be fetched.
func (c MediaAccess) Serves(u *url.URL) bool {
	return httpURL(u) && hostIn(u, c.Hosts)
}

// Redirects reports whether a download may follow a redirect to u.
func (c MediaAccess) Redirects(u *url.URL) bool {
	return httpURL(u) && (hostIn(u, c.Hosts) || hostIn(u, c.RedirectHosts))
}

// Allows reports whether the credentials may go to u.
func (c MediaAccess) Allows(u *url.URL) bool {
	return (c.Username != "" || c.Token != nil) && httpURL(u) && hostIn(u, c.Hosts)
}

// Authorize adds the credentials to a download request when its host
// allows them. An error is a token that could not be had: the download
// was not tried, and a later one may succeed.
func (c MediaAccess) Authorize(req *http.Request) error {
	if !c.Allows(req.URL) {
		return nil
	}
	if c.Token != nil {
		tok, err := c.Token(req.Context())
		if err != nil {
			return fmt.Errorf("media access token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}
	req.SetBasicAuth(c.Username, c.Password)
	return nil
}

func httpURL(u *url.URL) bool { return u.Scheme == "https" || u.Scheme == "http" }

// hostIn reports whether u's host is one of hosts or a subdomain of one.
func hostIn(u *url.URL, hosts []string) bool {
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "" {
		return false
	}
	for _, allowed := range hosts {
		allowed = strings.ToLower(strings.TrimPrefix(allowed, "."))
		if allowed != "" && (h == allowed || strings.HasSuffix(h, "."+allowed)) {
			return true
		}
	}
	return false
}
