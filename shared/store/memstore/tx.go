package memstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/pacing/lane"
	"github.com/smsdesk/smsdesk/shared/store"
)

// tx reads the committed state overlaid with its own staged writes; the
// writes are closures applied in order at commit.
type tx struct {
	base   *state
	writes []func(*state)
	// staged values, so a transaction reads its own writes
	inbound  map[string]store.InboundRecord
	consents map[string]chat.Consent
	active   map[string]*string // nil value: cleared
	agents   map[string]chat.Agent
	chats    map[string]chat.Chat
	messages map[chat.Ref]chat.Message
	lanes    map[string]lane.State
}

var _ store.Tx = (*tx)(nil)

func (t *tx) stage(w func(*state)) { t.writes = append(t.writes, w) }

func (t *tx) Inbound(id string) (store.InboundRecord, error) {
	if rec, ok := t.inbound[id]; ok {
		return cloneInbound(rec), nil
	}
	rec, ok := t.base.inbound[id]
	if !ok {
		return store.InboundRecord{}, notFound("inbound", id)
	}
	return cloneInbound(rec), nil
}

func (t *tx) PutInbound(rec store.InboundRecord) {
	rec = cloneInbound(rec)
	if t.inbound == nil {
		t.inbound = map[string]store.InboundRecord{}
	}
	t.inbound[rec.Message.ID] = rec
	t.stage(func(s *state) { s.inbound[rec.Message.ID] = rec })
}

func (t *tx) Number(e164 string) (chat.Number, error) {
	n, ok := t.base.numbers[e164]
	if !ok {
		return chat.Number{}, notFound("number", e164)
	}
	return n, nil
}

func (t *tx) Settings() (chat.Settings, error) {
	if t.base.settings == nil {
		return chat.Settings{}, notFound("settings", "sms")
	}
	return clone(*t.base.settings), nil
}

func (t *tx) Consent(number, consumer string) (chat.Consent, error) {
	key := thread(number, consumer)
	if c, ok := t.consents[key]; ok {
		return cloneConsent(c), nil
	}
	c, ok := t.base.consents[key]
	if !ok {
		return chat.Consent{}, notFound("consent", key)
	}
	return cloneConsent(c), nil
}

func (t *tx) PutConsent(c chat.Consent) {
	c = cloneConsent(c)
	key := thread(c.Number, c.Consumer)
	if t.consents == nil {
		t.consents = map[string]chat.Consent{}
	}
	t.consents[key] = c
	t.stage(func(s *state) { s.consents[key] = c })
}

func (t *tx) AddConsentEvent(number, consumer string, ev chat.ConsentEvent) {
	key := thread(number, consumer)
	t.stage(func(s *state) {
		if s.events[key] == nil {
			s.events[key] = map[string]chat.ConsentEvent{}
		}
		s.events[key][ev.ID] = ev
	})
}

func (t *tx) ActiveChatID(number, consumer string) (string, error) {
	key := thread(number, consumer)
	if id, ok := t.active[key]; ok {
		if id == nil {
			return "", notFound("active chat", key)
		}
		return *id, nil
	}
	id, ok := t.base.activeChats[key]
	if !ok {
		return "", notFound("active chat", key)
	}
	return id, nil
}

func (t *tx) setActive(key string, id *string) {
	if t.active == nil {
		t.active = map[string]*string{}
	}
	t.active[key] = id
}

func (t *tx) SetActiveChat(number, consumer, chatID string) {
	key := thread(number, consumer)
	t.setActive(key, &chatID)
	t.stage(func(s *state) { s.activeChats[key] = chatID })
}

func (t *tx) ClearActiveChat(number, consumer string) {
	key := thread(number, consumer)
	t.setActive(key, nil)
	t.stage(func(s *state) { delete(s.activeChats, key) })
}

func (t *tx) Agent(id string) (chat.Agent, error) {
	if a, ok := t.agents[id]; ok {
		return cloneAgent(a), nil
	}
	a, ok := t.base.agents[id]
	if !ok {
		return chat.Agent{}, notFound("agent", id)
	}
	return cloneAgent(a), nil
}

func (t *tx) PutAgent(a chat.Agent) {
	a = cloneAgent(a)
	if t.agents == nil {
		t.agents = map[string]chat.Agent{}
	}
	t.agents[a.ID] = a
	t.stage(func(s *state) { s.agents[a.ID] = a })
}

func (t *tx) WaitingChats(queueIDs []string, limit int) ([]chat.Chat, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("waiting chats: limit %d, want at least 1", limit)
	}
	out := []chat.Chat{}
	if len(queueIDs) == 0 {
		return out, nil
	}
	for id, c := range t.base.chats {
		if _, ok := t.chats[id]; !ok && waiting(c, queueIDs) {
			out = append(out, c)
		}
	}
	for _, c := range t.chats {
		if waiting(c, queueIDs) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b chat.Chat) int {
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i] = cloneChat(out[i])
	}
	return out, nil
}

// waiting reports whether Firestore's waiting-chats query would return c.
// A zero QueuedAt is not stored (omitempty), and Firestore leaves documents
// without the ordered field out of an ordered query.
func waiting(c chat.Chat, queueIDs []string) bool {
	return c.Status == chat.StatusQueued && !c.QueuedAt.IsZero() && slices.Contains(queueIDs, c.QueueID)
}

func (t *tx) Chat(id string) (chat.Chat, error) {
	if c, ok := t.chats[id]; ok {
		return cloneChat(c), nil
	}
	c, ok := t.base.chats[id]
	if !ok {
		return chat.Chat{}, notFound("chat", id)
	}
	return cloneChat(c), nil
}

func (t *tx) PutChat(c chat.Chat) {
	c = cloneChat(c)
	if t.chats == nil {
		t.chats = map[string]chat.Chat{}
	}
	t.chats[c.ID] = c
	t.stage(func(s *state) { s.chats[c.ID] = c })
}

func (t *tx) Message(ref chat.Ref) (chat.Message, error) {
	if m, ok := t.messages[ref]; ok {
		return cloneMessage(m), nil
	}
	m, ok := t.base.messages[ref.ChatID][ref.Seq]
	if !ok {
		return chat.Message{}, notFound("message", fmt.Sprintf("%s/%d", ref.ChatID, ref.Seq))
	}
	return cloneMessage(m), nil
}

func (t *tx) PutMessage(m chat.Message) {
	m = cloneMessage(m)
	if t.messages == nil {
		t.messages = map[chat.Ref]chat.Message{}
	}
	t.messages[m.Ref()] = m
	t.stage(func(s *state) {
		if s.messages[m.ChatID] == nil {
			s.messages[m.ChatID] = map[int64]chat.Message{}
		}
		s.messages[m.ChatID][m.Seq] = m
	})
}
