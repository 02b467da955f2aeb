package agentapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/store"
)

// problemField is the field the first problem of a 400 names.
func problemField(t *testing.T, body []byte) string {
	t.Helper()
	var e agentapi.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if len(e.Problems) == 0 {
		return ""
	}
	return e.Problems[0].Field
}

func TestNotesAreIdempotentAndMentionAgents(t *testing.T) {
	x := newAPI(t)
	const note = `{"body":"Refund approved, @ben please check the invoice","requestId":"n-1"}`
	first := x.do("ana", "POST", "/chats/held-ana/notes", note)
	if first.Code != http.StatusOK {
		t.Fatalf("note: %d %s", first.Code, first.Body)
	}
	var n store.Note
	decode(t, first, &n)
	if n.Seq != 1 || n.AuthorID != "ana" || n.AuthorName == "" || !slices.Equal(n.Mentions, []string{"ben"}) {
		t.Errorf("note %+v: want seq 1 by ana naming ben", n)
	}
	// A retry answers with the same note and stores nothing more.
	again := x.do("ana", "POST", "/chats/held-ana/notes", note)
	var n2 store.Note
	decode(t, again, &n2)
	if n2.ID != n.ID || n2.Seq != 1 {
		t.Errorf("retry stored %+v, want note %s again", n2, n.ID)
	}
	c, err := x.store.Chat(context.Background(), "held-ana")
	if err != nil {
		t.Fatal(err)
	}
	if c.Notes != 1 {
		t.Errorf("chat counts %d notes after a retried POST, want 1", c.Notes)
	}
	// Nothing was written to the transcript: a note is never a message.
	msgs, err := x.store.Messages(context.Background(), "held-ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Errorf("transcript has %d messages after the note, want the 1 there was", len(msgs))
	}

	// Ben was named: one unread mention, and he may now read Ana's chat
	// (not act on it).
	var ms []store.Mention
	decode(t, x.do("ben", "GET", "/mentions", ""), &ms)
	if len(ms) != 1 || ms[0].ChatID != "held-ana" || ms[0].Count != 1 || !strings.Contains(ms[0].Excerpt, "Refund approved") {
		t.Fatalf("ben's mentions %+v", ms)
	}
	view := x.do("ben", "GET", "/chats/held-ana", "")
	if view.Code != http.StatusOK {
		t.Fatalf("ben reads the chat he was named in: %d %s", view.Code, view.Body)
	}
	var v desk.ChatView
	decode(t, view, &v)
	if len(v.Notes) != 1 || v.Notes[0].Body != n.Body || v.CanReply || slices.Contains(v.Actions, "end") {
		t.Errorf("ben's view: notes %+v, canReply %v, actions %v", v.Notes, v.CanReply, v.Actions)
	}
	if rec := x.do("ben", "POST", "/chats/held-ana/messages", `{"body":"hi","requestId":"r-9"}`); rec.Code != http.StatusForbidden {
		t.Errorf("ben replies in a chat he was only named in: %d", rec.Code)
	}
	// He answers in a note; Ana is named by her first name.
	if rec := x.do("ben", "POST", "/chats/held-ana/notes", `{"body":"Done, @Ana","requestId":"n-2"}`); rec.Code != http.StatusOK {
		t.Fatalf("ben's note: %d %s", rec.Code, rec.Body)
	}
	decode(t, x.do("ana", "GET", "/mentions", ""), &ms)
	if len(ms) != 1 || ms[0].AuthorID != "ben" || ms[0].NoteSeq != 2 {
		t.Errorf("ana's mentions %+v", ms)
	}
	// Opening the chat marks the mention read.
	if rec := x.do("ben", "POST", "/mentions/held-ana/read", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("read: %d %s", rec.Code, rec.Body)
	}
	decode(t, x.do("ben", "GET", "/mentions", ""), &ms)
	if len(ms) != 0 {
		t.Errorf("ben's mentions after reading: %+v", ms)
	}
	// Carla, named by nobody and of other queues, still cannot read it.
	if rec := x.do("carla", "GET", "/chats/held-ana/notes", ""); rec.Code != http.StatusForbidden {
		t.Errorf("carla reads the notes: %d", rec.Code)
	}
}

func TestNoteAndLabelBodiesAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"no request id", "/chats/held-ana/notes", `{"body":"x","requestId":""}`, "requestId"},
		{"missing request id", "/chats/held-ana/notes", `{"body":"x"}`, "requestId"},
		{"empty body", "/chats/held-ana/notes", `{"body":"   ","requestId":"n-1"}`, "body"},
		{"too long", "/chats/held-ana/notes", `{"body":"` + strings.Repeat("a", desk.MaxNoteCharacters+1) + `","requestId":"n-1"}`, "body"},
		{"unknown agent", "/chats/held-ana/notes", `{"body":"x","mentions":["ben","zed"],"requestId":"n-1"}`, "mentions[1]"},
		{"unknown member", "/chats/held-ana/notes", `{"body":"x","requestId":"n-1","private":true}`, "private"},
		{"bad label", "/chats/held-ana/labels", `{"add":["vip","a/b"]}`, "add[1]"},
		{"nothing to do", "/chats/held-ana/labels", `{}`, "add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newAPI(t).do("ana", "POST", tc.path, tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", rec.Code, rec.Body)
			}
			if f := problemField(t, rec.Body.Bytes()); f != tc.field {
				t.Errorf("problem names %q, want %q (%s)", f, tc.field, rec.Body)
			}
		})
	}
}

