// Package monitor is the supervisors' live view of the SMS channel: every
// agent's status and load, the chats ongoing and upcoming, and per queue
// what waits, what is offered, what is active and the estimated wait.
//
// It is a read model built per request from documents the routing already
// keeps current (agents, open chats), so a change shows at the next poll
// and nothing is written. What it reads per refresh is bounded: the
// configuration revision (1 read), the agents (1 per agent), the open chats
// (1 per chat, at most MaxOpen, in 3 queries, and 1 per empty query), and,
// at most every TodayTTL, today's per-agent and per-queue counters (at most
// 16 shard documents per agent and per queue).
package monitor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/ewt"
	"github.com/smsdesk/smsdesk/shared/stats"
)

// MaxOpen bounds the open chats a refresh reads (and shows).
const MaxOpen = 500

// TodayTTL is how long today's counters are reused: they change only when
// a chat ends, and are read from up to 16 documents per agent and queue.
const TodayTTL = 15 * time.Second

// Store is what the monitor reads.
type Store interface {
	configtree.Store
	Agents(ctx context.Context) ([]chat.Agent, error)
	OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error)
	StatShardsBy(ctx context.Context, fromDay, toDay, dim, value string) ([]stats.Shard, error)
}

// Service builds snapshots. Its zero value with a Store is ready; it is
// safe for concurrent use.
type Service struct {
	Store Store
	Clock clock.Clock

	mu       sync.Mutex
	revision string
	tree     *chat.Tree
	queues   []chat.Queue
	today    today
}

type today struct {
	day     string
	at      time.Time
	answers map[string]int64 // agent → chats answered today
	handles map[string]time.Duration
}

// Agent is one row of the Agents page.
type Agent struct {
	ID            string           `json:"id"`
	Name          string           `json:"name"`
	Status        chat.AgentStatus `json:"status"`
	StatusReason  string           `json:"statusReason,omitempty"`
	StatusSince   time.Time        `json:"statusSince,omitzero"`
	InStatusMs    int64            `json:"inStatusMs"`
	Chats         int              `json:"chats"`   // held now
	Offered       int              `json:"offered"` // offered now, not yet accepted
	Load          int              `json:"load"`
	Capacity      int              `json:"capacity"`
	AnsweredToday int64            `json:"answeredToday"`
	LastSeenAt    time.Time        `json:"lastSeenAt,omitzero"`
}

// Chat states of the Chats page: upcoming is menu, waiting or offered.
const (
	StateMenu    = "menu"
	StateWaiting = "waiting"
	StateOffered = "offered"
	StateActive  = "active"
	StateEnded   = "ended"
)

