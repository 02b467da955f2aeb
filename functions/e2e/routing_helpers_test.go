package e2e

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// say texts the business as a consumer and waits until the text is routed
// and every reply it caused is sent: the consumer's phone shows them.
func (e *env) say(consumer, number, body string) store.InboundRecord {
	e.t.Helper()
	sid := fmt.Sprintf("SM%s%d", strings.TrimPrefix(consumer, "+"), e.sids.Add(1))
	if code := e.text(sid, consumer, number, body); code != 200 {
		e.t.Fatalf("webhook for %q answered %d", body, code)
	}
	rec := e.waitRouted(sid)
	e.waitSettled(rec)
	return rec
}

// chat reads a chat.
func (e *env) chat(id string) chat.Chat {
	e.t.Helper()
	c, err := e.store.Chat(e.ctx(), id)
	if err != nil {
		e.t.Fatalf("chat %s: %v", id, err)
	}
	return c
}

// waitChat waits until a chat satisfies cond.
func (e *env) waitChat(id, what string, cond func(chat.Chat) bool) chat.Chat {
	e.t.Helper()
	var c chat.Chat
	testenv.WaitFor(e.t, waitLimit, "chat "+id+": "+what, func() bool {
		got, err := e.store.Chat(e.ctx(), id)
		c = got
		return err == nil && cond(got)
	})
	return c
}

// agent reads an agent.
func (e *env) agent(id string) chat.Agent {
	e.t.Helper()
	a, err := e.store.Agent(e.ctx(), id)
	if err != nil {
		e.t.Fatalf("agent %s: %v", id, err)
	}
	return a
}

// editAgent changes an agent's stored document.
func (e *env) editAgent(id string, edit func(a *chat.Agent)) {
	e.t.Helper()
	a := e.agent(id)
	edit(&a)
	if err := e.store.PutAgent(e.ctx(), a); err != nil {
		e.t.Fatal(err)
	}
}

// fireTimer makes the task queue dispatch a chat's armed timer now (Cloud
// Tasks' RunTask on the emulator) and waits until the timer was applied
// and its texts sent.
func (e *env) fireTimer(chatID string, kind chat.TimerKind) chat.Chat {
	e.t.Helper()
	c := e.chat(chatID)
	i := slices.IndexFunc(c.Timers, func(t chat.Timer) bool { return t.Kind == kind })
	if i < 0 {
		e.t.Fatalf("chat %s has no %s timer armed (timers %+v)", chatID, kind, c.Timers)
	}
	timer := c.Timers[i]
	runner, ok := e.tasks.(tasks.Runner)
	if !ok {
		e.t.Fatalf("%T cannot run tasks", e.tasks)
	}
	// The task is enqueued after the transaction commits: wait for it.
	testenv.WaitFor(e.t, waitLimit, "run task "+timer.TaskName(), func() bool {
		err := runner.Run(e.ctx(), wire.QueueTimers, timer.TaskName())
		if err != nil && !errors.Is(err, tasks.ErrNoTask) {
			e.t.Fatalf("run %s: %v", timer.TaskName(), err)
		}
		return err == nil
	})
	after := e.waitChat(chatID, string(kind)+" timer applied", func(c chat.Chat) bool { return !c.IsCurrent(kind, timer.Version) })
	e.settleChat(chatID)
	return after
}

// settleChat waits until every outbound message of a chat is finished.
func (e *env) settleChat(chatID string) {
	e.t.Helper()
	msgs, err := e.store.Messages(e.ctx(), chatID)
	if err != nil {
		e.t.Fatal(err)
	}
	var rec store.InboundRecord
	for _, m := range msgs {
		if m.Author.Outbound() {
			rec.Replies = append(rec.Replies, m.Ref())
		}
	}
	e.waitSettled(rec)
}

// bodies are the texts a consumer received, in order.
func (e *env) bodies(consumer string) []string {
	var out []string
	for _, s := range e.twilio.SentTo(consumer) {
		out = append(out, s.Body)
	}
	return out
}

// transcript is a chat's messages.
func (e *env) transcript(chatID string) []chat.Message {
	e.t.Helper()
	msgs, err := e.store.Messages(e.ctx(), chatID)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}
