package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
)

// Agent-initiated outbound from the console (issue 12): the New SMS dialog
// on every backend, in one browser.

const (
	// jsLoseNextOutboundAnswer makes the page's next POST /outbound reach
	// the server but lose its answer, as a dropped connection would.
	jsLoseNextOutboundAnswer = `(() => {
		const real = window.fetch;
		window.fetch = async (url, init) => {
			const res = await real(url, init);
			if (String(url).endsWith('/outbound') && init && init.method === 'POST') {
				window.fetch = real;
				throw new TypeError('Failed to fetch');
			}
			return res;
		};
		return true;
	})()`
	// jsRecordOutbound keeps the request id of every POST /outbound the
	// page sends in window.outboundIDs.
	jsRecordOutbound = `(() => {
		const real = window.fetch;
		window.outboundIDs = [];
		window.fetch = (url, init) => {
			if (String(url).endsWith('/outbound') && init && init.method === 'POST') {
				window.outboundIDs.push(JSON.parse(init.body).requestId);
			}
			return real(url, init);
		};
		return true;
	})()`
	jsFieldCheck = `(want) => {
		const el = document.querySelector('#outbound-to-check');
		const invalid = document.querySelector('#outbound-to').getAttribute('aria-invalid');
		return el && el.textContent.includes(want) ? el.className + ' | ' + invalid + ' | ' + el.textContent : '';
	}`
)

// clear empties a text field, as selecting all and deleting would.
func (p *consolePage) clear(id string) {
	p.t.Helper()
	pageValue[bool](p, "clear "+id, fmt.Sprintf(`(() => { document.getElementById(%q).value = ''; return true; })()`, id))
}

