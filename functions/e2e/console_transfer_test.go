package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Issue 17, bug 7: a queue transfer could leave a chat stuck. The agent who
// transferred it was never offered it back, nobody could take a waiting
// chat, and nothing warned that the queue had nobody to serve the chat.

var carlaAgent = auth.Principal{UID: "u-carla", Email: "carla@acme.example", Role: auth.RoleAgent, AgentID: "carla"}

// lastAssigned is the agent named by the chat's last Agent Assigned text.
func (e *env) lastAssigned(chatID string) string {
	e.t.Helper()
	body := ""
	for _, m := range e.transcript(chatID) {
		if m.Kind == chat.KindAssigned {
			body = m.Body
		}
	}
	return body
}

// TestQueueTransferIsOfferedAndTaken drives a Spanish chat through AgentAPI:
// Ana transfers it to Internet, whose other agent (Carla) is away: refused
// with why, then forced. It waits; Carla comes back and is offered it
// first; she declines and it comes back to Ana (before: nobody, until the
// queue timed out); Carla changes her mind and takes it.
func TestQueueTransferIsOfferedAndTaken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550191"
		e.say(consumer, numberES, "Hola")
		rec := e.say(consumer, numberES, "1") // Facturación: Ana (Carla is away)
		id := rec.ChatID
		if err := e.accept(id, "ana"); err != nil {
			t.Fatal(err)
		}
		path := "/chats/" + id
		code, body := e.agentAPI(&anaAgent, "POST", path+"/transfer", map[string]any{"toQueue": "es-internet", "note": "router broken"}, nil)
		if code != http.StatusConflict || !strings.Contains(body, "no other agent is available in Internet now") || !strings.Contains(body, `\"force\": true`) {
			t.Fatalf("transfer to a queue nobody else serves: %d %s, want 409 naming why and how to force", code, body)
		}
		if c := e.chat(id); c.Status != chat.StatusActive || c.AgentID != "ana" {
			t.Fatalf("the refused transfer moved the chat: %s with %q", c.Status, c.AgentID)
		}
		var c chat.Chat
		e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", path+"/transfer", map[string]any{"toQueue": "es-internet", "note": "router broken", "force": true}, &c)
		if c.Status != chat.StatusQueued || c.Offer != nil || c.QueueID != "es-internet" {
			t.Fatalf("forced transfer: %s in %s, offer %+v; want waiting in es-internet, offered to nobody", c.Status, c.QueueID, c.Offer)
		}

		if err := e.setStatus("carla", chat.AgentAvailable); err != nil {
			t.Fatal(err)
		}
		e.waitChat(id, "offered to Carla", func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == "carla" })
		e.mustAgentAPI(&carlaAgent, http.StatusOK, "POST", path+"/decline", nil, nil)
		e.waitChat(id, "offered back to Ana", func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == "ana" })

		// Ben works no Spanish queue; Carla does, and takes Ana's offer.
		e.mustAgentAPI(&benAgent, http.StatusForbidden, "POST", path+"/take", nil, nil)
		e.mustAgentAPI(&carlaAgent, http.StatusOK, "POST", path+"/take", nil, &c)
		if c.Status != chat.StatusActive || c.AgentID != "carla" || c.Offer != nil {
			t.Fatalf("taken: %s with %q, offer %+v", c.Status, c.AgentID, c.Offer)
		}
		if tr := c.Transfers[len(c.Transfers)-1]; tr.State != chat.TransferEnded || tr.ToAgent != "carla" || tr.FromAgent != "ana" {
			t.Errorf("transfer %+v, want ended with Carla", tr)
		}
		if got := e.lastAssigned(id); !strings.Contains(got, "Carla") {
			t.Errorf("Agent Assigned text %q does not name Carla", got)
		}
		if ana := e.agent("ana"); ana.Load != 0 {
			t.Errorf("Ana's load %d after her offer was withdrawn, want 0", ana.Load)
		}
		e.mustAgentAPI(&anaAgent, http.StatusConflict, "POST", path+"/take", nil, nil)
	})
}

// transferInDialog opens the transfer dialog on the open chat and submits
// a transfer to a queue.
func (p *consolePage) transferInDialog(queueID string) {
	p.t.Helper()
	p.do("transfer to "+queueID,
		chromedp.WaitEnabled(chromedp.ID("transfer-open")),
		chromedp.Click(chromedp.ID("transfer-open")),
		chromedp.WaitVisible(chromedp.ID("transfer-dialog")),
	)
	p.do("pick "+queueID+" and transfer", append(pickTarget("queue", queueID), chromedp.Click(chromedp.ID("transfer-submit")))...)
}

