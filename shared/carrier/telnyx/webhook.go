// Package telnyx is Telnyx's Messaging API v2 wire format: Ed25519 webhook
// signatures, the JSON event envelope of inbound messages and delivery
// updates, and sending through POST /v2/messages, as Telnyx's
// documentation describes them ("Receiving Webhooks for Messaging",
// "Send a message", "Messaging Error Code Reference" on
// developers.telnyx.com).
package telnyx

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// The headers of a signed webhook: the base64 Ed25519 signature and the
// Unix time in seconds it was made at. The signed message is
// "{telnyx-timestamp}|{raw body}".
const (
	SignatureHeader = "Telnyx-Signature-Ed25519"
	TimestampHeader = "Telnyx-Timestamp"
)

// Tolerance is how old a signed webhook may be: Telnyx's SDKs refuse
// signatures older than 300 seconds, which bounds a replay.
const Tolerance = 300 * time.Second

// MaxSkew is how far in the future a timestamp may be before the webhook is
// refused: clocks differ by a little, and a webhook signed far ahead would
// stay replayable for longer than Tolerance.
const MaxSkew = 5 * time.Second

// MaxBody bounds a webhook body. Telnyx's events are a few kilobytes; the
// media of an MMS ride as URLs.
const MaxBody = 256 << 10

// Verifier checks Telnyx's webhook signatures with the account's public
// key (Mission Control portal, Keys & Credentials, Public Key).
type Verifier struct {
	key ed25519.PublicKey
	now func() time.Time
}

// NewVerifier returns a verifier for an account's public key (32 bytes).
func NewVerifier(publicKey []byte) *Verifier {
	return &Verifier{key: ed25519.PublicKey(publicKey), now: time.Now}
}

// WithClock returns a copy of the verifier reading time from now (tests).
func (v *Verifier) WithClock(now func() time.Time) *Verifier {
	c := *v
	c.now = now
	return &c
}

// Verify reports whether signature (base64) signs body at timestamp (Unix
// seconds) with the verifier's key, and whether the timestamp is recent.
// The error says which check failed, for the log.
func (v *Verifier) Verify(timestamp, signature string, body []byte) error {
	if len(v.key) != ed25519.PublicKeySize {
		return errors.New("no Telnyx public key is configured")
	}
	if timestamp == "" || signature == "" {
		return errors.New("missing " + TimestampHeader + " or " + SignatureHeader)
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New(TimestampHeader + " is not Unix seconds")
	}
	at, now := time.Unix(secs, 0), v.now()
	switch {
	case now.Sub(at) > Tolerance:
		return errors.New(TimestampHeader + " is more than 300 s old")
	case at.Sub(now) > MaxSkew:
		return errors.New(TimestampHeader + " is in the future")
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New(SignatureHeader + " is not a base64 Ed25519 signature")
	}
	if !ed25519.Verify(v.key, signedMessage(timestamp, body), sig) {
		return errors.New(SignatureHeader + " does not sign the body")
	}
	return nil
}

func signedMessage(timestamp string, body []byte) []byte {
	msg := make([]byte, 0, len(timestamp)+1+len(body))
	msg = append(msg, timestamp...)
	msg = append(msg, '|')
	return append(msg, body...)
}

// Sign returns the headers Telnyx sends with body signed at t: the dev
// phone simulator and the tests use it to act as Telnyx.
func Sign(key ed25519.PrivateKey, t time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	sig := ed25519.Sign(key, signedMessage(ts, body))
	h := http.Header{}
	h.Set(TimestampHeader, ts)
	h.Set(SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	return h
}

// verifiedBody is a request body Authenticate read and verified: the parse
// methods take its bytes instead of reading the body a second time, and
// refuse a request whose body is not one.
type verifiedBody struct {
	*bytes.Reader
	raw []byte
}

func (verifiedBody) Close() error { return nil }

// rawBody returns the body Authenticate verified.
func rawBody(r *http.Request) ([]byte, bool) {
	b, ok := r.Body.(verifiedBody)
	return b.raw, ok
}

// Authenticate admits a webhook POST whose body is signed with the
// account's key within Tolerance. Telnyx's signature covers the timestamp
// and the body, not the URL, so publicURL plays no part: a status
// callback's message rides in the query unsigned, and DeliveryStatus holds
// it against the message id in the signed body. Otherwise Authenticate
// answers 405, 413, 400 or 403 itself and returns false.
func (v *Verifier) Authenticate(w http.ResponseWriter, r *http.Request, publicURL string) bool {
	if !httpx.RequirePOST(w, r) {
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.Error(w, http.StatusRequestEntityTooLarge, "webhook body exceeds "+strconv.Itoa(MaxBody)+" bytes")
			return false
		}
		httpx.Error(w, http.StatusBadRequest, "unreadable webhook body: "+err.Error())
		return false
	}
	if err := v.Verify(strings.TrimSpace(r.Header.Get(TimestampHeader)), strings.TrimSpace(r.Header.Get(SignatureHeader)), body); err != nil {
		logging.From(r.Context()).WithField("path", r.URL.Path).WithError(err).Warn("rejected a Telnyx webhook")
		httpx.Error(w, http.StatusForbidden, "invalid or missing "+SignatureHeader)
		return false
	}
	r.Body = verifiedBody{Reader: bytes.NewReader(body), raw: body}
	return true
}
