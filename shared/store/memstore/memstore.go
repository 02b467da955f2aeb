// Package memstore is the embedded twin of the Firestore store: all state in
// memory, transactions serialized by one lock. It backs scripts/dev and the
// fast tests, and passes the same contract suite (storetest) as Firestore.
package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu   sync.Mutex
	data *state
	// revision counts configuration writes (see store.Store.ConfigRevision).
	revision int64
	// keys are the API-key collections (apikeys.go).
	keys keyTables
	// batches are the outbound batches (batches.go).
	batches batchTable
	// ivr are the IVR webhook's records (ivr.go).
	ivr ivrTables
	// stats are the statistics counters (stats.go).
	stats statTables
	// notes are the private notes and mentions (notes.go), under mu.
	notes noteTables
}

// state is every collection. Values are stored as copies, never shared with
// callers, so a caller mutating what it read cannot change the store.
type state struct {
	inbound     map[string]store.InboundRecord
	numbers     map[string]chat.Number
	queues      map[string]chat.Queue
	agents      map[string]chat.Agent
	teams       map[string]chat.Team
	settings    *chat.Settings
	consents    map[string]chat.Consent
	events      map[string]map[string]chat.ConsentEvent // thread → event id → event
	activeChats map[string]string
	chats       map[string]chat.Chat
	messages    map[string]map[int64]chat.Message
	canned      map[string]chat.Canned
	lanes       map[string]lane.State // pacing lanes by lane.ID, made on first write
}

// New returns an empty store.
func New() *Store {
	return &Store{data: &state{
		inbound:     map[string]store.InboundRecord{},
		numbers:     map[string]chat.Number{},
		queues:      map[string]chat.Queue{},
		agents:      map[string]chat.Agent{},
		teams:       map[string]chat.Team{},
		consents:    map[string]chat.Consent{},
		events:      map[string]map[string]chat.ConsentEvent{},
		activeChats: map[string]string{},
		chats:       map[string]chat.Chat{},
		messages:    map[string]map[int64]chat.Message{},
		canned:      map[string]chat.Canned{},
	}}
}

var _ store.Store = (*Store)(nil)

func thread(number, consumer string) string { return number + "_" + consumer }

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound) }

// RunTx runs fn under the store's lock against a staging area that is
// applied only when fn succeeds, which makes transactions serializable and
// all-or-nothing like Firestore's.
func (s *Store) RunTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &tx{base: s.data}
	if err := fn(tx); err != nil {
		return err
	}
	for _, w := range tx.writes {
		w(s.data)
	}
	return nil
}

func (s *Store) CreateInbound(ctx context.Context, rec store.InboundRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.data.inbound[rec.Message.ID]; ok {
		return fmt.Errorf("inbound %q: %w", rec.Message.ID, store.ErrConflict)
	}
	s.data.inbound[rec.Message.ID] = cloneInbound(rec)
	return nil
}

func (s *Store) Inbound(ctx context.Context, id string) (store.InboundRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.data.inbound[id]
	if !ok {
		return store.InboundRecord{}, notFound("inbound", id)
	}
	return cloneInbound(rec), nil
}

func (s *Store) Number(ctx context.Context, e164 string) (chat.Number, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.data.numbers[e164]
	if !ok {
		return chat.Number{}, notFound("number", e164)
	}
	return n, nil
}

func (s *Store) PutNumber(ctx context.Context, n chat.Number) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	s.data.numbers[n.E164] = n
	return nil
}

func (s *Store) Numbers(ctx context.Context) ([]chat.Number, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedValues(s.data.numbers), nil
}

func (s *Store) DeleteNumber(ctx context.Context, e164 string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	delete(s.data.numbers, e164)
	return nil
}

// ConfigRevision returns a value that changes with every configuration
// write, "" before the first.
func (s *Store) ConfigRevision(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revision == 0 {
		return "", nil
	}
	return strconv.FormatInt(s.revision, 10), nil
}

func (s *Store) PutQueue(ctx context.Context, q chat.Queue) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	s.data.queues[q.ID] = clone(q)
	return nil
}

func (s *Store) Queues(ctx context.Context) ([]chat.Queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(sortedValues(s.data.queues)), nil
}

func (s *Store) DeleteQueue(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	delete(s.data.queues, id)
	return nil
}

func (s *Store) PutAgent(ctx context.Context, a chat.Agent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.agents[a.ID] = cloneAgent(a)
	return nil
}

func (s *Store) Agents(ctx context.Context) ([]chat.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := sortedValues(s.data.agents)
	for i := range as {
		as[i] = cloneAgent(as[i])
	}
	return as, nil
}

func (s *Store) Agent(ctx context.Context, id string) (chat.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.data.agents[id]
	if !ok {
		return chat.Agent{}, notFound("agent", id)
	}
	return cloneAgent(a), nil
}

func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data.agents, id)
	return nil
}

func (s *Store) PutTeam(ctx context.Context, t chat.Team) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	s.data.teams[t.ID] = clone(t)
	return nil
}

func (s *Store) Teams(ctx context.Context) ([]chat.Team, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(sortedValues(s.data.teams)), nil
}

