package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is the statistics port: the chat reads it derives contributions
// from and the counter documents.
type Store interface {
	Chat(ctx context.Context, id string) (chat.Chat, error)
	Messages(ctx context.Context, chatID string) ([]chat.Message, error)
	Settings(ctx context.Context) (chat.Settings, error)
	Teams(ctx context.Context) ([]chat.Team, error)
	Numbers(ctx context.Context) ([]chat.Number, error)
	// CountChat adds incs to their shard documents and records chatID as
	// counted (statsCounted/{chatId}) in one transaction; false, and nothing
	// written, when chatID was counted before.
	CountChat(ctx context.Context, chatID string, incs []Shard) (bool, error)
	// StatShards are the shard documents of days from..to (inclusive).
	StatShards(ctx context.Context, fromDay, toDay string) ([]Shard, error)
	// StatShardsBy are those of one dimension, and of one value unless "".
	StatShardsBy(ctx context.Context, fromDay, toDay, dim, value string) ([]Shard, error)
	// ChatHistory are the ended chats q selects, newest first.
	ChatHistory(ctx context.Context, q HistoryQuery) ([]chat.Chat, error)
	// ReplaceStatDay replaces every shard of day with shards and records
	// chatIDs as counted, so a late chat.ended of a rebuilt chat adds nothing.
	ReplaceStatDay(ctx context.Context, day string, shards []Shard, chatIDs []string) error
	// ChatsEnded are the chats that ended in [from, to).
	ChatsEnded(ctx context.Context, from, to time.Time) ([]chat.Chat, error)
}

// Service is the statistics use case.
type Service struct {
	Store Store
	// Prices are the estimate's defaults; a number's own prices override them.
	Prices Prices
}

// Apply counts ev's chat when ev ends it; other events are ignored (their
// figures are read from the ended chat). A redelivered or re-published
// chat.ended changes nothing.
func (s *Service) Apply(ctx context.Context, ev chat.Event) error {
	if ev.Type != chat.EventChatEnded {
		return nil
	}
	c, err := s.Store.Chat(ctx, ev.ChatID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // nothing to count, and a redelivery would find nothing either
	}
	if err != nil {
		return fmt.Errorf("stats: chat %s: %w", ev.ChatID, err)
	}
	if c.EndedAt.IsZero() {
		return nil // re-opened? chat.ended is only published by end; nothing to count
	}
	msgs, err := s.Store.Messages(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("stats: messages of %s: %w", c.ID, err)
	}
	loc, err := s.location(ctx)
	if err != nil {
		return err
	}
	ref, err := s.reference(ctx)
	if err != nil {
		return err
	}
	if _, err := s.Store.CountChat(ctx, c.ID, Increments(ref.contribute(c, msgs), loc)); err != nil {
		return fmt.Errorf("stats: count %s: %w", c.ID, err)
	}
	return nil
}

func (s *Service) location(ctx context.Context) (*time.Location, error) {
	st, err := s.Store.Settings(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("stats: settings: %w", err)
	}
	return Location(st.QuietHours.TimeZone), nil
}

// reference is what a contribution is derived with besides the chat: each
// agent's teams and each number's prices, as configured when counted.
type reference struct {
	teams  map[string][]string
	prices map[string]Prices
	def    Prices
}

func (s *Service) reference(ctx context.Context) (reference, error) {
	ts, err := s.Store.Teams(ctx)
	if err != nil {
		return reference{}, fmt.Errorf("stats: teams: %w", err)
	}
	ns, err := s.Store.Numbers(ctx)
	if err != nil {
		return reference{}, fmt.Errorf("stats: numbers: %w", err)
	}
	def := s.Prices
	if def == (Prices{}) {
		def = DefaultPrices
	}
	ref := reference{teams: map[string][]string{}, prices: map[string]Prices{}, def: def}
	for _, t := range ts {
		for _, m := range t.Members {
			ref.teams[m] = append(ref.teams[m], t.ID)
		}
	}
	for _, n := range ns {
		ref.prices[n.E164] = PricesOf(n, def)
	}
	return ref, nil
}

