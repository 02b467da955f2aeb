package twilio

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the provider's name on chats and inbound records.
const Name = wire.ProviderTwilio

// CodeOptedOut is Twilio's error for a recipient who replied STOP to the
// carrier: the send is refused and consent is revoked on our side too.
const CodeOptedOut = "21610"

var _ carrier.Webhooks = (*Verifier)(nil)

// ParseInbound implements carrier.Webhooks: the form Authenticate read.
func (v *Verifier) ParseInbound(r *http.Request) (chat.Inbound, error) {
	return ParseInbound(r.PostForm)
}

// ParseStatus implements carrier.Webhooks.
func (v *Verifier) ParseStatus(r *http.Request) (carrier.Status, error) {
	st, err := ParseStatus(r.PostForm)
	if err != nil {
		return carrier.Status{}, err
	}
	out := carrier.Status{
		ProviderMessageID: st.MessageSid, Status: st.Status,
		ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
		IdempotencyToken: r.Header.Get(IdempotencyTokenHeader),
	}
	// A report carries the same codes as a refused send (the 10DLC refusal
	// comes as the final status's 30034, an opt-out as 21610).
	if m, ok := Explain(st.ErrorCode); ok {
		m.ExplainStatus(&out)
	}
	return out, nil
}

// IdempotencyTokenHeader is the header Twilio puts on its webhook
// requests, the same on each retry of one request: a callback that comes
// again with a token already applied is a retry, not news.
const IdempotencyTokenHeader = "I-Twilio-Idempotency-Token"

// AckInbound implements carrier.Webhooks: <Response/>, so Twilio sends no
// reply of its own.
func (v *Verifier) AckInbound(w http.ResponseWriter) { WriteEmptyResponse(w) }

// Twilio's media hosts. The MediaUrl of an inbound MMS names the Media
// resource on the REST API, https://api.twilio.com/2010-04-01/Accounts/
// {AccountSid}/Messages/{MessageSid}/Media/{MediaSid} (Twilio docs, "Media
// resource"). Fetching it redirects to a short-lived copy on
// mms.twiliocdn.com when the account enforces HTTP basic auth on media, or
// on s3-external-1.amazonaws.com for media stored without it (Twilio
// support, "Protect Media Access with HTTP Basic Authentication for
// Programmable Messaging").
var (
	mediaHosts         = []string{"api.twilio.com"}
	mediaRedirectHosts = []string{"mms.twiliocdn.com", "s3-external-1.amazonaws.com"}
)

// MediaAccess is where Twilio's media URLs may lead and how they are
// downloaded: from api.twilio.com and the configured API host (a regional
// endpoint, or a local stand-in in tests), with the account SID and auth
// token (when given), redirected to Twilio's media CDN without them.
func MediaAccess(accountSID, authToken, apiBaseURL string) carrier.MediaAccess {
	hosts := slices.Clone(mediaHosts)
	if u, err := url.Parse(apiBaseURL); err == nil && u.Hostname() != "" && !slices.Contains(hosts, u.Hostname()) {
		hosts = append(hosts, u.Hostname())
	}
	access := carrier.MediaAccess{Hosts: hosts, RedirectHosts: slices.Clone(mediaRedirectHosts)}
	if accountSID != "" && authToken != "" {
		access.Username, access.Password = accountSID, authToken
	}
	return access
}
