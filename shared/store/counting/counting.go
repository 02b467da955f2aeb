// Package counting wraps an store.Store and counts the document operations a
// Firestore deployment would be billed for, so the cost of a message can be
// measured instead of guessed.
package counting

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Firestore list prices, US multi-region, per 100,000 operations.
const (
	PriceRead   = 0.06
	PriceWrite  = 0.18
	PriceDelete = 0.02
)

// Counts are billed document operations.
type Counts struct {
	Reads, Writes, Deletes int64
}

// Cost is the list price of the operations in US dollars.
func (c Counts) Cost() float64 {
	return (float64(c.Reads)*PriceRead + float64(c.Writes)*PriceWrite + float64(c.Deletes)*PriceDelete) / 100_000
}

// Store counts operations on the wrapped store.
type Store struct {
	next                   store.Store
	reads, writes, deletes atomic.Int64
}

var _ store.Store = (*Store)(nil)

// Wrap returns a counting store.
func Wrap(next store.Store) *Store { return &Store{next: next} }

// Counts returns the totals so far.
func (s *Store) Counts() Counts {
	return Counts{Reads: s.reads.Load(), Writes: s.writes.Load(), Deletes: s.deletes.Load()}
}

// Reset zeroes the totals.
func (s *Store) Reset() { s.reads.Store(0); s.writes.Store(0); s.deletes.Store(0) }

func (s *Store) read(n int) { s.reads.Add(int64(n)) }

// RunTx counts the operations of the attempt that committed: a retried
// attempt's reads are billed too, but the embedded store never retries, so
// this is the uncontended cost.
func (s *Store) RunTx(ctx context.Context, fn func(tx store.Tx) error) error {
	var last *tx
	err := s.next.RunTx(ctx, func(inner store.Tx) error {
		last = &tx{next: inner}
		return fn(last)
	})
	if err == nil && last != nil {
		s.reads.Add(last.reads)
		s.writes.Add(last.writes)
		s.deletes.Add(last.deletes)
	}
	return err
}

func (s *Store) CreateInbound(ctx context.Context, rec store.InboundRecord) error {
	s.writes.Add(1)
	return s.next.CreateInbound(ctx, rec)
}

func (s *Store) Inbound(ctx context.Context, id string) (store.InboundRecord, error) {
	s.read(1)
	return s.next.Inbound(ctx, id)
}

func (s *Store) Number(ctx context.Context, e164 string) (chat.Number, error) {
	s.read(1)
	return s.next.Number(ctx, e164)
}

func (s *Store) Batch(ctx context.Context, id string) (store.OutboundBatch, error) {
	s.read(1)
	return s.next.Batch(ctx, id)
}

func (s *Store) PutBatch(ctx context.Context, b store.OutboundBatch) error {
	s.writes.Add(1)
	return s.next.PutBatch(ctx, b)
}

func (s *Store) PutNumber(ctx context.Context, n chat.Number) error {
	s.writes.Add(2) // and the configuration revision
	return s.next.PutNumber(ctx, n)
}

func (s *Store) Numbers(ctx context.Context) ([]chat.Number, error) {
	ns, err := s.next.Numbers(ctx)
	s.read(max(len(ns), 1))
	return ns, err
}

func (s *Store) Settings(ctx context.Context) (chat.Settings, error) {
	s.read(1)
	return s.next.Settings(ctx)
}

func (s *Store) PutSettings(ctx context.Context, st chat.Settings) error {
	s.writes.Add(2) // and the configuration revision
	return s.next.PutSettings(ctx, st)
}

func (s *Store) PutQueue(ctx context.Context, q chat.Queue) error {
	s.writes.Add(2) // and the configuration revision
	return s.next.PutQueue(ctx, q)
}

func (s *Store) Queues(ctx context.Context) ([]chat.Queue, error) {
	qs, err := s.next.Queues(ctx)
	s.read(max(len(qs), 1))
	return qs, err
}

func (s *Store) PutAgent(ctx context.Context, a chat.Agent) error {
	s.writes.Add(1)
	return s.next.PutAgent(ctx, a)
}

func (s *Store) Agents(ctx context.Context) ([]chat.Agent, error) {
	as, err := s.next.Agents(ctx)
	s.read(max(len(as), 1))
	return as, err
}

