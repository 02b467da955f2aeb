package firestore

import (
	"context"
	"errors"
	"fmt"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
)

const (
	colStats        = "stats"
	colStatsCounted = "statsCounted"
)

// statDoc is a stats/{bucket}_{shard} document.
type statDoc struct {
	Day      string         `firestore:"day"`
	Dim      string         `firestore:"dim"`
	Value    string         `firestore:"value"`
	Index    int            `firestore:"index"`
	Counters stats.Counters `firestore:"counters"`
}

// countedMarker is a statsCounted marker; expireAt drives its TTL policy (wall
// time is fine here: nothing reads it).
func countedMarker(chatID string) map[string]any {
	return map[string]any{"chatId": chatID, "countedAt": gfs.ServerTimestamp, "expireAt": time.Now().Add(stats.CountedRetention)}
}

func (s *Store) CountChat(ctx context.Context, chatID string, incs []stats.Shard) (bool, error) {
	counted := false
	err := s.client.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
		counted = false
		ref := s.client.Collection(colStatsCounted).Doc(chatID)
		if _, err := tx.Get(ref); err == nil {
			return nil
		} else if status.Code(err) != codes.NotFound {
			return err
		}
		if err := tx.Create(ref, countedMarker(chatID)); err != nil {
			return err
		}
		for _, in := range incs {
			cs := map[string]any{}
			for k, v := range in.Counters {
				cs[k] = gfs.Increment(v)
			}
			doc := map[string]any{"day": in.Day, "dim": in.Dim, "value": in.Value, "index": in.Index, "counters": cs}
			if err := tx.Set(s.client.Collection(colStats).Doc(in.DocID()), doc, gfs.MergeAll); err != nil {
				return err
			}
		}
		counted = true
		return nil
	})
	if err != nil {
		return false, mapErr(err, "count chat "+chatID)
	}
	return counted, nil
}

func (s *Store) StatShards(ctx context.Context, fromDay, toDay string) ([]stats.Shard, error) {
	it := s.client.Collection(colStats).Where("day", ">=", fromDay).Where("day", "<=", toDay).Documents(ctx)
	defer it.Stop()
	var out []stats.Shard
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, mapErr(err, "list stats "+fromDay+".."+toDay)
		}
		var d statDoc
		if err := snap.DataTo(&d); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, stats.Shard{Bucket: stats.Bucket{Day: d.Day, Dim: d.Dim, Value: d.Value}, Index: d.Index, Counters: d.Counters})
	}
}

// ReplaceStatDay deletes day's shards and writes the new ones with a
// BulkWriter: a day has at most a few hundred documents, and a rebuild is
// an operator's action that can be run again.
func (s *Store) ReplaceStatDay(ctx context.Context, day string, shards []stats.Shard, chatIDs []string) error {
	old, err := s.StatShards(ctx, day, day)
	if err != nil {
		return err
	}
	bw := s.client.BulkWriter(ctx)
	keep := map[string]bool{}
	var jobs []*gfs.BulkWriterJob
	for _, sh := range shards {
		keep[sh.DocID()] = true
		d := statDoc{Day: sh.Day, Dim: sh.Dim, Value: sh.Value, Index: sh.Index, Counters: sh.Counters}
		j, err := bw.Set(s.client.Collection(colStats).Doc(sh.DocID()), d)
		if err != nil {
			return fmt.Errorf("rebuild stats %s: %w", day, err)
		}
		jobs = append(jobs, j)
	}
	for _, id := range chatIDs {
		j, err := bw.Set(s.client.Collection(colStatsCounted).Doc(id), countedMarker(id))
		if err != nil {
			return fmt.Errorf("rebuild stats %s: %w", day, err)
		}
		jobs = append(jobs, j)
	}
	for _, sh := range old {
		if !keep[sh.DocID()] {
			j, err := bw.Delete(s.client.Collection(colStats).Doc(sh.DocID()))
			if err != nil {
				return fmt.Errorf("rebuild stats %s: %w", day, err)
			}
			jobs = append(jobs, j)
		}
	}
	bw.End()
	for _, j := range jobs {
		if _, err := j.Results(); err != nil {
			return mapErr(err, "rebuild stats "+day)
		}
	}
	return nil
}

func (s *Store) ChatsEnded(ctx context.Context, from, to time.Time) ([]chat.Chat, error) {
	it := s.client.Collection(colChats).Where("endedAt", ">=", from).Where("endedAt", "<", to).Documents(ctx)
	defer it.Stop()
	var out []chat.Chat
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, mapErr(err, "list chats ended")
		}
		var c chat.Chat
		if err := snap.DataTo(&c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, c)
	}
}

// StatShardsBy reads the shards of one dimension (and value): indexes
// stats (dim, day) and (dim, value, day).
func (s *Store) StatShardsBy(ctx context.Context, fromDay, toDay, dim, value string) ([]stats.Shard, error) {
	q := s.client.Collection(colStats).Where("dim", "==", dim)
	if value != "" {
		q = q.Where("value", "==", value)
	}
	it := q.Where("day", ">=", fromDay).Where("day", "<=", toDay).Documents(ctx)
	defer it.Stop()
	var out []stats.Shard
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, mapErr(err, "list stats "+dim+" "+fromDay+".."+toDay)
		}
		var d statDoc
		if err := snap.DataTo(&d); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, stats.Shard{Bucket: stats.Bucket{Day: d.Day, Dim: d.Dim, Value: d.Value}, Index: d.Index, Counters: d.Counters})
	}
}

// ChatHistory queries by at most one equality (indexes chats (consumer |
// agentId | queueId | endReason, endedAt DESC)) and the endedAt range, and
// checks the other filters on what it reads, at most MaxHistoryScan
// documents.
func (s *Store) ChatHistory(ctx context.Context, hq stats.HistoryQuery) ([]chat.Chat, error) {
	q := s.client.Collection(colChats).Query
	if field, value := hq.Equality(); field != "" {
		q = q.Where(field, "==", value)
	}
	q = q.Where("endedAt", ">=", hq.From).Where("endedAt", "<", hq.To).OrderBy("endedAt", gfs.Desc)
	it := q.Limit(stats.MaxHistoryScan).Documents(ctx)
	defer it.Stop()
	var out []chat.Chat
	for len(out) < hq.Size() {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, mapErr(err, "chat history")
		}
		var c chat.Chat
		if err := snap.DataTo(&c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		if hq.Matches(c) {
			out = append(out, c)
		}
	}
	return out, nil
}