// TestConsoleOutbound: Ana starts a chat from New SMS; the number is
// checked as she types, the counter prices the text, a lost answer and a
// double click start one chat; the chat opens with the disclosure and her
// text, ticks delivered, and the consumer's reply lands in it. A second
// start to the consumer is refused with an Open chat button that opens
// the chat; an opted-out consumer's refusal names the date and the word.
func TestConsoleOutbound(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.outboundReady(10) // quiet hours off: the test runs at any hour
		const (
			consumer = "+12125550161"
			stopped  = "+12125550162"
			body     = "Hi, this is Ana from Acme about your order 4417."
		)
		e.optOut(numberEN, stopped)

		ana := openConsole(t, browser, e, "ana")
		ana.do("open New SMS",
			chromedp.WaitVisible(chromedp.ID("outbound-open")),
			chromedp.Click(chromedp.ID("outbound-open")),
			chromedp.WaitVisible(chromedp.ID("outbound-dialog")),
		)
		froms := pageValue[[]string](ana, "the from numbers", `Array.from(document.querySelectorAll('#outbound-from option'), (o) => o.value)`)
		if !slices.Equal(froms, []string{numberEN, numberES}) {
			t.Errorf("New SMS offers %v, want Ana's two numbers", froms)
		}
		if unnamed := pageValue[[]string](ana, "accessible names", jsUnnamed); len(unnamed) > 0 {
			t.Errorf("controls without an accessible name in the dialog: %q", unnamed)
		}

		// The consumer's number is checked as it is typed.
		for _, tc := range []struct{ typed, want, class string }{
			{"212555", "Keep typing: 6 of the 10 digits", "field-check hint | false"},
			{"(212) 555-0161", "Texts " + consumer, "field-check ok | false"},
			{"1 212 555 0161", "Texts " + consumer, "field-check ok | false"},
			{"112 555 0161", "area code cannot start with 0 or 1", "field-check bad | true"},
			{"212 555 01611", "Too many digits for a US number", "field-check bad | true"},
			{"+44 20 7946 0958", "Texts +442079460958", "field-check ok | false"},
			{"call me", "Only digits", "field-check bad | true"},
			{consumer, "Texts " + consumer, "field-check ok | false"},
		} {
			ana.clear("outbound-to")
			ana.do("type "+tc.typed, chromedp.SendKeys(chromedp.ID("outbound-to"), tc.typed))
			if got := waitFor[string](ana, "the check of "+tc.typed, jsFieldCheck, tc.want); !strings.HasPrefix(got, tc.class) {
				t.Errorf("typing %q: check %q, want class and aria-invalid %q", tc.typed, got, tc.class)
			}
		}

		// The same counter as the reply box.
		ana.do("write the message", chromedp.SendKeys(chromedp.ID("outbound-body"), body))
		counter := waitFor[string](ana, "the counter", jsText, "#outbound-counter", "GSM-7")
		if want := fmt.Sprintf("%d characters · GSM-7 · 1 segment", len(body)); counter != want {
			t.Errorf("counter %q, want %q", counter, want)
		}
		waitFor[string](ana, "the consent note", jsText, "#outbound-consent", "opt-in disclosure")

		// The first answer is lost: the dialog says so, and sending again
		// (a double click) reuses the request id and starts one chat.
		pageValue[bool](ana, "record the requests", jsRecordOutbound)
		pageValue[bool](ana, "lose the next answer", jsLoseNextOutboundAnswer)
		ana.do("send", chromedp.Click(chromedp.ID("outbound-submit")))
		waitFor[string](ana, "the lost answer explained", jsText, "#outbound-error", "will not start a second chat")
		ana.do("send again with a double click", chromedp.DoubleClick(chromedp.ID("outbound-submit")))
		waitFor[string](ana, "the new chat open", jsText, "#conv-title", consumer)
		waitFor[bool](ana, "the dialog closed", `() => !document.querySelector('#outbound-dialog').open`)
		ids := pageValue[[]string](ana, "request ids", `window.outboundIDs`)
		if len(ids) < 2 || slices.ContainsFunc(ids, func(id string) bool { return id != ids[0] }) {
			t.Errorf("request ids sent %q, want the same id for every attempt of the draft", ids)
		}
		chats, err := e.store.ConsumerChats(e.ctx(), consumer, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(chats) != 1 || chats[0].StartType != chat.StartOutbound || chats[0].AgentID != "ana" || chats[0].Status != chat.StatusActive {
			t.Fatalf("chats with the consumer: %+v, want one outbound chat active with ana", chats)
		}
		chatID := chats[0].ID
		if hash := pageValue[string](ana, "address", `location.hash`); hash != "#chat/"+chatID {
			t.Errorf("address %q, want the chat %s", hash, chatID)
		}
		sent := e.waitSent(consumer, 2)
		if !strings.Contains(sent[0].Body, "Msg & data rates may apply") || sent[1].Body != body {
			t.Errorf("the carrier got %q then %q, want the disclosure then Ana's text", sent[0].Body, sent[1].Body)
		}
		waitFor[int64](ana, "the disclosure in the transcript", jsMessageShownAt, sent[0].Body)
		waitFor[string](ana, "Ana's text marked sent", jsTick, body, "sent")
		deliver(t, e, sent[1], consumer)
		waitFor[string](ana, "Ana's text marked delivered", jsTick, body, "delivered")
		waitFor[string](ana, "the text labelled outbound", jsText, "#transcript li:last-child .msg-author", "You · outbound SMS")

		// The consumer's reply lands in the chat Ana has open.
		const reply = "Thanks! Is it shipping today?"
		if rec := e.say(consumer, numberEN, reply); rec.ChatID != chatID {
			t.Fatalf("the reply went to chat %s, want %s", rec.ChatID, chatID)
		}
		waitFor[int64](ana, "the consumer's reply", jsMessageShownAt, reply)
		if n := len(e.twilio.SentTo(consumer)); n != 2 {
			t.Errorf("the consumer got %d texts, want the 2 of the start", n)
		}
		consoletest.Screenshot(t, ana.ctx, "ana-outbound-chat")

		// A second start while the chat is open: refused, with a way there.
		pageValue[string](ana, "leave the chat", `location.hash = ''`)
		ana.do("see no chat open", chromedp.WaitVisible(chromedp.ID("no-chat")))
		ana.do("start again",
			chromedp.Click(chromedp.ID("outbound-open")),
			chromedp.WaitVisible(chromedp.ID("outbound-dialog")),
			chromedp.SendKeys(chromedp.ID("outbound-to"), "212-555-0161"),
			chromedp.SendKeys(chromedp.ID("outbound-body"), "One more thing"),
			chromedp.Click(chromedp.ID("outbound-submit")),
		)
		waitFor[string](ana, "the 409 explained", jsText, "#outbound-error", "is already in an open chat on "+numberEN)
		if raw := pageValue[string](ana, "the error", `document.querySelector('#outbound-error').textContent`); strings.ContainsAny(raw, "{}") {
			t.Errorf("the dialog shows raw JSON: %q", raw)
		}
		consoletest.Screenshot(t, ana.ctx, "ana-already-open")
		ana.do("open the chat from the refusal",
			chromedp.WaitVisible(chromedp.ID("outbound-open-chat")),
			chromedp.Click(chromedp.ID("outbound-open-chat")),
		)
		waitFor[string](ana, "the open chat shown", jsText, "#conv-title", consumer)
		if hash := pageValue[string](ana, "address", `location.hash`); hash != "#chat/"+chatID {
			t.Errorf("Open chat went to %q, want the chat %s", hash, chatID)
		}
		waitFor[bool](ana, "the dialog closed", `() => !document.querySelector('#outbound-dialog').open`)

		// An opted-out consumer: the refusal says when and how, no chat.
		ana.do("text an opted-out consumer",
			chromedp.Click(chromedp.ID("outbound-open")),
			chromedp.WaitVisible(chromedp.ID("outbound-dialog")),
		)
		ana.clear("outbound-to")
		ana.do("send to the opted-out consumer",
			chromedp.SendKeys(chromedp.ID("outbound-to"), stopped),
			chromedp.Click(chromedp.ID("outbound-submit")),
		)
		msg := waitFor[string](ana, "the opt-out refusal", jsText, "#outbound-error", "opted out on")
		wantDate := pageValue[string](ana, "the opt-out date in the page's locale",
			`new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-11-30T09:00:00Z'))`)
		if !strings.Contains(msg, wantDate) || !strings.Contains(msg, "replied STOP") || strings.Contains(msg, "{") {
			t.Errorf("opt-out refusal %q, want the date %q and how (replied STOP) in plain words", msg, wantDate)
		}
		if cs, _ := e.store.ConsumerChats(e.ctx(), stopped, 10); len(cs) != 0 || len(e.twilio.SentTo(stopped)) != 0 {
			t.Errorf("an opted-out consumer got %d chats and %d texts", len(cs), len(e.twilio.SentTo(stopped)))
		}
		consoletest.Screenshot(t, ana.ctx, "ana-opted-out")

		// Someone with no number to text from has no New SMS.
		sup := openConsoleAs(t, browser, e, "supervisor", "-")
		sup.submitSignIn()
		waitFor[string](sup, "the supervisor's inbox", jsText, "#who", "supervisor")
		if shown := pageValue[bool](sup, "New SMS", `!document.querySelector('#outbound-open').hidden`); shown {
			t.Error("New SMS is shown to a supervisor who works no queue")
		}
	})
}

