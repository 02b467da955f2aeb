package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// raceDelay is how long the carrier stand-in holds every text but the
// opt-out confirmation: a text claimed just before a STOP is then still in
// its carrier call when the confirmation is claimed, which is the window
// the race lives in (a few milliseconds in production, where it happened in
// 2 or 3 of 30 tries).
const raceDelay = 25 * time.Millisecond

// optOutRounds is how many consumers race their STOP; each round is a new
// consumer, so one round's outcome cannot hide another's.
const optOutRounds = 30

// TestOptOutConfirmationIsTheLastText races a consumer's STOP against what
// is on its way to them: the "Ben will chat with you" text of the menu
// choice just made, and Ben's replies, written through the console's door
// while the STOP is routed. Whatever the interleaving, the carrier must
// receive the opt-out confirmation exactly once and nothing after it: sends
// claimed before the opt-out finish first, later ones are suppressed.
func TestOptOutConfirmationIsTheLastText(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.twilio.SetDelay(func(_, body string) time.Duration {
			if strings.Contains(body, "You are unsubscribed") {
				return 0
			}
			return raceDelay
		})
		// Technical support is Ben's alone; he answers at once and has room
		// for every round's chat.
		e.editAgent("ben", func(a *chat.Agent) { a.Capacity, a.AutoAnswer = 100, true })

		var failed []string
		for r := range optOutRounds {
			if why := e.raceStop(r); why != "" {
				failed = append(failed, why)
			}
		}
		if len(failed) > 0 {
			t.Errorf("%d of %d rounds texted the consumer after the opt-out confirmation:\n%s",
				len(failed), optOutRounds, strings.Join(failed, "\n"))
		}
	})
}

// raceStop runs one round and returns what went wrong, "" if nothing did.
// Rounds take turns at when the STOP is texted: right behind the menu
// choice (racing the assignment text), while Ben's first reply is in its
// carrier call, or once his second reply is written (racing its send).
func (e *env) raceStop(r int) string {
	t := e.t
	t.Helper()
	consumer := fmt.Sprintf("+1415556%04d", 1000+r)
	chatID := e.say(consumer, numberEN, "hi").ChatID
	sid := func(what string) string { return fmt.Sprintf("SMrace%d%s%d", r, what, e.sids.Add(1)) }
	text := func(sid, body string) {
		if code := e.text(sid, consumer, numberEN, body); code != 200 {
			t.Fatalf("round %d: webhook for %q answered %d", r, body, code)
		}
	}

	when := []string{"behind the menu choice", "during reply 1's carrier call", "after reply 2 is written"}[r%3]
	stopSID := sid("stop")
	text(sid("choice"), "2") // Technical support: Ben takes it
	if r%3 == 0 {
		text(stopSID, "STOP")
	}
	testenv.WaitFor(t, waitLimit, "Ben holds the chat, or it ended", func() bool {
		c := e.chat(chatID)
		return (c.Status == chat.StatusActive && c.AgentID == "ben") || !c.Open()
	})

	replies := make(chan chat.Ref, 3)
	var replyErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(replies)
		ben := access.Viewer{UID: "ben", AgentID: "ben"}
		for i := range 3 {
			m, err := e.conv.Reply(e.ctx(), ben, chatID, conversation.ReplyInput{
				Body: fmt.Sprintf("Reply %d from Ben", i+1), RequestID: fmt.Sprintf("race-%d-%d", r, i),
			})
			if err != nil {
				// The STOP ended the chat: the race went the other way.
				if c, cerr := e.store.Chat(e.ctx(), chatID); cerr != nil || c.Open() {
					replyErr = err
				}
				return
			}
			replies <- m.Ref()
		}
	}()
	switch r % 3 {
	case 1:
		if ref, ok := <-replies; ok {
			e.waitMessage(ref, "claimed or done", func(m chat.Message) bool {
				return m.Send.State == chat.SendClaimed || m.Send.Done()
			})
		}
		text(stopSID, "STOP")
	case 2:
		<-replies
		<-replies
		text(stopSID, "STOP")
	}
	wg.Wait()
	if replyErr != nil {
		t.Fatalf("round %d: reply in an open chat: %v", r, replyErr)
	}
	e.waitRouted(stopSID)
	e.settleChat(chatID)

	bodies := e.bodies(consumer)
	confirmations, at := 0, -1
	for i, b := range bodies {
		if strings.Contains(b, "You are unsubscribed") {
			confirmations, at = confirmations+1, i
		}
	}
	switch {
	case confirmations != 1:
		return fmt.Sprintf("round %d (STOP %s): %d confirmations in %q", r, when, confirmations, bodies)
	case at != len(bodies)-1:
		return fmt.Sprintf("round %d (STOP %s): after the confirmation came %q", r, when, bodies[at+1:])
	}
	return ""
}

// TestFirstTextHELPGetsTheOptInNotice: a new consumer whose first text is
// HELP gets the opt-in notice first, then the help text, then the menu;
// once opted out, their HELP is still answered, with the help text alone,
// and the ledger says so.
func TestFirstTextHELPGetsTheOptInNotice(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155557001"
		e.say(consumer, numberEN, "HELP")
		got := e.bodies(consumer)
		want := []string{"Thanks for texting us", "For help contact", "Text 1 for Billing"}
		if len(got) != len(want) {
			t.Fatalf("first HELP got %d texts %q, want %d", len(got), got, len(want))
		}
		for i, w := range want {
			if !strings.Contains(got[i], w) {
				t.Errorf("text %d %q lacks %q", i+1, got[i], w)
			}
		}

		e.say(consumer, numberEN, "STOP")
		e.say(consumer, numberEN, "help")
		got = e.bodies(consumer)
		if len(got) != 5 || !strings.Contains(got[3], "You are unsubscribed") || !strings.Contains(got[4], "For help contact") {
			t.Fatalf("after STOP and HELP the consumer got %q, want the confirmation, then the help text", got[min(3, len(got)):])
		}
		e.say(consumer, numberEN, "hello?")
		if n := len(e.bodies(consumer)); n != 5 {
			t.Errorf("an opted-out consumer's text was answered: %q", e.bodies(consumer)[5:])
		}
		evs, err := e.store.ConsentEvents(e.ctx(), numberEN, consumer)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			actions = append(actions, string(ev.Action)+"/"+string(ev.Source))
		}
		if got := strings.Join(actions, ","); got != "opt-in/consumer-first-message,opt-out/keyword,help-answered/keyword" {
			t.Errorf("ledger %s", got)
		}
		consent, err := e.store.Consent(e.ctx(), numberEN, consumer)
		if err != nil || consent.State != chat.ConsentOptedOut {
			t.Errorf("consent %+v, %v", consent, err)
		}
	})
}
