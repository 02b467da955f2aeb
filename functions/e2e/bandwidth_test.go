package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtable"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// bandwidthEnv is a deployment with Bandwidth configured beside Twilio,
// and a local stand-in of Bandwidth's Messaging API and token endpoint
// recording every send.
type bandwidthEnv struct {
	*env
	bw  *bandwidthtest.Server
	ids int
}

func newBandwidthEnv(t *testing.T, backend string) *bandwidthEnv {
	t.Helper()
	a := bandwidthtable.Account
	srv := bandwidthtest.New(a)
	t.Cleanup(srv.Close)
	e := newEnv(t, backend, map[string]string{
		"BANDWIDTH_ACCOUNT_ID": a.AccountID, "BANDWIDTH_APPLICATION_ID": a.ApplicationID,
		"BANDWIDTH_CLIENT_ID": a.ClientID, "BANDWIDTH_CLIENT_SECRET": a.ClientSecret,
		"BANDWIDTH_API_BASE_URL": srv.URL, "BANDWIDTH_TOKEN_URL": srv.TokenURL(),
		"BANDWIDTH_WEBHOOK_USER": bandwidthtable.WebhookUser, "BANDWIDTH_WEBHOOK_PASSWORD": bandwidthtable.WebhookPassword,
	})
	// numberEN moves to Bandwidth: its chats, consent and ledger stay keyed
	// by the number.
	cfg := demo.Demo()
	i := slices.IndexFunc(cfg.Numbers, func(n chat.Number) bool { return n.E164 == numberEN })
	if i < 0 {
		t.Fatalf("the demo has no number %s", numberEN)
	}
	cfg.Numbers[i].Provider = bandwidth.Name
	adm, err := jobs.Admin(e.ctx(), e.penv)
	if err != nil {
		t.Fatal(err)
	}
	if err := adm.ImportConfig(e.ctx(), cfg); err != nil {
		t.Fatal(err)
	}
	return &bandwidthEnv{env: e, bw: srv}
}

