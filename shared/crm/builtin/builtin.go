// Package builtin is the built-in contacts: the CRM of a business that has
// none. Contacts live in smsdesk's own database (contacts/{id}, with their
// notes timeline in contacts/{id}/notes), CRMSync syncs chats to them
// through the same crm.CRM port as to HubSpot (Adapter), and agents read
// and edit them from the console's contact panel (Service).
//
// Store is the port; builtin/firecontacts (Firestore) and
// builtin/memcontacts (the embedded twin) implement it, and
// builtin/contactstest is their contract.
package builtin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Contact is one built-in contact, contacts/{id}.
type Contact struct {
	ID        string `firestore:"id" json:"id"`
	FirstName string `firestore:"firstName" json:"firstName"`
	LastName  string `firestore:"lastName" json:"lastName"`
	Email     string `firestore:"email" json:"email"`
	// Phones are E.164 numbers, the one the contact was created for first;
	// the sync finds the contact by any of them.
	Phones []string `firestore:"phones" json:"phones"`
	Labels []string `firestore:"labels" json:"labels"`
	// Language is the language of the contact's latest chat.
	Language  string    `firestore:"language,omitempty" json:"language,omitempty"`
	CreatedAt time.Time `firestore:"createdAt" json:"createdAt"`
	UpdatedAt time.Time `firestore:"updatedAt" json:"updatedAt"`
	// UpdatedBy is the agent (or uid) who last edited the contact; "" when
	// only the sync wrote it.
	UpdatedBy string `firestore:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

// Name is the contact's full name, "" when it has none.
func (c Contact) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// Note is one entry of a contact's timeline, contacts/{id}/notes/{noteId}:
// a chat's event posted by the sync, or an agent's note.
type Note struct {
	ID   string    `firestore:"id" json:"id"`
	Body string    `firestore:"body" json:"body"`
	At   time.Time `firestore:"at" json:"at"`
	// By is the agent who wrote the note; "" for the sync.
	By string `firestore:"by,omitempty" json:"by,omitempty"`
	// PostedAt is when the note was stored: notes of one instant (a
	// chat's end and its transcript) keep the order they were posted in.
	PostedAt time.Time `firestore:"postedAt" json:"postedAt"`
	// ChatID is the chat the note is about, when the sync posted it.
	ChatID string `firestore:"chatId,omitempty" json:"chatId,omitempty"`
	// Attachments name the files posted with the note. Their content is
	// not copied: the transcript is the chat's own, opened from the
	// contact's past chats.
	Attachments []AttachmentRef `firestore:"attachments,omitempty" json:"attachments,omitempty"`
}

// AttachmentRef describes a file posted with a note.
type AttachmentRef struct {
	Name        string `firestore:"name" json:"name"`
	ContentType string `firestore:"contentType" json:"contentType"`
	Size        int    `firestore:"size" json:"size"`
}

// Limits of a contact, so one document stays small and the panel readable.
const (
	MaxNameRunes  = 100
	MaxEmail      = 254
	MaxPhones     = 10
	MaxLabels     = 20
	MaxLabelRunes = 40
	MaxNoteRunes  = 5000
	// ByPhoneLimit bounds the contacts one number finds: beyond it the
	// agent's pick would be unusable anyway.
	ByPhoneLimit = 20
	// NotesShown is how many of the newest notes the panel shows.
	NotesShown = 20
)

// ErrExists is CreateContact's answer for an id already taken.
var ErrExists = errors.New("contact already exists")

// Store keeps the contacts. Unknown ids are store.ErrNotFound.
type Store interface {
	// CreateContact stores a new contact under c.ID; ErrExists when the
	// id is taken.
	CreateContact(ctx context.Context, c Contact) error
	Contact(ctx context.Context, id string) (Contact, error)
	// ContactsByPhone are the contacts with e164 among their Phones,
	// oldest first, at most limit.
	ContactsByPhone(ctx context.Context, e164 string, limit int) ([]Contact, error)
	// UpdateContact runs fn on the contact in a transaction and stores
	// what fn leaves unless fn fails; fn may run more than once and must
	// do no I/O.
	UpdateContact(ctx context.Context, id string, fn func(c *Contact) error) (Contact, error)
	// AddNote adds n under n.ID to the contact's timeline; a note already
	// there under that id is kept and returned, so a retried post adds
	// nothing. The contact must exist.
	AddNote(ctx context.Context, contactID string, n Note) (Note, error)
	// Notes are the contact's newest notes, newest first (by At, then
	// PostedAt, then ID), at most limit.
	Notes(ctx context.Context, contactID string, limit int) ([]Note, error)
}

// Adapter is crm.CRM over the built-in contacts, for CRMSync.
type Adapter struct {
	Store Store
	Clock clock.Clock
}

var _ crm.CRM = (*Adapter)(nil)

// FindContactsByPhone finds the contacts holding e164. Each is given with
// e164 as its Phone (and its first other number as MobilePhone), so the
// sync's check that the number really matches holds for a contact found
// by its third number too.
func (a *Adapter) FindContactsByPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	cs, err := a.Store.ContactsByPhone(ctx, e164, ByPhoneLimit)
	if err != nil {
		return nil, fmt.Errorf("built-in contacts with %s: %w", e164, err)
	}
	out := make([]crm.Contact, 0, len(cs))
	for _, c := range cs {
		out = append(out, toCRM(c, e164))
	}
	return out, nil
}

func toCRM(c Contact, phone string) crm.Contact {
	out := crm.Contact{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: phone}
	for _, p := range c.Phones {
		if p != phone {
			out.MobilePhone = p
			break
		}
	}
	if out.Phone == "" && len(c.Phones) > 0 {
		out.Phone = c.Phones[0]
	}
	return out
}

// CreateContact creates a contact with c's names and numbers.
func (a *Adapter) CreateContact(ctx context.Context, c crm.Contact) (crm.Contact, error) {
	now := a.Clock.Time()
	nc := Contact{
		ID: a.Clock.ID(), FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Language: c.Language, Labels: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	for _, p := range []string{c.Phone, c.MobilePhone} {
		if p == "" {
			continue
		}
		e, err := sms.NormalizeNumber(p, sms.DefaultRegion)
		if err != nil {
			return crm.Contact{}, &crm.Error{Op: "create contact", Message: "phone " + strconv.Quote(p) + " is not a phone number"}
		}
		if !slices.Contains(nc.Phones, e) {
			nc.Phones = append(nc.Phones, e)
		}
	}
	if len(nc.Phones) == 0 {
		return crm.Contact{}, &crm.Error{Op: "create contact", Message: "a contact needs a phone number"}
	}
	if err := a.Store.CreateContact(ctx, nc); err != nil {
		return crm.Contact{}, fmt.Errorf("create built-in contact: %w", err)
	}
	return toCRM(nc, nc.Phones[0]), nil
}

// UpdateContact writes c's non-empty fields. Names and the email are
// written only where the contact has none: an agent's edit is never
// overwritten by what the sync knows.
func (a *Adapter) UpdateContact(ctx context.Context, c crm.Contact) (crm.Contact, error) {
	got, err := a.Store.UpdateContact(ctx, c.ID, func(cur *Contact) error {
		for _, f := range []struct {
			dst *string
			src string
		}{{&cur.FirstName, c.FirstName}, {&cur.LastName, c.LastName}, {&cur.Email, c.Email}} {
			if *f.dst == "" && f.src != "" {
				*f.dst = f.src
			}
		}
		if c.Language != "" {
			cur.Language = c.Language
		}
		cur.UpdatedAt = a.Clock.Time()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return crm.Contact{}, &crm.Error{Op: "update contact", Status: 404, Message: "contact " + c.ID + " is gone"}
	}
	if err != nil {
		return crm.Contact{}, fmt.Errorf("update built-in contact %s: %w", c.ID, err)
	}
	phone := c.Phone
	if phone == "" && len(got.Phones) > 0 {
		phone = got.Phones[0]
	}
	return toCRM(got, phone), nil
}

// AddNote adds the note to the contact's timeline. Its id derives from
// the contact and the note's Key (the sync's event id; without one, its
// time and body), so a note posted again after a crash between this write
// and the sync's record of it is not added twice.
func (a *Adapter) AddNote(ctx context.Context, contactID string, n crm.Note) (string, error) {
	key := "key\x00" + n.Key
	if n.Key == "" {
		key = "body\x00" + n.At.UTC().Format(time.RFC3339Nano) + "\x00" + n.Body
	}
	sum := sha256.Sum256([]byte(contactID + "\x00" + key))
	note := Note{ID: hex.EncodeToString(sum[:12]), Body: n.Body, At: n.At.UTC(), PostedAt: a.Clock.Time(), ChatID: chatOf(n)}
	if note.At.IsZero() {
		note.At = a.Clock.Time()
	}
	for _, at := range n.Attachments {
		note.Attachments = append(note.Attachments, AttachmentRef{Name: at.Name, ContentType: at.ContentType, Size: len(at.Data)})
	}
	got, err := a.Store.AddNote(ctx, contactID, note)
	if errors.Is(err, store.ErrNotFound) {
		return "", &crm.Error{Op: "add note", Status: 404, Message: "contact " + contactID + " is gone"}
	}
	if err != nil {
		return "", fmt.Errorf("add a note to built-in contact %s: %w", contactID, err)
	}
	return got.ID, nil
}

// chatOf finds the chat a sync note is about: its transcript attachment
// names it (chat-{id}.txt), else its first line does ("SMS chat {id} ...").
func chatOf(n crm.Note) string {
	if n.Event != nil && n.Event.ChatID != "" {
		return n.Event.ChatID
	}
	for _, at := range n.Attachments {
		if id, ok := strings.CutPrefix(at.Name, "chat-"); ok {
			return strings.TrimSuffix(id, ".txt")
		}
	}
	for _, lead := range []string{"SMS chat ", "Outbound SMS chat ", "linked SMS chat "} {
		if _, rest, ok := strings.Cut(n.Body, lead); ok {
			id, _, _ := strings.Cut(rest, " ")
			return strings.TrimSuffix(id, ":")
		}
	}
	return ""
}

// TestConnection reads a contact that does not exist: what AdminAPI's
// "test connection" checks is that the contacts' database answers.
func (a *Adapter) TestConnection(ctx context.Context) error {
	if _, err := a.Store.Contact(ctx, "connection-test"); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("built-in contacts: %w", err)
	}
	return nil
}

var _ crm.Tester = (*Adapter)(nil)

// ContactURL is "": the contact opens in the console's own panel.
func (a *Adapter) ContactURL(string) string { return "" }

// Edit is an agent's change to a contact: PATCH changes the fields given,
// PUT (Replace) sets every field, an absent one to empty. Note, when
// given, adds the agent's note to the timeline.
type Edit struct {
	FirstName *string   `json:"firstName,omitempty"`
	LastName  *string   `json:"lastName,omitempty"`
	Email     *string   `json:"email,omitempty"`
	Phones    *[]string `json:"phones,omitempty"`
	Labels    *[]string `json:"labels,omitempty"`
	Note      *string   `json:"note,omitempty"`
}

// Service is the contacts as agents read and edit them.
type Service struct {
	Store Store
	Clock clock.Clock
}

// Card is a contact as the console's panel shows it, with its newest
// notes.
type Card struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Phones    []string  `json:"phones"`
	Labels    []string  `json:"labels"`
	Language  string    `json:"language,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
	Notes     []Note    `json:"notes"`
}

