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
}

var _ crm.Store = (*Store)(nil)

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
