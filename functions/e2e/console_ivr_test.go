package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/shared/ivr"
)

// In the console, the agent who took a call opens its in-call chat and
// sends the preset link and the app link from the in-call bar; the
// caller's phone gets both from the in-call number.
func TestConsoleInCallLinks(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, map[string]string{"IVR_WEBHOOK_SECRET": ivrSecret})
			testConsoleInCall(t, e, browser)
		})
	}
}

func testConsoleInCall(t *testing.T, e *env, browser context.Context) {
	e.outboundReady(10)
	e.inCallReady()
	const caller = "+12125550301"
	session := sessionOf("call-301")
	r := e.mustCX(cxCall{session: session, tag: ivrwebhook.TagCallConnected, turn: "t-1", caller: caller, params: map[string]any{"agent_id": "ben"}})
	id := ivr.InCallChatID(session)
	if param(r, "in_call_chat_id") != id {
		t.Fatalf("call-connected = %v", r.GetSessionInfo().GetParameters())
	}
	ben := openConsole(t, browser, e, "ben")
	ben.do("open the in-call chat", chromedp.Evaluate[chromedp.Void](`location.hash = "#chat/`+id+`"`))
	waitFor[string](ben, "the in-call bar", jsText, "#incall-label", "In-call SMS · call call-301")
	ben.do("send the preset link",
		chromedp.WaitEnabled(chromedp.ID("incall-send-link")),
		chromedp.Click(chromedp.ID("incall-send-link")),
	)
	waitFor[string](ben, "the link sent", jsText, "#incall-status", "Link sent.")
	sent := e.waitSent(caller, 1)
	if sent[0].From != numberES || sent[0].Body != "Your bill\nhttps://m.acme.example/bill" {
		t.Errorf("link text %+v", sent[0])
	}
	ben.do("send the app link", chromedp.WaitEnabled(chromedp.ID("incall-send-app")), chromedp.Click(chromedp.ID("incall-send-app")))
	waitFor[string](ben, "the app link sent", jsText, "#incall-status", "App link sent.")
	sent = e.waitSent(caller, 2)
	if !strings.HasPrefix(sent[1].Body, "Open the app:\nhttps://app.acme.example/open?") || !tokenPattern.MatchString(sent[1].Body) {
		t.Errorf("app link text %q", sent[1].Body)
	}
	consoletest.Screenshot(t, ben.ctx, "ben-in-call")
}
