package firestore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	gfs "cloud.google.com/go/firestore"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The console's search: searchTokens array-contains one token, bounded by
// the viewer, newest activity first. Composite indexes
// (terraform/firestore.tf): (searchTokens CONTAINS, updatedAt DESC),
// (searchTokens CONTAINS, agentId, updatedAt DESC) and (searchTokens
// CONTAINS, status, queueId, updatedAt DESC). A query reads the documents
// it returns (at least one read when it finds none).

var _ store.ChatSearcher = (*Store)(nil)

func (s *Store) SearchChats(ctx context.Context, token, agentID string, queueIDs []string, limit int) ([]chat.Chat, error) {
	if limit < 1 || limit > store.MaxSearchResults {
		return nil, fmt.Errorf("search chats: limit %d, want 1 to %d", limit, store.MaxSearchResults)
	}
	q := s.client.Collection(colChats).Where("searchTokens", "array-contains", token)
	switch {
	case agentID != "":
		return queryChats(ctx, q.Where("agentId", "==", agentID).OrderBy("updatedAt", gfs.Desc).Limit(limit), "search of "+agentID)
	case queueIDs != nil:
		var out []chat.Chat
		for chunk := range slices.Chunk(queueIDs, maxInValues) {
			cs, err := queryChats(ctx, q.Where("status", "==", string(chat.StatusQueued)).Where("queueId", "in", chunk).
				OrderBy("updatedAt", gfs.Desc).Limit(limit), "search of queues")
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
		slices.SortFunc(out, func(a, b chat.Chat) int { return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID)) })
		if len(out) > limit {
			out = out[:limit]
		}
		return out, nil
	}
	return queryChats(ctx, q.OrderBy("updatedAt", gfs.Desc).Limit(limit), "search")
}
