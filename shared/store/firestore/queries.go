package firestore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gfs "cloud.google.com/go/firestore"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The chat queries of the agent console. The composite indexes they need
// (terraform/gfs.tf) are:
//
//	AgentChats, ended:   chats (agentId ASC, status ASC, endedAt DESC)
//	OpenChats, queues:   chats (queueId ASC, status ASC, createdAt ASC)
//	OpenChats, all:      chats (status ASC, createdAt ASC)
//	ConsumerChats:       chats (consumer ASC, createdAt DESC)
//
// (queueId and status are both equalities, so their order in the index
// does not matter; this one mirrors WaitingChats' index.)
//
// AgentChats' offered query (offer.agentId ==) and held query (agentId ==,
// status ==) are equality-only and are served by the automatic single-field
// indexes.

const colCanned = "canned"

// openStatuses are the statuses of a chat that still takes messages.
var openStatuses = []chat.Status{chat.StatusMenu, chat.StatusQueued, chat.StatusActive}

// queryChats runs a chat query and decodes the documents.
func queryChats(ctx context.Context, q gfs.Query, what string) ([]chat.Chat, error) {
	snaps, err := q.Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "query "+what)
	}
	out := make([]chat.Chat, 0, len(snaps))
	for _, snap := range snaps {
		var c chat.Chat
		if err := snap.DataTo(&c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// AgentChats implements store.Store.
func (s *Store) AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error) {
	if limit < 0 {
		return nil, fmt.Errorf("agent chats: limit %d, want 0 or more", limit)
	}
	chats := s.client.Collection(colChats)
	offered, err := queryChats(ctx, chats.Where("offer.agentId", "==", agentID).Limit(store.MaxOpenAgentChats),
		"chats offered to "+agentID)
	if err != nil {
		return nil, err
	}
	held, err := queryChats(ctx, chats.Where("agentId", "==", agentID).
		Where("status", "==", string(chat.StatusActive)).Limit(store.MaxOpenAgentChats), "chats held by "+agentID)
	if err != nil {
		return nil, err
	}
	var ended []chat.Chat
	if limit > 0 {
		ended, err = queryChats(ctx, chats.Where("agentId", "==", agentID).
			Where("status", "==", string(chat.StatusEnded)).
			Where("endedAt", ">=", endedSince).
			OrderBy("endedAt", gfs.Desc).Limit(limit), "chats ended by "+agentID)
		if err != nil {
			return nil, err
		}
	}
	open := append(offered, held...)
	slices.SortFunc(open, oldestFirst)
	out := make([]chat.Chat, 0, len(open)+len(ended))
	seen := map[string]bool{}
	for _, c := range append(open, ended...) {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out, nil
}

func oldestFirst(a, b chat.Chat) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// OpenChats implements store.Store. It runs one query per open status (an
// "in" on the status and one on the queue would multiply into more than
// Firestore's 30 disjunctions) and merges them.
func (s *Store) OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	return s.chatsIn(ctx, openStatuses, queueIDs, limit)
}

// QueuedChats implements store.Store: the queued status's query of
// OpenChats alone.
func (s *Store) QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	return s.chatsIn(ctx, []chat.Status{chat.StatusQueued}, queueIDs, limit)
}

func (s *Store) chatsIn(ctx context.Context, statuses []chat.Status, queueIDs []string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("open chats: limit %d, want at least 1", limit)
	}
	out := []chat.Chat{}
	if queueIDs != nil && len(queueIDs) == 0 {
		return out, nil
	}
	var ids []string
	if queueIDs != nil {
		ids = slices.Clone(queueIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids) // Firestore rejects repeated "in" values
	}
	chunks := [][]string{nil}
	if ids != nil {
		chunks = slices.Collect(slices.Chunk(ids, maxInValues))
	}
	for _, st := range statuses {
		for _, chunk := range chunks {
			q := s.client.Collection(colChats).Where("status", "==", string(st))
			if chunk != nil {
				q = q.Where("queueId", "in", chunk)
			}
			cs, err := queryChats(ctx, q.OrderBy("createdAt", gfs.Asc).Limit(limit), string(st)+" chats")
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
	}
	slices.SortFunc(out, oldestFirst)
	return out[:min(len(out), limit)], nil
}

// ConsumerChats implements store.Store.
func (s *Store) ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("consumer chats: limit %d, want at least 1", limit)
	}
	return queryChats(ctx, s.client.Collection(colChats).Where("consumer", "==", consumer).
		OrderBy("createdAt", gfs.Desc).Limit(limit), "chats of "+consumer)
}

func (s *Store) cannedRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colCanned).Doc(id)
}

// PutCanned implements store.Store.
func (s *Store) PutCanned(ctx context.Context, c chat.Canned) error {
	return set(ctx, s.cannedRef(c.ID), c)
}

// CannedMessages implements store.Store.
func (s *Store) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	return list[chat.Canned](ctx, s.client.Collection(colCanned))
}

// DeleteCanned implements store.Store.
func (s *Store) DeleteCanned(ctx context.Context, id string) error {
	return del(ctx, s.cannedRef(id))
}
