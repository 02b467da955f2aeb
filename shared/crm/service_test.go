package crm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const consumer = "+14155550123"

// fakeCRM is a CRM in memory: contacts, notes per contact, and a queue of
// errors the next calls answer.
type fakeCRM struct {
	mu       sync.Mutex
	contacts []crm.Contact
	notes    map[string][]string // contact id -> note bodies
	calls    []string
	fail     []error
	nextID   int
}

func (f *fakeCRM) call(op string) error {
	f.calls = append(f.calls, op)
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return err
	}
	return nil
}

func (f *fakeCRM) FindContactsByPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("search"); err != nil {
		return nil, err
	}
	formats := crm.PhoneFormats(e164)
	var out []crm.Contact
	for _, c := range f.contacts {
		// The search is loose, as CRMs' are: the last 7 digits.
		for _, p := range []string{c.Phone, c.MobilePhone} {
			if p != "" && (slices.Contains(formats, p) || strings.HasSuffix(p, e164[len(e164)-4:])) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

func (f *fakeCRM) CreateContact(ctx context.Context, c crm.Contact) (crm.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("create"); err != nil {
		return crm.Contact{}, err
	}
	f.nextID++
	c.ID = fmt.Sprintf("new%d", f.nextID)
	f.contacts = append(f.contacts, c)
	return c, nil
}

func (f *fakeCRM) UpdateContact(ctx context.Context, c crm.Contact) (crm.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("update " + c.ID); err != nil {
		return crm.Contact{}, err
	}
	return crm.Contact{ID: c.ID}, nil
}

func (f *fakeCRM) AddNote(ctx context.Context, contactID string, n crm.Note) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("note"); err != nil {
		return "", err
	}
	if f.notes == nil {
		f.notes = map[string][]string{}
	}
	body := n.Body
	for _, a := range n.Attachments {
		body += "\n--- " + a.Name + "\n" + string(a.Data)
	}
	f.notes[contactID] = append(f.notes[contactID], body)
	return fmt.Sprint(len(f.notes[contactID])), nil
}

func (f *fakeCRM) ContactURL(id string) string { return "https://crm.example/" + id }

// firstLines is each note's first line, for compact comparisons.
func (f *fakeCRM) firstLines(contactID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notes[contactID] {
		out = append(out, strings.SplitN(n, "\n", 2)[0])
	}
	return out
}

type fakeChats struct {
	chats map[string]chat.Chat
	msgs  map[string][]chat.Message
}

func (f fakeChats) Chat(ctx context.Context, id string) (chat.Chat, error) {
	c, ok := f.chats[id]
	if !ok {
		return c, store.ErrNotFound
	}
	return c, nil
}
func (f fakeChats) Messages(ctx context.Context, id string) ([]chat.Message, error) {
	return f.msgs[id], nil
}
func (f fakeChats) ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error) {
	var out []chat.Chat
	for _, c := range f.chats {
		if c.Consumer == consumer {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b chat.Chat) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}
func (f fakeChats) Queues(ctx context.Context) ([]chat.Queue, error) {
	return []chat.Queue{{ID: "root", Name: "Support"}, {ID: "bill", ParentID: "root", Name: "Billing"}}, nil
}

type recordingBus struct {
	mu   sync.Mutex
	msgs []bus.Message
}

func (b *recordingBus) Publish(ctx context.Context, topic string, m bus.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if topic != wire.TopicChatEvents {
		return fmt.Errorf("topic %s", topic)
	}
	b.msgs = append(b.msgs, m)
	return nil
}

type world struct {
	svc   *crm.Service
	crm   *fakeCRM
	links *memlink.Store
	bus   *recordingBus
}

var t0 = time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)