// TestConsoleTransferWarningAndTake: Ana transfers her chat to Billing while
// Ben is away; the dialog warns that no other agent is there and offers
// "Transfer anyway"; the chat then waits in her waiting list with a Take
// button, and taking it gives it back to her.
func TestConsoleTransferWarningAndTake(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		chatID := activeChat(t, e, "+14155550192", "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID))
		waitFor[string](ana, "the chat with Ana", jsText, "#conv-meta", "with you")
		ana.transferInDialog("en-billing")
		warning := waitFor[string](ana, "the warning", jsText, "#transfer-error", "No other agent is available in Billing now")
		if strings.Contains(warning, "force") || strings.Contains(warning, "transfer not started") {
			t.Errorf("the warning speaks API: %q", warning)
		}
		ana.do("transfer anyway", chromedp.WaitVisible(chromedp.ID("transfer-force")), chromedp.Click(chromedp.ID("transfer-force")))
		waitFor[bool](ana, "the dialog closed", `() => !document.querySelector('#transfer-dialog').open`)
		waitFor[string](ana, "the pending queue transfer", jsText, "#transfer-state", "waiting for an agent of the queue")
		if c := e.chat(chatID); c.Status != chat.StatusQueued || c.Offer != nil {
			t.Fatalf("after Transfer anyway: %s, offer %+v; want waiting, offered to nobody", c.Status, c.Offer)
		}

		take := `#waiting-list li[data-key="` + chatID + `"] button[data-action="take"]`
		ana.do("take it from the waiting list", chromedp.WaitVisible(chromedp.CSS(take)), chromedp.Click(chromedp.CSS(take)))
		c := e.waitChat(chatID, "Ana's again", func(c chat.Chat) bool { return c.Status == chat.StatusActive })
		if c.AgentID != "ana" {
			t.Fatalf("taken by %q, want ana", c.AgentID)
		}
		waitFor[string](ana, "the header", jsText, "#conv-meta", "with you")
		waitFor[bool](ana, "the composer enabled", `() => !document.querySelector('#reply').disabled`)
		waitFor[bool](ana, "the card gone", jsGone, `#waiting-list li[data-key="`+chatID+`"]`)
		if got := e.lastAssigned(chatID); !strings.Contains(got, "Ana will chat with you about Billing") {
			t.Errorf("Agent Assigned text %q", got)
		}
	})
}

// TestConsoleTransferHeaderFollowsTheQueue: the transferring agent's header
// says the chat waits in the queue, then who took it, though the chat is in
// none of their lists (Ana does not work Technical support).
func TestConsoleTransferHeaderFollowsTheQueue(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550193"
		chatID := activeChat(t, e, consumer, "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID))
		waitFor[string](ana, "the chat with Ana", jsText, "#conv-meta", "with you")
		ana.transferInDialog("en-tech")
		waitFor[string](ana, "the warning", jsText, "#transfer-error", "No agent is available in Technical support now")
		ana.do("transfer anyway", chromedp.WaitVisible(chromedp.ID("transfer-force")), chromedp.Click(chromedp.ID("transfer-force")))
		waitFor[string](ana, "the pending queue transfer", jsText, "#transfer-state", "Transfer to Technical support pending")
		if n := pageValue[int](ana, "waiting cards", `document.querySelectorAll('#waiting-list li').length`); n != 0 {
			t.Errorf("%d waiting cards for Ana, who does not work Technical support", n)
		}

		// Delivered texts: the console no longer re-reads the chat each poll
		// for their ticks, only for the transfer Ana made.
		for _, m := range e.waitSent(consumer, 4) {
			deliver(t, e, m, consumer)
		}
		waitFor[string](ana, "the ticks", jsTick, "Ana will chat with you about Billing.", "delivered")
		// Ben comes back and answers automatically.
		start := time.Now()
		if err := e.setStatus("ben", chat.AgentAvailable); err != nil {
			t.Fatal(err)
		}
		waitFor[string](ana, "the header naming Ben", jsText, "#transfer-state", "Transferred to Ben Okafor (Technical support).")
		// Within a poll (1 s), not the 5 s of a chat with nothing pending.
		t.Logf("the transferring agent's header named Ben %v after he came back", time.Since(start).Round(time.Millisecond))
		if c := e.chat(chatID); c.Status != chat.StatusActive || c.AgentID != "ben" {
			t.Errorf("chat %s with %q, want Ben's", c.Status, c.AgentID)
		}
		waitFor[string](ana, "the chat with Ben", jsText, "#conv-meta", "with Ben")
	})
}