// TestConsoleOutboundHeld: in the consumer's quiet hours the start is
// held; the dialog says until when in the consumer's time and the agent's,
// and the chat opens with the text marked held and nothing sent.
func TestConsoleOutboundHeld(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		const consumer = "+12125550163" // New York
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		// Quiet hours from an hour ago to two hours from now, in New York.
		local := time.Now().In(ny)
		opens := local.Add(2 * time.Hour).Format("15:04")
		adm, err := jobs.Admin(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := adm.Config(e.ctx())
		if err != nil {
			t.Fatal(err)
		}
		s := cfg.Settings
		s.QuietHours = chat.QuietHours{Enabled: true, Start: local.Add(-time.Hour).Format("15:04"), End: opens}
		if _, err := adm.PutSettings(e.ctx(), s); err != nil {
			t.Fatal(err)
		}

		ana := openConsole(t, browser, e, "ana")
		ana.do("send in the consumer's quiet hours",
			chromedp.WaitVisible(chromedp.ID("outbound-open")),
			chromedp.Click(chromedp.ID("outbound-open")),
			chromedp.WaitVisible(chromedp.ID("outbound-dialog")),
			chromedp.SendKeys(chromedp.ID("outbound-to"), consumer),
			chromedp.SendKeys(chromedp.ID("outbound-body"), "Your parcel is ready for pick-up."),
			chromedp.Click(chromedp.ID("outbound-submit")),
		)
		theirs := pageValue[string](ana, "the opening hour in the page's locale", fmt.Sprintf(
			`new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, %d, %d)))`,
			local.Add(2*time.Hour).Hour(), local.Add(2*time.Hour).Minute()))
		held := waitFor[string](ana, "the hold explained", jsText, "#outbound-held", "Held until "+theirs+" in the consumer's time zone")
		if !strings.Contains(held, "your time") {
			t.Errorf("hold %q does not say the agent's own time", held)
		}
		waitFor[string](ana, "the held chat open", jsText, "#conv-title", consumer)
		consoletest.Screenshot(t, ana.ctx, "ana-held-dialog")
		ana.do("close the dialog", chromedp.Click(chromedp.ID("outbound-cancel")))
		waitFor[string](ana, "the text marked held", jsText, "#transcript li:last-child .tick-label", "Held until")
		waitFor[string](ana, "the consent the business attested", jsText, "#consent", "the business texted first")
		if n := len(e.twilio.SentTo(consumer)); n != 0 {
			t.Errorf("%d texts sent in the consumer's quiet hours", n)
		}
		consoletest.Screenshot(t, ana.ctx, "ana-held")
	})
}
