package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// The console's desk fixes (issue 17, "Bugs"): each test failed before its
// fix. They run on every backend in one browser.

// openConsoleAs signs someone in through the dev form with a role and,
// unless agentID is "-", an agent id typed over the pre-filled one.
func openConsoleAs(t *testing.T, browser context.Context, e *env, role, agentID string) *consolePage {
	t.Helper()
	p := &consolePage{t: t, ctx: consoletest.NewSession(t, browser), who: role + ":" + agentID}
	consoletest.WatchConsole(t, p.ctx, p.who)
	p.do("open the sign-in form",
		chromedp.Navigate(e.server.URL+"/Console/"),
		chromedp.WaitVisible(chromedp.ID("dev-form")),
	)
	// Choosing the role as a person does (a change event), then the id.
	pageValue[bool](p, "choose the role", fmt.Sprintf(`(() => {
		const sel = document.querySelector('#dev-role');
		sel.value = %q;
		sel.dispatchEvent(new Event('change', { bubbles: true }));
		return true;
	})()`, role))
	if agentID != "-" {
		p.do("type the agent id", chromedp.SetValue(chromedp.ID("dev-agent"), agentID))
	}
	return p
}

// submitSignIn presses Sign in and waits for the workspace.
func (p *consolePage) submitSignIn() {
	p.t.Helper()
	p.do("sign in", chromedp.Click(chromedp.ID("dev-submit")), chromedp.WaitVisible(chromedp.ID("workspace")))
}

// activeChat has a consumer pick a menu option on the English number and
// the chat end up active with agent.
func activeChat(t *testing.T, e *env, consumer, option, agent string) string {
	t.Helper()
	e.say(consumer, numberEN, "Hello there")
	rec := e.say(consumer, numberEN, option)
	c := e.chat(rec.ChatID)
	if c.Status == chat.StatusQueued && c.Offer != nil && c.Offer.AgentID == agent {
		if err := e.accept(c.ID, agent); err != nil {
			t.Fatal(err)
		}
	}
	c = e.waitChat(rec.ChatID, "active with "+agent, func(c chat.Chat) bool { return c.Status == chat.StatusActive })
	if c.AgentID != agent {
		t.Fatalf("chat %s is with %q, want %s", c.ID, c.AgentID, agent)
	}
	return c.ID
}

func forEachConsoleBackend(t *testing.T, fn func(t *testing.T, e *env, browser context.Context)) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, mediaEnv(t, backend), browser)
		})
	}
}

// Bug 2: the queue transfer list is every queue a chat can go to
// (transferQueues), not only the agent's own.
func TestConsoleTransferListsEveryLeafQueue(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		chatID := activeChat(t, e, "+14155550181", "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat and the transfer dialog",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("transfer-open")),
			chromedp.Click(chromedp.ID("transfer-open")),
			chromedp.WaitVisible(chromedp.ID("transfer-dialog")),
		)
		got := pageValue[[]string](ana, "queue options", `Array.from(document.querySelectorAll('#transfer-queue option'), (o) => o.value)`)
		// Ana does not work Technical support, but a chat can go there.
		for _, want := range []string{"en-billing", "en-tech", "es-internet"} {
			if !slices.Contains(got, want) {
				t.Errorf("transfer queues %v lack %s", got, want)
			}
		}
		if slices.Contains(got, "en") || slices.Contains(got, "es-soporte") {
			t.Errorf("transfer queues %v list a menu", got)
		}
	})
}

// Bug 3: a supervisor transfers and ends any active chat from the console.
func TestConsoleSupervisorEndsAChat(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		chatID := activeChat(t, e, "+14155550182", "1", "ana")
		sup := openConsoleAs(t, browser, e, "supervisor", "-")
		sup.submitSignIn()
		sup.do("open Ana's chat",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitVisible(chromedp.ID("conversation")),
		)
		waitFor[string](sup, "the chat loaded", jsText, "#conv-meta", "with Ana")
		if dis := pageValue[bool](sup, "transfer button", `document.querySelector('#transfer-open').disabled`); dis {
			t.Error("the supervisor's Transfer button is disabled")
		}
		sup.do("end the chat",
			chromedp.WaitEnabled(chromedp.ID("end-open")),
			chromedp.Click(chromedp.ID("end-open")),
			chromedp.WaitVisible(chromedp.ID("end-dialog")),
			chromedp.SendKeys(chromedp.ID("wrap-up"), "Closed by the supervisor"),
			chromedp.Click(chromedp.ID("end-submit")),
		)
		c := e.waitChat(chatID, "ended", func(c chat.Chat) bool { return c.Status == chat.StatusEnded })
		if c.WrapUp != "Closed by the supervisor" {
			t.Errorf("wrap-up %q", c.WrapUp)
		}
		// Bug 8: the wrap-up note is shown on the ended chat.
		waitFor[string](sup, "the wrap-up note shown", jsText, "#wrap-up-shown", "Closed by the supervisor")
		// Bug 8: the supervisor's "Recently ended" lists it.
		waitFor[string](sup, "the chat in Recently ended", jsText, "#ended-list", "+14155550182")
	})
}

