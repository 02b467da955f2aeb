package desk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// The console's use cases on the demo configuration: Ana works Billing
// (through the billing team), the VIP desk and the Spanish queues; Ben
// works Billing and Technical support; Carla the Spanish queues.

var now = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

var (
	ana        = access.Viewer{UID: "u-ana", AgentID: "ana"}
	ben        = access.Viewer{UID: "u-ben", AgentID: "ben"}
	carla      = access.Viewer{UID: "u-carla", AgentID: "carla"}
	supervisor = access.Viewer{UID: "u-sup", Supervisor: true}
	// nobody is a signed-in agent whose id is in no queue and no chat.
	nobody = access.Viewer{UID: "u-zed", AgentID: "zed"}
)

// recordingTasks keeps the names of the tasks enqueued.
type recordingTasks struct {
	mu    sync.Mutex
	names []string
}

func (r *recordingTasks) Enqueue(_ context.Context, queue string, t tasks.Task) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, queue+"/"+t.Name)
	return nil
}
func (r *recordingTasks) Delete(context.Context, string, string) error { return nil }

func (r *recordingTasks) sends() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.names {
		if strings.HasPrefix(n, wire.QueueSend+"/") {
			out = append(out, n)
		}
	}
	return out
}

type console struct {
	app   jobs.Set
	store *memstore.Store
	tasks *recordingTasks
}

const (
	consumerA = "+14155550171"
	consumerB = "+14155550172"
	consumerC = "+14155550173"
)

// seed returns chats in every situation the access rules tell apart.
func seed() []chat.Chat {
	mk := func(id, consumer, queue string, status chat.Status, minutesAgo int) chat.Chat {
		at := now.Add(-time.Duration(minutesAgo) * time.Minute)
		c := chat.Chat{ID: id, Number: "+14155550101", Consumer: consumer, Provider: "twilio", Language: "en",
			QueueID: queue, Status: status, StartType: chat.StartInbound, CreatedAt: at, UpdatedAt: at, Version: 3, NextSeq: 2}
		if status == chat.StatusQueued {
			c.QueuedAt = at
		}
		return c
	}
	offered := mk("offered-ana", consumerA, "en-billing", chat.StatusQueued, 5)
	offered.Offer = &chat.Offer{AgentID: "ana", OfferedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Minute)}
	heldAna := mk("held-ana", consumerA, "en-billing", chat.StatusActive, 30)
	heldAna.AgentID, heldAna.StartType = "ana", chat.StartManual
	heldBen := mk("held-ben", consumerB, "en-tech", chat.StatusActive, 20)
	heldBen.AgentID = "ben"
	transferToAna := mk("transfer-to-ana", consumerB, "en-tech", chat.StatusActive, 25)
	transferToAna.AgentID = "ben"
	transferToAna.Offer = &chat.Offer{AgentID: "ana", OfferedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Minute)}
	transferToAna.Transfers = []chat.Transfer{{ID: "transfer-to-ana-t1", FromAgent: "ben", ToAgent: "ana", FromQueue: "en-tech", State: chat.TransferPending, StartedAt: now}}
	passedOn := mk("passed-on", consumerC, "en-tech", chat.StatusActive, 40)
	passedOn.AgentID = "ben"
	passedOn.Transfers = []chat.Transfer{{ID: "passed-on-t1", FromAgent: "ana", ToAgent: "ben", State: chat.TransferEnded, StartedAt: now}}
	endedAna := mk("ended-ana", consumerC, "en-billing", chat.StatusEnded, 90)
	endedAna.AgentID, endedAna.EndReason, endedAna.EndedAt = "ana", chat.EndFinished, now.Add(-time.Hour)
	endedLongAgo := mk("ended-long-ago", consumerC, "en-billing", chat.StatusEnded, 3000)
	endedLongAgo.AgentID, endedLongAgo.EndReason, endedLongAgo.EndedAt = "ana", chat.EndFinished, now.Add(-48*time.Hour)
	return []chat.Chat{
		offered, heldAna, heldBen, transferToAna, passedOn, endedAna, endedLongAgo,
		mk("waiting-billing", consumerB, "en-billing", chat.StatusQueued, 10),
		mk("waiting-tech", consumerB, "en-tech", chat.StatusQueued, 8),
		mk("menu", consumerB, "en", chat.StatusMenu, 1),
	}
}

