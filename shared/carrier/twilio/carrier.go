package twilio

import (
	"net/http"
	"net/url"

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
	return carrier.Status{
		ProviderMessageID: st.MessageSid, Status: st.Status,
		ErrorCode: st.ErrorCode, ErrorMessage: st.ErrorMessage,
		OptedOut: st.ErrorCode == CodeOptedOut,
	}, nil
}

// AckInbound implements carrier.Webhooks: <Response/>, so Twilio sends no
// reply of its own.
func (v *Verifier) AckInbound(w http.ResponseWriter) { WriteEmptyResponse(w) }

// MediaAccess is how Twilio's media URLs are downloaded: with the account
// SID and auth token, sent only to twilio.com and the configured API host.
func MediaAccess(accountSID, authToken, apiBaseURL string) carrier.MediaAccess {
	hosts := []string{"twilio.com"}
	if u, err := url.Parse(apiBaseURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	return carrier.MediaAccess{Username: accountSID, Password: authToken, Hosts: hosts}
}