func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	delete(s.data.teams, id)
	return nil
}

// sortedValues lists a collection in document-id order, as Firestore does.
func sortedValues[T any](m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func (s *Store) Settings(ctx context.Context) (chat.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data.settings == nil {
		return chat.Settings{}, notFound("settings", "sms")
	}
	return clone(*s.data.settings), nil
}

func (s *Store) PutSettings(ctx context.Context, st chat.Settings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revision++
	c := clone(st)
	s.data.settings = &c
	return nil
}

func (s *Store) Chat(ctx context.Context, id string) (chat.Chat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.data.chats[id]
	if !ok {
		return chat.Chat{}, notFound("chat", id)
	}
	return cloneChat(c), nil
}

func (s *Store) Messages(ctx context.Context, chatID string) ([]chat.Message, error) {
	return s.MessagesAfter(ctx, chatID, 0)
}

func (s *Store) MessagesAfter(ctx context.Context, chatID string, afterSeq int64) ([]chat.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := make([]chat.Message, 0, len(s.data.messages[chatID]))
	for _, m := range s.data.messages[chatID] {
		if m.Seq > afterSeq {
			ms = append(ms, cloneMessage(m))
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Seq < ms[j].Seq })
	return ms, nil
}

func (s *Store) Message(ctx context.Context, ref chat.Ref) (chat.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.data.messages[ref.ChatID][ref.Seq]
	if !ok {
		return chat.Message{}, notFound("message", fmt.Sprintf("%s/%d", ref.ChatID, ref.Seq))
	}
	return cloneMessage(m), nil
}

func (s *Store) UpdateDelivery(ctx context.Context, ref chat.Ref, fn func(chat.Message) (chat.Message, bool, error)) (chat.Message, error) {
	if err := ctx.Err(); err != nil {
		return chat.Message{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.data.messages[ref.ChatID][ref.Seq]
	if !ok {
		return chat.Message{}, notFound("message", fmt.Sprintf("%s/%d", ref.ChatID, ref.Seq))
	}
	next, write, err := fn(cloneMessage(m))
	if err != nil || !write {
		return cloneMessage(m), err
	}
	m.Send, m.Delivery, m.ProviderMessageID = next.Send, next.Delivery, next.ProviderMessageID
	s.data.messages[ref.ChatID][ref.Seq] = m
	return cloneMessage(m), nil
}

func (s *Store) RecordSend(ctx context.Context, ref chat.Ref, send chat.Send, providerMessageID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.data.messages[ref.ChatID][ref.Seq]
	if !ok {
		return notFound("message", fmt.Sprintf("%s/%d", ref.ChatID, ref.Seq))
	}
	m.Send, m.ProviderMessageID = send, providerMessageID
	s.data.messages[ref.ChatID][ref.Seq] = m
	return nil
}

func (s *Store) Consent(ctx context.Context, number, consumer string) (chat.Consent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.data.consents[thread(number, consumer)]
	if !ok {
		return chat.Consent{}, notFound("consent", thread(number, consumer))
	}
	return cloneConsent(c), nil
}

func (s *Store) ConsentEvents(ctx context.Context, number, consumer string) ([]chat.ConsentEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs := make([]chat.ConsentEvent, 0, len(s.data.events[thread(number, consumer)]))
	for _, ev := range s.data.events[thread(number, consumer)] {
		evs = append(evs, ev)
	}
	chat.SortLedger(evs)
	return evs, nil
}

func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("memstore: clone %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("memstore: clone %T: %v", v, err))
	}
	return out
}

// The hot types are copied by hand: the inbound webhook's benchmark runs on
// this store, and a JSON round trip would dominate it.
func cloneInbound(r store.InboundRecord) store.InboundRecord {
	r.Message.Media = append([]chat.Media(nil), r.Message.Media...)
	r.Replies = append([]chat.Ref(nil), r.Replies...)
	return r
}

// cloneAgent is by hand too: routing reads agents in every assignment.
func cloneAgent(a chat.Agent) chat.Agent {
	a.Languages = slices.Clone(a.Languages)
	return a
}

func cloneChat(c chat.Chat) chat.Chat {
	if c.Offer != nil {
		o := *c.Offer
		c.Offer = &o
	}
	c.Declined = slices.Clone(c.Declined)
	c.OfferedTo = slices.Clone(c.OfferedTo)
	c.Timers = slices.Clone(c.Timers)
	c.Outbox = slices.Clone(c.Outbox)
	c.Transfers = slices.Clone(c.Transfers)
	c.Requests = slices.Clone(c.Requests)
	c.Labels = slices.Clone(c.Labels)
	c.SearchTokens = slices.Clone(c.SearchTokens)
	c.Unpublished = slices.Clone(c.Unpublished)
	return c
}

func cloneMessage(m chat.Message) chat.Message {
	m.Media = append([]chat.Media(nil), m.Media...)
	return m
}

func cloneConsent(c chat.Consent) chat.Consent {
	if c.OptOutConfirmation != nil {
		ref := *c.OptOutConfirmation
		c.OptOutConfirmation = &ref
	}
	return c
}
