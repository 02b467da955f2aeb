// Package firestore is the Firestore adapter of store.Store. The collections are
// the design's data model (design §2):
//
//	numbers/{e164}, queues/{id}, agents/{id}, teams/{id}, settings/sms,
//	consents/{number}_{consumer}/events/{id}, activeChats/{number}_{consumer},
//	chats/{id}/messages/{seq}, inbound/{id}, canned/{id}
//
// Tx.WaitingChats queries chats where status == "queued" and queueId in
// [...] ordered by queuedAt, which needs the composite index (queueId ASC,
// status ASC, queuedAt ASC) on the chats collection. The console's queries
// and their indexes are listed in queries.go.
//
// The client honours FIRESTORE_EMULATOR_HOST by itself.
package firestore

import (
	"context"
	"errors"
	"fmt"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Collection names.
const (
	colNumbers     = "numbers"
	colQueues      = "queues"
	colAgents      = "agents"
	colTeams       = "teams"
	colSettings    = "settings"
	colConsents    = "consents"
	colEvents      = "events"
	colActiveChats = "activeChats"
	colChats       = "chats"
	colMessages    = "messages"
	colInbound     = "inbound"
	docSMSSettings = "sms"
	docRevision    = "revision"
)

// revisionDoc is settings/revision: it changes with every write to the
// routing configuration (settings, queues, teams), so a process can keep
// the configuration cached and check it with one read.
type revisionDoc struct {
	Revision string `firestore:"revision"`
}

// Store is store.Store on Firestore.
type Store struct {
	client *gfs.Client
}

var _ store.Store = (*Store)(nil)

// New wraps a Firestore client.
func New(client *gfs.Client) *Store { return &Store{client: client} }

// Open creates a client for projectID (on the emulator when
// FIRESTORE_EMULATOR_HOST is set) and wraps it.
func Open(ctx context.Context, projectID string) (*Store, error) {
	c, err := gfs.NewClient(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("firestore client for %s: %w", projectID, err)
	}
	return New(c), nil
}

// Close releases the client.
func (s *Store) Close() error { return s.client.Close() }

func thread(number, consumer string) string { return number + "_" + consumer }

// seqID is a message's document id: zero-padded so the console's document
// listing sorts like the transcript.
func seqID(seq int64) string { return fmt.Sprintf("%010d", seq) }

func (s *Store) numberRef(e164 string) *gfs.DocumentRef {
	return s.client.Collection(colNumbers).Doc(e164)
}
func (s *Store) queueRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colQueues).Doc(id)
}
func (s *Store) agentRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colAgents).Doc(id)
}
func (s *Store) teamRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colTeams).Doc(id)
}
func (s *Store) settingsRef() *gfs.DocumentRef {
	return s.client.Collection(colSettings).Doc(docSMSSettings)
}
func (s *Store) inboundRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colInbound).Doc(id)
}
func (s *Store) consentRef(number, consumer string) *gfs.DocumentRef {
	return s.client.Collection(colConsents).Doc(thread(number, consumer))
}
func (s *Store) activeRef(number, consumer string) *gfs.DocumentRef {
	return s.client.Collection(colActiveChats).Doc(thread(number, consumer))
}
func (s *Store) chatRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colChats).Doc(id)
}
func (s *Store) messageRef(ref chat.Ref) *gfs.DocumentRef {
	return s.chatRef(ref.ChatID).Collection(colMessages).Doc(seqID(ref.Seq))
}

// mapErr turns Firestore's status codes into the app's sentinel errors.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	switch status.Code(err) {
	case codes.NotFound:
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case codes.AlreadyExists:
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func get[T any](ctx context.Context, ref *gfs.DocumentRef) (T, error) {
	var v T
	snap, err := ref.Get(ctx)
	if err != nil {
		return v, mapErr(err, "get "+ref.Path)
	}
	if err := snap.DataTo(&v); err != nil {
		return v, fmt.Errorf("decode %s: %w", ref.Path, err)
	}
	return v, nil
}

// listByID reads a collection in document-id order, making each value
// from its stored document and its id.
func listByID[D, T any](ctx context.Context, col *gfs.CollectionRef, from func(D, string) T) ([]T, error) {
	snaps, err := col.OrderBy(gfs.DocumentID, gfs.Asc).Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "list "+col.Path)
	}
	out := make([]T, 0, len(snaps))
	for _, snap := range snaps {
		var d D
		if err := snap.DataTo(&d); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, from(d, snap.Ref.ID))
	}
	return out, nil
}

