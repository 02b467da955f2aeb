package stats

import (
	"fmt"
	"hash/fnv"
	"sort"
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
// one shard per bucket chosen by the chat id. Agents the chat was offered
// to but did not end with get their offer counters in their own buckets.
func Increments(c Contribution, loc *time.Location) []Shard {
	day := Day(c.EndedAt, loc)
	hour := fmt.Sprintf("h%02d_", c.EndedAt.In(loc).Hour())
	idx := shardOf(c.ChatID)
	var order []Bucket
	sums := map[Bucket]Counters{}
	add := func(dim, val string, cs Counters) {
		if dim != ByAll && val == "" {
			return // a chat no agent took is in no agent's bucket
		}
		b := Bucket{Day: day, Dim: dim, Value: val}
		if sums[b] == nil {
			sums[b] = Counters{}
			order = append(order, b)
		}
		for k, v := range cs {
			sums[b][k] += v
			sums[b][hour+k] += v
		}
	}
	total := Counters{}
	for _, o := range c.Offers {
		total.Add(o)
	}
	for _, v := range []struct{ dim, val string }{{ByAll, ""}, {ByQueue, c.QueueID}, {ByNumber, c.Number}, {ByStartType, string(c.StartType)}} {
		add(v.dim, v.val, c.Counters)
		add(v.dim, v.val, total)
	}
	add(ByAgent, c.AgentID, c.Counters)
	for _, team := range c.Teams {
		add(ByTeam, team, c.Counters)
	}
	offered := make([]string, 0, len(c.Offers))
	for id := range c.Offers {
		offered = append(offered, id)
	}
	sort.Strings(offered)
	for _, id := range offered {
		add(ByAgent, id, c.Offers[id])
		for _, team := range c.OfferTeams[id] {
			add(ByTeam, team, c.Offers[id])
		}
	}
	out := make([]Shard, 0, len(order))
	for _, b := range order {
		out = append(out, Shard{Bucket: b, Index: idx, Counters: sums[b]})
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
