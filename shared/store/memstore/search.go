package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

var _ store.ChatSearcher = (*Store)(nil)

func (s *Store) SearchChats(ctx context.Context, token, agentID string, queueIDs []string, limit int) ([]chat.Chat, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 || limit > store.MaxSearchResults {
		return nil, fmt.Errorf("search chats: limit %d, want 1 to %d", limit, store.MaxSearchResults)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Chat
	for _, c := range s.data.chats {
		switch {
		case !slices.Contains(c.SearchTokens, token):
		case agentID != "" && c.AgentID != agentID:
		case agentID == "" && queueIDs != nil && (c.Status != chat.StatusQueued || !slices.Contains(queueIDs, c.QueueID)):
		default:
			out = append(out, cloneChat(c))
		}
	}
	slices.SortFunc(out, func(a, b chat.Chat) int { return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID)) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
