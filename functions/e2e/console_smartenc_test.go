package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// TestConsoleSmartEncoding: a reply that a curly apostrophe and a long dash
// make UCS-2 (3 segments) gets a button naming the saving, "3 → 2
// segments"; a click replaces them with GSM-7 look-alikes (the text the
// server's table makes, sms.SmartEncode) and the carrier's stand-in
// records exactly that text. A reply with nothing to replace shows no
// button.
func TestConsoleSmartEncoding(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550197"
		chatID := activeChat(t, e, consumer, "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("reply")),
		)
		setReply := func(body string) {
			ana.do("type the reply", chromedp.Evaluate[chromedp.Void](`((b) => { const r = document.querySelector('#reply'); r.focus(); r.value = b; r.dispatchEvent(new Event('input', { bubbles: true })); })(`+jsString(body)+`)`))
		}
		setReply("Plain text, nothing to replace: é ñ ü.")
		if shown := pageValue[bool](ana, "button", `!document.querySelector('#smart-encode').hidden`); shown {
			t.Error("the look-alike button is offered for a GSM-7 reply")
		}

		body := strings.Repeat("Your refund was approved today. ", 4) + "We’re sorry for the trouble — it won’t happen again"
		want := sms.SmartEncode(body, sms.SmartLookalikes)
		if b, a := sms.Measure(body), sms.Measure(want); b.Segments != 3 || a.Segments != 2 {
			t.Fatalf("the test text is %d → %d segments, want 3 → 2", b.Segments, a.Segments)
		}
		setReply(body)
		label := waitFor[string](ana, "the look-alike button", `() => { const b = document.querySelector('#smart-encode'); return b && !b.hidden ? b.textContent : ''; }`)
		if !strings.Contains(label, "3 → 2 segments") {
			t.Fatalf("the button reads %q, want the saving 3 → 2 segments", label)
		}
		consoletest.ViewportScreenshot(t, ana.ctx, "offered")
		ana.do("replace", chromedp.Click(chromedp.ID("smart-encode")))
		if got := pageValue[string](ana, "reply", `document.querySelector('#reply').value`); got != want {
			t.Fatalf("the reply box holds %q, want the server's %q", got, want)
		}
		waitFor[string](ana, "the counter", jsText, "#counter", "GSM-7 · 2 segments")
		if shown := pageValue[bool](ana, "button", `!document.querySelector('#smart-encode').hidden`); shown {
			t.Error("the button is still offered after replacing")
		}
		ana.do("send", chromedp.Click(chromedp.ID("send")))
		checkSent(t, e, consumer, want)

		// Billing does not transliterate: accents stay.
		waitFor[bool](ana, "the reply box cleared", `() => document.querySelector('#reply').value === ''`)
		setReply("Está “listo”")
		waitFor[string](ana, "the button", `() => { const b = document.querySelector('#smart-encode'); return b && !b.hidden ? b.textContent : ''; }`)
		ana.do("replace", chromedp.Click(chromedp.ID("smart-encode")))
		if got := pageValue[string](ana, "reply", `document.querySelector('#reply').value`); got != `Está "listo"` {
			t.Errorf("look-alikes only: %q, want the accent kept", got)
		}
	})
}

// TestConsoleSmartEncodingTransliterates: in a queue set to transliterate,
// the composer's button also replaces the accented letters GSM-7 lacks, as
// the server's table does.
func TestConsoleSmartEncodingTransliterates(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		q := e.queue("en-billing")
		q.SmartEncoding = string(sms.SmartTransliterate)
		b, _ := json.Marshal(q)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en-billing", string(b)); code != http.StatusOK {
			t.Fatalf("PUT queue: %d %s", code, body)
		}
		const consumer = "+14155550199"
		chatID := activeChat(t, e, consumer, "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("reply")),
		)
		body := "Está “listo”, gracias — hasta mañana… Qué bien: ¿algo más?"
		want := sms.SmartEncode(body, sms.SmartTransliterate)
		if sms.Measure(want).Encoding != sms.GSM7 || !strings.Contains(want, "Esta") {
			t.Fatalf("the server makes %q", want)
		}
		ana.do("type the reply", chromedp.Evaluate[chromedp.Void](`((b) => { const r = document.querySelector('#reply'); r.focus(); r.value = b; r.dispatchEvent(new Event('input', { bubbles: true })); })(`+jsString(body)+`)`))
		waitFor[string](ana, "the transliterating button", jsText, "#smart-encode-why", "this queue transliterates")
		consoletest.ViewportScreenshot(t, ana.ctx, "transliterate")
		ana.do("replace", chromedp.Click(chromedp.ID("smart-encode")))
		if got := pageValue[string](ana, "reply", `document.querySelector('#reply').value`); got != want {
			t.Fatalf("the reply box holds %q, want the server's %q", got, want)
		}
		ana.do("send", chromedp.Click(chromedp.ID("send")))
		checkSent(t, e, consumer, want)
	})
}

// checkSent waits until the carrier's stand-in recorded body to consumer.
func checkSent(t *testing.T, e *env, consumer, body string) {
	t.Helper()
	testenv.WaitFor(t, waitLimit, "the carrier records "+body, func() bool {
		for _, s := range e.twilio.SentTo(consumer) {
			if s.Body == body {
				return true
			}
		}
		return false
	})
}

// jsString quotes s as a JavaScript string literal (JSON's rules).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
