package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// testNotesAndSearch: private notes are numbered per chat and stored once
// per id, with a mention per named agent in the same transaction; chats
// are found by a search token within each visibility bound.
func testNotesAndSearch(t *testing.T, s store.Store) {
	ns, ok := s.(store.NoteStore)
	if !ok {
		t.Fatalf("%T keeps no notes", s)
	}
	cs, ok := s.(store.ChatSearcher)
	if !ok {
		t.Fatalf("%T does not search chats", s)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	mk := func(id, queue, agent string, status chat.Status, tokens []string, age time.Duration) chat.Chat {
		return chat.Chat{ID: id, Number: "+14155550101", Consumer: "+14155550171", QueueID: queue, AgentID: agent, Status: status,
			CreatedAt: at.Add(-age), UpdatedAt: at.Add(-age), Version: 3, SearchTokens: tokens, Labels: []string{"vip"}}
	}
	mustTx(t, s, func(tx store.Tx) error {
		tx.PutChat(mk("c1", "q1", "ana", chat.StatusActive, []string{"0171", "ref", "refund"}, time.Minute))
		tx.PutChat(mk("c2", "q1", "", chat.StatusQueued, []string{"0171", "ref"}, 2*time.Minute))
		tx.PutChat(mk("c3", "q2", "", chat.StatusQueued, []string{"ref"}, 3*time.Minute))
		tx.PutChat(mk("c4", "q1", "ben", chat.StatusEnded, []string{"refund"}, time.Hour))
		return nil
	})

	n := store.Note{ID: "n-1", ChatID: "c1", AuthorID: "ana", AuthorName: "Ana", Body: "ask @ben", Mentions: []string{"ben", "carla"}, CreatedAt: at}
	first, created, err := ns.AddNote(ctx(t), n, "+14155550171")
	if err != nil || !created || first.Seq != 1 {
		t.Fatalf("AddNote = %+v, %v, %v; want seq 1 created", first, created, err)
	}
	again, created, err := ns.AddNote(ctx(t), store.Note{ID: "n-1", ChatID: "c1", AuthorID: "ana", Body: "other", CreatedAt: at}, "")
	if err != nil || created || again.Body != "ask @ben" || again.Seq != 1 {
		t.Errorf("a second AddNote of n-1 = %+v, %v, %v; want the first note, not created", again, created, err)
	}
	second, _, err := ns.AddNote(ctx(t), store.Note{ID: "n-2", ChatID: "c1", AuthorID: "ben", Body: "done", Mentions: []string{"ben"}, CreatedAt: at.Add(time.Minute)}, "+14155550171")
	if err != nil || second.Seq != 2 {
		t.Fatalf("second note %+v, %v", second, err)
	}
	if _, _, err := ns.AddNote(ctx(t), store.Note{ID: "n-3", ChatID: "nope", Body: "x", CreatedAt: at}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a note on no chat: %v, want ErrNotFound", err)
	}
	c, err := s.Chat(ctx(t), "c1")
	if err != nil || c.Notes != 2 || c.Version != 3 || !slices.Equal(c.Labels, []string{"vip"}) || !slices.Contains(c.SearchTokens, "refund") {
		t.Errorf("chat after notes: notes %d version %d labels %v tokens %v (%v)", c.Notes, c.Version, c.Labels, c.SearchTokens, err)
	}
	notes, err := ns.Notes(ctx(t), "c1", 0)
	if err != nil || len(notes) != 2 || notes[0].ID != "n-1" || notes[1].Seq != 2 || !notes[0].CreatedAt.Equal(at) || !slices.Equal(notes[0].Mentions, []string{"ben", "carla"}) {
		t.Errorf("Notes = %+v, %v", notes, err)
	}
	if later, _ := ns.Notes(ctx(t), "c1", 1); len(later) != 1 || later[0].ID != "n-2" {
		t.Errorf("Notes after 1 = %+v", later)
	}
	m, err := ns.Mention(ctx(t), "ben", "c1")
	if err != nil || m.Count != 2 || m.NoteSeq != 2 || !m.Unread || m.Consumer != "+14155550171" {
		t.Errorf("ben's mention %+v, %v", m, err)
	}
	if _, err := ns.Mention(ctx(t), "ana", "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ana's mention: %v, want ErrNotFound", err)
	}
	unread, err := ns.UnreadMentions(ctx(t), "carla", 10)
	if err != nil || len(unread) != 1 || unread[0].ChatID != "c1" || unread[0].Excerpt != "ask @ben" {
		t.Errorf("carla's unread %+v, %v", unread, err)
	}
	if err := ns.ReadMention(ctx(t), "carla", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := ns.ReadMention(ctx(t), "carla", "nope"); err != nil {
		t.Errorf("reading no mention: %v", err)
	}
	if unread, _ := ns.UnreadMentions(ctx(t), "carla", 10); len(unread) != 0 {
		t.Errorf("carla's unread after reading: %+v", unread)
	}

	ids := func(cs []chat.Chat) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name, token, agent string
		queues             []string
		want               []string
	}{
		{"every chat, newest first", "ref", "", nil, []string{"c1", "c2", "c3"}},
		{"an agent's chats", "refund", "ben", nil, []string{"c4"}},
		{"queued in the queues", "ref", "", []string{"q1", "q2"}, []string{"c2", "c3"}},
		{"queued in one queue", "0171", "", []string{"q1"}, []string{"c2"}},
		{"no match", "zzz", "", nil, nil},
	} {
		got, err := cs.SearchChats(ctx(t), tc.token, tc.agent, tc.queues, 10)
		if err != nil || !slices.Equal(ids(got), tc.want) {
			t.Errorf("%s: SearchChats = %v, %v; want %v", tc.name, ids(got), err, tc.want)
		}
	}
	if got, _ := cs.SearchChats(ctx(t), "ref", "", nil, 1); len(got) != 1 || got[0].ID != "c1" {
		t.Errorf("limit 1: %v", ids(got))
	}
	if _, err := cs.SearchChats(ctx(t), "ref", "", nil, 0); err == nil {
		t.Error("limit 0 is not refused")
	}
}
