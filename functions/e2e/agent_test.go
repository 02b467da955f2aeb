package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// People of the agent console, as their tokens say.
var (
	anaAgent   = auth.Principal{UID: "u-ana", Email: "ana@acme.example", Role: auth.RoleAgent, AgentID: "ana"}
	benAgent   = auth.Principal{UID: "u-ben", Email: "ben@acme.example", Role: auth.RoleAgent, AgentID: "ben"}
	supervisor = auth.Principal{UID: "u-sup", Email: "sup@acme.example", Role: auth.RoleSupervisor}
)

// agentAPI calls AgentAPI over HTTP as a person (nil for no token) and
// decodes a 2xx answer into out (when not nil). It returns the status and
// the body.
func (e *env) agentAPI(p *auth.Principal, method, path string, body any, out any) (int, string) {
	e.t.Helper()
	header := http.Header{}
	if p != nil {
		token, err := e.dev.Mint(*p, time.Minute)
		if err != nil {
			e.t.Fatal(err)
		}
		header.Set("Authorization", "Bearer "+token)
	}
	code, b, _ := e.callJSON(method, e.urls.Function(wire.FnAgentAPI)+path, header, body)
	if out != nil && code < 300 {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return code, b
}

// callJSON sends body (none when nil) as JSON with header and returns the
// answer's status, body and header.
func (e *env) callJSON(method, url string, header http.Header, body any) (int, string, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// mustAgentAPI is agentAPI for a call that must answer want.
func (e *env) mustAgentAPI(p *auth.Principal, want int, method, path string, body any, out any) {
	e.t.Helper()
	if code, b := e.agentAPI(p, method, path, body, out); code != want {
		e.t.Fatalf("%s %s as %s: %d %s, want %d", method, path, who(p), code, b, want)
	}
}

func who(p *auth.Principal) string {
	if p == nil {
		return "nobody"
	}
	return p.UID
}

// TestAgentConsoleFlow drives a chat through AgentAPI the way the console
// does: a consumer texts through a signed webhook, Ana sees the offer in her
// inbox, accepts, replies with a canned message (the consumer's phone gets
// the rendered text; a retried POST sends nothing more), status callbacks
// show it delivered, she transfers the chat to Ben, who sees it in his inbox
// and accepts (the consumer gets the new Agent Assigned text), and Ben ends
// it with a wrap-up.
func TestAgentConsoleFlow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550190"
		// Billing's team is Ana and Ben. Ben starts away, answers by hand.
		e.editAgent("ben", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAway, false })

		e.mustAgentAPI(&supervisor, http.StatusOK, "PUT", "/canned/greeting", map[string]any{
			"title": "Greeting", "language": "en",
			"body": "Hi @{CONSUMER_FIRST_NAME}, this is @{AGENT} from @{QUEUE}. How can I help?",
		}, nil)

		e.say(consumer, numberEN, "Hi")
		rec := e.say(consumer, numberEN, "1") // Billing
		chatID := rec.ChatID

		// Ana's inbox offers it.
		var inbox desk.Inbox
		e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/inbox", nil, &inbox)
		if !slices.ContainsFunc(inbox.Offered, func(c chat.Chat) bool { return c.ID == chatID && c.Consumer == consumer }) {
			t.Fatalf("Ana's inbox does not offer chat %s: offered %v", chatID, chatIDs(inbox.Offered))
		}
		// Nobody else acts on it; Ben, away and not offered it, cannot accept.
		e.mustAgentAPI(nil, http.StatusUnauthorized, "POST", "/chats/"+chatID+"/accept", nil, nil)
		e.mustAgentAPI(&benAgent, http.StatusConflict, "POST", "/chats/"+chatID+"/accept", nil, nil)

		var c chat.Chat
		e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/accept", nil, &c)
		if c.Status != chat.StatusActive || c.AgentID != "ana" {
			t.Fatalf("after accept: %s held by %q", c.Status, c.AgentID)
		}
		e.settleChat(chatID)
		if b := e.bodies(consumer); b[len(b)-1] != "Ana will chat with you about Billing." {
			t.Errorf("Agent Assigned text %q", b[len(b)-1])
		}

		// A consumer's text, measured from the webhook to GET /chats/{id}.
		sid := fmt.Sprintf("SMconsole%d", e.sids.Add(1))
		start := time.Now()
		if code := e.text(sid, consumer, numberEN, "My bill is wrong"); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
		var view desk.ChatView
		testenv.WaitFor(t, waitLimit, "the consumer's text visible through AgentAPI", func() bool {
			view = desk.ChatView{}
			e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/chats/"+chatID, nil, &view)
			return slices.ContainsFunc(view.Messages, func(m chat.Message) bool { return m.Body == "My bill is wrong" })
		})
		t.Logf("consumer text visible through GET /AgentAPI/chats/{id} %v after the webhook (%s backend)", time.Since(start).Round(time.Millisecond), backendOf(t))
		if !view.CanReply || view.Consent.State != "opted-in" || view.Consent.Source != chat.SourceFirstMessage {
			t.Errorf("chat view: canReply %v %q, consent %+v", view.CanReply, view.ReplyBlocked, view.Consent)
		}

		// The canned message, rendered for the chat.
		var canned []chat.Canned
		e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/chats/"+chatID+"/canned", nil, &canned)
		const greeting = "Hi, this is Ana from Billing. How can I help?"
		if len(canned) != 1 || canned[0].Body != greeting {
			t.Fatalf("canned for the chat: %+v", canned)
		}
		before := len(e.twilio.SentTo(consumer))
		reply := map[string]any{"cannedId": "greeting", "requestId": "b5b3c7e4-1b7e-4c55-9a43-0c1d6a1f2e10"}
		var m chat.Message
		e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/messages", reply, &m)
		if m.Body != greeting || m.AgentID != "ana" || m.Encoding != "GSM-7" || m.Segments != 1 {
			t.Errorf("reply %+v", m)
		}
		sent := e.waitSent(consumer, before+1)
		if got := sent[len(sent)-1].Body; got != greeting {
			t.Errorf("the consumer's phone got %q", got)
		}
		// The console retries the POST (a lost answer): nothing more is sent.
		var again chat.Message
		e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/messages", reply, &again)
		if again.Seq != m.Seq {
			t.Errorf("retried reply created message %d, first %d", again.Seq, m.Seq)
		}
		e.settleChat(chatID)
		if n := countBody(e.bodies(consumer), greeting); n != 1 {
			t.Errorf("the consumer got the reply %d times", n)
		}

		// The carrier reports it sent, then delivered.
		out := sent[len(sent)-1]
		cb, err := url.Parse(out.StatusCallback)
		if err != nil {
			t.Fatal(err)
		}
		for _, status := range []string{"sent", "delivered"} {
			form := url.Values{"MessageSid": {out.SID}, "MessageStatus": {status}, "AccountSid": {accountSID}, "To": {consumer}, "From": {numberEN}}
			if code := e.postSigned(wire.FnDeliveryStatus, cb.RawQuery, form, authToken, ""); code/100 != 2 {
				t.Fatalf("status callback %s answered %d", status, code)
			}
		}
		view = desk.ChatView{}
		e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/chats/"+chatID, nil, &view)
		i := slices.IndexFunc(view.Messages, func(x chat.Message) bool { return x.Seq == m.Seq })
		if i < 0 || view.Messages[i].Delivery.Status != chat.DeliveryDelivered || view.Messages[i].Send.State != chat.SendSent {
			t.Fatalf("the reply in GET /chats/{id}: %+v", view.Messages[max(i, 0)])
		}

		// Ana transfers the chat to Ben, who comes back and takes it.
		e.mustAgentAPI(&benAgent, http.StatusOK, "PUT", "/me/status", map[string]string{"status": "available"}, nil)
		e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/transfer", map[string]string{"toAgent": "ben", "note": "billing dispute, over to you"}, &c)
		if last := c.Transfers[len(c.Transfers)-1]; last.State != chat.TransferPending || last.ToAgent != "ben" || c.AgentID != "ana" {
			t.Fatalf("after the transfer request: %+v, held by %s", last, c.AgentID)
		}
		inbox = desk.Inbox{}
		e.mustAgentAPI(&benAgent, http.StatusOK, "GET", "/inbox", nil, &inbox)
		if !slices.ContainsFunc(inbox.Offered, func(c chat.Chat) bool { return c.ID == chatID }) {
			t.Fatalf("Ben's inbox does not offer the transfer: offered %v", chatIDs(inbox.Offered))
		}
		e.mustAgentAPI(&benAgent, http.StatusOK, "POST", "/chats/"+chatID+"/accept", nil, &c)
		if c.AgentID != "ben" || c.Status != chat.StatusActive {
			t.Fatalf("after Ben accepted: %s held by %s", c.Status, c.AgentID)
		}
		last := c.Transfers[len(c.Transfers)-1]
		if last.State != chat.TransferEnded || last.FromAgent != "ana" || last.ToAgent != "ben" || last.By != "ana" || last.Note != "billing dispute, over to you" {
			t.Errorf("transfer %+v", last)
		}
		e.settleChat(chatID)
		if b := e.bodies(consumer); b[len(b)-1] != "Ben will chat with you about Billing." {
			t.Errorf("new Agent Assigned text %q", b[len(b)-1])
		}
		// Ana sees the chat she passed on but can no longer reply.
		view = desk.ChatView{}
		e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/chats/"+chatID, nil, &view)
		if view.CanReply || view.ReplyBlocked != "Only the agent holding the chat can reply" {
			t.Errorf("Ana's view after the transfer: canReply %v %q", view.CanReply, view.ReplyBlocked)
		}
		e.mustAgentAPI(&anaAgent, http.StatusForbidden, "POST", "/chats/"+chatID+"/messages", map[string]string{"body": "still me", "requestId": "r-late"}, nil)

		// Ben ends it with a wrap-up.
		e.mustAgentAPI(&benAgent, http.StatusOK, "POST", "/chats/"+chatID+"/end", map[string]string{"wrapUp": "refund issued"}, &c)
		if c.Status != chat.StatusEnded || c.EndReason != chat.EndFinished || c.WrapUp != "refund issued" {
			t.Errorf("after end: %s %s %q", c.Status, c.EndReason, c.WrapUp)
		}
		e.settleChat(chatID)
		if b := e.bodies(consumer); !strings.HasPrefix(b[len(b)-1], "This chat has ended.") {
			t.Errorf("last text %q", b[len(b)-1])
		}
		inbox = desk.Inbox{}
		e.mustAgentAPI(&benAgent, http.StatusOK, "GET", "/inbox", nil, &inbox)
		if !slices.ContainsFunc(inbox.Ended, func(c chat.Chat) bool { return c.ID == chatID }) || len(inbox.Active) != 0 {
			t.Errorf("Ben's inbox after the end: active %v ended %v", chatIDs(inbox.Active), chatIDs(inbox.Ended))
		}
		var history []chat.Chat
		e.mustAgentAPI(&anaAgent, http.StatusOK, "GET", "/consumers/"+consumer+"/chats", nil, &history)
		if len(history) != 1 || history[0].ID != chatID {
			t.Errorf("history %v", chatIDs(history))
		}
		// Every transfer event is on the chat: started, then ended.
		if n := len(c.Transfers); n != 1 {
			t.Errorf("%d transfers recorded", n)
		}
	})
}

func chatIDs(cs []chat.Chat) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func countBody(bodies []string, body string) int {
	n := 0
	for _, b := range bodies {
		if b == body {
			n++
		}
	}
	return n
}

// backendOf is the backend a forEachBackend subtest runs on.
func backendOf(t *testing.T) string {
	name := t.Name()
	return name[strings.LastIndex(name, "/")+1:]
}
