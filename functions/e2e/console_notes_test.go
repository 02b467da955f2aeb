package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// The desk's team features (issue 17, "What agents and supervisors
// expect"): private notes with @mentions, labels and the inbox filter,
// wrap-up codes. They run on every backend in one browser.

// waitQueue waits until a stored queue meets cond.
func (e *env) waitQueue(id, what string, cond func(chat.Queue) bool) chat.Queue {
	e.t.Helper()
	var got chat.Queue
	testenv.WaitFor(e.t, waitLimit, "queue "+id+" "+what, func() bool {
		qs, err := e.store.Queues(e.ctx())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, q := range qs {
			if q.ID == id && cond(q) {
				got = q
				return true
			}
		}
		return false
	})
	return got
}

// jsTextSpaced is jsText with runs of white space read as one space.
const jsTextSpaced = `(sel, want) => {
	const el = document.querySelector(sel);
	const text = el ? el.textContent.replace(/\s+/g, ' ') : '';
	return text.includes(want) ? text : '';
}`

// A note typed with the @ suggestions reaches the named agent's console,
// who opens the chat read-only from the alert; the consumer gets nothing.
func TestConsoleNoteMentionsAColleague(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550191"
		chatID := activeChat(t, e, consumer, "1", "ana")
		// Opt-in, menu, waiting, agent assigned: all sent before the note.
		texts := len(e.waitSent(consumer, 4))

		ben := openConsoleAs(t, browser, e, "agent", "ben")
		ben.submitSignIn()
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitVisible(chromedp.ID("note-body")))
		waitFor[string](ana, "the chat loaded", jsText, "#conv-meta", "with you")
		// The directory must be loaded for the suggestions.
		waitFor[bool](ana, "the directory", `() => document.querySelectorAll('#transfer-agents option').length > 0`)
		ana.do("type @be", chromedp.Click(chromedp.ID("note-body")), chromedp.SendKeys(chromedp.ID("note-body"), "Refund approved, @be"))
		waitFor[string](ana, "Ben suggested", jsText, "#mention-suggest", "Ben")
		ana.do("pick Ben and finish the note",
			chromedp.SendKeys(chromedp.ID("note-body"), kb.Enter),
			chromedp.SendKeys(chromedp.ID("note-body"), "please check the invoice"),
			chromedp.Click(chromedp.ID("note-add")))
		waitFor[string](ana, "the note listed", jsTextSpaced, "#notes-list", "Refund approved, @ben please check the invoice")
		consoletest.Screenshot(t, ana.ctx, "ana-private-note")

		// Ben's console alerts him; the link opens Ana's chat read-only.
		waitFor[string](ben, "the mention", jsText, "#mentions-list", consumer)
		waitFor[string](ben, "the title counts it", `() => /^\(1\)/.test(document.title) ? document.title : ''`)
		consoletest.Screenshot(t, ben.ctx, "ben-mention-alert")
		ben.do("open the mention", chromedp.Click(chromedp.CSS(`#mentions-list li[data-chat="`+chatID+`"] a`)))
		waitFor[string](ben, "the note in the chat", jsTextSpaced, "#notes-list", "Refund approved, @ben please check the invoice")
		waitFor[string](ben, "the chat is Ana's", jsText, "#conv-meta", "with Ana")
		if dis := pageValue[bool](ben, "composer", `document.querySelector('#reply').disabled`); !dis {
			t.Error("Ben may reply in a chat he was only named in")
		}
		waitFor[bool](ben, "the mention read", `() => document.querySelector('#mentions-section').hidden`)
		consoletest.Screenshot(t, ben.ctx, "ben-reads-mentioned-chat")

		// Stored as a note naming Ben, never as a message; nothing sent.
		notes, err := e.desk.Notes(e.ctx(), access.Viewer{AgentID: "ana"}, chatID)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || !slices.Equal(notes[0].Mentions, []string{"ben"}) || notes[0].AuthorID != "ana" {
			t.Errorf("notes %+v", notes)
		}
		msgs, err := e.store.Messages(e.ctx(), chatID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if strings.Contains(m.Body, "invoice") {
				t.Errorf("the note is in the transcript as message %d (%s)", m.Seq, m.Author)
			}
		}
		for _, s := range e.twilio.SentTo(consumer) {
			if strings.Contains(s.Body, "invoice") {
				t.Errorf("the carrier was asked to send the note: %q", s.Body)
			}
		}
		if n := len(e.twilio.SentTo(consumer)); n != texts {
			t.Errorf("the consumer got %d texts after the note, had %d", n, texts)
		}
		if ms, _ := e.store.(store.NoteStore).UnreadMentions(e.ctx(), "ben", 10); len(ms) != 0 {
			t.Errorf("Ben's mention is still unread after he opened the chat: %+v", ms)
		}
	})
}

