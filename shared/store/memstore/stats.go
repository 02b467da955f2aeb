package memstore

import (
	"context"
	"maps"
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