// post makes a callback as Bandwidth does (RFC 7235): first without
// credentials, which must be challenged with a 401, then with the
// application's credentials. It returns the second answer.
func (e *bandwidthEnv) post(fn, rest string, events ...map[string]any) int {
	e.t.Helper()
	body, err := json.Marshal(events)
	if err != nil {
		e.t.Fatal(err)
	}
	do := func(withCreds bool) *http.Response {
		req, err := http.NewRequest(http.MethodPost, e.urls.Function(fn)+rest, bytes.NewReader(body))
		if err != nil {
			e.t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if withCreds {
			req.SetBasicAuth(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatalf("POST %s: %v", fn, err)
		}
		_ = resp.Body.Close()
		return resp
	}
	if first := do(false); first.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(first.Header.Get("WWW-Authenticate"), "Basic ") {
		e.t.Fatalf("%s answered %d (WWW-Authenticate %q) to a callback without credentials, want the 401 challenge",
			fn, first.StatusCode, first.Header.Get("WWW-Authenticate"))
	}
	return do(true).StatusCode
}

func bandwidthEvent(typ, to string, msg map[string]any) map[string]any {
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	msg["time"], msg["applicationId"], msg["segmentCount"] = now, bandwidthtable.Account.ApplicationID, 1
	return map[string]any{"time": now, "type": typ, "to": to, "description": typ, "message": msg}
}

// say texts the business through Bandwidth, waits until the text is
// routed and its replies are sent, and returns its inbound record.
func (e *bandwidthEnv) say(consumer, number, body string) store.InboundRecord {
	e.t.Helper()
	e.ids++
	id := fmt.Sprintf("1476207046829%016d", e.ids)
	ev := bandwidthEvent(bandwidth.EventReceived, number, map[string]any{
		"id": id, "owner": number, "direction": "in", "to": []string{number}, "from": consumer, "text": body,
	})
	if code := e.post(wire.FnBandwidthInbound, "", ev); code != http.StatusOK {
		e.t.Fatalf("BandwidthInbound answered %d to %q", code, body)
	}
	var rec store.InboundRecord
	testenv.WaitFor(e.t, waitLimit, "inbound "+id+" routed", func() bool {
		r, err := e.store.Inbound(e.ctx(), bandwidth.Name+"_"+id)
		rec = r
		return err == nil && r.Routed
	})
	e.waitSettled(rec)
	return rec
}

func (e *bandwidthEnv) bodies(consumer string) []string {
	var out []string
	for _, m := range e.bw.SentTo(consumer) {
		out = append(out, m.Text)
	}
	return out
}

// TestBandwidthRouting is the routing table once through Bandwidth: a
// first text opts in and gets the menu, a choice reaches Ana, her reply
// goes out through Bandwidth's Messaging API with an access token and the
// message's ref as tag, and Bandwidth's status callbacks, posted to the
// one OutboundCallbackUrl, mark it delivered. Twilio sends nothing.
func TestBandwidthRouting(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			e := newBandwidthEnv(t, b)
			const consumer = "+14155550178"
			e.editAgent("ana", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAvailable, false })
			e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })

			rec := e.say(consumer, numberEN, "Hi")
			chatID := rec.ChatID
			if c := e.chat(chatID); c.Provider != bandwidth.Name || c.Status != chat.StatusMenu {
				t.Fatalf("chat %+v, want a bandwidth chat at the menu", c)
			}
			bodies := e.bodies(consumer)
			if len(bodies) < 2 || !strings.Contains(bodies[len(bodies)-1], "Text 1 for Billing, Text 2 for Technical support") {
				t.Fatalf("after the first text the consumer got %q, want the opt-in and the menu", bodies)
			}
			// Bandwidth delivers at least once: the same message again is
			// not a second text.
			e.ids--
			if again := e.say(consumer, numberEN, "Hi"); again.ChatID != chatID {
				t.Fatalf("the repeated message went to chat %s", again.ChatID)
			}
			if got := e.bodies(consumer); len(got) != len(bodies) {
				t.Fatalf("the repeated message was answered: %q", got[len(bodies):])
			}

			e.say(consumer, numberEN, "1") // Billing
			c := e.waitChat(chatID, "offered to ana", func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == "ana" })
			e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/accept", nil, &c)
			e.settleChat(chatID)

			const reply = "Hi, this is Ana. Let me look at your bill."
			var m chat.Message
			e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/messages",
				map[string]any{"body": reply, "requestId": "2b0e7c1a-5d4f-4e3a-9b8c-7d6e5f4a3b21"}, &m)
			e.settleChat(chatID)
			sent := e.bw.SentTo(consumer)
			out := sent[len(sent)-1]
			wantTag := bandwidth.Tag(e.urls.StatusCallback(bandwidth.Name, m.Ref()))
			if out.Text != reply || out.From != numberEN || out.Tag != wantTag {
				t.Fatalf("Bandwidth got %+v, want the reply from %s tagged %s", out, numberEN, wantTag)
			}
			if n := len(e.twilio.Sent()); n != 0 {
				t.Errorf("Twilio sent %d texts for a Bandwidth number", n)
			}
			if n := e.bw.TokensIssued(); n != 1 {
				t.Errorf("%d access tokens for %d sends, want 1", n, len(e.bw.Sent()))
			}

			// Bandwidth reports sending, then delivered, at the
			// application's OutboundCallbackUrl: no query, the tag names
			// the message.
			rest := "/" + bandwidth.Name
			for _, typ := range []string{bandwidth.EventSending, bandwidth.EventDelivered} {
				ev := bandwidthEvent(typ, consumer, map[string]any{"id": out.ID, "owner": numberEN, "direction": "out",
					"to": []string{consumer}, "from": numberEN, "text": reply, "tag": out.Tag})
				if code := e.post(wire.FnDeliveryStatus, rest, ev); code/100 != 2 {
					t.Fatalf("status %s answered %d", typ, code)
				}
			}
			got := e.waitMessage(m.Ref(), "delivered", func(m chat.Message) bool { return m.Delivery.Status == chat.DeliveryDelivered })
			if got.ProviderMessageID != out.ID || got.Send.State != chat.SendSent {
				t.Errorf("the reply: %+v", got)
			}

			// Basic credentials cover nothing of the body: a genuine status
			// re-tagged at another message is refused, since its message id
			// is not that message's, and the other message is unchanged.
			other := chat.Ref{ChatID: chatID, Seq: m.Seq - 1}
			before := e.waitMessage(other, "sent", func(m chat.Message) bool { return m.ProviderMessageID != "" })
			q := url.Values{"chat": {chatID}, "seq": {fmt.Sprint(other.Seq)}}
			replay := bandwidthEvent(bandwidth.EventFailed, consumer, map[string]any{"id": out.ID, "owner": numberEN, "direction": "out",
				"to": []string{consumer}, "from": numberEN, "text": reply, "tag": q.Encode()})
			replay["errorCode"] = 4775
			if code := e.post(wire.FnDeliveryStatus, rest, replay); code != http.StatusConflict {
				t.Errorf("a status re-tagged at message %d answered %d, want 409", other.Seq, code)
			}
			if after := e.waitMessage(other, "read", func(chat.Message) bool { return true }); after.Delivery != before.Delivery {
				t.Errorf("the re-tagged status changed message %d: %+v -> %+v", other.Seq, before.Delivery, after.Delivery)
			}
			if c := e.chat(chatID); c.Status != chat.StatusActive {
				t.Errorf("the re-tagged opt-out changed the chat: %s", c.Status)
			}
		})
	}
}