// Card reads a contact and its newest notes.
func (s *Service) Card(ctx context.Context, id string) (Card, error) {
	c, err := s.Store.Contact(ctx, id)
	if err != nil {
		return Card{}, fmt.Errorf("contact %s: %w", id, err)
	}
	notes, err := s.Store.Notes(ctx, id, NotesShown)
	if err != nil {
		return Card{}, fmt.Errorf("notes of contact %s: %w", id, err)
	}
	if notes == nil {
		notes = []Note{}
	}
	if c.Labels == nil {
		c.Labels = []string{}
	}
	return Card{
		ID: c.ID, Name: c.Name(), FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Phones: c.Phones, Labels: c.Labels, Language: c.Language,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, UpdatedBy: c.UpdatedBy, Notes: notes,
	}, nil
}

// Apply validates e and writes it on contact id as by (an agent id or
// uid). Every problem is named by its field (a *chat.ValidationError);
// replace sets the fields e leaves out to empty, except the numbers,
// which a contact always has.
func (s *Service) Apply(ctx context.Context, id, by string, e Edit, replace bool) (Card, error) {
	clean, note, err := Validate(e, replace)
	if err != nil {
		return Card{}, err
	}
	now := s.Clock.Time()
	_, err = s.Store.UpdateContact(ctx, id, func(c *Contact) error {
		if clean.FirstName != nil {
			c.FirstName = *clean.FirstName
		}
		if clean.LastName != nil {
			c.LastName = *clean.LastName
		}
		if clean.Email != nil {
			c.Email = *clean.Email
		}
		if clean.Phones != nil {
			c.Phones = *clean.Phones
		}
		if clean.Labels != nil {
			c.Labels = *clean.Labels
		}
		c.UpdatedAt, c.UpdatedBy = now, by
		return nil
	})
	if err != nil {
		return Card{}, fmt.Errorf("edit contact %s: %w", id, err)
	}
	if note != "" {
		n := Note{ID: s.Clock.ID(), Body: note, At: now, PostedAt: now, By: by}
		if _, err := s.Store.AddNote(ctx, id, n); err != nil {
			return Card{}, fmt.Errorf("add a note to contact %s: %w", id, err)
		}
	}
	return s.Card(ctx, id)
}