// Chat is one row of the Chats page.
type Chat struct {
	ID        string         `json:"id"`
	State     string         `json:"state"`
	QueueID   string         `json:"queueId"`
	QueuePath string         `json:"queuePath"`
	StartType chat.StartType `json:"startType"`
	// StartLabel is the reference product's start type wording.
	StartLabel string    `json:"startLabel"`
	Type       string    `json:"type"` // SMS or outbound SMS
	Number     string    `json:"number"`
	Consumer   string    `json:"consumer"`
	AgentID    string    `json:"agentId,omitempty"`
	AgentName  string    `json:"agentName,omitempty"`
	OfferedTo  string    `json:"offeredTo,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	QueuedAt   time.Time `json:"queuedAt,omitzero"`
	AssignedAt time.Time `json:"assignedAt,omitzero"`
	EndedAt    time.Time `json:"endedAt,omitzero"`
	EndReason  string    `json:"endReason,omitempty"`
	// WaitMs is queued to assigned (or to now while waiting); HandleMs
	// assigned to ended (or to now).
	WaitMs   int64 `json:"waitMs"`
	HandleMs int64 `json:"handleMs"`
	// LastActivityAt is the chat's last change: a message in or out, an
	// assignment, a transfer.
	LastActivityAt time.Time `json:"lastActivityAt"`
	// LastMessage is the latest text's body and who wrote it, when.
	LastMessage   string      `json:"lastMessage,omitempty"`
	LastAuthor    chat.Author `json:"lastAuthor,omitempty"`
	LastMessageAt time.Time   `json:"lastMessageAt,omitzero"`
	// WrapUpCode and Labels are the agent's closing code and the chat's
	// labels, for the history's exports.
	WrapUpCode string   `json:"wrapUpCode,omitempty"`
	Labels     []string `json:"labels,omitempty"`
	Transfers  int      `json:"transfers"`
	Version    int64    `json:"version"`
}

// Counts are a queue's chats by state.
type Counts struct {
	Menu    int `json:"menu"`
	Waiting int `json:"waiting"`
	Offered int `json:"offered"`
	Active  int `json:"active"`
}

// Queue is one row of Queues > Chats.
type Queue struct {
	ID            string `json:"id"`
	Path          string `json:"path"`
	Leaf          bool   `json:"leaf"`
	Menu          int    `json:"menu"`
	Waiting       int    `json:"waiting"`
	Offered       int    `json:"offered"`
	Active        int    `json:"active"`
	LongestWaitMs int64  `json:"longestWaitMs"`
	// EWTSeconds is the estimated wait of a new chat (shared/ewt), -1 when
	// no available agent with capacity works the queue.
	EWTSeconds int64 `json:"ewtSeconds"`
	Agents     int   `json:"agents"`
	FreeSlots  int   `json:"freeSlots"`
	// ByType splits the counts by chat type (SMS, outbound SMS).
	ByType map[string]Counts `json:"byType"`
}

// Snapshot is one refresh of the monitoring pages.
type Snapshot struct {
	GeneratedAt time.Time `json:"generatedAt"`
	Day         string    `json:"day"`
	Agents      []Agent   `json:"agents"`
	Chats       []Chat    `json:"chats"`
	Queues      []Queue   `json:"queues"`
	// Truncated: more than MaxOpen chats are open; the oldest are shown.
	Truncated bool `json:"truncated,omitempty"`
}

// Type is a chat's type for the reports' Type column: the channel is SMS
// today; a chat the business started is "outbound SMS".
func Type(c chat.Chat) string {
	if c.StartType == chat.StartOutbound || c.StartType == chat.StartSessionless {
		return "outbound SMS"
	}
	return "SMS"
}

// StartLabel is the reference product's name of a start type.
func StartLabel(t chat.StartType) string {
	switch t {
	case chat.StartManual:
		return "manual answer"
	case chat.StartAuto:
		return "auto answer"
	case chat.StartInbound:
		return "not answered yet"
	case "":
		return ""
	}
	return string(t) // outbound, deflected, wait-time, in-call, sessionless
}

// Row is a chat as the Chats page and the history show it, at now.
func Row(tree *chat.Tree, names map[string]string, c chat.Chat, now time.Time) Chat {
	r := Chat{ID: c.ID, QueueID: c.QueueID, QueuePath: tree.Path(c.QueueID), StartType: c.StartType,
		StartLabel: StartLabel(c.StartType), Type: Type(c), Number: c.Number, Consumer: c.Consumer, AgentID: c.AgentID,
		AgentName: names[c.AgentID], CreatedAt: c.CreatedAt, QueuedAt: c.QueuedAt, AssignedAt: c.AssignedAt, EndedAt: c.EndedAt,
		EndReason: string(c.EndReason), LastActivityAt: c.UpdatedAt, Transfers: len(c.Transfers), Version: c.Version,
		LastMessage: c.LastBody, LastAuthor: c.LastAuthor, LastMessageAt: c.LastAt, WrapUpCode: c.WrapUpCode, Labels: c.Labels}
	if r.QueuePath == "" {
		r.QueuePath = c.QueueID
	}
	end := now
	if !c.EndedAt.IsZero() {
		end = c.EndedAt
	}
	switch {
	case c.Status == chat.StatusEnded:
		r.State = StateEnded
	case c.Status == chat.StatusMenu:
		r.State = StateMenu
	case c.Status == chat.StatusQueued && c.Offer != nil:
		r.State, r.OfferedTo = StateOffered, c.Offer.AgentID
	case c.Status == chat.StatusQueued:
		r.State = StateWaiting
	default:
		r.State = StateActive
		if c.Offer != nil {
			r.OfferedTo = c.Offer.AgentID // a transfer to an agent, pending
		}
	}
	if !c.QueuedAt.IsZero() {
		to := end
		if !c.AssignedAt.IsZero() {
			to = c.AssignedAt
		}
		r.WaitMs = max(to.Sub(c.QueuedAt).Milliseconds(), 0)
	}
	if !c.AssignedAt.IsZero() {
		r.HandleMs = max(end.Sub(c.AssignedAt).Milliseconds(), 0)
	}
	return r
}

// Tree is the routing configuration and every queue, cached per revision.
func (s *Service) Tree(ctx context.Context) (*chat.Tree, []chat.Queue, error) {
	rev, err := s.Store.ConfigRevision(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: configuration revision: %w", err)
	}
	s.mu.Lock()
	if rev != "" && rev == s.revision && s.tree != nil {
		t, qs := s.tree, s.queues
		s.mu.Unlock()
		return t, qs, nil
	}
	s.mu.Unlock()
	tree, err := configtree.Load(ctx, s.Store)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: %w", err)
	}
	qs, err := s.Store.Queues(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: queues: %w", err)
	}
	s.mu.Lock()
	s.revision, s.tree, s.queues = rev, tree, qs
	s.mu.Unlock()
	return tree, qs, nil
}

// todays are today's answered counts per agent and mean handle times per
// queue, reused for TodayTTL.
func (s *Service) todays(ctx context.Context, day string, now time.Time) (today, error) {
	s.mu.Lock()
	t := s.today
	s.mu.Unlock()
	if t.day == day && now.Sub(t.at) < TodayTTL && now.Sub(t.at) >= 0 {
		return t, nil
	}
	agents, err := s.Store.StatShardsBy(ctx, day, day, stats.ByAgent, "")
	if err != nil {
		return t, fmt.Errorf("monitor: today's agents: %w", err)
	}
	queues, err := s.Store.StatShardsBy(ctx, day, day, stats.ByQueue, "")
	if err != nil {
		return t, fmt.Errorf("monitor: today's queues: %w", err)
	}
	t = today{day: day, at: now, answers: map[string]int64{}, handles: map[string]time.Duration{}}
	for _, r := range stats.Sum(agents, stats.ByAgent) {
		t.answers[r.Key] = r.Counters[stats.CAnswered]
	}
	for _, r := range stats.Sum(queues, stats.ByQueue) {
		if n := r.Counters[stats.CHandleN]; n > 0 {
			t.handles[r.Key] = time.Duration(r.Counters[stats.CHandleMs]/n) * time.Millisecond
		}
	}
	s.mu.Lock()
	s.today = t
	s.mu.Unlock()
	return t, nil
}

// Snapshot reads the monitoring pages' state now.
func (s *Service) Snapshot(ctx context.Context) (Snapshot, error) {
	now := s.Clock.Time()
	tree, queues, err := s.Tree(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	day := stats.Day(now, stats.Location(tree.Settings.QuietHours.TimeZone))
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("monitor: agents: %w", err)
	}
	open, err := s.Store.OpenChats(ctx, nil, MaxOpen+1)
	if err != nil {
		return Snapshot{}, fmt.Errorf("monitor: open chats: %w", err)
	}
	td, err := s.todays(ctx, day, now)
	if err != nil {
		return Snapshot{}, err
	}
	out := Snapshot{GeneratedAt: now, Day: day, Agents: []Agent{}, Chats: []Chat{}, Queues: []Queue{}}
	if len(open) > MaxOpen {
		open, out.Truncated = open[:MaxOpen], true
	}
	names := map[string]string{}
	for _, a := range agents {
		names[a.ID] = cmp.Or(a.Name, a.ID)
	}
	held, offered := map[string]int{}, map[string]int{}
	for _, c := range open {
		r := Row(tree, names, c, now)
		out.Chats = append(out.Chats, r)
		if c.Status == chat.StatusActive && c.AgentID != "" {
			held[c.AgentID]++
		}
		if r.OfferedTo != "" {
			offered[r.OfferedTo]++
		}
	}
	for _, a := range agents {
		r := Agent{ID: a.ID, Name: names[a.ID], Status: a.Status, StatusReason: a.StatusReason, StatusSince: a.StatusSince,
			Chats: held[a.ID], Offered: offered[a.ID], Load: a.Load, Capacity: a.Capacity, AnsweredToday: td.answers[a.ID], LastSeenAt: a.LastSeenAt}
		if !a.StatusSince.IsZero() {
			r.InStatusMs = max(now.Sub(a.StatusSince).Milliseconds(), 0)
		}
		out.Agents = append(out.Agents, r)
	}
	slices.SortFunc(out.Agents, func(a, b Agent) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	out.Queues = queueRows(tree, queues, agents, out.Chats, td)
	return out, nil
}

func queueRows(tree *chat.Tree, queues []chat.Queue, agents []chat.Agent, chats []Chat, td today) []Queue {
	byID := map[string]chat.Agent{}
	for _, a := range agents {
		byID[a.ID] = a
	}
	parents := map[string]bool{}
	for _, q := range queues {
		if q.ParentID != "" {
			parents[q.ParentID] = true
		}
	}
	rows := map[string]*Queue{}
	for _, q := range queues {
		rows[q.ID] = &Queue{ID: q.ID, Path: tree.Path(q.ID), Leaf: !parents[q.ID], ByType: map[string]Counts{}}
	}
	for _, c := range chats {
		r := rows[c.QueueID]
		if r == nil {
			continue // a queue deleted since; the chat is still on the Chats page
		}
		bt := r.ByType[c.Type]
		switch c.State {
		case StateMenu:
			r.Menu++
			bt.Menu++
		case StateWaiting:
			r.Waiting++
			bt.Waiting++
		case StateOffered:
			r.Offered++
			bt.Offered++
		case StateActive:
			r.Active++
			bt.Active++
		}
		r.ByType[c.Type] = bt
		if (c.State == StateWaiting || c.State == StateOffered) && c.WaitMs > r.LongestWaitMs {
			r.LongestWaitMs = c.WaitMs
		}
	}
	out := make([]Queue, 0, len(rows))
	for _, q := range queues {
		r := rows[q.ID]
		in := ewt.Input{Waiting: r.Waiting} // an offered chat holds its agent's slot already
		if h, ok := td.handles[q.ID]; ok {
			in.Handles = []time.Duration{h}
		}
		for _, id := range tree.Agents(q.ID) {
			a, ok := byID[id]
			if !ok {
				continue
			}
			r.Agents++
			in.Agents = append(in.Agents, ewt.Agent{Available: a.Status == chat.AgentAvailable, Capacity: a.Capacity, Load: a.Load})
			if a.Free() {
				r.FreeSlots += a.Capacity - a.Load
			}
		}
		if est := ewt.Of(in); est.Unstaffed {
			r.EWTSeconds = -1
		} else {
			r.EWTSeconds = int64(est.Wait.Seconds())
		}
		if !r.Leaf {
			r.EWTSeconds = 0 // a menu holds no one waiting
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Queue) int { return cmp.Compare(a.Path, b.Path) })
	return out
}
