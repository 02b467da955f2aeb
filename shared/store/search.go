package store

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// MaxSearchResults bounds the chats one SearchChats call returns.
const MaxSearchResults = 50

// ChatSearcher finds chats by one of their search tokens (chat/search),
// newest activity (updatedAt) first. Both adapters implement it.
type ChatSearcher interface {
	// SearchChats returns at most limit chats whose searchTokens contain
	// token: with agentID, only those whose agentId is agentID (held or
	// ended by them); else with queueIDs (any number), only those queued
	// in the queues; with neither, any chat (supervisors).
	SearchChats(ctx context.Context, token, agentID string, queueIDs []string, limit int) ([]chat.Chat, error)
}
