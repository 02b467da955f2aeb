// Package firelink keeps the crm/{chatId} documents in Cloud Firestore (or
// its emulator, FIRESTORE_EMULATOR_HOST).
package firelink

import (
	"context"
	"fmt"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/crm"
)

// Collection holds one document per synced chat, named by the chat id.
const Collection = "crm"

// Store is crm.Store on Firestore.
type Store struct{ client *gfs.Client }

var _ crm.Store = (*Store)(nil)

// New is a Store over client.
func New(client *gfs.Client) *Store { return &Store{client: client} }

// Open connects to the project's default database.
func Open(ctx context.Context, projectID string) (*Store, error) {
	c, err := gfs.NewClient(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("firelink: connect to Firestore of %s: %w", projectID, err)
	}
	return New(c), nil
}

// Close closes the client.
func (s *Store) Close() error { return s.client.Close() }

func (s *Store) ref(chatID string) *gfs.DocumentRef {
	return s.client.Collection(Collection).Doc(chatID)
}

// Link returns a chat's link.
func (s *Store) Link(ctx context.Context, chatID string) (crm.Link, error) {
	snap, err := s.ref(chatID).Get(ctx)
	return decode(chatID, snap, err)
}

func decode(chatID string, snap *gfs.DocumentSnapshot, err error) (crm.Link, error) {
	if status.Code(err) == codes.NotFound {
		return crm.Link{ChatID: chatID}, nil
	}
	if err != nil {
		return crm.Link{}, fmt.Errorf("firelink: read crm/%s: %w", chatID, err)
	}
	var l crm.Link
	if err := snap.DataTo(&l); err != nil {
		return crm.Link{}, fmt.Errorf("firelink: decode crm/%s: %w", chatID, err)
	}
	return l, nil
}

// UpdateLink runs fn in a Firestore transaction on the one document.
func (s *Store) UpdateLink(ctx context.Context, chatID string, fn func(l *crm.Link) error) (crm.Link, error) {
	var out crm.Link
	err := s.client.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
		ref := s.ref(chatID)
		snap, err := tx.Get(ref)
		l, err := decode(chatID, snap, err)
		if err != nil {
			return err
		}
		if err := fn(&l); err != nil {
			return err
		}
		l.ChatID = chatID
		l.UpdatedAt = l.UpdatedAt.UTC()
		out = l
		return tx.Set(ref, l)
	})
	if err != nil {
		return crm.Link{}, fmt.Errorf("firelink: update crm/%s: %w", chatID, err)
	}
	return out, nil
}