func newConsole(t *testing.T) *console {
	t.Helper()
	ctx := context.Background()
	s := memstore.New()
	rt := &recordingTasks{}
	a := jobs.Compose(jobs.Clients{Store: s, Bus: discardBus{}, Tasks: rt, Clock: clock.Clock{Now: func() time.Time { return now }},
		URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}})
	if err := a.Admin.ImportConfig(ctx, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	err := s.RunTx(ctx, func(tx store.Tx) error {
		for _, c := range seed() {
			tx.PutChat(c)
			tx.PutMessage(chat.Message{ChatID: c.ID, Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "hello", CreatedAt: c.CreatedAt})
		}
		for _, who := range []string{consumerA, consumerC} {
			tx.PutConsent(chat.Consent{Number: "+14155550101", Consumer: who, State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage, UpdatedAt: now})
		}
		tx.PutConsent(chat.Consent{Number: "+14155550101", Consumer: consumerB, State: chat.ConsentOptedOut, Source: chat.SourceKeyword, Keyword: "STOP", UpdatedAt: time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)})
		// Ana holds two chats and is offered two: her load says so.
		for _, ag := range []struct {
			id   string
			load int
		}{{"ana", 4}, {"ben", 2}} {
			a, err := tx.Agent(ag.id)
			if err != nil {
				return err
			}
			a.Load, a.Capacity = ag.load, 5
			tx.PutAgent(a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &console{app: a, store: s, tasks: rt}
}

func (c *console) tree(t *testing.T) *chat.Tree {
	t.Helper()
	tree, err := c.app.Conversation.Trees.Tree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func byID(t *testing.T, id string) chat.Chat {
	t.Helper()
	for _, c := range seed() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no seeded chat %s", id)
	return chat.Chat{}
}

func TestCanSee(t *testing.T) {
	tree := newConsole(t).tree(t)
	tests := []struct {
		chat string
		// who sees it among ana, ben, carla, nobody; supervisors see all
		want []string
	}{
		{"offered-ana", []string{"ana", "ben"}}, // Ben works Billing, where it waits
		{"held-ana", []string{"ana"}},
		{"held-ben", []string{"ben"}},
		{"transfer-to-ana", []string{"ana", "ben"}},
		{"passed-on", []string{"ana", "ben"}}, // Ana held it before
		{"ended-ana", []string{"ana"}},
		{"waiting-billing", []string{"ana", "ben"}},
		{"waiting-tech", []string{"ben"}},
		{"menu", nil},
	}
	viewers := map[string]access.Viewer{"ana": ana, "ben": ben, "carla": carla, "nobody": nobody}
	for _, tc := range tests {
		t.Run(tc.chat, func(t *testing.T) {
			c := byID(t, tc.chat)
			for name, v := range viewers {
				if got, want := access.CanSee(v, c, tree), slices.Contains(tc.want, name); got != want {
					t.Errorf("CanSee(%s) = %v, want %v", name, got, want)
				}
			}
			if !access.CanSee(supervisor, c, tree) {
				t.Error("a supervisor does not see it")
			}
			if access.CanSee(access.Viewer{UID: "u"}, c, tree) {
				t.Error("a viewer with no agent id and no supervisor role sees it")
			}
		})
	}
}

// outcome classifies an Authorize result.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, access.ErrForbidden):
		return "forbidden"
	case chat.IsStateError(err):
		return "conflict"
	}
	return "error: " + err.Error()
}

func TestAuthorize(t *testing.T) {
	tree := newConsole(t).tree(t)
	supAgent := access.Viewer{UID: "u-sup", AgentID: "ana", Supervisor: true}
	tests := []struct {
		name      string
		v         access.Viewer
		chat      string
		act       access.Action
		want      string
		wantActor string
	}{
		{"accept my offer", ana, "offered-ana", access.ActAccept, "ok", "ana"},
		{"decline my offer", ana, "offered-ana", access.ActDecline, "ok", "ana"},
		{"accept a transfer to me", ana, "transfer-to-ana", access.ActAccept, "ok", "ana"},
		{"accept someone else's offer in my queue", ben, "offered-ana", access.ActAccept, "conflict", ""},
		{"accept a waiting chat offered to nobody", ana, "waiting-billing", access.ActAccept, "conflict", ""},
		{"accept a chat I cannot see", carla, "offered-ana", access.ActAccept, "forbidden", ""},
		{"accept as a supervisor with no agent id", supervisor, "offered-ana", access.ActAccept, "forbidden", ""},
		{"accept an ended chat I held", ana, "ended-ana", access.ActAccept, "conflict", ""},
		{"reply in my chat", ana, "held-ana", access.ActReply, "ok", "ana"},
		{"reply in another agent's chat I cannot see", ana, "held-ben", access.ActReply, "forbidden", ""},
		{"reply in a chat I passed on", ana, "passed-on", access.ActReply, "forbidden", ""},
		{"reply in a chat transferred to me before accepting", ana, "transfer-to-ana", access.ActReply, "forbidden", ""},
		{"reply before accepting", ana, "offered-ana", access.ActReply, "conflict", ""},
		{"reply in a waiting chat of my queue", ana, "waiting-billing", access.ActReply, "forbidden", ""},
		{"reply in my ended chat", ana, "ended-ana", access.ActReply, "conflict", ""},
		{"reply as a supervisor", supervisor, "held-ben", access.ActReply, "forbidden", ""},
		{"reply as a supervisor who holds it", supAgent, "held-ana", access.ActReply, "ok", "ana"},
		{"transfer my chat", ben, "held-ben", access.ActTransfer, "ok", "ben"},
		{"transfer someone else's chat", ana, "held-ben", access.ActTransfer, "forbidden", ""},
		{"transfer as a supervisor, for the agent", supervisor, "held-ben", access.ActTransfer, "ok", "ben"},
		{"transfer a waiting chat as a supervisor", supervisor, "waiting-billing", access.ActTransfer, "conflict", ""},
		{"end my chat", ana, "held-ana", access.ActEnd, "ok", "ana"},
		{"end someone else's chat", carla, "held-ana", access.ActEnd, "forbidden", ""},
		{"end as a supervisor, for the agent", supervisor, "held-ana", access.ActEnd, "ok", "ana"},
		{"end an ended chat as a supervisor", supervisor, "ended-ana", access.ActEnd, "conflict", ""},
		{"end as an unknown agent", nobody, "held-ana", access.ActEnd, "forbidden", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			actor, err := access.Authorize(tc.v, byID(t, tc.chat), tree, tc.act)
			if got := outcome(err); got != tc.want || actor != tc.wantActor {
				t.Errorf("Authorize = %q, %s (%v); want %q, %s", actor, got, err, tc.wantActor, tc.want)
			}
		})
	}
}

func ids(cs []chat.Chat) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestInbox(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	type lists struct{ Offered, Active, Ended, Waiting []string }
	for _, tc := range []struct {
		name string
		v    access.Viewer
		want lists
	}{
		{"ana", ana, lists{
			Offered: []string{"transfer-to-ana", "offered-ana"},
			Active:  []string{"held-ana"},
			Ended:   []string{"ended-ana"},
			Waiting: []string{"waiting-billing"},
		}},
		{"ben", ben, lists{
			Active:  []string{"passed-on", "transfer-to-ana", "held-ben"},
			Waiting: []string{"waiting-billing", "waiting-tech"},
		}},
		{"carla works only Spanish queues", carla, lists{}},
		{"an agent id on no queue", nobody, lists{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := c.app.Desk.Inbox(ctx, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			got := lists{ids(in.Offered), ids(in.Active), ids(in.Ended), ids(in.Waiting)}
			want := lists{orNone(tc.want.Offered), orNone(tc.want.Active), orNone(tc.want.Ended), orNone(tc.want.Waiting)}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("inbox (-want +got):\n%s", d)
			}
			if in.Open != nil {
				t.Error("an agent's inbox lists every open chat")
			}
			if !in.GeneratedAt.Equal(now) {
				t.Errorf("generatedAt %v", in.GeneratedAt)
			}
		})
	}
	in, err := c.app.Desk.Inbox(ctx, supervisor)
	if err != nil {
		t.Fatal(err)
	}
	if in.Open == nil {
		t.Fatal("a supervisor's inbox lacks the open chats")
	}
	got := [][]string{ids(in.Open.Menu), ids(in.Open.Queued), ids(in.Open.Active), ids(in.Waiting), ids(in.Offered)}
	want := [][]string{{"menu"}, {"waiting-billing", "waiting-tech", "offered-ana"}, {"passed-on", "held-ana", "transfer-to-ana", "held-ben"},
		{"waiting-billing", "waiting-tech"}, {}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("supervisor's inbox (-want +got):\n%s", d)
	}
	if in.Queues["en-billing"] != "Billing" || in.Queues["en-tech"] != "Technical support" || in.Queues["en"] != "English" {
		t.Errorf("queue names %v", in.Queues)
	}
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestChatView(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		v           access.Viewer
		chat        string
		wantErr     error
		wantBlocked string
		wantActions []access.Action
		wantConsent string
	}{
		{"my chat", ana, "held-ana", nil, "", []access.Action{access.ActReply, access.ActTransfer, access.ActEnd}, "opted-in"},
		{"my offer", ana, "offered-ana", nil, "Accept the chat to reply", []access.Action{access.ActAccept, access.ActDecline}, "opted-in"},
		{"someone else's chat in my history", ben, "passed-on", nil, "", []access.Action{access.ActReply, access.ActTransfer, access.ActEnd}, "opted-in"},
		{"a chat I passed on", ana, "passed-on", nil, "Only the agent holding the chat can reply", []access.Action{}, "opted-in"},
		{"an ended chat", ana, "ended-ana", nil, "The chat has ended", []access.Action{}, "opted-in"},
		{"an opted-out consumer", ben, "held-ben", nil, "The consumer opted out by texting STOP on 2026-03-09 08:30 UTC; no message can be sent to them until they text START", []access.Action{access.ActReply, access.ActTransfer, access.ActEnd}, "opted-out"},
		{"a supervisor", supervisor, "held-ana", nil, "Only the agent holding the chat can reply", []access.Action{access.ActTransfer, access.ActEnd}, "opted-in"},
		{"a chat I cannot see", carla, "held-ana", access.ErrForbidden, "", nil, ""},
		{"an agent on no queue", nobody, "waiting-billing", access.ErrForbidden, "", nil, ""},
		{"an unknown chat", supervisor, "nope", store.ErrNotFound, "", nil, ""},
		// Ana sees held-ana, whose consumer also wrote the chat offered to her:
		// the consumer's other chats are her history to read.
		{"the history of a consumer I serve", ana, "ended-long-ago", nil, "The chat has ended", []access.Action{}, "opted-in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view, err := c.app.Desk.ChatView(ctx, tc.v, tc.chat)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ChatView = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if view.ReplyBlocked != tc.wantBlocked || view.CanReply != (tc.wantBlocked == "") {
				t.Errorf("replyBlocked %q canReply %v, want %q", view.ReplyBlocked, view.CanReply, tc.wantBlocked)
			}
			if !slices.Equal(view.Actions, tc.wantActions) {
				t.Errorf("actions %v, want %v", view.Actions, tc.wantActions)
			}
			if view.Consent.State != tc.wantConsent || len(view.Messages) != 1 || view.Chat.ID != tc.chat {
				t.Errorf("consent %q, %d messages, chat %s", view.Consent.State, len(view.Messages), view.Chat.ID)
			}
		})
	}
	// A carrier opt-out and no consent at all.
	err := c.store.RunTx(ctx, func(tx store.Tx) error {
		tx.PutConsent(chat.Consent{Number: "+14155550101", Consumer: consumerC, State: chat.ConsentOptedOut, Source: chat.SourceCarrier, UpdatedAt: now})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if view, err := c.app.Desk.ChatView(ctx, ben, "passed-on"); err != nil || !strings.HasPrefix(view.ReplyBlocked, "The consumer opted out at their carrier on 2026-03-10") {
		t.Errorf("carrier opt-out: %q, %v", view.ReplyBlocked, err)
	}
	// ended-ana's consumer C has no consent on another number.
	cc, _ := c.store.Chat(ctx, "ended-ana")
	cc.ID, cc.Number, cc.Status, cc.EndedAt, cc.EndReason = "other-number", "+14155550102", chat.StatusActive, time.Time{}, ""
	if err := c.store.RunTx(ctx, func(tx store.Tx) error { tx.PutChat(cc); return nil }); err != nil {
		t.Fatal(err)
	}
	view, err := c.app.Desk.ChatView(ctx, ana, "other-number")
	if err != nil || view.Consent.State != desk.ConsentUnknown || view.ReplyBlocked != "The consumer has not opted in to texts from this number" {
		t.Errorf("no consent: %+v %q, %v", view.Consent, view.ReplyBlocked, err)
	}
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	t.Run("accept, reply, retry, transfer, end", func(t *testing.T) {
		c := newConsole(t)
		got, err := c.app.Conversation.Accept(ctx, ana, "offered-ana")
		if err != nil || got.Status != chat.StatusActive || got.AgentID != "ana" {
			t.Fatalf("Accept = %s %s, %v", got.Status, got.AgentID, err)
		}
		if _, err := c.app.Conversation.Accept(ctx, ana, "offered-ana"); !chat.IsStateError(err) {
			t.Errorf("second Accept = %v, want a state error", err)
		}
		sendsBefore := len(c.tasks.sends())
		in := conversation.ReplyInput{Body: "How can I help?", RequestID: "req-1"}
		m, err := c.app.Conversation.Reply(ctx, ana, "offered-ana", in)
		if err != nil || m.Body != "How can I help?" || m.AgentID != "ana" || m.Encoding != "GSM-7" || m.Segments != 1 {
			t.Fatalf("Reply = %+v, %v", m, err)
		}
		again, err := c.app.Conversation.Reply(ctx, ana, "offered-ana", in)
		if err != nil || again.Seq != m.Seq {
			t.Fatalf("retried Reply = seq %d, %v; want seq %d", again.Seq, err, m.Seq)
		}
		msgs, _ := c.store.Messages(ctx, "offered-ana")
		agentMsgs := 0
		for _, x := range msgs {
			if x.Author == chat.AuthorAgent {
				agentMsgs++
			}
		}
		if agentMsgs != 1 {
			t.Errorf("%d agent messages after a retried reply, want 1", agentMsgs)
		}
		// The send is enqueued under the message's task name each time: the
		// queue keeps one task per name.
		sends := c.tasks.sends()[sendsBefore:]
		want := wire.QueueSend + "/" + wire.SendTaskName(m.Ref())
		if len(sends) != 2 || sends[0] != want || sends[1] != want {
			t.Errorf("sends %v, want %s twice", sends, want)
		}
		tr, err := c.app.Conversation.Transfer(ctx, ana, "offered-ana", conversation.TransferInput{ToQueue: "en-tech", Note: "needs a technician"})
		// Ben auto-answers Technical support: the chat is his at once.
		if err != nil || tr.Status != chat.StatusActive || tr.QueueID != "en-tech" || tr.AgentID != "ben" {
			t.Fatalf("Transfer = %s %s %s, %v", tr.Status, tr.QueueID, tr.AgentID, err)
		}
		if last := tr.Transfers[len(tr.Transfers)-1]; last.FromAgent != "ana" || last.By != "ana" || last.Note != "needs a technician" || last.State != chat.TransferEnded {
			t.Errorf("transfer %+v", last)
		}
		if _, err := c.app.Conversation.Reply(ctx, ana, "offered-ana", conversation.ReplyInput{Body: "still here", RequestID: "req-2"}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Reply after passing the chat on = %v, want forbidden", err)
		}
		// The retry of a reply Ana sent before the transfer still answers.
		if again, err := c.app.Conversation.Reply(ctx, ana, "offered-ana", in); err != nil || again.Seq != m.Seq {
			t.Errorf("retry after the transfer = %d, %v", again.Seq, err)
		}
		ended, err := c.app.Conversation.End(ctx, supervisor, "offered-ana", "resolved by supervisor")
		if err != nil || ended.Status != chat.StatusEnded || ended.EndReason != chat.EndFinished || ended.WrapUp != "resolved by supervisor" || ended.AgentID != "ben" {
			t.Fatalf("End = %s %s %q by %s, %v", ended.Status, ended.EndReason, ended.WrapUp, ended.AgentID, err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		c := newConsole(t)
		for _, tc := range []struct {
			name      string
			fn        func() error
			want      string
			wantField string
		}{
			{"accept another's offer", func() error { _, err := c.app.Conversation.Accept(ctx, carla, "offered-ana"); return err }, "forbidden", ""},
			{"decline a chat not offered", func() error { _, err := c.app.Conversation.Decline(ctx, ben, "offered-ana"); return err }, "conflict", ""},
			{"reply without a request id", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Body: "x"})
				return err
			}, "invalid", "requestId"},
			{"reply with a request id holding '='", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Body: "x", RequestID: "a=1"})
				return err
			}, "invalid", "requestId"},
			{"reply with nothing", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Body: "  ", RequestID: "r"})
				return err
			}, "invalid", "body"},
			{"reply with a body and a canned message", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Body: "x", CannedID: "hello", RequestID: "r"})
				return err
			}, "invalid", "cannedId"},
			{"reply too long", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Body: strings.Repeat("x", 1601), RequestID: "r"})
				return err
			}, "invalid", "body"},
			{"reply with an unknown canned message", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{CannedID: "nope", RequestID: "r"})
				return err
			}, "invalid", "cannedId"},
			{"reply with media where media are off", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{Media: []chat.Media{{Name: "outbound/held-ana/x"}}, RequestID: "r"})
				return err
			}, "media", ""},
			{"reply in another's chat", func() error {
				_, err := c.app.Conversation.Reply(ctx, ana, "held-ben", conversation.ReplyInput{Body: "x", RequestID: "r"})
				return err
			}, "forbidden", ""},
			{"transfer to two targets", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToAgent: "ben", ToQueue: "en-tech"})
				return err
			}, "invalid", "toAgent"},
			{"transfer to myself", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToAgent: "ana"})
				return err
			}, "invalid", "toAgent"},
			{"transfer to an unknown agent", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToAgent: "zed"})
				return err
			}, "invalid", "toAgent"},
			{"transfer to a menu", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToQueue: "en"})
				return err
			}, "invalid", "toQueue"},
			{"transfer to an unknown queue", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToQueue: "nope"})
				return err
			}, "invalid", "toQueue"},
			{"transfer with a long note", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ana, "held-ana", conversation.TransferInput{ToQueue: "en-tech", Note: strings.Repeat("n", 1001)})
				return err
			}, "invalid", "note"},
			{"transfer while a transfer is pending", func() error {
				_, err := c.app.Conversation.Transfer(ctx, ben, "transfer-to-ana", conversation.TransferInput{ToQueue: "en-billing"})
				return err
			}, "conflict", ""},
			{"end with a long wrap-up", func() error {
				_, err := c.app.Conversation.End(ctx, ana, "held-ana", strings.Repeat("w", 2001))
				return err
			}, "invalid", "wrapUp"},
			{"end an unknown chat", func() error { _, err := c.app.Conversation.End(ctx, ana, "nope", ""); return err }, "not found", ""},
			{"my status without an agent id", func() error {
				_, err := c.app.Conversation.SetStatus(ctx, supervisor, supervisor.AgentID, chat.AgentAway)
				return err
			}, "forbidden", ""},
			{"another agent's status", func() error { _, err := c.app.Conversation.SetStatus(ctx, ana, "ben", chat.AgentAway); return err }, "forbidden", ""},
			{"a status that does not exist", func() error { _, err := c.app.Conversation.SetStatus(ctx, ana, "ana", "busy"); return err }, "invalid", "status"},
			{"an unknown agent's status", func() error {
				_, err := c.app.Conversation.SetStatus(ctx, supervisor, "zed", chat.AgentAway)
				return err
			}, "not found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.fn()
				var ve *chat.ValidationError
				var me *media.Error
				got := outcome(err)
				switch {
				case errors.As(err, &ve):
					got = "invalid"
					if !slices.ContainsFunc(ve.Problems, func(p chat.FieldError) bool { return p.Field == tc.wantField }) {
						t.Errorf("problems %+v do not name %s", ve.Problems, tc.wantField)
					}
				case errors.As(err, &me):
					got = "media"
				case errors.Is(err, store.ErrNotFound):
					got = "not found"
				}
				if got != tc.want {
					t.Errorf("got %s (%v), want %s", got, err, tc.want)
				}
			})
		}
	})
	t.Run("status", func(t *testing.T) {
		c := newConsole(t)
		ag, err := c.app.Conversation.SetStatus(ctx, carla, "carla", chat.AgentAvailable)
		if err != nil || ag.Status != chat.AgentAvailable {
			t.Fatalf("SetStatus = %s, %v", ag.Status, err)
		}
		ag, err = c.app.Conversation.SetStatus(ctx, supervisor, "ben", chat.AgentOffline)
		if err != nil || ag.Status != chat.AgentOffline {
			t.Fatalf("supervisor SetStatus = %s, %v", ag.Status, err)
		}
	})
}

