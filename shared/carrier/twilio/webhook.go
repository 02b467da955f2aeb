// Package twilio is Twilio's wire format: webhook signatures, inbound
// message and status callback forms, and sending through the Messages API
// with the official twilio-go library.
package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// SignatureHeader carries Twilio's request signature.
const SignatureHeader = "X-Twilio-Signature"

// Verifier checks X-Twilio-Signature with twilio-go's validator.
type Verifier struct {
	v twclient.RequestValidator
}

// NewVerifier returns a verifier for an account's auth token.
func NewVerifier(authToken string) *Verifier {
	return &Verifier{v: twclient.NewRequestValidator(authToken)}
}

// Verify reports whether signature signs the form POSTed to publicURL.
// publicURL is the configured public address of the webhook with the
// request's query string, never one built from the request's Host: behind
// a proxy or load balancer the Host is not what Twilio signed.
func (v *Verifier) Verify(publicURL string, form url.Values, signature string) bool {
	if signature == "" {
		return false
	}
	params := make(map[string]string, len(form))
	for k, vs := range form {
		if len(vs) > 1 {
			// twilio-go's validator takes one value per name; Twilio's
			// messaging webhooks never repeat a name, so a repeated one is
			// not from Twilio.
			return false
		}
		params[k] = vs[0]
	}
	return v.v.Validate(publicURL, params, signature)
}

// Sign computes the signature Twilio would send for a form POSTed to
// fullURL: Base64(HMAC-SHA1(token, URL + each name and value, sorted by
// name)). The dev phone simulator and the tests use it to act as Twilio.
func Sign(authToken, fullURL string, form url.Values) string {
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range names {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignedRequest builds a form POST to fullURL signed as Twilio would sign it.
func SignedRequest(authToken, fullURL string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, fullURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(SignatureHeader, Sign(authToken, fullURL, form))
	return req, nil
}

// EmptyResponse is the TwiML that tells Twilio to send nothing back.
const EmptyResponse = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// WriteEmptyResponse answers a webhook with <Response/> as text/xml.
func WriteEmptyResponse(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(EmptyResponse))
}

// Authenticate admits a webhook POST whose form is signed for publicURL
// (plus the request's query string, which Twilio signs too). Otherwise it
// answers 405, 400 or 403 itself and returns false; nothing else may happen
// for a request it refuses.
func (v *Verifier) Authenticate(w http.ResponseWriter, r *http.Request, publicURL string) bool {
	if !httpx.RequirePOST(w, r) {
		return false
	}
	if err := httpx.ParseForm(w, r); err != nil {
		httpx.Error(w, http.StatusBadRequest, "unreadable form body: "+err.Error())
		return false
	}
	signed := publicURL
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	if !v.Verify(signed, r.PostForm, r.Header.Get(SignatureHeader)) {
		logging.From(r.Context()).WithField("path", r.URL.Path).Warn("rejected a webhook with a missing or invalid " + SignatureHeader)
		httpx.Error(w, http.StatusForbidden, "invalid or missing "+SignatureHeader)
		return false
	}
	return true
}
