package counting

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/store"
)

var _ store.NoteStore = (*Store)(nil)

// The private notes and mentions, counted as Firestore bills them: a
// query reads the documents it returns, at least one.

func (s *Store) notes() (store.NoteStore, error) {
	ns, ok := s.next.(store.NoteStore)
	if !ok {
		return nil, fmt.Errorf("the store %T keeps no notes", s.next)
	}
	return ns, nil
}

func (s *Store) AddNote(ctx context.Context, n store.Note, consumer string) (store.Note, bool, error) {
	ns, err := s.notes()
	if err != nil {
		return store.Note{}, false, err
	}
	out, created, err := ns.AddNote(ctx, n, consumer)
	// The note and the chat, and each mention, are read; written when new.
	s.read(2 + len(n.Mentions))
	if created {
		s.writes.Add(int64(2 + len(n.Mentions)))
	}
	return out, created, err
}

func (s *Store) Notes(ctx context.Context, chatID string, afterSeq int64) ([]store.Note, error) {
	ns, err := s.notes()
	if err != nil {
		return nil, err
	}
	out, err := ns.Notes(ctx, chatID, afterSeq)
	s.read(max(1, len(out)))
	return out, err
}

func (s *Store) Mention(ctx context.Context, agentID, chatID string) (store.Mention, error) {
	ns, err := s.notes()
	if err != nil {
		return store.Mention{}, err
	}
	s.read(1)
	return ns.Mention(ctx, agentID, chatID)
}

func (s *Store) UnreadMentions(ctx context.Context, agentID string, limit int) ([]store.Mention, error) {
	ns, err := s.notes()
	if err != nil {
		return nil, err
	}
	out, err := ns.UnreadMentions(ctx, agentID, limit)
	s.read(max(1, len(out)))
	return out, err
}

func (s *Store) ReadMention(ctx context.Context, agentID, chatID string) error {
	ns, err := s.notes()
	if err != nil {
		return err
	}
	s.writes.Add(1)
	return ns.ReadMention(ctx, agentID, chatID)
}