func TestCannedUseCases(t *testing.T) {
	ctx := context.Background()
	c := newConsole(t)
	hello := chat.Canned{ID: "hello", Title: "Hello", Body: "Hi @{CONSUMER_FIRST_NAME}, this is @{AGENT} from @{QUEUE}."}
	billing := chat.Canned{ID: "refund", Title: "Refund", Language: "en", Body: "Your refund is on its way.", QueueIDs: []string{"en-billing"}}
	spanish := chat.Canned{ID: "hola", Title: "Hola", Language: "es", Body: "Hola, soy @{AGENT}."}
	for _, cn := range []chat.Canned{hello, billing, spanish} {
		if _, err := c.app.Desk.PutCanned(ctx, ana, cn); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("an agent wrote a canned message: %v", err)
		}
		if _, err := c.app.Desk.PutCanned(ctx, supervisor, cn); err != nil {
			t.Fatal(err)
		}
	}
	bad := chat.Canned{ID: "bad", Title: "Bad", Body: "x", QueueIDs: []string{"nope"}}
	var ve *chat.ValidationError
	if _, err := c.app.Desk.PutCanned(ctx, supervisor, bad); !errors.As(err, &ve) || ve.Problems[0].Field != "queueIds[0]" {
		t.Errorf("unknown queue: %v", err)
	}
	all, err := c.app.Desk.CannedMessages(ctx)
	if err != nil || !slices.Equal(ids2(all), []string{"hello", "hola", "refund"}) {
		t.Errorf("CannedMessages = %v, %v", ids2(all), err)
	}
	for _, tc := range []struct {
		name string
		v    access.Viewer
		chat string
		want map[string]string
	}{
		{"a billing chat", ana, "held-ana", map[string]string{"hello": "Hi, this is Ana from Billing.", "refund": "Your refund is on its way."}},
		{"a tech chat", ben, "held-ben", map[string]string{"hello": "Hi, this is Ben from Technical support."}},
		{"a supervisor who takes no chats: the holding agent's name", supervisor, "held-ben", map[string]string{"hello": "Hi, this is Ben from Technical support."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.app.Desk.ChatCanned(ctx, tc.v, tc.chat)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			for _, cn := range got {
				m[cn.ID] = cn.Body
			}
			if d := cmp.Diff(tc.want, m); d != "" {
				t.Errorf("canned for the chat (-want +got):\n%s", d)
			}
		})
	}
	if _, err := c.app.Desk.ChatCanned(ctx, carla, "held-ana"); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("canned of a chat Carla cannot see: %v", err)
	}
	if body, err := c.app.Desk.RenderCanned(ctx, ana, "held-ana", "hello"); err != nil || body != "Hi, this is Ana from Billing." {
		t.Errorf("RenderCanned = %q, %v", body, err)
	}
	if _, err := c.app.Desk.RenderCanned(ctx, ana, "held-ana", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RenderCanned(unknown) = %v", err)
	}
	m, err := c.app.Conversation.Reply(ctx, ana, "held-ana", conversation.ReplyInput{CannedID: "hello", RequestID: "canned-1"})
	if err != nil || m.Body != "Hi, this is Ana from Billing." {
		t.Errorf("canned reply = %q, %v", m.Body, err)
	}
	if err := c.app.Desk.DeleteCanned(ctx, ben, "hello"); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("an agent deleted a canned message: %v", err)
	}
	if err := c.app.Desk.DeleteCanned(ctx, supervisor, "hello"); err != nil {
		t.Fatal(err)
	}
	if err := c.app.Desk.DeleteCanned(ctx, supervisor, "hello"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting it again = %v, want ErrNotFound", err)
	}
}

