package counting

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

var _ store.ChatSearcher = (*Store)(nil)

// SearchChats counts a query's reads as Firestore bills them: the
// documents returned, at least one per query.
func (s *Store) SearchChats(ctx context.Context, token, agentID string, queueIDs []string, limit int) ([]chat.Chat, error) {
	cs, ok := s.next.(store.ChatSearcher)
	if !ok {
		return nil, fmt.Errorf("the store %T does not search chats", s.next)
	}
	out, err := cs.SearchChats(ctx, token, agentID, queueIDs, limit)
	s.read(max(1, len(out)))
	return out, err
}
