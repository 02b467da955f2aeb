// Package webhooktest is a stand-in receiver of the signed CRM webhook:
// it verifies each request's signature and timestamp with webhook.Verify,
// checks the body as the protocol documents it (no unknown members, the
// fields each type needs), keeps contacts and notes, dedupes notes on
// the request id as a receiver must (counting the repeats), records every
// request, and answers 429 with Retry-After or 5xx when told. A request
// the protocol forbids fails the test and is answered 400.
package webhooktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"
)

// Secret is the shared secret the stand-in verifies with by default.
const Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// Request is one request received.
type Request struct {
	Type, ID string
	Status   int
	// Signed is false when the signature or timestamp did not verify.
	Signed bool
}

// Note is a stored note.
type Note struct {
	ID        string
	ContactID string
	webhook.NoteBody
}

// Server is the stand-in.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	secret []byte

	mu       sync.Mutex
	nextID   int
	contacts map[string]webhook.Contact
	order    []string
	notes    []Note
	byKey    map[string]string // request id -> note id
	repeats  map[string]int    // note key -> deliveries after the first
	requests []Request
	faults   []fault
}

type fault struct{ status, retryAfter int }

// New starts a stand-in verifying with Secret, closed when the test ends.
func New(t testing.TB) *Server { return NewWithSecret(t, Secret) }

// NewWithSecret starts a stand-in verifying with another secret.
func NewWithSecret(t testing.TB, secret string) *Server {
	s := &Server{t: t, secret: []byte(secret), nextID: 500, contacts: map[string]webhook.Contact{}, byKey: map[string]string{}, repeats: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the receiver URL to configure.
func (s *Server) URL() string { return s.srv.URL + "/smsdesk/crm" }

// Close stops the server: the next calls are refused at the dial.
func (s *Server) Close() { s.srv.Close() }

// AddContact stores a contact and returns its id.
func (s *Server) AddContact(c webhook.Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(c)
}

func (s *Server) addLocked(c webhook.Contact) string {
	s.nextID++
	c.ID = "wc" + strconv.Itoa(s.nextID)
	s.contacts[c.ID] = c
	s.order = append(s.order, c.ID)
	return c.ID
}

// FailNext makes the next n signed requests answer status (a 429 with
// Retry-After: retryAfter seconds).
func (s *Server) FailNext(n, status, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status, retryAfter})
	}
}

// ClearFaults drops the faults not yet answered: the CRM is back.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Contacts returns the contacts by id.
func (s *Server) Contacts() map[string]webhook.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]webhook.Contact, len(s.contacts))
	for id, c := range s.contacts {
		out[id] = c
	}
	return out
}

// Notes returns a contact's notes, oldest first.
func (s *Server) Notes(contactID string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Note
	for _, n := range s.notes {
		if n.ContactID == contactID {
			out = append(out, n)
		}
	}
	return out
}

// AllNotes returns every note, oldest first.
func (s *Server) AllNotes() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// Repeats is how many times a note key arrived again after it was
// stored (deduped, not stored twice).
func (s *Server) Repeats(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repeats[key]
}