func ids2(cs []chat.Canned) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestProfileDirectoryAndHistory(t *testing.T) {
	ctx := context.Background()
	c := newConsole(t)
	p, err := c.app.Desk.Profile(ctx, ana)
	if err != nil {
		t.Fatal(err)
	}
	var queues []string
	for _, q := range p.Queues {
		queues = append(queues, q.ID)
	}
	if p.Agent == nil || p.Agent.ID != "ana" || !slices.Equal(queues, []string{"en-billing", "es-facturacion", "es-internet", "es-movil", "en-vip"}) {
		t.Errorf("profile of ana: agent %v, queues %v", p.Agent, queues)
	}
	for _, q := range p.TransferQueues {
		if q.ID == "en" || q.ID == "es" || q.ID == "es-soporte" {
			t.Errorf("a menu is a transfer target: %s", q.ID)
		}
	}
	if p, err := c.app.Desk.Profile(ctx, supervisor); err != nil || p.Agent != nil || len(p.Queues) != 9 {
		t.Errorf("profile of a supervisor: %v, %d queues, %v", p.Agent, len(p.Queues), err)
	}
	dir, err := c.app.Desk.Directory(ctx, ana)
	if err != nil || len(dir) != 3 || dir[0].Email != "" {
		t.Errorf("directory for an agent: %+v, %v", dir, err)
	}
	if dir, _ := c.app.Desk.Directory(ctx, supervisor); dir[0].Email == "" {
		t.Error("a supervisor does not see e-mail addresses")
	}
	for _, tc := range []struct {
		name     string
		v        access.Viewer
		consumer string
		want     []string
		wantErr  error
	}{
		{"a supervisor, any consumer", supervisor, consumerB, []string{"menu", "waiting-tech", "waiting-billing", "held-ben", "transfer-to-ana"}, nil},
		{"an agent, a consumer of theirs", ana, "(415) 555-0173", []string{"passed-on", "ended-ana", "ended-long-ago"}, nil},
		{"an agent, a consumer of nobody's", carla, consumerA, nil, access.ErrForbidden},
		{"an unknown consumer", supervisor, "+14155550199", []string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.app.Desk.ConsumerHistory(ctx, tc.v, tc.consumer)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ConsumerHistory = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, ids(got)); d != "" {
				t.Errorf("history (-want +got):\n%s", d)
			}
		})
	}
}

type discardBus struct{}

func (discardBus) Publish(context.Context, string, bus.Message) error { return nil }
