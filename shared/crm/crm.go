// Package crm keeps the consumer's CRM record in step with their SMS chats:
// when an inbound chat is assigned to an agent (or an outbound chat's
// first text is sent) the consumer is looked up by phone and a contact is
// created, linked or, when several match, offered to the agent to pick;
// then the chat's events and at the end its transcript are posted to the
// contact as notes, once each.
//
// CRM is the port (one adapter per CRM: crm/hubspot); Service is the use
// case CRMSync calls for every chat-events message and AgentAPI for the
// agent's pick. The sync state of a chat lives on its own document,
// crm/{chatId} (Link), never on the chat, so a CRM write never contends
// with routing's chat transaction.
package crm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Contact is a CRM contact as the sync reads and writes it.
type Contact struct {
	ID          string `firestore:"id" json:"id"`
	FirstName   string `firestore:"firstName,omitempty" json:"firstName,omitempty"`
	LastName    string `firestore:"lastName,omitempty" json:"lastName,omitempty"`
	Email       string `firestore:"email,omitempty" json:"email,omitempty"`
	Phone       string `firestore:"phone,omitempty" json:"phone,omitempty"`
	MobilePhone string `firestore:"mobilePhone,omitempty" json:"mobilePhone,omitempty"`
	// Language is the consumer's chat language (BCP 47, "en" or "es-MX"),
	// written on create and update; never read back.
	Language string `firestore:"-" json:"-"`
}

// Name is the contact's full name, "" when it has none.
func (c Contact) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Note is one entry posted to a contact's timeline.
type Note struct {
	// Body is plain text; adapters render it in the CRM's own format.
	Body string
	At   time.Time
	// Attachments are files posted with the note, where the CRM takes
	// files (the transcript as chat-{id}.txt).
	Attachments []Attachment
	// Key identifies the note across retries (the event id, or the event
	// id and a suffix for an event's second note): adapters hand it to
	// the CRM as an idempotency key or store it with the note, so a
	// retry after a crash can find or dedupe it. "" for ad hoc notes.
	Key string
	// Event is the chat event the note is about, for CRMs that take
	// structured data (the signed webhook); nil for ad hoc notes.
	Event *chat.Event
}

// Attachment is a file posted with a note.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// CRM is the port every CRM adapter implements.
type CRM interface {
	// FindContactsByPhone returns the contacts whose phone numbers are
	// e164 in any of the formats CRMs store (PhoneFormats); the service
	// keeps only those whose number really is e164.
	FindContactsByPhone(ctx context.Context, e164 string) ([]Contact, error)
	// CreateContact creates a contact and returns it with its id.
	CreateContact(ctx context.Context, c Contact) (Contact, error)
	// UpdateContact writes c's non-empty fields on contact c.ID.
	UpdateContact(ctx context.Context, c Contact) (Contact, error)
	// AddNote posts a note on the contact's timeline and returns its id.
	AddNote(ctx context.Context, contactID string, n Note) (string, error)
	// ContactURL is where a person opens the contact in the CRM, "" when
	// it is not known (HubSpot needs the portal id).
	ContactURL(contactID string) string
}

// NoteFinder is implemented by adapters that can find a note they posted
// by its Key: after a crash between the CRM's answer and our record of
// it, the sync asks before posting again. Adapters whose CRM dedupes on
// the key itself (the signed webhook) need not implement it.
type NoteFinder interface {
	// FindNote returns the id of the contact's note posted with key, ""
	// when there is none.
	FindNote(ctx context.Context, contactID, key string) (string, error)
}

// IndexLagger is implemented by adapters whose search finds a new note
// only after a while (HubSpot's index): a reconcile within that time of
// the intent waits rather than concluding the note is missing.
type IndexLagger interface {
	IndexLag() time.Duration
}

// Tester is implemented by adapters that can check their connection
// (AdminAPI's "test connection"): credentials, scopes, reachability.
type Tester interface {
	// TestConnection makes a harmless call and returns the CRM's refusal
	// (a *Error) or the transport's error.
	TestConnection(ctx context.Context) error
}

// Error is a CRM's refusal. Retryable ones (429, 5xx, transport) make
// Pub/Sub redeliver the event; the others are parked at once, since a
// retry would be refused the same way.
type Error struct {
	Op         string
	Status     int
	Message    string
	Retryable  bool
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := fmt.Sprintf("crm %s: %s", e.Op, e.Message)
	if e.Status != 0 {
		s = fmt.Sprintf("crm %s: HTTP %d: %s", e.Op, e.Status, e.Message)
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Retryable reports whether err is worth retrying: a CRM error that says
// so, or any error that is not a CRM refusal (the store, the network).
func Retryable(err error) bool {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Retryable
	}
	return err != nil
}

// PhoneFormats are the strings a CRM may hold for e164, which people type
// and import in many shapes: E.164, the digits with the country code, the
// national form with and without punctuation, the international form.
// e164 itself comes first. A number the numbering plan does not know
// yields e164 and its digits only.
func PhoneFormats(e164 string) []string {
	out := []string{e164}
	add := func(s string) {
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	add(strings.TrimPrefix(e164, "+"))
	n, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return out
	}
	national := phonenumbers.Format(n, phonenumbers.NATIONAL)  // (415) 555-0123
	intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL) // +1 415-555-0123
	nsn := phonenumbers.GetNationalSignificantNumber(n)        // 4155550123
	add(nsn)
	add(national)
	add(intl)
	add(digitsDashed(intl[strings.Index(intl, " ")+1:]))                   // 415-555-0123
	add(strings.ReplaceAll(strings.ReplaceAll(intl, "-", " "), "  ", " ")) // +1 415 555 0123
	if n.GetCountryCode() == 1 {
		add("1" + nsn)
		add("+1 " + national) // +1 (415) 555-0123
		add(nsn[:3] + "." + nsn[3:6] + "." + nsn[6:])
	}
	return out
}

// digitsDashed turns the spaces of a formatted number into dashes.
func digitsDashed(s string) string { return strings.ReplaceAll(s, " ", "-") }

// SamePhone reports whether a phone number as a CRM stores it is e164.
// Numbers written without a country code are read in e164's region.
func SamePhone(stored, e164 string) bool {
	stored = strings.TrimSpace(stored)
	if stored == "" {
		return false
	}
	region := ""
	if n, err := phonenumbers.Parse(e164, ""); err == nil {
		region = phonenumbers.GetRegionCodeForNumber(n)
	}
	if !strings.HasPrefix(stored, "+") && region == "US" && len(digitsOf(stored)) == 11 && strings.HasPrefix(digitsOf(stored), "1") {
		stored = "+" + digitsOf(stored)
	}
	n, err := phonenumbers.Parse(stored, region)
	if err != nil {
		return digitsOf(stored) == strings.TrimPrefix(e164, "+")
	}
	return phonenumbers.Format(n, phonenumbers.E164) == e164
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