func (s *Store) Agent(ctx context.Context, id string) (chat.Agent, error) {
	s.read(1)
	return s.next.Agent(ctx, id)
}

func (s *Store) PutTeam(ctx context.Context, t chat.Team) error {
	s.writes.Add(2) // and the configuration revision
	return s.next.PutTeam(ctx, t)
}

func (s *Store) ConfigRevision(ctx context.Context) (string, error) {
	s.read(1)
	return s.next.ConfigRevision(ctx)
}

func (s *Store) Teams(ctx context.Context) ([]chat.Team, error) {
	ts, err := s.next.Teams(ctx)
	s.read(max(len(ts), 1))
	return ts, err
}

// DeleteNumber counts one delete whether or not the number existed, as
// Firestore bills the operation either way; so do the other deletes.
func (s *Store) DeleteNumber(ctx context.Context, e164 string) error {
	s.deletes.Add(1)
	s.writes.Add(1) // the configuration revision
	return s.next.DeleteNumber(ctx, e164)
}

func (s *Store) DeleteQueue(ctx context.Context, id string) error {
	s.deletes.Add(1)
	s.writes.Add(1) // the configuration revision
	return s.next.DeleteQueue(ctx, id)
}

func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	s.deletes.Add(1)
	s.writes.Add(1) // the configuration revision
	return s.next.DeleteTeam(ctx, id)
}

func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	s.deletes.Add(1)
	return s.next.DeleteAgent(ctx, id)
}

func (s *Store) Chat(ctx context.Context, id string) (chat.Chat, error) {
	s.read(1)
	return s.next.Chat(ctx, id)
}

func (s *Store) Messages(ctx context.Context, chatID string) ([]chat.Message, error) {
	ms, err := s.next.Messages(ctx, chatID)
	s.read(max(len(ms), 1))
	return ms, err
}

func (s *Store) MessagesAfter(ctx context.Context, chatID string, afterSeq int64) ([]chat.Message, error) {
	ms, err := s.next.MessagesAfter(ctx, chatID, afterSeq)
	s.read(max(len(ms), 1))
	return ms, err
}

func (s *Store) Message(ctx context.Context, ref chat.Ref) (chat.Message, error) {
	s.read(1)
	return s.next.Message(ctx, ref)
}

// UpdateDelivery counts the read and the write of the attempt that ended
// it (the embedded store never needs a second).
func (s *Store) UpdateDelivery(ctx context.Context, ref chat.Ref, fn func(chat.Message) (chat.Message, bool, error)) (chat.Message, error) {
	s.read(1)
	return s.next.UpdateDelivery(ctx, ref, func(m chat.Message) (chat.Message, bool, error) {
		next, write, err := fn(m)
		if write && err == nil {
			s.writes.Add(1)
		}
		return next, write, err
	})
}

func (s *Store) RecordSend(ctx context.Context, ref chat.Ref, send chat.Send, providerMessageID string) error {
	s.writes.Add(1)
	return s.next.RecordSend(ctx, ref, send, providerMessageID)
}

func (s *Store) Consent(ctx context.Context, number, consumer string) (chat.Consent, error) {
	s.read(1)
	return s.next.Consent(ctx, number, consumer)
}

func (s *Store) ConsentEvents(ctx context.Context, number, consumer string) ([]chat.ConsentEvent, error) {
	evs, err := s.next.ConsentEvents(ctx, number, consumer)
	s.read(max(len(evs), 1))
	return evs, err
}

// tx counts one transaction attempt.
type tx struct {
	next                   store.Tx
	reads, writes, deletes int64
}

var _ store.Tx = (*tx)(nil)