func TestLabelsAreFoldedAndKeepTheVersion(t *testing.T) {
	x := newAPI(t)
	before, _ := x.store.Chat(context.Background(), "held-ana")
	var c chat.Chat
	decode(t, x.do("ana", "POST", "/chats/held-ana/labels", `{"add":["VIP","Needs  Refund","vip"]}`), &c)
	if !slices.Equal(c.Labels, []string{"vip", "needs-refund"}) {
		t.Errorf("labels %q", c.Labels)
	}
	decode(t, x.do("supervisor", "POST", "/chats/held-ana/labels", `{"remove":["vip"],"add":["billing"]}`), &c)
	if !slices.Equal(c.Labels, []string{"needs-refund", "billing"}) {
		t.Errorf("labels %q", c.Labels)
	}
	stored, _ := x.store.Chat(context.Background(), "held-ana")
	if !slices.Equal(stored.Labels, c.Labels) || stored.Version != before.Version {
		t.Errorf("stored labels %q version %d (was %d)", stored.Labels, stored.Version, before.Version)
	}
}

func TestRequiredWrapUpCode(t *testing.T) {
	x := newAPI(t)
	ctx := context.Background()
	qs, err := x.store.Queues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, q := range qs {
		if q.ID == "en-billing" {
			q.WrapUpCodes, q.WrapUpRequired = []string{"Resolved", "Refund issued"}, &yes
			if err := x.store.PutQueue(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	var v desk.ChatView
	decode(t, x.do("ana", "GET", "/chats/held-ana", ""), &v)
	if !v.WrapUp.Required || !slices.Equal(v.WrapUp.Codes, []string{"Resolved", "Refund issued"}) {
		t.Fatalf("chat view's wrap-up policy %+v", v.WrapUp)
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"wrapUp":"done"}`, http.StatusBadRequest},
		{`{"wrapUpCode":"Sold"}`, http.StatusBadRequest},
		{`{"wrapUp":"done","wrapUpCode":"Refund issued"}`, http.StatusOK},
	} {
		rec := x.do("ana", "POST", "/chats/held-ana/end", tc.body)
		if rec.Code != tc.want {
			t.Fatalf("end %s: %d %s, want %d", tc.body, rec.Code, rec.Body, tc.want)
		}
		if tc.want == http.StatusBadRequest {
			if f := problemField(t, rec.Body.Bytes()); f != "wrapUpCode" {
				t.Errorf("end %s names %q", tc.body, f)
			}
			if c, _ := x.store.Chat(ctx, "held-ana"); c.Status != chat.StatusActive {
				t.Errorf("end %s refused but the chat is %s", tc.body, c.Status)
			}
		}
	}
	c, _ := x.store.Chat(ctx, "held-ana")
	if c.Status != chat.StatusEnded || c.WrapUpCode != "Refund issued" || c.WrapUp != "done" {
		t.Errorf("ended chat: status %s code %q note %q", c.Status, c.WrapUpCode, c.WrapUp)
	}
}

func TestOfferPreview(t *testing.T) {
	x := newAPI(t)
	var p desk.OfferPreview
	decode(t, x.do("ana", "GET", "/chats/offered-ana/preview", ""), &p)
	if len(p.Messages) != 1 || p.Messages[0].Body != "hello" {
		t.Errorf("messages %+v", p.Messages)
	}
	var path []string
	for _, q := range p.QueuePath {
		path = append(path, q.ID)
	}
	if len(path) < 2 || path[len(path)-1] != "en-billing" {
		t.Errorf("queue path %v, want the menu down to en-billing", path)
	}
	// The consumer's other chats: Ana's held and ended ones.
	if p.PastChats != 2 || p.Transfer != nil {
		t.Errorf("past chats %d, transfer %+v", p.PastChats, p.Transfer)
	}
	// A transfer offered to Ben comes with its note.
	decode(t, x.do("ben", "GET", "/chats/transfer-pending/preview", ""), &p)
	if p.Transfer == nil || p.Transfer.FromAgent != "ana" {
		t.Errorf("transfer %+v", p.Transfer)
	}
	if rec := x.do("carla", "GET", "/chats/offered-ana/preview", ""); rec.Code != http.StatusForbidden {
		t.Errorf("carla previews Ana's offer: %d", rec.Code)
	}
}
