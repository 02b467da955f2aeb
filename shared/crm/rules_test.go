package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/crm"
)

func TestMinConsumerMessages(t *testing.T) {
	tests := []struct {
		name      string
		texts     int // the consumer's texts before the transfer
		wantCalls []string
		wantNotes []string
	}{
		{"the record waits for the third text", 3, []string{"search", "create", "note", "note"},
			[]string{"SMS chat c1 connected to agent a1", "SMS chat c1: transfer started"}},
		{"a chat short of it gets no record", 1, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			w.svc.Rules = crm.Rules{MinConsumerMessages: 3}
			chats := w.svc.Chats.(fakeChats)
			if err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), 1); err != nil {
				t.Fatal(err)
			}
			if len(w.crm.calls) != 0 || !w.link(t).Triggered {
				t.Fatalf("with one text: calls %v, link %+v", w.crm.calls, w.link(t))
			}
			for i := 1; i < tc.texts; i++ {
				chats.msgs["c1"] = append(chats.msgs["c1"], chat.Message{ChatID: "c1", Seq: int64(10 + i), Author: chat.AuthorConsumer, Body: "more"})
			}
			if err := w.apply(t, event("c1-3-1", chat.EventTransferStarted), 1); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantCalls, w.crm.calls); diff != "" {
				t.Errorf("CRM calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNotes, w.crm.firstLines("new1")); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendToTheLatestChatsContact(t *testing.T) {
	now := t0.Add(time.Hour)
	tests := []struct {
		name        string
		prev        chat.Chat
		rules       crm.Rules
		wantContact string
		wantCalls   []string
	}{
		{"an open chat in the queue", chat.Chat{Status: chat.StatusActive, QueueID: "bill"}, crm.Rules{AppendOpen: true}, "7", []string{"note"}},
		{"the rule off", chat.Chat{Status: chat.StatusActive, QueueID: "bill"}, crm.Rules{}, "new1", []string{"search", "create", "note"}},
		{"another queue", chat.Chat{Status: chat.StatusActive, QueueID: "root"}, crm.Rules{AppendOpen: true}, "new1", []string{"search", "create", "note"}},
		{"closed, open ones only", chat.Chat{Status: chat.StatusEnded, QueueID: "bill", EndedAt: now.Add(-time.Hour)}, crm.Rules{AppendOpen: true},
			"new1", []string{"search", "create", "note"}},
		{"closed within the window", chat.Chat{Status: chat.StatusEnded, QueueID: "bill", EndedAt: now.Add(-time.Hour)},
			crm.Rules{AppendOpen: true, AppendClosedWithin: 24 * time.Hour}, "7", []string{"note"}},
		{"closed before the window", chat.Chat{Status: chat.StatusEnded, QueueID: "bill", EndedAt: now.Add(-48 * time.Hour)},
			crm.Rules{AppendOpen: true, AppendClosedWithin: 24 * time.Hour}, "new1", []string{"search", "create", "note"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			w.svc.Rules, w.svc.Clock = tc.rules, clock.Clock{Now: func() time.Time { return now }}
			prev := tc.prev
			prev.ID, prev.Consumer, prev.CreatedAt = "c0", consumer, t0.Add(-time.Hour)
			w.svc.Chats.(fakeChats).chats["c0"] = prev
			if _, err := w.links.UpdateLink(context.Background(), "c0", func(l *crm.Link) error {
				l.State, l.ContactID, l.Contact = crm.StateLinked, "7", &crm.Contact{ID: "7", FirstName: "Ana"}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := w.apply(t, event("c1-2-1", chat.EventChatAssigned), 1); err != nil {
				t.Fatal(err)
			}
			if l := w.link(t); l.ContactID != tc.wantContact {
				t.Errorf("linked %q, want %q", l.ContactID, tc.wantContact)
			}
			if diff := cmp.Diff(tc.wantCalls, w.crm.calls); diff != "" {
				t.Errorf("CRM calls (-want +got):\n%s", diff)
			}
		})
	}
}
