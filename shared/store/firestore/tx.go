package firestore

import (
	"fmt"
	"slices"
	"strings"

	gfs "cloud.google.com/go/firestore"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// stagedDoc is a write waiting for commit. deleted marks a staged delete.
type stagedDoc struct {
	ref     *gfs.DocumentRef
	value   any
	deleted bool
}

type tx struct {
	s      *Store
	ft     *gfs.Transaction
	staged map[string]stagedDoc
	order  []string // paths in write order
}

var _ store.Tx = (*tx)(nil)

func (t *tx) stage(ref *gfs.DocumentRef, v any, deleted bool) {
	if _, ok := t.staged[ref.Path]; !ok {
		t.order = append(t.order, ref.Path)
	}
	t.staged[ref.Path] = stagedDoc{ref: ref, value: v, deleted: deleted}
}

func (t *tx) flush() error {
	for _, p := range t.order {
		d := t.staged[p]
		var err error
		if d.deleted {
			err = t.ft.Delete(d.ref)
		} else {
			err = t.ft.Set(d.ref, d.value)
		}
		if err != nil {
			return fmt.Errorf("stage write of %s: %w", p, err)
		}
	}
	return nil
}

// txGet reads a document in the transaction, or its staged value.
func txGet[T any](t *tx, ref *gfs.DocumentRef) (T, error) {
	var v T
	if d, ok := t.staged[ref.Path]; ok {
		if d.deleted {
			return v, fmt.Errorf("get %s: %w", ref.Path, store.ErrNotFound)
		}
		return d.value.(T), nil
	}
	snap, err := t.ft.Get(ref)
	if err != nil {
		return v, mapErr(err, "get "+ref.Path)
	}
	if err := snap.DataTo(&v); err != nil {
		return v, fmt.Errorf("decode %s: %w", ref.Path, err)
	}
	return v, nil
}

func (t *tx) Inbound(id string) (store.InboundRecord, error) {
	return txGet[store.InboundRecord](t, t.s.inboundRef(id))
}

func (t *tx) PutInbound(rec store.InboundRecord) { t.stage(t.s.inboundRef(rec.Message.ID), rec, false) }

func (t *tx) Number(e164 string) (chat.Number, error) {
	return txGet[chat.Number](t, t.s.numberRef(e164))
}

func (t *tx) Settings() (chat.Settings, error) {
	return txGet[chat.Settings](t, t.s.settingsRef())
}

func (t *tx) Consent(number, consumer string) (chat.Consent, error) {
	return txGet[chat.Consent](t, t.s.consentRef(number, consumer))
}

func (t *tx) PutConsent(c chat.Consent) { t.stage(t.s.consentRef(c.Number, c.Consumer), c, false) }

func (t *tx) AddConsentEvent(number, consumer string, ev chat.ConsentEvent) {
	t.stage(t.s.consentRef(number, consumer).Collection(colEvents).Doc(ev.ID), ev, false)
}

func (t *tx) ActiveChatID(number, consumer string) (string, error) {
	a, err := txGet[activeChat](t, t.s.activeRef(number, consumer))
	return a.ChatID, err
}

func (t *tx) SetActiveChat(number, consumer, chatID string) {
	t.stage(t.s.activeRef(number, consumer), activeChat{ChatID: chatID}, false)
}

func (t *tx) ClearActiveChat(number, consumer string) {
	t.stage(t.s.activeRef(number, consumer), nil, true)
}

func (t *tx) Agent(id string) (chat.Agent, error) { return txGet[chat.Agent](t, t.s.agentRef(id)) }

func (t *tx) PutAgent(a chat.Agent) { t.stage(t.s.agentRef(a.ID), a, false) }

// maxInValues is Firestore's limit on the values of an "in" filter: longer
// lists of queue ids are queried in chunks of this size and merged, so
// callers never split them.
const maxInValues = 30

// WaitingChats queries the queued chats of the queues in the transaction,
// so a chat another transaction takes meanwhile makes this one retry, and
// overlays the chats this transaction staged. The query asks for one extra
// chat per staged chat, since each staged chat can push at most one queried
// chat out of the result, so the overlay never comes up short.
func (t *tx) WaitingChats(queueIDs []string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("waiting chats: limit %d, want at least 1", limit)
	}
	if len(queueIDs) == 0 {
		return []chat.Chat{}, nil
	}
	ids := slices.Clone(queueIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids) // Firestore rejects repeated "in" values
	staged := t.stagedChats()
	var snaps []*gfs.DocumentSnapshot
	for chunk := range slices.Chunk(ids, maxInValues) {
		q := t.s.client.Collection(colChats).
			Where("status", "==", string(chat.StatusQueued)).
			Where("queueId", "in", chunk).
			OrderBy("queuedAt", gfs.Asc).
			Limit(limit + len(staged))
		it := t.ft.Documents(q)
		got, err := it.GetAll()
		it.Stop()
		if err != nil {
			return nil, mapErr(err, "query waiting chats of "+strings.Join(chunk, ","))
		}
		snaps = append(snaps, got...)
	}
	out := make([]chat.Chat, 0, len(snaps)+len(staged))
	for _, snap := range snaps {
		if _, ok := staged[snap.Ref.ID]; ok {
			continue
		}
		var c chat.Chat
		if err := snap.DataTo(&c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", snap.Ref.Path, err)
		}
		out = append(out, c)
	}
	for _, c := range staged {
		if c != nil && waiting(*c, ids) {
			out = append(out, *c)
		}
	}
	sortWaiting(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// stagedChats returns the chat documents this transaction wrote, by id; a
// staged delete maps to nil.
func (t *tx) stagedChats() map[string]*chat.Chat {
	m := map[string]*chat.Chat{}
	for _, d := range t.staged {
		if d.ref.Parent.ID != colChats || d.ref.Parent.Parent != nil {
			continue // not a top-level chats document
		}
		if d.deleted {
			m[d.ref.ID] = nil
			continue
		}
		c := d.value.(chat.Chat)
		m[d.ref.ID] = &c
	}
	return m
}

// waiting reports whether the query would return c: queued in one of the
// queues, with a queuedAt (a zero QueuedAt is not stored, and Firestore
// leaves documents without the ordered field out of the query).
func waiting(c chat.Chat, queueIDs []string) bool {
	return c.Status == chat.StatusQueued && !c.QueuedAt.IsZero() && slices.Contains(queueIDs, c.QueueID)
}

// sortWaiting orders chats as the query does: by queuedAt, then document id.
func sortWaiting(cs []chat.Chat) {
	slices.SortFunc(cs, func(a, b chat.Chat) int {
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func (t *tx) Chat(id string) (chat.Chat, error) { return txGet[chat.Chat](t, t.s.chatRef(id)) }

func (t *tx) PutChat(c chat.Chat) { t.stage(t.s.chatRef(c.ID), c, false) }

func (t *tx) Message(ref chat.Ref) (chat.Message, error) {
	return txGet[chat.Message](t, t.s.messageRef(ref))
}

func (t *tx) PutMessage(m chat.Message) { t.stage(t.s.messageRef(m.Ref()), m, false) }