// Labels added in the conversation show in the inbox, whose filter then
// lists only the labelled chat.
func TestConsoleLabelsFilterTheInbox(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		vip := activeChat(t, e, "+14155550192", "1", "ana")
		other := activeChat(t, e, "+14155550193", "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the first chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+vip),
			chromedp.WaitVisible(chromedp.ID("label-input")))
		waitFor[string](ana, "the chat loaded", jsText, "#conv-title", "+14155550192")
		ana.do("label it", chromedp.SendKeys(chromedp.ID("label-input"), "Needs Refund"), chromedp.Click(chromedp.ID("label-add")))
		waitFor[string](ana, "the chip", jsText, "#label-list", "needs-refund")
		c := e.waitChat(vip, "labelled", func(c chat.Chat) bool { return slices.Contains(c.Labels, "needs-refund") })
		if len(c.Labels) != 1 {
			t.Errorf("labels %q", c.Labels)
		}
		waitFor[string](ana, "the label in the inbox", jsText, `#active-list li[data-key="`+vip+`"]`, "needs-refund")
		waitFor[bool](ana, "the filter offers it", `() => Array.from(document.querySelectorAll('#filter-label option'), (o) => o.value).includes('needs-refund')`)
		ana.do("filter by the label", chromedp.SetValue(chromedp.ID("filter-label"), "needs-refund"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#filter-label').dispatchEvent(new Event('change'))`))
		got := waitFor[[]string](ana, "only the labelled chat", `() => {
			const keys = Array.from(document.querySelectorAll('#active-list li'), (li) => li.dataset.key);
			return keys.length === 1 ? keys : null;
		}`)
		if got[0] != vip {
			t.Errorf("filtered list %v, want %s (not %s)", got, vip, other)
		}
		waitFor[string](ana, "the count says of how many", jsText, "#active-count", "1 of 2")
		consoletest.Screenshot(t, ana.ctx, "ana-inbox-label-filter")
		ana.do("remove the label", chromedp.Click(chromedp.CSS(`#label-list button[aria-label="Remove label needs-refund"]`)))
		e.waitChat(vip, "unlabelled", func(c chat.Chat) bool { return len(c.Labels) == 0 })
	})
}

// A queue that requires a wrap-up code: the dialog does not end the chat
// without one, and the ended chat shows the code chosen.
func TestConsoleRequiredWrapUpCode(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		// An admin sets the codes on the English menu; Billing inherits them.
		adm := openAdmin(t, browser, e, "queues")
		adm.do("edit the English menu", chromedp.Click(chromedp.CSS(`.queue-tree li[data-queue="en"] > .queue-node .queue-name`)),
			chromedp.WaitVisible(chromedp.ID("queue-wrapup-codes")))
		adm.fill(map[string]string{"queue-wrapup-codes": "Resolved, Refund issued, Escalated", "queue-wrapup-required": "true"})
		adm.do("save", chromedp.Click(chromedp.CSS(`#queue-form button[type=submit]`)))
		waitFor[string](adm, "saved", jsText, "#queue-form .form-status", "saved.")
		en := e.waitQueue("en", "with wrap-up codes", func(q chat.Queue) bool { return len(q.WrapUpCodes) == 3 })
		if en.WrapUpRequired == nil || !*en.WrapUpRequired {
			t.Errorf("wrapUpRequired %v, want true", en.WrapUpRequired)
		}
		chatID := activeChat(t, e, "+14155550194", "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat and the end dialog", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("end-open")))
		waitFor[string](ana, "the chat loaded", jsText, "#conv-meta", "with you")
		ana.do("end without a code",
			chromedp.Click(chromedp.ID("end-open")),
			chromedp.WaitVisible(chromedp.ID("wrap-up-code")),
			chromedp.SendKeys(chromedp.ID("wrap-up"), "Refund sent by card"),
			chromedp.Click(chromedp.ID("end-submit")))
		waitFor[string](ana, "the refusal", jsText, "#end-error", "wrap-up code")
		consoletest.Screenshot(t, ana.ctx, "ana-wrap-up-required")
		if c := e.chat(chatID); c.Status != chat.StatusActive {
			t.Fatalf("the chat ended without a code: %s", c.Status)
		}
		opts := pageValue[[]string](ana, "codes", `Array.from(document.querySelectorAll('#wrap-up-code option'), (o) => o.value)`)
		if !slices.Equal(opts, []string{"", "Resolved", "Refund issued", "Escalated"}) {
			t.Errorf("code options %q", opts)
		}
		ana.do("choose a code and end", chromedp.SetValue(chromedp.ID("wrap-up-code"), "Refund issued"),
			chromedp.Click(chromedp.ID("end-submit")))
		c := e.waitChat(chatID, "ended", func(c chat.Chat) bool { return c.Status == chat.StatusEnded })
		if c.WrapUpCode != "Refund issued" || c.WrapUp != "Refund sent by card" {
			t.Errorf("ended with code %q note %q", c.WrapUpCode, c.WrapUp)
		}
		waitFor[string](ana, "the code on the ended chat", jsText, "#wrap-up-shown", "Refund issued — Refund sent by card")
		consoletest.Screenshot(t, ana.ctx, "ana-wrap-up-shown")
		// Exported with the chat: the history's CSV has its code.
		// (the days around it: the history's days are the business's zone)
		from, to := c.EndedAt.Add(-24*time.Hour).Format("2006-01-02"), c.EndedAt.Add(24*time.Hour).Format("2006-01-02")
		if code, body := e.agentAPI(&supervisor, "GET", "/stats/history?format=csv&from="+from+"&to="+to, nil, nil); code != http.StatusOK ||
			!strings.Contains(body, "wrap_up_code") || !strings.Contains(body, "Refund issued") {
			t.Errorf("history CSV (%d) lacks the wrap-up code:\n%s", code, body)
		}
	})
}