func newWorld(contacts ...crm.Contact) world {
	f := &fakeCRM{contacts: contacts}
	links := memlink.New()
	b := &recordingBus{}
	chats := fakeChats{
		chats: map[string]chat.Chat{"c1": {ID: "c1", Consumer: consumer, Number: "+18005550100", Language: "en", QueueID: "bill",
			Status: chat.StatusEnded, AgentID: "a1", StartType: chat.StartManual, CreatedAt: t0, EndedAt: t0.Add(5 * time.Minute), EndReason: chat.EndFinished}},
		msgs: map[string][]chat.Message{"c1": {
			{ChatID: "c1", Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "my bill is wrong", CreatedAt: t0},
			{ChatID: "c1", Seq: 2, Author: chat.AuthorAgent, AgentID: "a1", Kind: chat.KindText, Body: "let me look", CreatedAt: t0.Add(time.Minute)},
		}},
	}
	return world{svc: &crm.Service{CRM: f, Links: links, Chats: chats, Bus: b}, crm: f, links: links, bus: b}
}

func event(id string, typ chat.EventType) chat.Event {
	return chat.Event{ID: id, Type: typ, At: t0.Add(5 * time.Minute), ChatID: "c1", Number: "+18005550100", Consumer: consumer,
		Language: "en", QueueID: "bill", AgentID: "a1", StartType: chat.StartManual, EndReason: chat.EndFinished}
}

func (w world) apply(t *testing.T, ev chat.Event, attempt int) error {
	t.Helper()
	return w.svc.Apply(context.Background(), ev, attempt)
}

func (w world) link(t *testing.T) crm.Link {
	t.Helper()
	l, err := w.links.Link(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLookupCases(t *testing.T) {
	tests := []struct {
		name        string
		contacts    []crm.Contact
		wantState   crm.State
		wantContact string
		wantCalls   []string
		wantCands   []string
	}{
		{"no contact: one is created", nil, crm.StateLinked, "new1", []string{"search", "create", "note"}, nil},
		{"a near miss is not a match", []crm.Contact{{ID: "9", Phone: "+19995550123"}}, crm.StateLinked, "new1",
			[]string{"search", "create", "note"}, nil},
		{"one contact stored nationally: updated and linked", []crm.Contact{{ID: "7", FirstName: "Ana", Phone: "(415) 555-0123"}},
			crm.StateLinked, "7", []string{"search", "update 7", "note"}, nil},
		{"one contact by mobile phone", []crm.Contact{{ID: "8", MobilePhone: "415.555.0123"}},
			crm.StateLinked, "8", []string{"search", "update 8", "note"}, nil},
		{"several: the agent is asked", []crm.Contact{{ID: "7", Phone: "+1 415-555-0123"}, {ID: "8", MobilePhone: "14155550123"}},
			crm.StateChoosing, "", []string{"search"}, []string{"7", "8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(tc.contacts...)
			if err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), 1); err != nil {
				t.Fatal(err)
			}
			l := w.link(t)
			var cands []string
			for _, c := range l.Candidates {
				cands = append(cands, c.ID)
			}
			if l.State != tc.wantState || l.ContactID != tc.wantContact || !slices.Equal(cands, tc.wantCands) {
				t.Errorf("link = state %q contact %q candidates %v, want %q %q %v", l.State, l.ContactID, cands, tc.wantState, tc.wantContact, tc.wantCands)
			}
			if diff := cmp.Diff(tc.wantCalls, w.crm.calls); diff != "" {
				t.Errorf("CRM calls (-want +got):\n%s", diff)
			}
			if tc.wantContact != "" {
				notes := w.crm.notes[tc.wantContact]
				if len(notes) != 1 || !strings.Contains(notes[0], "Queue: Support / Billing") || !strings.Contains(notes[0], "Language: en") {
					t.Errorf("notes = %q, want the assignment with queue path and language", notes)
				}
			}
		})
	}
}

func TestCreatedContactCarriesPhone(t *testing.T) {
	w := newWorld()
	if err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), 1); err != nil {
		t.Fatal(err)
	}
	if got := w.crm.contacts; len(got) != 1 || got[0].Phone != consumer || got[0].Language != "en" {
		t.Fatalf("created = %+v, want phone %s language en", got, consumer)
	}
}

