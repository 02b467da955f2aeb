package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/csat"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/store"
)

const surveyText = "How did we do? Reply with a number from 1 (poor) to 5 (great)."

// finishedWithBen opens a chat in Technical support (Ben, auto-answer),
// has Ben end it, and returns it.
func (e *env) finishedWithBen(consumer string) chat.Chat {
	e.t.Helper()
	e.say(consumer, numberEN, "hi")
	rec := e.say(consumer, numberEN, "2")
	if c := e.chat(rec.ChatID); c.AgentID != "ben" {
		e.t.Fatalf("%s: chat with %q, want Ben", consumer, c.AgentID)
	}
	if err := e.end(rec.ChatID, "ben"); err != nil {
		e.t.Fatal(err)
	}
	e.settleChat(rec.ChatID)
	return e.chat(rec.ChatID)
}

func count(bodies []string, text string) int {
	n := 0
	for _, b := range bodies {
		if strings.Contains(b, text) {
			n++
		}
	}
	return n
}

func TestCSATSurvey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// The survey is configured on the English tree and inherited.
		q := e.queue("en")
		q.Survey = &chat.Survey{Enabled: true, WindowMinutes: 0}
		b, _ := json.Marshal(q)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en", string(b)); code != http.StatusOK {
			t.Fatalf("PUT queue: %d %s", code, body)
		}
		q.Survey.WindowMinutes = 20000
		b, _ = json.Marshal(q)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en", string(b)); code != http.StatusBadRequest ||
			!strings.Contains(body, `"field":"queues[en].survey.windowMinutes"`) {
			t.Errorf("a window over a week: %d %s", code, body)
		}
		clk := e.useClock(time.Date(2027, 1, 5, 18, 0, 0, 0, time.UTC))

		// Rated, thanked once, commented; the comment gets no text.
		const rates = "+14155550701"
		c := e.finishedWithBen(rates)
		bodies := e.bodies(rates)
		if last(bodies) != surveyText || count(bodies, "How did we do?") != 1 || c.SurveyState != csat.Sent {
			t.Fatalf("after the chat: state %q, texts %q", c.SurveyState, bodies)
		}
		if err := e.end(c.ID, "ben"); err == nil {
			t.Error("ending a finished chat again succeeded")
		}
		clk.Set(clk.Now().Add(2 * time.Hour))
		rec := e.say(rates, numberEN, "4")
		if rec.ChatID != c.ID {
			t.Errorf("the rating went to chat %s, not the surveyed %s", rec.ChatID, c.ID)
		}
		c = e.chat(c.ID)
		if c.Rating != 4 || c.SurveyState != csat.Rated || !strings.HasPrefix(last(e.bodies(rates)), "Thanks for your rating!") {
			t.Errorf("rating: %d %q, last text %q", c.Rating, c.SurveyState, last(e.bodies(rates)))
		}
		// The rating's webhook delivered again sends nothing twice.
		sent := len(e.twilio.SentTo(rates))
		if code := e.text(rec.Message.ProviderMessageID, rates, numberEN, "4"); code != http.StatusOK {
			t.Fatal(code)
		}
		e.waitSettled(e.waitRouted(rec.Message.ProviderMessageID))
		e.say(rates, numberEN, "Ben fixed my router, thanks")
		c = e.chat(c.ID)
		if n := len(e.twilio.SentTo(rates)); n != sent {
			t.Errorf("the redelivered rating or the comment texted %d more", n-sent)
		}
		if !c.HasFeedback || c.Feedback != "Ben fixed my router, thanks" || c.SurveyState != csat.Done || c.Rating != 4 {
			t.Errorf("comment: %+v", c)
		}
		if len(c.Unpublished) != 1 || c.Unpublished[0].Type != chat.EventChatRated || c.Unpublished[0].Rating != 4 ||
			!c.Unpublished[0].HasFeedback || c.Unpublished[0].AgentID != "ben" {
			t.Errorf("chat.rated event: %+v", c.Unpublished)
		}
		msgs := e.transcript(c.ID)
		if m := msgs[len(msgs)-1]; m.Kind != chat.KindSurveyReply || m.Author != chat.AuthorConsumer {
			t.Errorf("the comment is in the transcript as %s by %s", m.Kind, m.Author)
		}
		// Anything after is a new conversation, routed to the menu.
		if rec := e.say(rates, numberEN, "hi again"); rec.ChatID == c.ID || !strings.Contains(last(e.bodies(rates)), "Text 1 for Billing") {
			t.Errorf("a text after the survey: chat %s, %q", rec.ChatID, last(e.bodies(rates)))
		}

		// A reply after the window is routed as usual.
		const late = "+14155550702"
		c = e.finishedWithBen(late)
		clk.Set(clk.Now().Add(24*time.Hour + time.Minute))
		if rec := e.say(late, numberEN, "5"); rec.ChatID == c.ID || e.chat(c.ID).Rating != 0 || !strings.Contains(last(e.bodies(late)), "Text 1 for Billing") {
			t.Errorf("a late 5: chat %s, rating %d, %q", rec.ChatID, e.chat(c.ID).Rating, last(e.bodies(late)))
		}

		// A reply that is not a rating is a new question, routed.
		const asks = "+14155550703"
		c = e.finishedWithBen(asks)
		if rec := e.say(asks, numberEN, "one more question about my bill"); rec.ChatID == c.ID || !strings.Contains(last(e.bodies(asks)), "Text 1 for Billing") {
			t.Errorf("a question after the survey: chat %s, %q", rec.ChatID, last(e.bodies(asks)))
		}

		// A consumer whose consent was revoked (carrier error 21610) while
		// the chat was open is never surveyed.
		const revoked = "+14155550704"
		e.say(revoked, numberEN, "hi")
		rec = e.say(revoked, numberEN, "2")
		if err := e.store.RunTx(e.ctx(), func(tx store.Tx) error {
			cs, err := tx.Consent(numberEN, revoked)
			if err != nil {
				return err
			}
			cs.State = chat.ConsentOptedOut
			tx.PutConsent(cs)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sent = len(e.twilio.SentTo(revoked))
		if err := e.end(rec.ChatID, "ben"); err != nil {
			t.Fatal(err)
		}
		e.settleChat(rec.ChatID)
		if c := e.chat(rec.ChatID); c.SurveyState != conversation.SurveySkippedOptOut || len(e.twilio.SentTo(revoked)) != sent {
			t.Errorf("opted out: state %q, %d more texts", c.SurveyState, len(e.twilio.SentTo(revoked))-sent)
		}

		// Inside the quiet hours the survey is dropped, not held.
		code, body := e.admin(auth.RoleAdmin, "GET", "/settings", "")
		var s chat.Settings
		if code != http.StatusOK || json.Unmarshal([]byte(body), &s) != nil {
			t.Fatalf("GET settings: %d %s", code, body)
		}
		s.QuietHours = chat.QuietHours{Enabled: true, Start: "21:00", End: "08:00", TimeZone: "America/Los_Angeles"}
		b, _ = json.Marshal(s)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/settings", string(b)); code != http.StatusOK {
			t.Fatalf("PUT settings: %d %s", code, body)
		}
		clk.Set(time.Date(2027, 1, 8, 7, 0, 0, 0, time.UTC)) // 23:00 in San Francisco (415)
		const night = "+14155550705"
		c = e.finishedWithBen(night)
		if c.SurveyState != conversation.SurveySkippedQuiet || count(e.bodies(night), "How did we do?") != 0 {
			t.Errorf("in quiet hours: state %q, texts %q", c.SurveyState, e.bodies(night))
		}
	})
}