// Desktop alerts: with the browser's permission, a consumer's text in Ben's
// chat and a mention show a notification while he looks at another window.
func TestConsoleDesktopAlerts(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		const consumer = "+14155550198"
		ben := openConsoleAs(t, browser, e, "agent", "ben")
		if _, err := chromedp.CallBrowser(ben.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: e.server.URL, BrowserContextID: chromedp.FromContext(ben.ctx).BrowserContextID,
		}); err != nil {
			t.Fatal(err)
		}
		ben.submitSignIn()
		// The browser allowed notifications before: alerts are on; the
		// button turns them off and on again.
		const pressed = `() => document.querySelector('#desktop-alerts')?.getAttribute('aria-pressed') || ''`
		waitFor[string](ben, "alerts on", pressed)
		if v := pageValue[string](ben, "pressed", "("+pressed+")()"); v != "true" {
			t.Fatalf("desktop alerts aria-pressed=%q with the permission granted", v)
		}
		ben.do("turn them off", chromedp.Click(chromedp.ID("desktop-alerts")))
		waitFor[string](ben, "alerts off", `() => document.querySelector('#desktop-alerts').getAttribute('aria-pressed') === 'false' ? 'off' : ''`)
		ben.do("and on", chromedp.Click(chromedp.ID("desktop-alerts")))
		waitFor[string](ben, "alerts on again", `() => document.querySelector('#desktop-alerts').getAttribute('aria-pressed') === 'true' ? 'on' : ''`)
		chatID := activeChat(t, e, consumer, "2", "ben") // Technical support: Ben answers automatically
		waitFor[bool](ben, "the chat listed", `(id) => Boolean(document.querySelector('#active-list li[data-key="' + CSS.escape(id) + '"]'))`, chatID)

		// Another window comes in front of Ben's console: the browser tells
		// the page with a blur event (headless Chromium keeps every tab
		// focused and visible, so the event is dispatched here).
		if !pageValue[bool](ben, "blur", `(window.dispatchEvent(new Event('blur')), true)`) {
			t.Fatal("blur")
		}
		if n := pageValue[int](ben, "notifications", `Number(document.documentElement.dataset.notifications || 0)`); n != 0 {
			t.Errorf("%d notifications while Ben was looking", n)
		}
		e.say(consumer, numberEN, "The router blinks red now")
		got := waitFor[string](ben, "the text's notification", `() => {
			const n = document.documentElement.dataset.lastNotification || '';
			return n.includes('The router blinks red now') ? n : '';
		}`)
		if !strings.Contains(got, "New text from "+consumer) {
			t.Errorf("notification %q", got)
		}
		if _, err := e.desk.AddNote(e.ctx(), access.Viewer{AgentID: "ana"}, chatID, desk.NoteInput{Body: "@ben the customer is a VIP", RequestID: "n-alert"}); err == nil {
			t.Fatal("Ana noted a chat she cannot see")
		}
		if _, err := e.desk.AddNote(e.ctx(), access.Viewer{UID: "u-sup", Supervisor: true}, chatID, desk.NoteInput{Body: "@ben the customer is a VIP", RequestID: "n-alert"}); err != nil {
			t.Fatal(err)
		}
		waitFor[string](ben, "the mention's notification", `() => {
			const n = document.documentElement.dataset.lastNotification || '';
			return n.startsWith('You were mentioned') && n.includes('VIP') ? n : '';
		}`)
		if n := pageValue[int](ben, "notifications", `Number(document.documentElement.dataset.notifications || 0)`); n < 2 {
			t.Errorf("%d notifications, want the text's and the mention's", n)
		}
	})
}
