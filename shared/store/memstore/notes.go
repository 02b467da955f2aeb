package memstore

import (
	"context"
	"slices"
	"sort"

	"github.com/smsdesk/smsdesk/shared/store"
)

var _ store.NoteStore = (*Store)(nil)

// noteTables are the private notes and mentions. A note bumps its chat's
// counter, so they are kept under the store's lock with the chats.
type noteTables struct {
	notes    map[string]map[string]store.Note // chat id → note id → note
	mentions map[string]store.Mention         // store.MentionID → mention
}

func (t *noteTables) init() {
	if t.notes == nil {
		t.notes = map[string]map[string]store.Note{}
		t.mentions = map[string]store.Mention{}
	}
}

func cloneNote(n store.Note) store.Note {
	n.Mentions = slices.Clone(n.Mentions)
	n.CreatedAt = storedTime(n.CreatedAt)
	return n
}

func (s *Store) AddNote(ctx context.Context, n store.Note, consumer string) (store.Note, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.Note{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.notes
	t.init()
	if held, ok := t.notes[n.ChatID][n.ID]; ok {
		return cloneNote(held), false, nil
	}
	c, ok := s.data.chats[n.ChatID]
	if !ok {
		return store.Note{}, false, notFound("chat", n.ChatID)
	}
	c.Notes++
	s.data.chats[c.ID] = c
	n.Seq = c.Notes
	n = cloneNote(n)
	if t.notes[n.ChatID] == nil {
		t.notes[n.ChatID] = map[string]store.Note{}
	}
	t.notes[n.ChatID][n.ID] = n
	for _, agentID := range n.Mentions {
		id := store.MentionID(agentID, n.ChatID)
		t.mentions[id] = store.NewMention(n, agentID, consumer, t.mentions[id].Count)
	}
	return cloneNote(n), true, nil
}

func (s *Store) Notes(ctx context.Context, chatID string, afterSeq int64) ([]store.Note, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []store.Note{}
	for _, n := range s.notes.notes[chatID] {
		if n.Seq > afterSeq {
			out = append(out, cloneNote(n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	if len(out) > store.MaxNotesRead {
		out = out[:store.MaxNotesRead]
	}
	return out, nil
}

func (s *Store) Mention(ctx context.Context, agentID, chatID string) (store.Mention, error) {
	if err := ctx.Err(); err != nil {
		return store.Mention{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.notes.mentions[store.MentionID(agentID, chatID)]
	if !ok {
		return store.Mention{}, notFound("mention", store.MentionID(agentID, chatID))
	}
	return m, nil
}

func (s *Store) UnreadMentions(ctx context.Context, agentID string, limit int) ([]store.Mention, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []store.Mention{}
	for _, m := range s.notes.mentions {
		if m.AgentID == agentID && m.Unread {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, store.NewestMentionFirst)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Store) ReadMention(ctx context.Context, agentID, chatID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := store.MentionID(agentID, chatID)
	if m, ok := s.notes.mentions[id]; ok {
		m.Unread = false
		s.notes.mentions[id] = m
	}
	return nil
}
