package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
)

// statTables are the statistics shards (stats/{id}) and the counted chats
// (statsCounted/{chatId}), guarded by Store.mu.
type statTables struct {
	shards  map[string]stats.Shard
	counted map[string]bool
}

func (s *Store) CountChat(ctx context.Context, chatID string, incs []stats.Shard) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats.counted[chatID] {
		return false, nil
	}
	if s.stats.counted == nil {
		s.stats.counted, s.stats.shards = map[string]bool{}, map[string]stats.Shard{}
	}
	s.stats.counted[chatID] = true
	for _, in := range incs {
		sh, ok := s.stats.shards[in.DocID()]
		if !ok {
			sh = stats.Shard{Bucket: in.Bucket, Index: in.Index, Counters: stats.Counters{}}
		}
		sh.Counters.Add(in.Counters)
		s.stats.shards[in.DocID()] = sh
	}
	return true, nil
}

func (s *Store) StatShards(ctx context.Context, fromDay, toDay string) ([]stats.Shard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stats.Shard
	for _, sh := range s.stats.shards {
		if sh.Day >= fromDay && sh.Day <= toDay {
			sh.Counters = maps.Clone(sh.Counters)
			out = append(out, sh)
		}
	}
	return out, nil
}

func (s *Store) ReplaceStatDay(ctx context.Context, day string, shards []stats.Shard, chatIDs []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats.shards == nil {
		s.stats.counted, s.stats.shards = map[string]bool{}, map[string]stats.Shard{}
	}
	for id, sh := range s.stats.shards {
		if sh.Day == day {
			delete(s.stats.shards, id)
		}
	}
	for _, sh := range shards {
		sh.Counters = maps.Clone(sh.Counters)
		s.stats.shards[sh.DocID()] = sh
	}
	for _, id := range chatIDs {
		s.stats.counted[id] = true
	}
	return nil
}

func (s *Store) ChatsEnded(ctx context.Context, from, to time.Time) ([]chat.Chat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Chat
	for _, c := range s.data.chats {
		if !c.EndedAt.IsZero() && !c.EndedAt.Before(from) && c.EndedAt.Before(to) {
			out = append(out, cloneChat(c))
		}
	}
	return out, nil
}

func (s *Store) StatShardsBy(ctx context.Context, fromDay, toDay, dim, value string) ([]stats.Shard, error) {
	all, err := s.StatShards(ctx, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sh := range all {
		if sh.Dim == dim && (value == "" || sh.Value == value) {
			out = append(out, sh)
		}
	}
	return out, nil
}

func (s *Store) ChatHistory(ctx context.Context, q stats.HistoryQuery) ([]chat.Chat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Chat
	for _, c := range s.data.chats {
		if q.Matches(c) {
			out = append(out, cloneChat(c))
		}
	}
	slices.SortFunc(out, func(a, b chat.Chat) int {
		if d := b.EndedAt.Compare(a.EndedAt); d != 0 {
			return d
		}
		return strings.Compare(b.ID, a.ID) // Firestore breaks ties by document name, in the last order's direction
	})
	if len(out) > q.Size() {
		out = out[:q.Size()]
	}
	return out, nil
}