func (t *tx) Inbound(id string) (store.InboundRecord, error) { t.reads++; return t.next.Inbound(id) }
func (t *tx) PutInbound(rec store.InboundRecord)             { t.writes++; t.next.PutInbound(rec) }
func (t *tx) Number(e164 string) (chat.Number, error)        { t.reads++; return t.next.Number(e164) }
func (t *tx) Settings() (chat.Settings, error)               { t.reads++; return t.next.Settings() }
func (t *tx) Consent(number, consumer string) (chat.Consent, error) {
	t.reads++
	return t.next.Consent(number, consumer)
}
func (t *tx) PutConsent(c chat.Consent) { t.writes++; t.next.PutConsent(c) }
func (t *tx) AddConsentEvent(number, consumer string, ev chat.ConsentEvent) {
	t.writes++
	t.next.AddConsentEvent(number, consumer, ev)
}
func (t *tx) ActiveChatID(number, consumer string) (string, error) {
	t.reads++
	return t.next.ActiveChatID(number, consumer)
}
func (t *tx) SetActiveChat(number, consumer, chatID string) {
	t.writes++
	t.next.SetActiveChat(number, consumer, chatID)
}
func (t *tx) ClearActiveChat(number, consumer string) {
	t.deletes++
	t.next.ClearActiveChat(number, consumer)
}
func (t *tx) Chat(id string) (chat.Chat, error)          { t.reads++; return t.next.Chat(id) }
func (t *tx) PutChat(c chat.Chat)                        { t.writes++; t.next.PutChat(c) }
func (t *tx) Message(ref chat.Ref) (chat.Message, error) { t.reads++; return t.next.Message(ref) }
func (t *tx) PutMessage(m chat.Message)                  { t.writes++; t.next.PutMessage(m) }
func (t *tx) Agent(id string) (chat.Agent, error)        { t.reads++; return t.next.Agent(id) }
func (t *tx) PutAgent(a chat.Agent)                      { t.writes++; t.next.PutAgent(a) }
func (t *tx) Lane(number string, index int) (lane.State, error) {
	t.reads++
	return t.next.Lane(number, index)
}
func (t *tx) PutLane(l lane.State) { t.writes++; t.next.PutLane(l) }

// WaitingChats is a query: one read per chat returned, at least one. No
// query runs for no queues or invalid arguments, so nothing is billed then.
// The count is a floor under Firestore: it also bills the queried chats
// that the transaction's own staged writes replaced or dropped.
func (t *tx) WaitingChats(queueIDs []string, limit int) ([]chat.Chat, error) {
	cs, err := t.next.WaitingChats(queueIDs, limit)
	if len(queueIDs) > 0 && len(queueIDs) <= 30 && limit > 0 {
		t.reads += int64(max(len(cs), 1))
	}
	return cs, err
}

// Queries bill one read per document returned and at least one per query
// run; the counts of the console's queries below are that floor for the
// queries each adapter call runs (AgentChats and OpenChats run three).

func (s *Store) AgentChats(ctx context.Context, agentID string, endedSince time.Time, limit int) ([]chat.Chat, error) {
	cs, err := s.next.AgentChats(ctx, agentID, endedSince, limit)
	if err == nil {
		queries := 3
		if limit == 0 {
			queries = 2 // the ended chats' query is not run
		}
		s.read(max(len(cs), queries))
	}
	return cs, err
}

func (s *Store) OpenChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	cs, err := s.next.OpenChats(ctx, queueIDs, limit)
	if err == nil && (queueIDs == nil || len(queueIDs) > 0) {
		s.read(max(len(cs), 3))
	}
	return cs, err
}

func (s *Store) QueuedChats(ctx context.Context, queueIDs []string, limit int) ([]chat.Chat, error) {
	cs, err := s.next.QueuedChats(ctx, queueIDs, limit)
	if err == nil && (queueIDs == nil || len(queueIDs) > 0) {
		s.read(max(len(cs), 1))
	}
	return cs, err
}

func (s *Store) ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error) {
	cs, err := s.next.ConsumerChats(ctx, consumer, limit)
	if err == nil {
		s.read(max(len(cs), 1))
	}
	return cs, err
}

func (s *Store) PutCanned(ctx context.Context, c chat.Canned) error {
	s.writes.Add(1)
	return s.next.PutCanned(ctx, c)
}

func (s *Store) CannedMessages(ctx context.Context) ([]chat.Canned, error) {
	cs, err := s.next.CannedMessages(ctx)
	s.read(max(len(cs), 1))
	return cs, err
}

func (s *Store) DeleteCanned(ctx context.Context, id string) error {
	s.deletes.Add(1)
	return s.next.DeleteCanned(ctx, id)
}
