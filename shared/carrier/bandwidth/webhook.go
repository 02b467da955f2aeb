// Package bandwidth is Bandwidth's Messaging API v2 wire format: callbacks
// authenticated with the HTTP Basic credentials configured on the
// messaging application, the JSON array of message events (inbound
// messages and delivery status), and sending through POST
// /api/v2/users/{accountId}/messages with an OAuth 2.0 access token, as
// Bandwidth's documentation describes them ("Webhooks", "Errors",
// "Credential Management", "How to manage Applications" on
// dev.bandwidth.com).
package bandwidth

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// MaxBody bounds a callback body. Bandwidth's events are a few kilobytes;
// the media of an MMS ride as URLs.
const MaxBody = 256 << 10

// Realm is the realm of the challenge a callback without credentials gets.
const Realm = "smsdesk"

// Verifier admits callbacks that carry the Basic credentials set on the
// Bandwidth application (InboundCallbackCreds and OutboundCallbackCreds).
type Verifier struct {
	user, password [sha256.Size]byte
	configured     bool
}

// NewVerifier returns a verifier for the application's callback
// credentials; without both it admits nothing.
func NewVerifier(user, password string) *Verifier {
	return &Verifier{user: sha256.Sum256([]byte(user)), password: sha256.Sum256([]byte(password)), configured: user != "" && password != ""}
}

// Matches reports, in constant time, whether user and password are the
// configured credentials. Both are hashed first, so neither their length
// nor which of the two differs shows in the time taken.
func (v *Verifier) Matches(user, password string) bool {
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	ok := subtle.ConstantTimeCompare(u[:], v.user[:]) & subtle.ConstantTimeCompare(p[:], v.password[:])
	return v.configured && ok == 1
}

// Sign returns the header Bandwidth sends with a callback once challenged:
// the dev phone simulator and the tests use it to act as Bandwidth.
func Sign(user, password string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	return h
}

// verifiedBody is a request body Authenticate admitted: the parse methods
// take its bytes instead of reading the body a second time, and refuse a
// request whose body is not one.
type verifiedBody struct {
	*bytes.Reader
	raw []byte
}

func (verifiedBody) Close() error { return nil }

func rawBody(r *http.Request) ([]byte, bool) {
	b, ok := r.Body.(verifiedBody)
	return b.raw, ok
}

// Authenticate admits a callback POST carrying the application's
// credentials. Bandwidth follows RFC 7235: it first posts without an
// Authorization header and sends the credentials only after a 401 with a
// WWW-Authenticate challenge, so a callback without credentials is
// answered exactly that (and changes nothing); one whose credentials are
// wrong or unreadable is forged, and refused with 403. Basic credentials
// cover neither the URL nor the body, so publicURL plays no part.
// Otherwise Authenticate answers 405, 413 or 400 itself and returns false.
func (v *Verifier) Authenticate(w http.ResponseWriter, r *http.Request, publicURL string) bool {
	if !httpx.RequirePOST(w, r) {
		return false
	}
	if strings.TrimSpace(r.Header.Get("Authorization")) == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
		httpx.Error(w, http.StatusUnauthorized, "credentials required")
		return false
	}
	user, password, ok := r.BasicAuth()
	if !ok || !v.Matches(user, password) {
		reason := "the credentials are not the application's"
		switch {
		case !v.configured:
			reason = "no Bandwidth callback credentials are configured"
		case !ok:
			reason = "the Authorization header is not Basic credentials"
		}
		logging.From(r.Context()).WithField("path", r.URL.Path).WithField("reason", reason).Warn("rejected a Bandwidth callback")
		httpx.Error(w, http.StatusForbidden, "invalid Bandwidth callback credentials")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.Error(w, http.StatusRequestEntityTooLarge, "callback body exceeds "+strconv.Itoa(MaxBody)+" bytes")
			return false
		}
		httpx.Error(w, http.StatusBadRequest, "unreadable callback body: "+err.Error())
		return false
	}
	r.Body = verifiedBody{Reader: bytes.NewReader(body), raw: body}
	return true
}
