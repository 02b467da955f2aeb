package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

func TestTimersFireThroughTheTaskQueue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// Technical support is worked by Ben alone, who answers automatically.
		tests := []struct {
			name       string
			consumer   string
			texts      []string
			benAway    bool
			agentSays  string
			kind       chat.TimerKind
			wantStatus chat.Status
			wantReason chat.EndReason
			wantLast   string
		}{
			{"queue timeout", "+14155550170", []string{"hi", "2"}, true, "", chat.TimerQueue, chat.StatusEnded, chat.EndExpired, "no agent is available"},
			{"dismissal", "+14155550171", []string{"hi"}, false, "", chat.TimerDismissal, chat.StatusEnded, chat.EndDismissed, "Text 1 for Billing"},
			{"chat expiry", "+14155550172", []string{"hi", "2"}, false, "", chat.TimerExpiry, chat.StatusEnded, chat.EndExpired, "This chat has ended"},
			{"agent inactivity", "+14155550173", []string{"hi", "2"}, false, "", chat.TimerAgentInactivity, chat.StatusEnded, chat.EndTimeoutAgentNoMessage, "This chat has ended"},
			{"end-user inactivity", "+14155550174", []string{"hi", "2"}, false, "Hi, Ben here. Still there?", chat.TimerEndUserInactivity, chat.StatusEnded, chat.EndTimeoutEndUser, "This chat has ended"},
		}
		for _, tc := range tests {
			// Sequential: several cases move Ben's status and load.
			e.editAgent("ben", func(a *chat.Agent) {
				a.Status, a.Load = chat.AgentAvailable, 0
				if tc.benAway {
					a.Status = chat.AgentAway
				}
			})
			var rec store.InboundRecord
			for _, body := range tc.texts {
				rec = e.say(tc.consumer, numberEN, body)
			}
			if tc.agentSays != "" {
				if _, err := e.conv.Reply(e.ctx(), access.Viewer{UID: "ben", AgentID: "ben"}, rec.ChatID, conversation.ReplyInput{
					Body: tc.agentSays, RequestID: "reply-" + strings.ReplaceAll(tc.name, " ", "-"),
				}); err != nil {
					t.Fatalf("%s: reply: %v", tc.name, err)
				}
				e.settleChat(rec.ChatID)
			}
			before := e.chat(rec.ChatID)
			c := e.fireTimer(rec.ChatID, tc.kind)
			bodies := e.bodies(tc.consumer)
			if c.Status != tc.wantStatus || c.EndReason != tc.wantReason || !strings.Contains(bodies[len(bodies)-1], tc.wantLast) {
				t.Errorf("%s: chat %s %q, last text %q; want %s %q, %q", tc.name, c.Status, c.EndReason, bodies[len(bodies)-1], tc.wantStatus, tc.wantReason, tc.wantLast)
			}
			if len(c.Timers) != 0 {
				t.Errorf("%s: ended chat keeps timers %+v", tc.name, c.Timers)
			}
			if before.AgentID != "" && e.agent(before.AgentID).Load != 0 {
				t.Errorf("%s: agent %s keeps the ended chat's capacity", tc.name, before.AgentID)
			}
			// A second delivery of the same timer only re-enqueues what it
			// decided (names dedupe), a stale one does nothing: neither texts.
			texts := len(bodies)
			for _, kind := range []chat.TimerKind{tc.kind, chat.TimerExpiry} {
				want := conversation.TimerStale
				if kind == tc.kind {
					want = conversation.TimerRepaired
				}
				version := before.Version
				for _, tm := range before.Timers {
					if tm.Kind == kind {
						version = tm.Version
					}
				}
				if got := e.postTimer(chat.Timer{ChatID: rec.ChatID, Kind: kind, Version: version}); got != want {
					t.Errorf("%s: redelivered %s timer: %s, want %s", tc.name, kind, got, want)
				}
			}
			after := e.chat(rec.ChatID)
			if after.Version != c.Version || len(e.twilio.SentTo(tc.consumer)) != texts {
				t.Errorf("%s: a redelivered timer changed the chat (version %d → %d) or texted", tc.name, c.Version, after.Version)
			}
		}

		// A dismissed consumer who writes again is told, and starts over.
		e.say("+14155550171", numberEN, "hello?")
		bodies := e.bodies("+14155550171")
		if n := len(bodies); !strings.Contains(bodies[n-2], "previous chat was closed") || !strings.Contains(bodies[n-1], "Text 1 for Billing") {
			t.Errorf("after dismissal: %q", bodies[n-2:])
		}
	})
}

func TestStaleTimerDoesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550175"
		rec := e.say(consumer, numberEN, "hi")
		first := e.chat(rec.ChatID)
		var old chat.Timer
		for _, tm := range first.Timers {
			if tm.Kind == chat.TimerDismissal {
				old = tm
			}
		}
		// An invalid choice re-arms the dismissal timer: the first one is stale.
		e.say(consumer, numberEN, "nonsense")
		now := e.chat(rec.ChatID)
		if due, ok := now.Armed(chat.TimerDismissal); !ok || !due.After(old.DueAt) {
			t.Fatalf("dismissal not re-armed: %v %v", due, ok)
		}
		if got := e.postTimer(chat.Timer{ChatID: old.ChatID, Kind: old.Kind, Version: old.Version}); got != conversation.TimerStale {
			t.Errorf("stale timer outcome %s", got)
		}
		if c := e.chat(rec.ChatID); c.Status != chat.StatusMenu || c.Version != now.Version {
			t.Errorf("stale timer changed the chat: %s v%d", c.Status, c.Version)
		}
		// Malformed timer tasks are refused with the field named.
		for body, field := range map[string]string{
			`{"kind":"queue","version":1}`:                  "chatId",
			`{"chatId":"x","kind":"nap","version":1}`:       "kind",
			`{"chatId":"x","kind":"queue","version":0}`:     "version",
			`{"chatId":"x","kind":"queue","version":"one"}`: "timer task",
		} {
			resp, err := http.Post(e.urls.Function(wire.FnChatTimers), "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			msg := readAll(t, resp)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(msg, field) {
				t.Errorf("%s: %d %q, want 400 naming %s", body, resp.StatusCode, msg, field)
			}
		}
	})
}

// postTimer delivers a timer task to ChatTimers the way the queue does.
func (e *env) postTimer(timer chat.Timer) string {
	e.t.Helper()
	task, err := e.urls.TimerTask(timer)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.Post(task.URL, "application/json", bytes.NewReader(task.Body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Outcome string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("ChatTimers answered %d: %v", resp.StatusCode, err)
	}
	return out.Outcome
}