func (r reference) contribute(c chat.Chat, msgs []chat.Message) Contribution {
	p, ok := r.prices[c.Number]
	if !ok {
		p = r.def
	}
	con := Contribute(c, msgs, p)
	if c.AgentID != "" {
		con.Teams = r.teams[c.AgentID]
	}
	if len(con.Offers) > 0 {
		con.OfferTeams = map[string][]string{}
		for id := range con.Offers {
			con.OfferTeams[id] = r.teams[id]
		}
	}
	return con
}

// Row is one group of a query.
type Row struct {
	Key      string   `json:"key"`
	Counters Counters `json:"counters"`
}

// Query sums days from..to grouped by dim ("" or ByAll for the total);
// rows are sorted by key.
func (s *Service) Query(ctx context.Context, fromDay, toDay, dim string) ([]Row, error) {
	if dim == "" {
		dim = ByAll
	}
	shards, err := s.Store.StatShards(ctx, fromDay, toDay)
	if err != nil {
		return nil, fmt.Errorf("stats: shards %s..%s: %w", fromDay, toDay, err)
	}
	return Sum(shards, dim), nil
}

// Shards are the shard documents of days from..to of dim (all of them for
// ByAll), and of one value unless "".
func (s *Service) Shards(ctx context.Context, fromDay, toDay, dim, value string) ([]Shard, error) {
	shards, err := s.Store.StatShardsBy(ctx, fromDay, toDay, dim, value)
	if err != nil {
		return nil, fmt.Errorf("stats: shards %s %s..%s: %w", dim, fromDay, toDay, err)
	}
	return shards, nil
}

// History searches the ended chats.
func (s *Service) History(ctx context.Context, q HistoryQuery) ([]chat.Chat, error) {
	chats, err := s.Store.ChatHistory(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("stats: history: %w", err)
	}
	return chats, nil
}

// Sum adds the shards of dim by value.
func Sum(shards []Shard, dim string) []Row {
	by := map[string]Counters{}
	for _, sh := range shards {
		if sh.Dim != dim {
			continue
		}
		if by[sh.Value] == nil {
			by[sh.Value] = Counters{}
		}
		by[sh.Value].Add(sh.Counters)
	}
	rows := make([]Row, 0, len(by))
	for k, c := range by {
		rows = append(rows, Row{Key: k, Counters: c})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows
}

// Recompute derives day's shards from the chats that ended that day, all in
// shard 0: what the live counters of that day should add up to.
func (s *Service) Recompute(ctx context.Context, day string) ([]Shard, error) {
	shards, _, err := s.recompute(ctx, day)
	return shards, err
}

func (s *Service) recompute(ctx context.Context, day string) ([]Shard, []string, error) {
	loc, err := s.location(ctx)
	if err != nil {
		return nil, nil, err
	}
	start, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return nil, nil, fmt.Errorf("stats: day %q: want YYYY-MM-DD", day)
	}
	chats, err := s.Store.ChatsEnded(ctx, start, start.AddDate(0, 0, 1))
	if err != nil {
		return nil, nil, fmt.Errorf("stats: chats ended on %s: %w", day, err)
	}
	ref, err := s.reference(ctx)
	if err != nil {
		return nil, nil, err
	}
	sums := map[Bucket]Counters{}
	ids := make([]string, 0, len(chats))
	for _, c := range chats {
		ids = append(ids, c.ID)
		msgs, err := s.Store.Messages(ctx, c.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("stats: messages of %s: %w", c.ID, err)
		}
		for _, sh := range Increments(ref.contribute(c, msgs), loc) {
			if sums[sh.Bucket] == nil {
				sums[sh.Bucket] = Counters{}
			}
			sums[sh.Bucket].Add(sh.Counters)
		}
	}
	out := make([]Shard, 0, len(sums))
	for b, c := range sums {
		out = append(out, Shard{Bucket: b, Counters: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out, ids, nil
}

// Rebuild recomputes day from the chats and replaces its counters.
func (s *Service) Rebuild(ctx context.Context, day string) ([]Shard, error) {
	shards, ids, err := s.recompute(ctx, day)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ReplaceStatDay(ctx, day, shards, ids); err != nil {
		return nil, fmt.Errorf("stats: replace %s: %w", day, err)
	}
	return shards, nil
}
