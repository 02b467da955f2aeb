package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// The inbox (issue 17): each chat's latest text and unread count, and the
// search over the chats the agent sees, also ended ones, by text and by
// number.
func TestConsoleInboxPreviewAndSearch(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		parcel := activeChat(t, e, "+14155550195", "1", "ana")
		e.say("+14155550195", numberEN, "My parcel never arrived at the depot")
		if err := e.end(parcel, "ana"); err != nil {
			t.Fatal(err)
		}
		open := activeChat(t, e, "+14155550196", "1", "ana")

		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		row := `#active-list li[data-key="` + open + `"]`
		waitFor[string](ana, "the chat listed", jsText, row, "+14155550196")
		// A text on a chat Ana is not looking at: preview and count.
		e.say("+14155550196", numberEN, "Is anyone there? Invoice 4471 is wrong")
		waitFor[string](ana, "the preview", jsText, row+" .chat-preview", "Invoice 4471 is wrong")
		waitFor[string](ana, "the unread count", jsText, row+" .unread-count", "1")
		consoletest.Screenshot(t, ana.ctx, "ana-inbox-preview")

		// The ended chat is found by a word of its texts, as a prefix.
		ana.do("search a word", chromedp.SendKeys(chromedp.ID("inbox-search"), "parc"))
		waitFor[string](ana, "the ended chat found", jsText, "#search-list", "+14155550195")
		if n := pageValue[int](ana, "results", `document.querySelectorAll('#search-list li').length`); n != 1 {
			t.Errorf("%d results for parc, want 1", n)
		}
		waitFor[string](ana, "what matched", jsText, "#search-list", "My parcel never arrived")
		consoletest.Screenshot(t, ana.ctx, "ana-search-text")
		ana.do("open it", chromedp.Click(chromedp.CSS(`#search-list li[data-key="`+parcel+`"] a`)))
		waitFor[string](ana, "the chat opened", jsText, "#conv-title", "+14155550195")

		// By the last digits of the number.
		ana.do("search a number", chromedp.Evaluate[chromedp.Void](`document.querySelector("#inbox-search").value = ""`),
			chromedp.SendKeys(chromedp.ID("inbox-search"), "0196"))
		waitFor[string](ana, "the open chat found", jsText, "#search-list", "+14155550196")
		if n := pageValue[int](ana, "results", `document.querySelectorAll('#search-list li').length`); n != 1 {
			t.Errorf("%d results for 0196, want 1", n)
		}
		// Nothing of Ana's says "router".
		ana.do("search what nobody wrote", chromedp.Evaluate[chromedp.Void](`document.querySelector("#inbox-search").value = ""`),
			chromedp.SendKeys(chromedp.ID("inbox-search"), "router"))
		waitFor[string](ana, "no match", jsText, "#search-state", "No chat you can see matches")
	})
}

// The offer card shows, before accepting, what the consumer wrote, the
// queue path through the menu and their earlier chats.
func TestConsoleOfferPreview(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550197"
		first := activeChat(t, e, consumer, "1", "ana")
		if err := e.end(first, "ana"); err != nil {
			t.Fatal(err)
		}
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		e.say(consumer, numberEN, "My card was charged twice")
		rec := e.say(consumer, numberEN, "1")
		c := e.waitChat(rec.ChatID, "offered to ana", func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == "ana" })
		card := `#offered-list li[data-key="` + c.ID + `"]`
		waitFor[string](ana, "the consumer's text", jsText, card+" .offer-messages", "My card was charged twice")
		waitFor[string](ana, "the earlier chat", jsText, card+" .offer-path", "1 earlier chat")
		path := waitFor[string](ana, "the queue path", jsText, card+" .offer-path", "›")
		if !strings.Contains(path, "Billing") {
			t.Errorf("queue path %q lacks Billing", path)
		}
		consoletest.Screenshot(t, ana.ctx, "ana-offer-preview")
		ana.do("accept", chromedp.Click(chromedp.CSS(card+` button[data-action="accept"]`)))
		e.waitChat(c.ID, "accepted", func(c chat.Chat) bool { return c.Status == chat.StatusActive && c.AgentID == "ana" })
	})
}
