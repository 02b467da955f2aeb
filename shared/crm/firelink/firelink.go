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

var (
	_ crm.Store         = (*Store)(nil)
	_ crm.SettingsStore = (*Store)(nil)
	_ crm.PendingLister = (*Store)(nil)
)

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

// settingsRef is settings/crm, beside settings/sms.
func (s *Store) settingsRef() *gfs.DocumentRef { return s.client.Collection("settings").Doc("crm") }

// CRMSettings reads settings/crm.
func (s *Store) CRMSettings(ctx context.Context) (crm.Settings, bool, error) {
	snap, err := s.settingsRef().Get(ctx)
	if status.Code(err) == codes.NotFound {
		return crm.Settings{}, false, nil
	}
	if err != nil {
		return crm.Settings{}, false, fmt.Errorf("firelink: read settings/crm: %w", err)
	}
	var out crm.Settings
	if err := snap.DataTo(&out); err != nil {
		return crm.Settings{}, false, fmt.Errorf("firelink: decode settings/crm: %w", err)
	}
	return out, true, nil
}

// PutCRMSettings replaces settings/crm.
func (s *Store) PutCRMSettings(ctx context.Context, v crm.Settings) error {
	v.UpdatedAt = v.UpdatedAt.UTC()
	if _, err := s.settingsRef().Set(ctx, v); err != nil {
		return fmt.Errorf("firelink: write settings/crm: %w", err)
	}
	return nil
}

// PendingChats queries the links with syncPending (a single-field index,
// so no composite one) and orders them by their last update here.
func (s *Store) PendingChats(ctx context.Context, limit int) ([]string, error) {
	snaps, err := s.client.Collection(Collection).Where("syncPending", "==", true).Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("firelink: query pending links: %w", err)
	}
	ls := make([]crm.Link, 0, len(snaps))
	for _, snap := range snaps {
		l, err := decode(snap.Ref.ID, snap, nil)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return crm.PendingOrder(ls), nil
}
