package stats

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Shards is how many documents each bucket is spread over. A bucket of all
// chats takes every chat ended; at 50 messages/s and a few messages a chat
// that is a few chats/s, so 16 shards keep each document under 1 write/s.
const Shards = 16

// CountedRetention is how long a chat's counted marker (statsCounted) is
// kept: well past Pub/Sub's 7 days of redelivery; a rebuild marks again.
const CountedRetention = 30 * 24 * time.Hour

// Dimensions a bucket is kept per; "all" is the business's total.
const (
	ByAll       = "all"
	ByAgent     = "agent"
	ByTeam      = "team"
	ByQueue     = "queue"
	ByNumber    = "number"
	ByStartType = "startType"
)

// Dims lists the dimensions a query may group by.
var Dims = []string{ByAgent, ByTeam, ByQueue, ByNumber, ByStartType}

// Bucket is one day's counters of one dimension value.
type Bucket struct {
	Day   string // YYYY-MM-DD in the business's time zone
	Dim   string // ByAll, ByAgent...
	Value string // agent id, queue id... ("" for ByAll)
}

// ID is the bucket's document id stem: Firestore ids cannot hold "/".
func (b Bucket) ID() string {
	return b.Day + "_" + b.Dim + "_" + strings.ReplaceAll(b.Value, "/", "%2F")
}

// Shard is one shard document of a bucket. Hourly sums are counters named
// "hNN_name" in the same document, so a chat writes one document per
// dimension, not two.
type Shard struct {
	Bucket
	Index    int
	Counters Counters
}

// DocID is the shard's document id under stats/.
func (s Shard) DocID() string { return fmt.Sprintf("%s_%d", s.Bucket.ID(), s.Index) }

// Day is t's day in loc.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// Increments are the shard documents a contribution adds to: its day (the
// chat's own end time, so a late event lands where the chat ended) in loc,
// one shard per dimension chosen by the chat id.
func Increments(c Contribution, loc *time.Location) []Shard {
	day := Day(c.EndedAt, loc)
	hour := fmt.Sprintf("h%02d_", c.EndedAt.In(loc).Hour())
	cs := Counters{}
	for k, v := range c.Counters {
		cs[k] = v
		cs[hour+k] = v
	}
	idx := shardOf(c.ChatID)
	vals := []struct{ dim, val string }{{ByAll, ""}, {ByAgent, c.AgentID}, {ByQueue, c.QueueID},
		{ByNumber, c.Number}, {ByStartType, string(c.StartType)}}
	for _, team := range c.Teams {
		vals = append(vals, struct{ dim, val string }{ByTeam, team})
	}
	var out []Shard
	for _, v := range vals {
		if v.dim != ByAll && v.val == "" {
			continue // a chat no agent took is in no agent's bucket
		}
		out = append(out, Shard{Bucket: Bucket{Day: day, Dim: v.dim, Value: v.val}, Index: idx, Counters: cs})
	}
	return out
}

func shardOf(chatID string) int {
	h := fnv.New32a()
	h.Write([]byte(chatID))
	return int(h.Sum32() % Shards)
}

// Location is the business's time zone from its quiet-hours setting, UTC
// when unset or unknown.
func Location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ParseDay checks a YYYY-MM-DD day.
func ParseDay(day string) (time.Time, error) { return time.Parse(time.DateOnly, day) }
