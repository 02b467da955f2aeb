package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// The headers of every request.
const (
	// HeaderSignature is "sha256=" and the lowercase hex HMAC-SHA256, keyed
	// with the shared secret, of the timestamp header's value, a ".", and
	// the raw body: sha256=hex(HMAC(secret, timestamp + "." + body)).
	HeaderSignature = "X-Smsdesk-Signature"
	// HeaderTimestamp is when the request was signed, in Unix seconds.
	// Signing it stops a captured request being replayed later.
	HeaderTimestamp = "X-Smsdesk-Timestamp"
	// HeaderIdempotencyKey repeats the body's id: the same on every retry
	// of one request, so a receiver dedupes on it.
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Tolerance is how far a request's timestamp may be from the receiver's
// clock (either way) before Verify refuses it.
const Tolerance = 300 * time.Second

// The request types. Every request is POSTed to the one configured URL.
const (
	// TypeLookup asks for the contacts with a phone number (LookupData);
	// the answer is LookupResult.
	TypeLookup = "contact.lookup"
	// TypeCreate creates a contact (ContactData); the answer is
	// ContactResult with the new id.
	TypeCreate = "contact.create"
	// TypeUpdate writes the given non-empty fields on a contact
	// (ContactData); the answer is ContactResult.
	TypeUpdate = "contact.update"
	// TypeNote posts a note on a contact's timeline (NoteData); the answer
	// is NoteResult. Its id is the note's key: a receiver must dedupe on
	// it and answer a repeat with the same noteId, since a retry after a
	// crash sends the same id again.
	TypeNote = "note.create"
	// TypeTest is AdminAPI's "test connection": a receiver answers 2xx
	// with {} when the signature verifies.
	TypeTest = "connection.test"
)

// Request is the body of every call.
type Request struct {
	// ID is unique per request and the same on its retries (for
	// note.create the note's key: the chat event's id).
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
}

// Contact is a contact on the wire.
type Contact struct {
	ID          string `json:"id,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// Language is the chat's language (BCP 47), sent on create and update.
	Language string `json:"language,omitempty"`
}

// LookupData asks for the contacts whose phone or mobile phone is Phone.
type LookupData struct {
	// Phone is E.164.
	Phone string `json:"phone"`
	// Formats are the strings a CRM may have stored for Phone (E.164,
	// national, with punctuation), for receivers that match strings.
	Formats []string `json:"formats"`
}

// LookupResult is the answer to contact.lookup: every matching contact
// (none, one, or several: the agent then picks).
type LookupResult struct {
	Contacts []Contact `json:"contacts"`
}

// ContactData is the body of contact.create and contact.update.
type ContactData struct {
	Contact Contact `json:"contact"`
}

// ContactResult is the answer to contact.create and contact.update.
type ContactResult struct {
	Contact Contact `json:"contact"`
}

// NoteData is the body of note.create.
type NoteData struct {
	ContactID string   `json:"contactId"`
	Note      NoteBody `json:"note"`
}

// NoteBody is a note: plain text, the event it is about, and files.
type NoteBody struct {
	Key    string    `json:"key"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
	ChatID string    `json:"chatId,omitempty"`
	// Event is the chat event (chat.assigned, transfer.*, chat.ended,
	// outbound.sent, crm.chosen) as smsdesk publishes it.
	Event       *chat.Event  `json:"event,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file, its bytes in standard base64.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Data        string `json:"data"`
}

// NoteResult is the answer to note.create.
type NoteResult struct {
	NoteID string `json:"noteId"`
}

// ErrorBody is what a receiver may answer with a 4xx or 5xx; its message
// is shown to the operator.
type ErrorBody struct {
	Error string `json:"error"`
}

// Sign is the signature header's value for a body signed at ts.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("missing " + HeaderSignature + " or " + HeaderTimestamp)
	ErrBadSignature = errors.New(HeaderSignature + " does not match the body")
	ErrStale        = errors.New(HeaderTimestamp + " is more than 300 s from now")
)

// Verify is the receiver's check of a request: the timestamp within
// Tolerance of now and the signature over it and the raw body, compared
// in constant time. A receiver in Go calls it with the two headers and
// the body as read; elsewhere, recompute Sign's HMAC the same way.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return ErrNoSignature
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not Unix seconds", HeaderTimestamp, timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return ErrStale
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(strings.TrimSpace(signature))) {
		return ErrBadSignature
	}
	return nil
}