func set(ctx context.Context, ref *gfs.DocumentRef, v any) error {
	if _, err := ref.Set(ctx, v); err != nil {
		return mapErr(err, "set "+ref.Path)
	}
	return nil
}

// configSet writes (or, for a nil value, deletes) a configuration document
// and a new configuration revision atomically.
func (s *Store) configSet(ctx context.Context, ref *gfs.DocumentRef, v any) error {
	rev := revisionDoc{Revision: clock.RandomID()}
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		var err error
		if v == nil {
			err = ft.Delete(ref)
		} else {
			err = ft.Set(ref, v)
		}
		if err != nil {
			return err
		}
		return ft.Set(s.client.Collection(colSettings).Doc(docRevision), rev)
	})
	if err != nil {
		return mapErr(err, "write "+ref.Path)
	}
	return nil
}

// ConfigRevision returns the configuration revision, "" before the first
// configuration write.
func (s *Store) ConfigRevision(ctx context.Context) (string, error) {
	r, err := get[revisionDoc](ctx, s.client.Collection(colSettings).Doc(docRevision))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return r.Revision, err
}

// del deletes a document; deleting a missing one is not an error.
func del(ctx context.Context, ref *gfs.DocumentRef) error {
	if _, err := ref.Delete(ctx); err != nil {
		return mapErr(err, "delete "+ref.Path)
	}
	return nil
}

// RunTx runs fn in a Firestore transaction. Firestore wants every read
// before the first write, so writes are staged and applied when fn returns;
// reads of a staged document see the staged value.
func (s *Store) RunTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		t := &tx{s: s, ft: ft, staged: map[string]stagedDoc{}}
		if err := fn(t); err != nil {
			return err
		}
		return t.flush()
	}, gfs.MaxAttempts(20))
}

func (s *Store) CreateInbound(ctx context.Context, rec store.InboundRecord) error {
	ref := s.inboundRef(rec.Message.ID)
	if _, err := ref.Create(ctx, rec); err != nil {
		return mapErr(err, "create "+ref.Path)
	}
	return nil
}

func (s *Store) Inbound(ctx context.Context, id string) (store.InboundRecord, error) {
	return get[store.InboundRecord](ctx, s.inboundRef(id))
}

func (s *Store) Number(ctx context.Context, e164 string) (chat.Number, error) {
	return get[chat.Number](ctx, s.numberRef(e164))
}

func (s *Store) PutNumber(ctx context.Context, n chat.Number) error {
	return s.configSet(ctx, s.numberRef(n.E164), n)
}

func (s *Store) Numbers(ctx context.Context) ([]chat.Number, error) {
	return list[chat.Number](ctx, s.client.Collection(colNumbers))
}

func (s *Store) DeleteNumber(ctx context.Context, e164 string) error {
	return s.configSet(ctx, s.numberRef(e164), nil)
}

func (s *Store) PutQueue(ctx context.Context, q chat.Queue) error {
	return s.configSet(ctx, s.queueRef(q.ID), q)
}

func (s *Store) Queues(ctx context.Context) ([]chat.Queue, error) {
	return list[chat.Queue](ctx, s.client.Collection(colQueues))
}

func (s *Store) DeleteQueue(ctx context.Context, id string) error {
	return s.configSet(ctx, s.queueRef(id), nil)
}

func (s *Store) PutAgent(ctx context.Context, a chat.Agent) error {
	return set(ctx, s.agentRef(a.ID), a)
}

func (s *Store) Agent(ctx context.Context, id string) (chat.Agent, error) {
	return get[chat.Agent](ctx, s.agentRef(id))
}

func (s *Store) Agents(ctx context.Context) ([]chat.Agent, error) {
	return list[chat.Agent](ctx, s.client.Collection(colAgents))
}

func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	return del(ctx, s.agentRef(id))
}

func (s *Store) PutTeam(ctx context.Context, t chat.Team) error {
	return s.configSet(ctx, s.teamRef(t.ID), t)
}

func (s *Store) Teams(ctx context.Context) ([]chat.Team, error) {
	return list[chat.Team](ctx, s.client.Collection(colTeams))
}

func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	return s.configSet(ctx, s.teamRef(id), nil)
}