// Bug 4 (console half): signing out makes the agent offline, so no chat is
// offered to someone who left.
func TestConsoleSignOutSetsOffline(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		waitFor[string](ana, "Ana's name", jsText, "#who", "Ana")
		ana.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("dev-form")))
		testenv.WaitFor(t, waitLimit, "Ana offline", func() bool { return e.agent("ana").Status == chat.AgentOffline })
	})
}

// Bug 5: a chat auto-answered for an agent who has not opened it is
// signalled: unread marker, a count in the title, a chime.
func TestConsoleSignalsAutoAnsweredChats(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		ben := openConsoleAs(t, browser, e, "agent", "ben")
		ben.submitSignIn()
		waitFor[string](ben, "Ben's name", jsText, "#who", "Ben")
		chatID := activeChat(t, e, "+14155550183", "2", "ben") // Technical support: Ben answers automatically
		waitFor[bool](ben, "the unread marker", `(id) => Boolean(document.querySelector('#active-list li[data-key="' + CSS.escape(id) + '"] .unread'))`, chatID)
		waitFor[string](ben, "the count in the title", `() => /^\(1\)/.test(document.title) ? document.title : ''`)
		if n := pageValue[int](ben, "chimes", `Number(document.documentElement.dataset.chimes || 0)`); n < 1 {
			t.Errorf("no chime for the auto-answered chat (chimes %d)", n)
		}
		ben.do("open it", chromedp.Click(chromedp.CSS(`#active-list li[data-key="`+chatID+`"] a`)))
		waitFor[bool](ben, "the marker gone", `(id) => !document.querySelector('#active-list li[data-key="' + CSS.escape(id) + '"] .unread')`, chatID)
		waitFor[string](ben, "the title without a count", `() => /^\(/.test(document.title) ? '' : document.title`)
	})
}

// Bug 6: dev sign-in as a supervisor does not keep the pre-filled agent
// id; an agent id with no agent on file is refused with a reason.
func TestConsoleDevSignInRoles(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		sup := openConsoleAs(t, browser, e, "supervisor", "-")
		if v := pageValue[string](sup, "agent id", `document.querySelector('#dev-agent').value`); v != "" {
			t.Errorf("a supervisor's sign-in keeps agent id %q", v)
		}
		sup.submitSignIn()
		who := waitFor[string](sup, "who", jsText, "#who", "supervisor")
		if strings.Contains(who, "Ana") {
			t.Errorf("the supervisor is signed in as %q", who)
		}

		nobody := openConsoleAs(t, browser, e, "agent", "zed")
		nobody.do("sign in", chromedp.Click(chromedp.ID("dev-submit")))
		waitFor[string](nobody, "the refusal", jsText, "#signin-error", "zed")
		if vis := pageValue[bool](nobody, "workspace", `!document.querySelector('#workspace').hidden`); vis {
			t.Error("an unknown agent id opened an empty console")
		}
	})
}

