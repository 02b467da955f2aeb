package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
)

// putJSON reads an AdminAPI document, edits it and saves it.
func putJSON[T any](e *env, path string, edit func(*T)) {
	e.t.Helper()
	code, body := e.admin(auth.RoleAdmin, "GET", path, "")
	var v T
	if code != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil {
		e.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	edit(&v)
	b, _ := json.Marshal(v)
	if code, body := e.admin(auth.RoleAdmin, "PUT", path, string(b)); code != http.StatusOK {
		e.t.Fatalf("PUT %s: %d %s", path, code, body)
	}
}

// billingWithAna has Ana take and finish a Billing chat of consumer, with
// Ben away so the chat is hers.
func (e *env) billingWithAna(consumer string) chat.Chat {
	e.t.Helper()
	if err := e.setStatus("ben", chat.AgentAway); err != nil {
		e.t.Fatal(err)
	}
	e.say(consumer, numberEN, "hi")
	rec := e.say(consumer, numberEN, "1")
	if err := e.accept(rec.ChatID, "ana"); err != nil {
		e.t.Fatalf("%s: Ana accepts: %v", consumer, err)
	}
	if err := e.end(rec.ChatID, "ana"); err != nil {
		e.t.Fatal(err)
	}
	e.settleChat(rec.ChatID)
	if err := e.setStatus("ben", chat.AgentAvailable); err != nil {
		e.t.Fatal(err)
	}
	return e.chat(rec.ChatID)
}

func TestReturningConsumer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		putJSON(e, "/queues/en", func(q *chat.Queue) { q.Returning = &chat.Returning{Enabled: true} })
		putJSON(e, "/numbers/"+numberEN, func(n *chat.Number) { n.ConversationWindowMinutes = 60 })
		code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en", `{"name":"English","order":1,"language":"en","returning":{"enabled":true,"reserveSeconds":900}}`)
		if code != http.StatusBadRequest || !strings.Contains(body, `"field":"queues[en].returning"`) {
			t.Errorf("a 15-minute reservation: %d %s", code, body)
		}
		clk := e.useClock(time.Date(2027, 2, 2, 16, 0, 0, 0, time.UTC))

		// Back within 72 hours: offered to Ana first, reserved for 30 s; she takes it.
		const takes = "+14155550801"
		first := e.billingWithAna(takes)
		e.later(clk, 48*time.Hour)
		e.say(takes, numberEN, "hi, it's me again")
		rec := e.say(takes, numberEN, "1")
		c := e.chat(rec.ChatID)
		if c.Offer == nil || c.Offer.AgentID != "ana" || !c.Offer.Reserved || c.Offer.ExpiresAt.Sub(c.Offer.OfferedAt) != 30*time.Second || c.PreviousChatID != first.ID {
			t.Fatalf("returning: offer %+v, previous %q; want a 30 s reservation for Ana, previous %s", c.Offer, c.PreviousChatID, first.ID)
		}
		if err := e.accept(rec.ChatID, "ana"); err != nil {
			t.Fatal(err)
		}
		if c := e.chat(rec.ChatID); c.AgentID != "ana" || !c.ReturningMatch || c.StartType != chat.StartManual {
			t.Errorf("accepted: %q returning %v start %s", c.AgentID, c.ReturningMatch, c.StartType)
		}
		if err := e.end(rec.ChatID, "ana"); err != nil {
			t.Fatal(err)
		}

		// She lets the reservation lapse: not set away, and the queue (Ben) has it.
		const lapses = "+14155550802"
		e.billingWithAna(lapses)
		e.later(clk, time.Hour)
		e.say(lapses, numberEN, "hello")
		rec = e.say(lapses, numberEN, "1")
		if c := e.chat(rec.ChatID); c.Offer == nil || c.Offer.AgentID != "ana" || !c.Offer.Reserved {
			t.Fatalf("returning: offer %+v, want Ana's reservation", c.Offer)
		}
		e.later(clk, 30*time.Second)
		c = e.fireTimer(rec.ChatID, chat.TimerOffer)
		if c.AgentID != "ben" || c.ReturningMatch || c.Status != chat.StatusActive {
			t.Errorf("after the reservation: %s with %q (returning %v), want active with Ben", c.Status, c.AgentID, c.ReturningMatch)
		}
		if a := e.agent("ana"); a.Status != chat.AgentAvailable || a.Load != 0 {
			t.Errorf("Ana after a lapsed reservation: %s, load %d", a.Status, a.Load)
		}
		if got := last(e.bodies(lapses)); !strings.Contains(got, "Ben will chat with you about Billing") {
			t.Errorf("after the reservation: %q", got)
		}
		if err := e.end(rec.ChatID, "ben"); err != nil {
			t.Fatal(err)
		}

		// After 72 hours, or in a queue Ana does not work, nobody is reserved.
		const late = "+14155550803"
		e.billingWithAna(late)
		e.later(clk, 73*time.Hour)
		e.say(late, numberEN, "hi")
		rec = e.say(late, numberEN, "1")
		if c := e.chat(rec.ChatID); (c.Offer != nil && c.Offer.Reserved) || c.ReturningMatch || c.PreviousChatID != "" {
			t.Errorf("after 72 h: offer %+v, returning %v, previous %q", c.Offer, c.ReturningMatch, c.PreviousChatID)
		}
		e.endAny(rec.ChatID)
		const other = "+14155550804"
		e.billingWithAna(other)
		e.say(other, numberEN, "hi")
		rec = e.say(other, numberEN, "2") // Technical support: Ben alone
		if c := e.chat(rec.ChatID); c.AgentID != "ben" || c.ReturningMatch {
			t.Errorf("in another queue: %q returning %v", c.AgentID, c.ReturningMatch)
		}
		e.endAny(rec.ChatID)

		// Within the number's 60-minute conversation window, a chat that ended
		// by a timeout reopens: no menu, its queue, its agent, linked.
		const quiet = "+14155550805"
		e.say(quiet, numberEN, "hi")
		rec = e.say(quiet, numberEN, "2")
		if _, err := e.conv.Reply(e.ctx(), access.Viewer{UID: "ben", AgentID: "ben"}, rec.ChatID, conversation.ReplyInput{Body: "Did the restart help?", RequestID: "r-quiet"}); err != nil {
			t.Fatal(err)
		}
		e.settleChat(rec.ChatID)
		e.later(clk, 30*time.Minute)
		if c := e.fireTimer(rec.ChatID, chat.TimerEndUserInactivity); c.EndReason != chat.EndTimeoutEndUser {
			t.Fatalf("end-user inactivity: %q", c.EndReason)
		}
		e.later(clk, 20*time.Minute)
		sent := len(e.bodies(quiet))
		back := e.say(quiet, numberEN, "sorry, it did not")
		c = e.chat(back.ChatID)
		news := e.bodies(quiet)[sent:]
		if c.PreviousChatID != rec.ChatID || c.QueueID != "en-tech" || c.AgentID != "ben" || !c.ReturningMatch ||
			len(news) != 1 || !strings.Contains(news[0], "Ben will chat with you about Technical support") {
			t.Errorf("reopened: previous %q queue %s agent %q returning %v, texts %q", c.PreviousChatID, c.QueueID, c.AgentID, c.ReturningMatch, news)
		}
	})
}

// later moves the clock on as agents with the console open live it: their
// polls keep them present (an available agent who stopped polling is away).
func (e *env) later(clk *fakeClock, d time.Duration) {
	e.t.Helper()
	clk.Set(clk.Now().Add(d))
	for _, id := range []string{"ana", "ben"} {
		if err := e.conv.Seen(e.ctx(), id); err != nil {
			e.t.Fatal(err)
		}
	}
}

// endAny ends a chat as whoever holds or is offered it.
func (e *env) endAny(chatID string) {
	e.t.Helper()
	c := e.chat(chatID)
	if c.Offer != nil && c.Status == chat.StatusQueued {
		if err := e.accept(chatID, c.Offer.AgentID); err != nil {
			e.t.Fatal(err)
		}
		c = e.chat(chatID)
	}
	if c.AgentID != "" && c.Status == chat.StatusActive {
		if err := e.end(chatID, c.AgentID); err != nil {
			e.t.Fatal(err)
		}
	}
}