func TestEventsPostedOnceInOrder(t *testing.T) {
	w := newWorld()
	tr := event("c1-3-1", chat.EventTransferStarted)
	tr.Transfer = &chat.Transfer{ID: "t1", FromAgent: "a1", ToQueue: "root", Reason: "billing"}
	evs := []chat.Event{
		event("c1-2-1", chat.EventChatAssigned), tr, event("c1-2-1", chat.EventChatAssigned), // redelivered
		event("c1-4-1", chat.EventChatEnded), event("c1-4-1", chat.EventChatEnded),
	}
	for _, ev := range evs {
		if err := w.apply(t, ev, 1); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"SMS chat c1 connected to agent a1",
		"SMS chat c1: transfer started from agent a1 to queue root",
		"SMS chat c1 ended: Finished",
		"Transcript of SMS chat c1 (chat-c1.txt)",
	}
	if diff := cmp.Diff(want, w.crm.firstLines("new1")); diff != "" {
		t.Fatalf("notes (-want +got):\n%s", diff)
	}
	transcript := w.crm.notes["new1"][3]
	for _, s := range []string{"my bill is wrong", "let me look", "--- chat-c1.txt"} {
		if !strings.Contains(transcript, s) {
			t.Errorf("transcript note lacks %q:\n%s", s, transcript)
		}
	}
	if ended := w.crm.notes["new1"][2]; !strings.Contains(ended, "Duration: 5m0s") {
		t.Errorf("ended note = %q, want the duration", ended)
	}
	if l := w.link(t); len(l.Held) != 0 || !l.HasPosted("c1-4-1") || !l.HasPosted("c1-4-1#summary") {
		t.Errorf("link after the chat: held %v posted %v", l.Held, l.Posted)
	}
}

func TestEventsBeforeTheTriggerWait(t *testing.T) {
	w := newWorld()
	// An outbound chat: assigned to its agent before its text is sent.
	as := event("c1-1-1", chat.EventChatAssigned)
	as.StartType = chat.StartOutbound
	if err := w.apply(t, as, 1); err != nil {
		t.Fatal(err)
	}
	if len(w.crm.calls) != 0 || len(w.link(t).Held) != 1 {
		t.Fatalf("an outbound chat's assignment called %v, held %v; want no call, held", w.crm.calls, w.link(t).Held)
	}
	sent := event("c1-sent-2", chat.EventOutboundSent)
	sent.StartType = chat.StartOutbound
	if err := w.apply(t, sent, 1); err != nil {
		t.Fatal(err)
	}
	want := []string{"SMS chat c1 connected to agent a1", "Outbound SMS chat c1: first text sent from +18005550100 to +14155550123 (start type outbound)"}
	if diff := cmp.Diff(want, w.crm.firstLines("new1")); diff != "" {
		t.Fatalf("notes (-want +got):\n%s", diff)
	}
}