// Validate checks an edit and returns it cleaned (names and labels
// trimmed, numbers in E.164, labels without repeats) with the note's
// text. replace fills the fields left out with empty values; the numbers
// must then be given.
func Validate(e Edit, replace bool) (Edit, string, error) {
	var problems []chat.FieldError
	bad := func(field, format string, args ...any) {
		problems = append(problems, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	empty := ""
	if replace {
		for _, p := range []**string{&e.FirstName, &e.LastName, &e.Email} {
			if *p == nil {
				*p = &empty
			}
		}
		if e.Labels == nil {
			e.Labels = &[]string{}
		}
		if e.Phones == nil {
			bad("phones", "is required: a contact keeps at least one number")
		}
	}
	text := func(field string, p *string, max int) *string {
		if p == nil {
			return nil
		}
		v := strings.TrimSpace(*p)
		switch {
		case len([]rune(v)) > max:
			bad(field, "is %d characters; at most %d", len([]rune(v)), max)
		case strings.ContainsFunc(v, isControl):
			bad(field, "must be one line of text, without control characters")
		}
		return &v
	}
	out := Edit{
		FirstName: text("firstName", e.FirstName, MaxNameRunes),
		LastName:  text("lastName", e.LastName, MaxNameRunes),
		Email:     text("email", e.Email, MaxEmail),
	}
	if out.Email != nil && *out.Email != "" && !looksLikeEmail(*out.Email) {
		bad("email", "%q is not an email address (name@example.com)", *out.Email)
	}
	if e.Phones != nil {
		phones := []string{}
		switch n := len(*e.Phones); {
		case n == 0:
			bad("phones", "a contact keeps at least one number")
		case n > MaxPhones:
			bad("phones", "%d numbers; at most %d", n, MaxPhones)
		}
		for i, p := range *e.Phones {
			n, err := sms.NormalizeNumber(p, sms.DefaultRegion)
			if err != nil || !strings.HasPrefix(n, "+") {
				bad("phones["+strconv.Itoa(i)+"]", "%q is not a phone number; give it with its country code, +14155550123", p)
				continue
			}
			if slices.Contains(phones, n) {
				bad("phones["+strconv.Itoa(i)+"]", "%s is listed twice", n)
				continue
			}
			phones = append(phones, n)
		}
		out.Phones = &phones
	}
	if e.Labels != nil {
		labels := []string{}
		if n := len(*e.Labels); n > MaxLabels {
			bad("labels", "%d labels; at most %d", n, MaxLabels)
		}
		for i, l := range *e.Labels {
			v := strings.TrimSpace(l)
			field := "labels[" + strconv.Itoa(i) + "]"
			switch {
			case v == "":
				bad(field, "is empty")
			case len([]rune(v)) > MaxLabelRunes:
				bad(field, "is %d characters; at most %d", len([]rune(v)), MaxLabelRunes)
			case strings.ContainsFunc(v, isControl):
				bad(field, "must be one line of text, without control characters")
			case slices.ContainsFunc(labels, func(h string) bool { return strings.EqualFold(h, v) }):
				// the same label twice is kept once
			default:
				labels = append(labels, v)
			}
		}
		out.Labels = &labels
	}
	var note string
	if e.Note != nil {
		note = strings.TrimSpace(*e.Note)
		switch {
		case note == "":
			bad("note", "is empty; leave it out to add no note")
		case len([]rune(note)) > MaxNoteRunes:
			bad("note", "is %d characters; at most %d", len([]rune(note)), MaxNoteRunes)
		}
	}
	if len(problems) > 0 {
		return Edit{}, "", &chat.ValidationError{Problems: problems}
	}
	return out, note, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// looksLikeEmail is the check a person's typo fails: one @, something on
// each side, a dot in the domain, no spaces.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") && strings.Contains(strings.Trim(domain, "."), ".") &&
		!strings.ContainsAny(s, " \t<>,;")
}

// FirstNames is the consumer's first name for a chat, from its linked
// contact: @{CONSUMER_FIRST_NAME} in canned and system messages. With the
// built-in contacts in use the contact's current name is read, so an
// agent's edit shows at once; with another CRM, the name the sync stored
// when it linked the contact.
type FirstNames struct {
	Links crm.Store
	// Connector says which CRM is in use now (crm/connect); nil is off.
	Connector crm.Connector
}

// ConsumerFirstName is "" until the chat is linked to a contact, and
// without CRM sync.
func (f FirstNames) ConsumerFirstName(ctx context.Context, chatID string) (string, error) {
	if f.Links == nil || f.Connector == nil {
		return "", nil
	}
	conn, err := f.Connector.Connection(ctx)
	if err != nil {
		return "", fmt.Errorf("CRM connection: %w", err)
	}
	if conn.CRM == nil {
		return "", nil
	}
	l, err := f.Links.Link(ctx, chatID)
	if err != nil {
		return "", fmt.Errorf("CRM link of %s: %w", chatID, err)
	}
	if l.State != crm.StateLinked || l.ContactID == "" {
		return "", nil
	}
	if a, ok := conn.CRM.(*Adapter); ok {
		c, err := a.Store.Contact(ctx, l.ContactID)
		switch {
		case err == nil:
			return c.FirstName, nil
		case !errors.Is(err, store.ErrNotFound):
			return "", fmt.Errorf("contact %s: %w", l.ContactID, err)
		}
		// linked while another CRM was in use: its name as the sync stored it
	}
	if l.Contact == nil {
		return "", nil
	}
	return l.Contact.FirstName, nil
}

// Active is the built-in contacts' Service when they are the CRM in use
// now, nil otherwise.
func Active(ctx context.Context, svc *crm.Service) (*Service, error) {
	if svc == nil {
		return nil, nil
	}
	cur := svc.CRM
	if svc.Connector != nil {
		conn, err := svc.Connector.Connection(ctx)
		if err != nil {
			return nil, fmt.Errorf("CRM connection: %w", err)
		}
		cur = conn.CRM
	}
	a, ok := cur.(*Adapter)
	if !ok {
		return nil, nil
	}
	return &Service{Store: a.Store, Clock: a.Clock}, nil
}

// NewerNote orders notes newest first: by At, then PostedAt, then ID.
func NewerNote(x, y Note) int {
	if c := y.At.Compare(x.At); c != 0 {
		return c
	}
	if c := y.PostedAt.Compare(x.PostedAt); c != 0 {
		return c
	}
	return strings.Compare(y.ID, x.ID)
}
