// Package firecontacts keeps the built-in contacts in Cloud Firestore (or
// its emulator, FIRESTORE_EMULATOR_HOST): contacts/{id} and their notes in
// contacts/{id}/notes/{noteId}.
//
// A number finds its contacts with an array-contains query on phones and
// the timeline is read by at: both are Firestore's automatic single-field
// indexes, so no composite index is needed.
package firecontacts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Collection holds one document per contact.
const Collection = "contacts"

// NotesCollection is each contact's timeline, under its document.
const NotesCollection = "notes"

// Store is builtin.Store on Firestore.
type Store struct{ client *gfs.Client }

var _ builtin.Store = (*Store)(nil)

// New is a Store over client.
func New(client *gfs.Client) *Store { return &Store{client: client} }

// Open connects to the project's default database.
func Open(ctx context.Context, projectID string) (*Store, error) {
	c, err := gfs.NewClient(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("firecontacts: connect to Firestore of %s: %w", projectID, err)
	}
	return New(c), nil
}

// Close closes the client.
func (s *Store) Close() error { return s.client.Close() }

func (s *Store) ref(id string) *gfs.DocumentRef { return s.client.Collection(Collection).Doc(id) }

// CreateContact stores a new contact; an existing id is builtin.ErrExists.
func (s *Store) CreateContact(ctx context.Context, c builtin.Contact) error {
	c = utc(c)
	_, err := s.ref(c.ID).Create(ctx, c)
	if status.Code(err) == codes.AlreadyExists {
		return fmt.Errorf("firecontacts: contact %s: %w", c.ID, builtin.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("firecontacts: create contact %s: %w", c.ID, err)
	}
	return nil
}

func utc(c builtin.Contact) builtin.Contact {
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c
}

func decode(id string, snap *gfs.DocumentSnapshot, err error) (builtin.Contact, error) {
	if status.Code(err) == codes.NotFound {
		return builtin.Contact{}, fmt.Errorf("firecontacts: contact %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return builtin.Contact{}, fmt.Errorf("firecontacts: read contact %s: %w", id, err)
	}
	var c builtin.Contact
	if err := snap.DataTo(&c); err != nil {
		return builtin.Contact{}, fmt.Errorf("firecontacts: decode contact %s: %w", id, err)
	}
	return c, nil
}

// Contact reads one contact.
func (s *Store) Contact(ctx context.Context, id string) (builtin.Contact, error) {
	snap, err := s.ref(id).Get(ctx)
	return decode(id, snap, err)
}

// ContactsByPhone queries phones array-contains e164.
func (s *Store) ContactsByPhone(ctx context.Context, e164 string, limit int) ([]builtin.Contact, error) {
	// Ordered here rather than by the query: an order on createdAt beside
	// array-contains would need a composite index, and a number has few
	// contacts. Reading up to five times limit keeps the oldest ones
	// unless a number has more contacts than that.
	snaps, err := s.client.Collection(Collection).Where("phones", "array-contains", e164).Limit(limit * 5).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("firecontacts: contacts with %s: %w", e164, err)
	}
	out := make([]builtin.Contact, 0, len(snaps))
	for _, snap := range snaps {
		c, err := decode(snap.Ref.ID, snap, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
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

// UpdateContact runs fn in a transaction on the contact's document.
func (s *Store) UpdateContact(ctx context.Context, id string, fn func(c *builtin.Contact) error) (builtin.Contact, error) {
	var out builtin.Contact
	err := s.client.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
		ref := s.ref(id)
		snap, err := tx.Get(ref)
		c, err := decode(id, snap, err)
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.ID = id
		out = utc(c)
		return tx.Set(ref, out)
	})
	if err != nil {
		return builtin.Contact{}, fmt.Errorf("firecontacts: update contact %s: %w", id, err)
	}
	return out, nil
}

// AddNote creates the note's document unless it exists, after checking
// the contact does, in one transaction.
func (s *Store) AddNote(ctx context.Context, contactID string, n builtin.Note) (builtin.Note, error) {
	n.At, n.PostedAt = n.At.UTC(), n.PostedAt.UTC()
	out := n
	err := s.client.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
		cref := s.ref(contactID)
		nref := cref.Collection(NotesCollection).Doc(n.ID)
		csnap, err := tx.Get(cref)
		if _, err := decode(contactID, csnap, err); err != nil {
			return err
		}
		nsnap, err := tx.Get(nref)
		switch {
		case err == nil:
			return nsnap.DataTo(&out)
		case status.Code(err) != codes.NotFound:
			return err
		}
		out = n
		return tx.Create(nref, n)
	})
	if err != nil {
		return builtin.Note{}, fmt.Errorf("firecontacts: add note %s to contact %s: %w", n.ID, contactID, err)
	}
	return out, nil
}

// Notes reads the newest notes by at.
func (s *Store) Notes(ctx context.Context, contactID string, limit int) ([]builtin.Note, error) {
	it := s.ref(contactID).Collection(NotesCollection).OrderBy("at", gfs.Desc).Limit(limit).Documents(ctx)
	defer it.Stop()
	var out []builtin.Note
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("firecontacts: notes of %s: %w", contactID, err)
		}
		var n builtin.Note
		if err := snap.DataTo(&n); err != nil {
			return nil, fmt.Errorf("firecontacts: decode note %s of %s: %w", snap.Ref.ID, contactID, err)
		}
		out = append(out, n)
	}
	// Notes of one instant in the order they were posted, as the twin has
	// them.
	slices.SortFunc(out, builtin.NewerNote)
	return out, nil
}
