package store

import (
	"fmt"

	"cloud.google.com/go/firestore"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// stagedDoc is a write waiting for commit. deleted marks a staged delete.
type stagedDoc struct {
	ref     *firestore.DocumentRef
	value   any
	deleted bool
}

type tx struct {
	s      *Store
	ft     *firestore.Transaction
	staged map[string]stagedDoc
	order  []string // paths in write order
}

var _ app.Tx = (*tx)(nil)

func (t *tx) stage(ref *firestore.DocumentRef, v any, deleted bool) {
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
func txGet[T any](t *tx, ref *firestore.DocumentRef) (T, error) {
	var v T
	if d, ok := t.staged[ref.Path]; ok {
		if d.deleted {
			return v, fmt.Errorf("get %s: %w", ref.Path, app.ErrNotFound)
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

func (t *tx) Inbound(id string) (app.InboundRecord, error) {
	return txGet[app.InboundRecord](t, t.s.inboundRef(id))
}

func (t *tx) PutInbound(rec app.InboundRecord) { t.stage(t.s.inboundRef(rec.Message.ID), rec, false) }

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

func (t *tx) Chat(id string) (chat.Chat, error) { return txGet[chat.Chat](t, t.s.chatRef(id)) }

func (t *tx) PutChat(c chat.Chat) { t.stage(t.s.chatRef(c.ID), c, false) }

func (t *tx) Message(ref chat.Ref) (chat.Message, error) {
	return txGet[chat.Message](t, t.s.messageRef(ref))
}

func (t *tx) PutMessage(m chat.Message) { t.stage(t.s.messageRef(m.Ref()), m, false) }
