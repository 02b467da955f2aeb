package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

const jsActive = `(() => document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : '')()`

// TestConsoleKeyboard drives the console from the keyboard: "?" lists the
// shortcuts, "a" accepts the offer and leaves the focus in the reply box,
// letters typed there stay text (no shortcut fires), "/ref" lists the
// matching canned reply and Enter inserts it rendered (and the carrier gets
// it), Esc leaves the box, and j/k and Alt+↓/↑ move between the chats.
func TestConsoleKeyboard(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		e.editAgent("ana", func(a *chat.Agent) { a.AutoAnswer = false })
		sup := access.Viewer{UID: "dev-supervisor", Supervisor: true}
		for _, c := range []chat.Canned{
			{ID: "refund-en", Title: "Refund policy", Language: "en", Body: "Refunds take 5 business days, @{AGENT} here."},
			{ID: "hello-en", Title: "Greeting", Language: "en", Body: "Hello from Billing!"},
		} {
			if _, err := e.desk.PutCanned(e.ctx(), sup, c); err != nil {
				t.Fatal(err)
			}
		}
		first := activeChat(t, e, "+14155550193", "1", "ana")

		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		waitFor[string](ana, "the active chat listed", jsText, "#active-list", "+14155550193")

		// "?" opens the help; Esc closes it.
		ana.do("open the help", chromedp.KeyEvent("?"))
		waitFor[string](ana, "the shortcuts help", jsText, "#keys-help[open]", "Accept the oldest offer")
		consoletest.ViewportScreenshot(t, ana.ctx, "help")
		ana.do("close the help", chromedp.KeyEvent(kb.Escape))
		waitFor[bool](ana, "the help closed", `() => !document.querySelector('#keys-help').open`)

		// An offer: "a" accepts it and the reply box has the focus.
		e.say("+14155550194", numberEN, "Hello")
		rec := e.say("+14155550194", numberEN, "1")
		second := rec.ChatID
		if c := e.waitChat(second, "offered to Ana", func(c chat.Chat) bool { return c.Offer != nil }); c.Offer.AgentID != "ana" {
			t.Fatalf("offered to %q, want ana", c.Offer.AgentID)
		}
		waitFor[bool](ana, "the offer", `(id) => !!document.querySelector('#offered-list li[data-key="' + id + '"] button[data-action=accept]')`, second)
		ana.do("focus nothing", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
		ana.do("accept with a", chromedp.KeyEvent("a"))
		e.waitChat(second, "accepted", func(c chat.Chat) bool { return c.Status == chat.StatusActive && c.AgentID == "ana" })
		waitFor[string](ana, "the accepted chat open", jsText, "#conv-title", "+14155550194")
		if got := waitFor[string](ana, "the reply box focused", `() => document.activeElement && document.activeElement.id === 'reply' ? 'reply' : ''`); got != "reply" {
			t.Fatalf("focus on %q after accepting", got)
		}

		// Typing is text, not shortcuts: "a", "j", "k", "?" stay in the box
		// and the chat stays open.
		ana.do("type", chromedp.KeyEvent("jak? "))
		if v := pageValue[string](ana, "reply", `document.querySelector('#reply').value`); v != "jak? " {
			t.Fatalf("the reply box holds %q, want %q", v, "jak? ")
		}
		if h := pageValue[string](ana, "hash", `location.hash`); !strings.Contains(h, second) {
			t.Fatalf("typing moved to %s", h)
		}
		if open := pageValue[bool](ana, "help", `document.querySelector('#keys-help').open`); open {
			t.Fatal("typing ? in the reply box opened the help")
		}

		// "/ref" lists the matching canned reply; Enter inserts it rendered.
		waitFor[string](ana, "the canned replies loaded", jsText, "#canned", "Refund policy")
		ana.do("search canned", chromedp.KeyEvent("/ref"))
		names := waitFor[string](ana, "the canned suggestions", `() => {
			const l = document.querySelector('#canned-suggest');
			return l && !l.hidden ? Array.from(l.querySelectorAll('[role=option]'), (o) => o.textContent).join('|') : '';
		}`)
		if !strings.HasPrefix(names, "Refund policy") || strings.Contains(names, "|") {
			t.Fatalf("suggestions %q, want only Refund policy", names)
		}
		consoletest.ViewportScreenshot(t, ana.ctx, "canned-search")
		ana.do("insert", chromedp.KeyEvent(kb.Enter))
		want := "jak? Refunds take 5 business days, Ana here."
		if v := waitFor[string](ana, "the canned reply inserted", `(w) => document.querySelector('#reply').value === w ? w : ''`, want); v != want {
			t.Fatalf("reply %q", v)
		}
		ana.do("send with Ctrl+Enter", chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		testenv.WaitFor(t, waitLimit, "the carrier gets the canned reply", func() bool {
			for _, s := range e.twilio.SentTo("+14155550194") {
				if s.Body == want {
					return true
				}
			}
			return false
		})

		// The console clears the box and gives it the focus back once the
		// send is done.
		waitFor[bool](ana, "the reply box cleared after sending", `() => document.querySelector('#reply').value === '' && document.activeElement.id === 'reply'`)

		// Esc leaves the box; j/k and Alt+↓/↑ move between the two chats.
		ana.do("leave the reply box", chromedp.KeyEvent(kb.Escape))
		if a := pageValue[string](ana, "focus", jsActive); a == "reply" {
			t.Fatal("Esc left the focus in the reply box")
		}
		order := pageValue[[]string](ana, "inbox order", `Array.from(document.querySelectorAll('#inbox .chat-list a[href^="#chat/"]'), (a) => decodeURIComponent(a.getAttribute('href').slice(6)))`)
		at := -1
		for i, id := range order {
			if id == second {
				at = i
			}
		}
		if at < 0 || len(order) < 2 {
			t.Fatalf("inbox order %v lacks %s", order, second)
		}
		other := first
		key, back := "j", "k"
		altKey, altBack := kb.ArrowDown, kb.ArrowUp
		if at == len(order)-1 {
			key, back, altKey, altBack = "k", "j", kb.ArrowUp, kb.ArrowDown
		}
		// Open once the console has loaded it and put the focus on its title.
		waitHash := func(id string) {
			waitFor[bool](ana, "chat "+id+" open", `(id) => location.hash === '#chat/' + encodeURIComponent(id) && document.querySelector('#conv-title').textContent.startsWith('Chat with') && document.activeElement.id === 'conv-title'`, id)
		}
		ana.do("next chat", chromedp.KeyEvent(key))
		waitHash(other)
		ana.do("back", chromedp.KeyEvent(back))
		waitHash(second)
		ana.do("next chat with Alt", chromedp.KeyEvent(altKey, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		waitHash(other)
		ana.do("back with Alt", chromedp.KeyEvent(altBack, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		waitHash(second)
		// "r" goes to the reply box.
		ana.do("leave focus", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
		ana.do("reply", chromedp.KeyEvent("r"))
		if a := pageValue[string](ana, "focus", jsActive); a != "reply" {
			t.Fatalf("r focused %q", a)
		}
	})
}
