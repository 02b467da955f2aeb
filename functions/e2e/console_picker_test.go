package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// pickTarget chooses an agent or a queue in the Transfer dialog's picker.
func pickTarget(kind, id string) []chromedp.Action[chromedp.Void] {
	sel := fmt.Sprintf(`#transfer-options [data-kind="%s"][data-id="%s"]`, kind, id)
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.CSS(sel + `:not([aria-disabled])`)),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS(sel + `[aria-selected="true"]`)),
	}
}

// TestConsoleTransferPicker: the Transfer dialog lists every other agent
// with status and free capacity (those who cannot take a chat now cannot
// be picked) and every transfer queue with its waiting count as the store
// holds it; typing filters; nothing picked is refused with a message; an
// agent picked from the keyboard gets the transfer with its note.
func TestConsoleTransferPicker(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		chatID := activeChat(t, e, "+14155550195", "1", "ana")
		// A chat waits in Technical support while Ben, its only agent, is away.
		e.say("+14155550196", numberEN, "Hi")
		waiting := e.say("+14155550196", numberEN, "2")
		if c := e.chat(waiting.ChatID); c.QueueID != "en-tech" || c.Status != chat.StatusQueued {
			t.Fatalf("the second chat is %s in %s, want queued in en-tech", c.Status, c.QueueID)
		}
		queued, err := e.store.QueuedChats(e.ctx(), []string{"en-tech"}, 50)
		if err != nil {
			t.Fatal(err)
		}
		e.editAgent("ben", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAvailable, false })
		e.editAgent("carla", func(a *chat.Agent) { a.Status = chat.AgentAway })
		ben := e.agent("ben")

		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat and the transfer dialog",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("transfer-open")),
			chromedp.Click(chromedp.ID("transfer-open")),
			chromedp.WaitVisible(chromedp.ID("transfer-dialog")),
			chromedp.WaitVisible(chromedp.CSS(`#transfer-options [data-id="ben"]`)),
		)
		line := func(kind, id string) string {
			return pageValue[string](ana, kind+" "+id, fmt.Sprintf(`(() => { const o = document.querySelector('#transfer-options [data-kind="%s"][data-id="%s"]'); return o ? (o.getAttribute('aria-disabled') ? 'disabled: ' : '') + o.textContent : 'absent'; })()`, kind, id))
		}
		checks := []struct{ kind, id, want string }{
			{"agent", "ben", fmt.Sprintf("Ben OkaforAvailable · %d of %d free · EN", ben.Capacity-ben.Load, ben.Capacity)},
			{"agent", "carla", "disabled: Carla RuizAway · ES"},
			{"agent", "ana", "absent"}, // not to oneself
			{"queue", "en-tech", fmt.Sprintf("Technical support%d waiting · 1 agent free · EN", len(queued))},
			{"queue", "en", "absent"}, // a menu
		}
		for _, c := range checks {
			if got := line(c.kind, c.id); !strings.HasPrefix(got, c.want) {
				t.Errorf("%s %s: %q, want %q", c.kind, c.id, got, c.want)
			}
		}
		if len(queued) < 1 {
			t.Errorf("the store holds no queued chat in en-tech")
		}
		consoletest.ViewportScreenshot(t, ana.ctx, "picker")

		ana.do("submit with nothing picked", chromedp.Click(chromedp.ID("transfer-submit")))
		waitFor[string](ana, "the refusal", jsText, "#transfer-error", "Pick an agent or a queue from the list.")
		if c := e.chat(chatID); len(c.Transfers) != 0 {
			t.Fatalf("a transfer started with nothing picked: %+v", c.Transfers)
		}

		ana.do("filter and pick from the keyboard",
			chromedp.SendKeys(chromedp.ID("transfer-search"), "okafor"),
		)
		names := pageValue[string](ana, "filtered", `Array.from(document.querySelectorAll('#transfer-options [role=option]'), (o) => o.dataset.id).join(',')`)
		if names != "ben" {
			t.Fatalf("typing okafor lists %q, want ben alone", names)
		}
		ana.do("choose with the keys",
			chromedp.KeyEvent(kb.ArrowDown),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`#transfer-options [data-id="ben"][aria-selected="true"]`)),
			chromedp.SendKeys(chromedp.ID("transfer-note"), "Billing question, see above"),
			chromedp.Click(chromedp.ID("transfer-submit")),
		)
		c := e.waitChat(chatID, "a transfer to Ben", func(c chat.Chat) bool { return len(c.Transfers) > 0 })
		if tr := c.Transfers[len(c.Transfers)-1]; tr.ToAgent != "ben" || tr.Note != "Billing question, see above" {
			t.Fatalf("transfer %+v, want to ben with the note", tr)
		}
		waitFor[string](ana, "the pending transfer", jsText, "#transfer-state", "Ben Okafor")
	})
}