// Bug 8: the small ones an agent meets in a chat.
func TestConsoleChatDetails(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		e.editAgent("ana", func(a *chat.Agent) { a.StatusReason = "missed offer"; a.Status = chat.AgentAway })
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		waitFor[string](ana, "the missed-offer reason", jsText, "#status-reason", "missed offer")
		ana.do("go available", chromedp.SetValue(chromedp.ID("agent-status"), "available"))
		pageValue[bool](ana, "fire change", `document.querySelector('#agent-status').dispatchEvent(new Event('change')) || true`)
		// At once, not at the next profile refresh 15 s later.
		waitSoon(ana, "the reason cleared", 5*time.Second, `() => document.querySelector('#status-reason').textContent === ''`)

		chatID := activeChat(t, e, "+14155550184", "1", "ana")
		ana.do("open the chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID), chromedp.WaitEnabled(chromedp.ID("reply")))

		// An image-only reply: its size line says MMS, not "undefined".
		png := filepath.Join(t.TempDir(), "receipt-photo.png")
		if err := os.WriteFile(png, tinyPNG(t), 0o644); err != nil {
			t.Fatal(err)
		}
		ana.do("attach", chromedp.SetUploadFiles(chromedp.ID("attach"), []string{png}), chromedp.WaitVisible(chromedp.CSS("#attachments li img")))
		if chip := pageValue[string](ana, "chip", `document.querySelector('#attachments li span').textContent`); chip != "receipt-photo.png" {
			t.Errorf("the attachment chip reads %q, want the file name", chip)
		}
		before := len(e.twilio.SentTo("+14155550184"))
		ana.do("send the image", chromedp.Click(chromedp.ID("send")))
		e.waitSent("+14155550184", before+1)
		size := waitFor[string](ana, "the image reply's size line", `() => {
			const imgs = document.querySelectorAll('#transcript li.msg-agent .msg-media img');
			const li = imgs.length && imgs[imgs.length - 1].closest('li.msg');
			return li && li.querySelector('.msg-size') ? li.querySelector('.msg-size').textContent : '';
		}`)
		if strings.Contains(size, "undefined") || !strings.Contains(size, "MMS") {
			t.Errorf("image-only reply's size line %q", size)
		}
		if fit := pageValue[string](ana, "thumbnail fit", `getComputedStyle(document.querySelector('#transcript .msg-media img')).objectFit`); fit != "contain" {
			t.Errorf("thumbnails are %q, want contain (receipts must be readable)", fit)
		}

		// A file just over 5 MiB: the message states both sizes apart.
		big := filepath.Join(t.TempDir(), "scan.png")
		data := append(tinyPNG(t), bytes.Repeat([]byte{0}, 5_243_645)...)[:5_243_645]
		if err := os.WriteFile(big, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ana.do("attach a big file", chromedp.SetUploadFiles(chromedp.ID("attach"), []string{big}))
		msg := waitFor[string](ana, "the size refusal", jsText, "#composer-error", "scan.png")
		if !strings.Contains(msg, "5,243,645 bytes") || !strings.Contains(msg, "5,242,880 bytes") {
			t.Errorf("size refusal %q: want the file's and the limit's exact sizes", msg)
		}

		// A draft survives a reload.
		ana.do("type a draft", chromedp.SendKeys(chromedp.ID("reply"), "Half-written answer"))
		ana.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("conversation")), chromedp.WaitEnabled(chromedp.ID("reply")))
		waitFor[bool](ana, "the draft back", `() => document.querySelector('#reply').value === 'Half-written answer'`)

		// A transfer to Ben: once he accepts, Ana's header says so at the
		// next poll (1 s), not after the 5 s slow refresh.
		e.editAgent("ben", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAvailable, false })
		ana.do("transfer to Ben",
			chromedp.Click(chromedp.ID("transfer-open")),
			chromedp.WaitVisible(chromedp.ID("transfer-dialog")),
		)
		ana.do("pick Ben and transfer", append(pickTarget("agent", "ben"), chromedp.Click(chromedp.ID("transfer-submit")))...)
		waitFor[string](ana, "the pending transfer, by name", jsText, "#transfer-state", "Ben Okafor")
		if err := e.accept(chatID, "ben"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		waitSoon(ana, "Ana's header showing the chat with Ben", 3*time.Second, jsText, "#conv-meta", "with Ben Okafor")
		t.Logf("transfer header updated %v after the accept", time.Since(start).Round(time.Millisecond))

		// transcript.txt names the transfer and the wrap-up.
		if _, err := e.conv.End(e.ctx(), access.Viewer{UID: "ben", AgentID: "ben"}, chatID, "Refund sent"); err != nil {
			t.Fatal(err)
		}
		code, text := e.admin(auth.RoleAdmin, "GET", "/chats/"+chatID+"/transcript.txt", "")
		if code != 200 {
			t.Fatalf("transcript.txt answered %d: %s", code, text)
		}
		for _, want := range []string{"from ana to agent ben: ended", "Wrap-up: Refund sent\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("transcript.txt lacks %q:\n%s", want, text)
			}
		}
	})
}

// waitSoon is waitFor with a short limit, for what must follow at once (a
// poll or less) rather than eventually.
func waitSoon(p *consolePage, what string, limit time.Duration, fn string, args ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`(...a) => Boolean((`+fn+`)(...a))`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingArgs(args...))); err != nil {
		p.t.Errorf("%s: %s not within %v: %v", p.who, what, limit, err)
	}
}
