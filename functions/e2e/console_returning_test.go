package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// jsClickFirst clicks the first element matching sel, if there is one.
const jsClickFirst = `(sel) => {
	const el = document.querySelector(sel);
	if (!el) return false;
	el.click();
	return true;
}`

// A returning consumer's chat, offered to the agent who handled the last
// one, links that earlier chat in the console, and the link opens it.
func TestConsoleLinksTheReturningConsumersEarlierChat(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend)
			putJSON(e, "/queues/en", func(q *chat.Queue) { q.Returning = &chat.Returning{Enabled: true} })
			if err := e.setStatus("ben", chat.AgentAway); err != nil {
				t.Fatal(err)
			}
			const consumer = "+14155550811"
			e.say(consumer, numberEN, "I was billed twice in March")
			first := e.say(consumer, numberEN, "1")
			if err := e.accept(first.ChatID, "ana"); err != nil {
				t.Fatal(err)
			}
			if err := e.end(first.ChatID, "ana"); err != nil {
				t.Fatal(err)
			}

			ana := openConsole(t, browser, e, "ana")
			e.say(consumer, numberEN, "hi, it's me again")
			again := e.say(consumer, numberEN, "1")
			if c := e.chat(again.ChatID); c.Offer == nil || !c.Offer.Reserved || c.Offer.AgentID != "ana" {
				t.Fatalf("the returning chat: offer %+v, want Ana's reservation", c.Offer)
			}
			waitFor[int64](ana, "the reserved offer", jsOfferShownAt, again.ChatID)
			ana.do("accept the offer",
				chromedp.Click(chromedp.CSS(`#offered-list li[data-key="`+again.ChatID+`"] button[data-action=accept]`)),
				chromedp.WaitVisible(chromedp.ID("conversation")),
			)
			waitFor[string](ana, "the link to the earlier chat", jsText, "#conv-meta", "returning consumer: earlier chat")
			if c := e.chat(again.ChatID); !c.ReturningMatch || c.PreviousChatID != first.ChatID {
				t.Errorf("accepted in the console: returning %v, previous %q", c.ReturningMatch, c.PreviousChatID)
			}
			// Found and clicked in one step in the page: the chat's header is
			// rendered again whenever the chat changes (a delivery report),
			// and a node found by one DevTools call can be gone by the next.
			waitFor[bool](ana, "the earlier chat's link clicked", jsClickFirst, "#conv-meta a.previous-chat")
			waitFor[int64](ana, "the earlier chat's first text", jsMessageShownAt, "I was billed twice in March")
			waitFor[string](ana, "the earlier chat ended", jsText, "#conv-meta", "ended (Finished)")
		})
	}
}
