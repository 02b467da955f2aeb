package storetest

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
)

// testStats covers the statistics counters: a chat is counted once, its
// increments add up across chats in one shard, days are read by range, a
// day is replaced whole, and chats are listed by end time.
func testStats(t *testing.T, s store.Store) {
	ss, ok := s.(stats.Store)
	if !ok {
		t.Skipf("%T does not store statistics", s)
	}
	b := stats.Bucket{Day: "2026-11-25", Dim: stats.ByAll}
	inc := []stats.Shard{{Bucket: b, Index: 3, Counters: stats.Counters{"chats": 1, "waitMs": 1500}}}
	for i, tc := range []struct {
		chat string
		want bool
	}{{"s1", true}, {"s1", false}, {"s2", true}} {
		got, err := ss.CountChat(ctx(t), tc.chat, inc)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("count %d (%s) = %v, want %v", i, tc.chat, got, tc.want)
		}
	}
	other := stats.Shard{Bucket: stats.Bucket{Day: "2026-11-27", Dim: stats.ByAgent, Value: "a/1"}, Counters: stats.Counters{"chats": 1}}
	if _, err := ss.CountChat(ctx(t), "s3", []stats.Shard{other}); err != nil {
		t.Fatal(err)
	}
	got, err := ss.StatShards(ctx(t), "2026-11-25", "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "shards of the 25th", []stats.Shard{{Bucket: b, Index: 3, Counters: stats.Counters{"chats": 2, "waitMs": 3000}}}, got)

	rebuilt := []stats.Shard{{Bucket: b, Counters: stats.Counters{"chats": 5}}}
	if err := ss.ReplaceStatDay(ctx(t), "2026-11-25", rebuilt, []string{"s9"}); err != nil {
		t.Fatal(err)
	}
	if again, err := ss.CountChat(ctx(t), "s9", inc); err != nil || again {
		t.Errorf("count of a rebuilt chat = %v, %v; want false: the rebuild counted it", again, err)
	}
	got, err = ss.StatShards(ctx(t), "2026-11-25", "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the replaced day", rebuilt, got)
	got, err = ss.StatShards(ctx(t), "2026-11-27", "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "another day after a replace", []stats.Shard{other}, got)

	ended := func(id string, at time.Time) chat.Chat {
		return chat.Chat{ID: id, Number: "+15550001111", Consumer: "+15550002222", Status: chat.StatusEnded,
			CreatedAt: at.Add(-time.Minute), UpdatedAt: at, EndedAt: at, EndReason: chat.EndFinished}
	}
	mustTx(t, s, func(tx store.Tx) error {
		tx.PutChat(ended("e1", t0))
		tx.PutChat(ended("e2", t0.Add(25*time.Hour)))
		tx.PutChat(chat.Chat{ID: "open", Number: "+15550001111", Consumer: "+15550003333", Status: chat.StatusActive, CreatedAt: t0, UpdatedAt: t0})
		return nil
	})
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	cs, err := ss.ChatsEnded(ctx(t), day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != "e1" {
		t.Errorf("chats ended on the 25th = %+v, want e1 only", cs)
	}
}
