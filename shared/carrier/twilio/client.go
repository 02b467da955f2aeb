package twilio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// DefaultAPIBaseURL is Twilio's REST API.
const DefaultAPIBaseURL = "https://api.twilio.com"

// Client sends texts with twilio-go. Its API base URL can point at a local
// Twilio-compatible server (tests, manual tries against a mock).
type Client struct {
	accountSID, authToken string
	base                  *url.URL
	transport             http.RoundTripper
}

var _ carrier.Sender = (*Client)(nil)

// NewClient returns a client for an account. apiBaseURL empty means Twilio.
func NewClient(accountSID, authToken, apiBaseURL string, transport http.RoundTripper) (*Client, error) {
	if apiBaseURL == "" {
		apiBaseURL = DefaultAPIBaseURL
	}
	base, err := url.Parse(apiBaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("twilio API base URL %q is not an absolute URL", apiBaseURL)
	}
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{accountSID: accountSID, authToken: authToken, base: base, transport: transport}, nil
}

// rebase sends twilio-go's requests to the configured base URL and under
// the caller's context: twilio-go builds requests with a background context
// and a fixed host, and lets the HTTP client be replaced. It notes the HTTP
// status of the answer, which twilio-go drops when the body is not Twilio's
// JSON error (a proxy's error page).
type rebase struct {
	ctx    context.Context
	base   *url.URL
	next   http.RoundTripper
	status atomic.Int32
}

func (r *rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(r.ctx)
	out.URL.Scheme, out.URL.Host = r.base.Scheme, r.base.Host
	if p := r.base.Path; p != "" && p != "/" {
		out.URL.Path = p + out.URL.Path
	}
	out.Host = r.base.Host
	res, err := r.next.RoundTrip(out)
	if err == nil {
		r.status.Store(int32(res.StatusCode))
	}
	return res, err
}

// Send creates a message with the Messages API.
func (c *Client) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	rt := &rebase{ctx: ctx, base: c.base, next: c.transport}
	hc := &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       carrier.SendTimeout,
	}
	tc := &twclient.Client{Credentials: twclient.NewCredentials(c.accountSID, c.authToken), HTTPClient: hc}
	tc.SetAccountSid(c.accountSID)
	api := openapi.NewApiServiceWithClient(tc)

	params := &openapi.CreateMessageParams{}
	// Twilio takes exactly one of From and MessagingServiceSid.
	if msg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(msg.MessagingServiceSID)
	} else {
		params.SetFrom(msg.From)
	}
	params.SetTo(msg.To)
	if msg.Body != "" {
		params.SetBody(msg.Body)
	}
	if len(msg.MediaURLs) > 0 {
		params.SetMediaUrl(msg.MediaURLs)
	}
	if msg.StatusCallbackURL != "" {
		params.SetStatusCallback(msg.StatusCallbackURL)
	}
	res, err := api.CreateMessage(params)
	if err != nil {
		return carrier.SendResult{}, classify(err, int(rt.status.Load()))
	}
	out := carrier.SendResult{Status: chat.DeliveryQueued}
	if res.Sid != nil {
		out.ProviderMessageID = *res.Sid
	}
	if res.Status != nil {
		if s := chat.DeliveryStatus(*res.Status); s.Known() {
			out.Status = s
		}
	}
	if out.ProviderMessageID == "" {
		return carrier.SendResult{}, &carrier.Error{Class: carrier.Ambiguous, Message: "Twilio accepted the message but returned no sid"}
	}
	return out, nil
}

// Error codes that no retry can fix.
var permanentCodes = map[int]string{
	21610: "recipient opted out (replied STOP)",
	21211: "invalid To number",
	21614: "To is not a mobile number",
	21612: "To is not reachable from this From number",
	21408: "sending to this region is not enabled",
	21606: "From is not a valid, SMS-capable number of this account",
	21617: "body exceeds the 1,600 character limit",
	30034: "From is an unregistered 10DLC number",
	30004: "message blocked",
	30005: "unknown destination handset",
	30006: "landline or unreachable carrier",
	30007: "filtered by the carrier",
}

// classify maps a twilio-go error onto what retrying would do; httpStatus
// is the status of the HTTP answer, 0 when none came.
func classify(err error, httpStatus int) error {
	var rest *twclient.TwilioRestError
	if errors.As(err, &rest) {
		ce := &carrier.Error{Code: strconv.Itoa(rest.Code), HTTPStatus: rest.Status, Message: rest.Message}
		if httpStatus != 0 {
			ce.HTTPStatus = httpStatus
		}
		if why, ok := permanentCodes[rest.Code]; ok && ce.Message == "" {
			ce.Message = why
		}
		if m, ok := Explain(ce.Code); ok {
			m.Explain(ce)
			return ce
		}
		switch {
		case rest.Code == 20429 || retryableStatus(ce.HTTPStatus):
			ce.Class = carrier.Retryable
		default:
			ce.Class = carrier.Permanent
		}
		return ce
	}
	// An answer that is not Twilio's JSON error came from whatever stands
	// in front of the API (a proxy, a load balancer): its status says
	// whether the message was taken.
	if httpStatus >= 400 {
		ce := &carrier.Error{HTTPStatus: httpStatus, Message: err.Error(), Class: carrier.Permanent}
		if retryableStatus(httpStatus) {
			ce.Class = carrier.Retryable
		}
		return ce
	}
	// No HTTP answer, or a success whose body could not be read. A failure
	// to connect means Twilio never saw the request, so a retry is safe;
	// anything later (a timeout while waiting for the answer, a reset, an
	// unreadable 201) may have created the message.
	var op *net.OpError
	if httpStatus == 0 && errors.As(err, &op) && op.Op == "dial" {
		return &carrier.Error{Class: carrier.Retryable, Message: err.Error()}
	}
	var dns *net.DNSError
	if httpStatus == 0 && errors.As(err, &dns) {
		return &carrier.Error{Class: carrier.Retryable, Message: err.Error()}
	}
	return &carrier.Error{Class: carrier.Ambiguous, HTTPStatus: httpStatus, Message: err.Error()}
}

// retryableStatus: rate limited, or the API failed before taking the
// message.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}
