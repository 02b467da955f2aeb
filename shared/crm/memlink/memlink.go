// Package memlink is the embedded twin of the crm/{chatId} documents, for
// scripts/dev and tests without the Firestore emulator.
package memlink

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/smsdesk/smsdesk/shared/crm"
)

// Store holds links in memory. It is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	links map[string][]byte // by chat id, encoded so callers never share memory with the store
	// settings is settings/crm, encoded; nil until saved.
	settings []byte
}

var (
	_ crm.Store         = (*Store)(nil)
	_ crm.SettingsStore = (*Store)(nil)
	_ crm.PendingLister = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store { return &Store{links: map[string][]byte{}} }

// Link returns a chat's link.
func (s *Store) Link(ctx context.Context, chatID string) (crm.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(chatID)
}

func (s *Store) load(chatID string) (crm.Link, error) {
	raw, ok := s.links[chatID]
	if !ok {
		return crm.Link{ChatID: chatID}, nil
	}
	var l crm.Link
	if err := json.Unmarshal(raw, &l); err != nil {
		return crm.Link{}, fmt.Errorf("memlink: decode crm/%s: %w", chatID, err)
	}
	return l, nil
}

// UpdateLink applies fn under the store's lock: transactions never
// interleave.
func (s *Store) UpdateLink(ctx context.Context, chatID string, fn func(l *crm.Link) error) (crm.Link, error) {
	if err := ctx.Err(); err != nil {
		return crm.Link{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.load(chatID)
	if err != nil {
		return crm.Link{}, err
	}
	if err := fn(&l); err != nil {
		return crm.Link{}, err
	}
	l.ChatID = chatID
	raw, err := json.Marshal(l)
	if err != nil {
		return crm.Link{}, fmt.Errorf("memlink: encode crm/%s: %w", chatID, err)
	}
	s.links[chatID] = raw
	return l, nil
}

// CRMSettings returns the saved settings.
func (s *Store) CRMSettings(ctx context.Context) (crm.Settings, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settings == nil {
		return crm.Settings{}, false, nil
	}
	var out crm.Settings
	if err := json.Unmarshal(s.settings, &out); err != nil {
		return crm.Settings{}, false, fmt.Errorf("memlink: decode settings/crm: %w", err)
	}
	return out, true, nil
}

// PutCRMSettings replaces the settings.
func (s *Store) PutCRMSettings(ctx context.Context, v crm.Settings) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("memlink: encode settings/crm: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = raw
	return nil
}

// PendingChats are the chats with parked events, oldest update first.
func (s *Store) PendingChats(ctx context.Context, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ls []crm.Link
	for id := range s.links {
		l, err := s.load(id)
		if err != nil {
			return nil, err
		}
		if l.Pending {
			ls = append(ls, l)
		}
	}
	out := crm.PendingOrder(ls)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
