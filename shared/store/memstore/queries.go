package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The queries below reproduce what the Firestore adapter's queries return,
// including their limits and their order (an ordered query breaks ties by
// document id in the direction of its last order; an unordered one returns
// documents in id order). Firestore leaves documents without an ordered or
// compared field out of a query: a zero endedAt is not stored (omitempty),
// so such a chat is left out of the ended chats here too.

// AgentChats implements store.Store.
func (s *Store) AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error) {
	if limit < 0 {
		return nil, fmt.Errorf("agent chats: limit %d, want 0 or more", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var offered, held, ended []chat.Chat
	for _, c := range s.data.chats {
		if c.Offer != nil && c.Offer.AgentID == agentID {
			offered = append(offered, c)
		}
		if c.AgentID == agentID && c.Status == chat.StatusActive {
			held = append(held, c)
		}
		if c.AgentID == agentID && c.Status == chat.StatusEnded && !c.EndedAt.IsZero() && !c.EndedAt.Before(endedSince) {
			ended = append(ended, c)
		}
	}
	open := append(firstByID(offered, store.MaxOpenAgentChats), firstByID(held, store.MaxOpenAgentChats)...)
	slices.SortFunc(open, oldestFirst)
	open = slices.CompactFunc(open, func(a, b chat.Chat) bool { return a.ID == b.ID })
	slices.SortFunc(ended, func(a, b chat.Chat) int {
		if c := b.EndedAt.Compare(a.EndedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	out := make([]chat.Chat, 0, len(open)+min(len(ended), limit))
	seen := map[string]bool{}
	for _, c := range append(open, ended[:min(len(ended), limit)]...) {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, cloneChat(c))
		}
	}
	return out, nil
}

// firstByID is what an unordered query with a limit returns.
func firstByID(cs []chat.Chat, n int) []chat.Chat {
	slices.SortFunc(cs, func(a, b chat.Chat) int { return strings.Compare(a.ID, b.ID) })
	return cs[:min(len(cs), n)]
}

func oldestFirst(a, b chat.Chat) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// OpenChats implements store.Store.
func (s *Store) OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	return s.chatsIn(func(st chat.Status) bool {
		return st == chat.StatusMenu || st == chat.StatusQueued || st == chat.StatusActive
	}, queueIDs, limit)
}

// QueuedChats implements store.Store.
func (s *Store) QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	return s.chatsIn(func(st chat.Status) bool { return st == chat.StatusQueued }, queueIDs, limit)
}

func (s *Store) chatsIn(wanted func(chat.Status) bool, queueIDs []string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("open chats: limit %d, want at least 1", limit)
	}
	out := []chat.Chat{}
	if queueIDs != nil && len(queueIDs) == 0 {
		return out, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.data.chats {
		if !wanted(c.Status) {
			continue
		}
		if queueIDs != nil && !slices.Contains(queueIDs, c.QueueID) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, oldestFirst)
	out = out[:min(len(out), limit)]
	for i := range out {
		out[i] = cloneChat(out[i])
	}
	return out, nil
}

// ConsumerChats implements store.Store.
func (s *Store) ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("consumer chats: limit %d, want at least 1", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []chat.Chat{}
	for _, c := range s.data.chats {
		if c.Consumer == consumer {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b chat.Chat) int { return oldestFirst(b, a) })
	out = out[:min(len(out), limit)]
	for i := range out {
		out[i] = cloneChat(out[i])
	}
	return out, nil
}

// PutCanned implements store.Store.
func (s *Store) PutCanned(ctx context.Context, c chat.Canned) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.canned[c.ID] = cloneCanned(c)
	return nil
}

// CannedMessages implements store.Store.
func (s *Store) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := sortedValues(s.data.canned)
	for i := range cs {
		cs[i] = cloneCanned(cs[i])
	}
	return cs, nil
}

// DeleteCanned implements store.Store.
func (s *Store) DeleteCanned(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data.canned, id)
	return nil
}

func cloneCanned(c chat.Canned) chat.Canned {
	c.QueueIDs = slices.Clone(c.QueueIDs)
	return c
}