// list reads a whole (small, configuration) collection in document-id order.
func list[T any](ctx context.Context, col *gfs.CollectionRef) ([]T, error) {
	snaps, err := col.Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "list "+col.Path)
	}
	out := make([]T, 0, len(snaps))
	for _, snap := range snaps {
		var v T
		if err := snap.DataTo(&v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Store) Settings(ctx context.Context) (chat.Settings, error) {
	return get[chat.Settings](ctx, s.settingsRef())
}

func (s *Store) PutSettings(ctx context.Context, st chat.Settings) error {
	return s.configSet(ctx, s.settingsRef(), st)
}

func (s *Store) Chat(ctx context.Context, id string) (chat.Chat, error) {
	return get[chat.Chat](ctx, s.chatRef(id))
}

func (s *Store) Message(ctx context.Context, ref chat.Ref) (chat.Message, error) {
	return get[chat.Message](ctx, s.messageRef(ref))
}

// maxDeliveryAttempts bounds UpdateDelivery's reads: each failed
// precondition means another writer changed the message in between.
const maxDeliveryAttempts = 20

func (s *Store) UpdateDelivery(ctx context.Context, ref chat.Ref, fn func(chat.Message) (chat.Message, bool, error)) (chat.Message, error) {
	doc := s.messageRef(ref)
	for range maxDeliveryAttempts {
		snap, err := doc.Get(ctx)
		if err != nil {
			return chat.Message{}, mapErr(err, "get "+doc.Path)
		}
		var m chat.Message
		if err := snap.DataTo(&m); err != nil {
			return chat.Message{}, fmt.Errorf("decode %s: %w", doc.Path, err)
		}
		next, write, err := fn(m)
		if err != nil || !write {
			return m, err
		}
		_, err = doc.Update(ctx, []gfs.Update{
			{Path: "send", Value: next.Send},
			{Path: "delivery", Value: next.Delivery},
			providerIDUpdate(next.ProviderMessageID),
		}, gfs.LastUpdateTime(snap.UpdateTime))
		if status.Code(err) == codes.FailedPrecondition {
			continue // changed since the read: read it again
		}
		if err != nil {
			return chat.Message{}, mapErr(err, "update "+doc.Path)
		}
		m.Send, m.Delivery, m.ProviderMessageID = next.Send, next.Delivery, next.ProviderMessageID
		return m, nil
	}
	return chat.Message{}, fmt.Errorf("update %s: changed by another writer at each of %d reads", doc.Path, maxDeliveryAttempts)
}

// providerIDUpdate writes a message's provider id, deleting the field for
// none, as Set leaves the omitempty field out.
func providerIDUpdate(id string) gfs.Update {
	if id == "" {
		return gfs.Update{Path: "providerMessageId", Value: gfs.Delete}
	}
	return gfs.Update{Path: "providerMessageId", Value: id}
}

func (s *Store) RecordSend(ctx context.Context, ref chat.Ref, send chat.Send, providerMessageID string) error {
	doc := s.messageRef(ref)
	// Update, not Set: it fails on a missing document and leaves the
	// delivery reports alone.
	if _, err := doc.Update(ctx, []gfs.Update{{Path: "send", Value: send}, providerIDUpdate(providerMessageID)}); err != nil {
		return mapErr(err, "update "+doc.Path)
	}
	return nil
}

func (s *Store) Messages(ctx context.Context, chatID string) ([]chat.Message, error) {
	return s.MessagesAfter(ctx, chatID, 0)
}

func (s *Store) MessagesAfter(ctx context.Context, chatID string, afterSeq int64) ([]chat.Message, error) {
	q := s.chatRef(chatID).Collection(colMessages).OrderBy("seq", gfs.Asc)
	if afterSeq > 0 {
		q = q.Where("seq", ">", afterSeq)
	}
	it := q.Documents(ctx)
	defer it.Stop()
	var ms []chat.Message
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, mapErr(err, "list messages of chat "+chatID)
		}
		var m chat.Message
		if err := snap.DataTo(&m); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func (s *Store) Consent(ctx context.Context, number, consumer string) (chat.Consent, error) {
	return get[chat.Consent](ctx, s.consentRef(number, consumer))
}

func (s *Store) ConsentEvents(ctx context.Context, number, consumer string) ([]chat.ConsentEvent, error) {
	snaps, err := s.consentRef(number, consumer).Collection(colEvents).Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "list consent events of "+thread(number, consumer))
	}
	evs := make([]chat.ConsentEvent, 0, len(snaps))
	for _, snap := range snaps {
		var ev chat.ConsentEvent
		if err := snap.DataTo(&ev); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		evs = append(evs, ev)
	}
	// Ordered in memory: the ledger of one thread is short, and ordering by
	// two fields in a query would need a composite index.
	chat.SortLedger(evs)
	return evs, nil
}

// activeChat is the activeChats document.
type activeChat struct {
	ChatID string `firestore:"chatId"`
}