// Requests returns what was received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count is how many requests of a type were received (signed or not).
func (s *Server) Count(typ string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Type == typ {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(r.Body)
	rec := &Request{}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.requests = append(s.requests, *rec) }()
	answer := func(status int, v any) {
		rec.Status = status
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	refuse := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		s.t.Errorf("webhooktest: %s", msg)
		answer(http.StatusBadRequest, webhook.ErrorBody{Error: msg})
	}
	var req webhook.Request
	_ = json.Unmarshal(raw.Bytes(), &req)
	rec.Type, rec.ID = req.Type, req.ID
	if err := webhook.Verify(s.secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), raw.Bytes(), time.Now()); err != nil {
		answer(http.StatusUnauthorized, webhook.ErrorBody{Error: err.Error()})
		return
	}
	rec.Signed = true
	if r.Method != http.MethodPost || r.URL.Path != "/smsdesk/crm" {
		refuse("%s %s, want POST /smsdesk/crm", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		refuse("Content-Type %q, want application/json", ct)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.ID == "" || req.CreatedAt.IsZero() {
		refuse("body is not a Request with id and createdAt: %v", err)
		return
	}
	if k := r.Header.Get(webhook.HeaderIdempotencyKey); k != req.ID {
		refuse("%s %q is not the body's id %q", webhook.HeaderIdempotencyKey, k, req.ID)
		return
	}
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		}
		answer(f.status, webhook.ErrorBody{Error: http.StatusText(f.status)})
		return
	}
	data := func(v any) bool {
		d := json.NewDecoder(bytes.NewReader(req.Data))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			refuse("%s data: %v", req.Type, err)
			return false
		}
		return true
	}
	switch req.Type {
	case webhook.TypeTest:
		answer(http.StatusOK, struct{}{})
	case webhook.TypeLookup:
		var in webhook.LookupData
		if !data(&in) {
			return
		}
		if len(in.Formats) == 0 || in.Formats[0] != in.Phone {
			refuse("lookup formats must start with the E.164 phone, got %q", in.Formats)
			return
		}
		res := webhook.LookupResult{Contacts: []webhook.Contact{}}
		for _, id := range s.order {
			c := s.contacts[id]
			if crm.SamePhone(c.Phone, in.Phone) || crm.SamePhone(c.MobilePhone, in.Phone) {
				res.Contacts = append(res.Contacts, c)
			}
		}
		answer(http.StatusOK, res)
	case webhook.TypeCreate:
		var in webhook.ContactData
		if !data(&in) {
			return
		}
		if in.Contact.ID != "" || in.Contact.Phone == "" {
			refuse("create takes a contact with a phone and no id, got %+v", in.Contact)
			return
		}
		id := s.addLocked(in.Contact)
		answer(http.StatusCreated, webhook.ContactResult{Contact: s.contacts[id]})
	case webhook.TypeUpdate:
		var in webhook.ContactData
		if !data(&in) {
			return
		}
		c, ok := s.contacts[in.Contact.ID]
		if !ok {
			answer(http.StatusNotFound, webhook.ErrorBody{Error: "no contact " + in.Contact.ID})
			return
		}
		for _, f := range []struct {
			dst *string
			src string
		}{{&c.FirstName, in.Contact.FirstName}, {&c.LastName, in.Contact.LastName}, {&c.Email, in.Contact.Email},
			{&c.Phone, in.Contact.Phone}, {&c.MobilePhone, in.Contact.MobilePhone}, {&c.Language, in.Contact.Language}} {
			if f.src != "" {
				*f.dst = f.src
			}
		}
		s.contacts[c.ID] = c
		answer(http.StatusOK, webhook.ContactResult{Contact: c})
	case webhook.TypeNote:
		var in webhook.NoteData
		if !data(&in) {
			return
		}
		if _, ok := s.contacts[in.ContactID]; !ok {
			answer(http.StatusNotFound, webhook.ErrorBody{Error: "no contact " + in.ContactID})
			return
		}
		if in.Note.Key != req.ID || in.Note.Body == "" || in.Note.At.IsZero() {
			refuse("a note needs body, at, and key equal to the request id: %+v", in.Note)
			return
		}
		if id, ok := s.byKey[req.ID]; ok {
			s.repeats[req.ID]++
			answer(http.StatusOK, webhook.NoteResult{NoteID: id})
			return
		}
		s.nextID++
		n := Note{ID: "wn" + strconv.Itoa(s.nextID), ContactID: in.ContactID, NoteBody: in.Note}
		s.notes = append(s.notes, n)
		s.byKey[req.ID] = n.ID
		answer(http.StatusCreated, webhook.NoteResult{NoteID: n.ID})
	default:
		refuse("unknown type %q", req.Type)
	}
}