func TestSeveralMatchesWaitForTheChoice(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		contactID   string
		create      bool
		wantContact string
	}{
		{"the agent picks a candidate", "8", false, "8"},
		{"the agent asks for a new contact", "", true, "new1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(crm.Contact{ID: "7", Phone: "(415) 555-0123"}, crm.Contact{ID: "8", MobilePhone: consumer})
			tr := event("c1-3-1", chat.EventTransferFailed)
			for _, ev := range []chat.Event{event("c1-2-1", chat.EventChatAssigned), tr} {
				if err := w.apply(t, ev, 1); err != nil {
					t.Fatal(err)
				}
			}
			if len(w.crm.notes) != 0 || len(w.link(t).Held) != 2 {
				t.Fatalf("before the choice: notes %v, held %v", w.crm.notes, w.link(t).Held)
			}
			if _, err := w.svc.Choose(ctx, "c1", "a1", "99", false); !errors.Is(err, crm.ErrNotCandidate) {
				t.Fatalf("choosing a stranger: %v, want ErrNotCandidate", err)
			}
			if _, err := w.svc.Choose(ctx, "c1", "a1", "8", true); !errors.Is(err, crm.ErrBadChoice) {
				t.Fatalf("both a contact and create: %v, want ErrBadChoice", err)
			}
			for range 2 { // a retried request is accepted again
				if _, err := w.svc.Choose(ctx, "c1", "a1", tc.contactID, tc.create); err != nil {
					t.Fatal(err)
				}
			}
			if len(w.bus.msgs) != 2 {
				t.Fatalf("published %d messages, want 2", len(w.bus.msgs))
			}
			chosen, err := wire.DecodeEvent(w.bus.msgs[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // redelivered
				if err := w.apply(t, chosen, 1); err != nil {
					t.Fatal(err)
				}
			}
			if l := w.link(t); l.State != crm.StateLinked || l.ContactID != tc.wantContact || len(l.Held) != 0 {
				t.Fatalf("after the choice: %+v", l)
			}
			want := []string{"SMS chat c1 connected to agent a1", "SMS chat c1: transfer failed", "Agent a1 linked SMS chat c1 to this contact (several contacts had +14155550123)"}
			if diff := cmp.Diff(want, w.crm.firstLines(tc.wantContact)); diff != "" {
				t.Fatalf("notes (-want +got):\n%s", diff)
			}
			if _, err := w.svc.Choose(ctx, "c1", "a1", "7", false); !errors.Is(err, crm.ErrNotChoosing) {
				t.Fatalf("choosing again after the link: %v, want ErrNotChoosing", err)
			}
		})
	}
}

func TestOutageRetriesThenParks(t *testing.T) {
	outage := &crm.Error{Op: "search", Status: 503, Message: "down", Retryable: true}
	refused := &crm.Error{Op: "search", Status: 400, Message: "bad property"}
	tests := []struct {
		name      string
		fail      error
		attempt   int
		wantErr   bool
		wantParks int
	}{
		{"an outage is retried", outage, 1, true, 0},
		{"an outage with attempts left is retried", outage, 4, true, 0},
		{"the last attempt parks", outage, 5, false, 1},
		{"a refusal parks at once", refused, 1, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			w.crm.fail = []error{tc.fail}
			err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), tc.attempt)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Apply = %v, want error %v", err, tc.wantErr)
			}
			l := w.link(t)
			if len(l.Parked) != tc.wantParks || l.SyncPending() != (tc.wantParks > 0) {
				t.Fatalf("parked = %+v", l.Parked)
			}
			if tc.wantErr {
				// Pub/Sub redelivers; the CRM answers now.
				if err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), tc.attempt+1); err != nil {
					t.Fatal(err)
				}
			} else {
				if !strings.Contains(l.Parked[0].Error, tc.fail.Error()) {
					t.Errorf("parked error %q, want %q", l.Parked[0].Error, tc.fail)
				}
				// Later events wait behind the parked one, then the replay posts both in order.
				if err := w.apply(t, event("c1-4-1", chat.EventChatEnded), 1); err != nil {
					t.Fatal(err)
				}
				if len(w.crm.notes) != 0 {
					t.Fatalf("posted %v while an event is parked", w.crm.notes)
				}
				if err := w.svc.Replay(context.Background(), "c1"); err != nil {
					t.Fatal(err)
				}
			}
			got := w.crm.firstLines("new1")
			if len(got) == 0 || got[0] != "SMS chat c1 connected to agent a1" || len(w.crm.contacts) != 1 {
				t.Fatalf("after recovery: contacts %v notes %v", w.crm.contacts, got)
			}
			if l := w.link(t); l.SyncPending() || len(l.Held) != 0 {
				t.Fatalf("after recovery the link is %+v", l)
			}
		})
	}
}

func TestSyncOff(t *testing.T) {
	svc := &crm.Service{}
	if err := svc.Apply(context.Background(), event("c1-2-1", chat.EventChatAssigned), 1); err != nil {
		t.Fatalf("Apply with no CRM = %v, want nil (acked)", err)
	}
	if _, err := svc.Choose(context.Background(), "c1", "a1", "7", false); !errors.Is(err, crm.ErrOff) {
		t.Fatalf("Choose with no CRM = %v, want ErrOff", err)
	}
}
