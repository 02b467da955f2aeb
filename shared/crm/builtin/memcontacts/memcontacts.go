// Package memcontacts is the embedded twin of the built-in contacts, for
// scripts/dev and tests without the Firestore emulator.
package memcontacts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store holds contacts in memory. It is safe for concurrent use.
type Store struct {
	mu sync.Mutex
	// Encoded, so callers never share memory with the store.
	contacts map[string][]byte
	notes    map[string]map[string][]byte // by contact, by note id
}

var _ builtin.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{contacts: map[string][]byte{}, notes: map[string]map[string][]byte{}}
}

func (s *Store) put(c builtin.Contact) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("memcontacts: encode contact %s: %w", c.ID, err)
	}
	s.contacts[c.ID] = raw
	return nil
}

func (s *Store) get(id string) (builtin.Contact, error) {
	raw, ok := s.contacts[id]
	if !ok {
		return builtin.Contact{}, fmt.Errorf("memcontacts: contact %s: %w", id, store.ErrNotFound)
	}
	var c builtin.Contact
	if err := json.Unmarshal(raw, &c); err != nil {
		return builtin.Contact{}, fmt.Errorf("memcontacts: decode contact %s: %w", id, err)
	}
	return c, nil
}

// CreateContact stores a new contact.
func (s *Store) CreateContact(ctx context.Context, c builtin.Contact) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.contacts[c.ID]; ok {
		return fmt.Errorf("memcontacts: contact %s: %w", c.ID, builtin.ErrExists)
	}
	return s.put(c)
}

// Contact reads one contact.
func (s *Store) Contact(ctx context.Context, id string) (builtin.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(id)
}

// ContactsByPhone scans every contact: the twin holds a developer's few.
func (s *Store) ContactsByPhone(ctx context.Context, e164 string, limit int) ([]builtin.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []builtin.Contact
	for id := range s.contacts {
		c, err := s.get(id)
		if err != nil {
			return nil, err
		}
		if slices.Contains(c.Phones, e164) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UpdateContact applies fn under the store's lock.
func (s *Store) UpdateContact(ctx context.Context, id string, fn func(c *builtin.Contact) error) (builtin.Contact, error) {
	if err := ctx.Err(); err != nil {
		return builtin.Contact{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.get(id)
	if err != nil {
		return builtin.Contact{}, err
	}
	if err := fn(&c); err != nil {
		return builtin.Contact{}, err
	}
	c.ID = id
	return c, s.put(c)
}

// AddNote adds a note unless one has its id.
func (s *Store) AddNote(ctx context.Context, contactID string, n builtin.Note) (builtin.Note, error) {
	if err := ctx.Err(); err != nil {
		return builtin.Note{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.get(contactID); err != nil {
		return builtin.Note{}, err
	}
	notes := s.notes[contactID]
	if notes == nil {
		notes = map[string][]byte{}
		s.notes[contactID] = notes
	}
	if raw, ok := notes[n.ID]; ok {
		var have builtin.Note
		if err := json.Unmarshal(raw, &have); err != nil {
			return builtin.Note{}, fmt.Errorf("memcontacts: decode note %s: %w", n.ID, err)
		}
		return have, nil
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return builtin.Note{}, fmt.Errorf("memcontacts: encode note %s: %w", n.ID, err)
	}
	notes[n.ID] = raw
	return n, nil
}

// Notes are the newest notes first.
func (s *Store) Notes(ctx context.Context, contactID string, limit int) ([]builtin.Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []builtin.Note
	for _, raw := range s.notes[contactID] {
		var n builtin.Note
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, fmt.Errorf("memcontacts: decode a note of %s: %w", contactID, err)
		}
		out = append(out, n)
	}
	slices.SortFunc(out, builtin.NewerNote)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
