package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const telnyxAPIKey = "KEY0123456789ABCDEF0123456789ABCDEF_e2e"

// telnyxEnv is a deployment with Telnyx configured beside Twilio, and a
// local stand-in of Telnyx's Messages API recording every send.
type telnyxEnv struct {
	*env
	keys   telnyxtable.Keys
	telnyx *telnyxtest.Server
	ids    int
}

func newTelnyxEnv(t *testing.T, backend string, extraEnv ...map[string]string) *telnyxEnv {
	t.Helper()
	keys := telnyxtable.NewKeys(t)
	srv := telnyxtest.New(telnyxAPIKey)
	t.Cleanup(srv.Close)
	e := newEnv(t, backend, append([]map[string]string{{
		"TELNYX_PUBLIC_KEY":   base64.StdEncoding.EncodeToString(keys.Public),
		"TELNYX_API_KEY":      telnyxAPIKey,
		"TELNYX_API_BASE_URL": srv.URL,
	}}, extraEnv...)...)
	// numberEN moves to Telnyx: its chats, consent and ledger stay keyed by
	// the number.
	cfg := demo.Demo()
	i := slices.IndexFunc(cfg.Numbers, func(n chat.Number) bool { return n.E164 == numberEN })
	if i < 0 {
		t.Fatalf("the demo has no number %s", numberEN)
	}
	cfg.Numbers[i].Provider = telnyx.Name
	adm, err := jobs.Admin(e.ctx(), e.penv)
	if err != nil {
		t.Fatal(err)
	}
	if err := adm.ImportConfig(e.ctx(), cfg); err != nil {
		t.Fatal(err)
	}
	return &telnyxEnv{env: e, keys: keys, telnyx: srv}
}

// post sends a Telnyx event to a function (path and query after the
// function's name), signed now as Telnyx signs it.
func (e *telnyxEnv) post(fn, rest string, event any) int {
	e.t.Helper()
	body, err := json.Marshal(event)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.urls.Function(fn)+rest, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range telnyx.Sign(e.keys.Private, time.Now(), body) {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", fn, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func event(eventType, eventID string, payload map[string]any) map[string]any {
	return map[string]any{
		"data": map[string]any{"record_type": "event", "id": eventID, "event_type": eventType,
			"occurred_at": time.Now().UTC().Format(time.RFC3339Nano), "payload": payload},
		"meta": map[string]any{"attempt": 1},
	}
}

// say texts the business through Telnyx, waits until the text is routed
// and its replies are sent, and returns its inbound record.
func (e *telnyxEnv) say(consumer, number, body string) store.InboundRecord {
	e.t.Helper()
	e.ids++
	id := fmt.Sprintf("7ee4241c-f127-47e5-9c34-%012d", e.ids)
	ev := event(telnyx.EventReceived, fmt.Sprintf("bf6307bd-884d-4c1f-b6ea-%012d", e.ids), map[string]any{
		"record_type": "message", "direction": "inbound", "id": id, "type": "SMS",
		"from": map[string]any{"phone_number": consumer, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"},
		"to":   []map[string]any{{"phone_number": number, "status": "delivered", "carrier": "TELNYX LLC", "line_type": "VoIP"}},
		"text": body, "media": []any{}, "encoding": "GSM-7", "parts": 1, "errors": []any{},
	})
	if code := e.post(wire.FnTelnyxInbound, "", ev); code != http.StatusOK {
		e.t.Fatalf("TelnyxInbound answered %d to %q", code, body)
	}
	rec := e.waitTelnyxRouted(id)
	e.waitSettled(rec)
	return rec
}

// waitTelnyxRouted waits until a Telnyx message was applied to a chat.
func (e *telnyxEnv) waitTelnyxRouted(id string) store.InboundRecord {
	e.t.Helper()
	var rec store.InboundRecord
	testenv.WaitFor(e.t, waitLimit, "inbound "+id+" routed", func() bool {
		r, err := e.store.Inbound(e.ctx(), telnyx.Name+"_"+id)
		rec = r
		return err == nil && r.Routed
	})
	return rec
}

func (e *telnyxEnv) bodies(consumer string) []string {
	var out []string
	for _, m := range e.telnyx.SentTo(consumer) {
		out = append(out, m.Text)
	}
	return out
}

// TestTelnyxRouting is the routing table once through Telnyx: a first
// text opts in and gets the menu, a choice reaches Ana, her reply goes out
// through Telnyx's Messages API with the delivery-update URL as
// webhook_url, and Telnyx's delivery updates mark it delivered. Twilio
// sends nothing.
func TestTelnyxRouting(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			e := newTelnyxEnv(t, b)
			const consumer = "+14155550177"
			e.editAgent("ana", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAvailable, false })
			e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })

			rec := e.say(consumer, numberEN, "Hi")
			chatID := rec.ChatID
			c := e.chat(chatID)
			if c.Provider != telnyx.Name || c.Status != chat.StatusMenu {
				t.Fatalf("chat %+v, want a telnyx chat at the menu", c)
			}
			bodies := e.bodies(consumer)
			if len(bodies) < 2 || !strings.Contains(bodies[len(bodies)-1], "Text 1 for Billing, Text 2 for Technical support") {
				t.Fatalf("after the first text the consumer got %q, want the opt-in and the menu", bodies)
			}
			// The same message delivered again (another event id, as a retry
			// to the failover URL carries) is not a second text.
			e.ids--
			if again := e.say(consumer, numberEN, "Hi"); again.ChatID != chatID {
				t.Fatalf("the repeated message went to chat %s", again.ChatID)
			}
			if got := e.bodies(consumer); len(got) != len(bodies) {
				t.Fatalf("the repeated message was answered: %q", got[len(bodies):])
			}

			e.say(consumer, numberEN, "1") // Billing
			c = e.waitChat(chatID, "offered to ana", func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == "ana" })
			e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/accept", nil, &c)
			e.settleChat(chatID)
			if b := e.bodies(consumer); b[len(b)-1] != "Ana will chat with you about Billing." {
				t.Errorf("Agent Assigned text %q", b[len(b)-1])
			}

			const reply = "Hi, this is Ana. Let me look at your bill."
			var m chat.Message
			e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+chatID+"/messages",
				map[string]any{"body": reply, "requestId": "7d1c3a52-9a0e-4d0b-8f3e-2b6c1d0e9f11"}, &m)
			e.settleChat(chatID)
			sent := e.telnyx.SentTo(consumer)
			out := sent[len(sent)-1]
			wantHook := e.urls.StatusCallback(telnyx.Name, m.Ref())
			if out.Text != reply || out.From != numberEN || out.WebhookURL != wantHook || out.IdempotencyKey != wire.SendTaskName(m.Ref()) {
				t.Fatalf("Telnyx got %+v, want the reply from %s with webhook_url %s and its send's idempotency key", out, numberEN, wantHook)
			}
			if n := len(e.twilio.Sent()); n != 0 {
				t.Errorf("Twilio sent %d texts for a Telnyx number", n)
			}

			// Telnyx reports it sent, then finalized delivered, at webhook_url.
			hook, err := url.Parse(out.WebhookURL)
			if err != nil {
				t.Fatal(err)
			}
			rest := strings.TrimPrefix(hook.Path, "/fn/"+wire.FnDeliveryStatus) + "?" + hook.RawQuery
			for i, st := range []struct{ event, word string }{{telnyx.EventSent, "sent"}, {telnyx.EventFinalized, "delivered"}} {
				ev := event(st.event, fmt.Sprintf("86f58db9-0fe3-4adc-9d1f-%012d", i), map[string]any{
					"record_type": "message", "direction": "outbound", "id": out.ID, "type": "SMS",
					"from": map[string]any{"phone_number": numberEN}, "to": []map[string]any{{"phone_number": consumer, "status": st.word}},
					"text": reply, "media": []any{}, "errors": []any{},
				})
				if code := e.post(wire.FnDeliveryStatus, rest, ev); code/100 != 2 {
					t.Fatalf("delivery update %s answered %d", st.word, code)
				}
			}
			got := e.waitMessage(m.Ref(), "delivered", func(m chat.Message) bool { return m.Delivery.Status == chat.DeliveryDelivered })
			if got.ProviderMessageID != out.ID || got.Send.State != chat.SendSent {
				t.Errorf("the reply: %+v", got)
			}

			// Telnyx does not sign the URL: a genuine update replayed at
			// another message's query is refused, since its signed message id
			// is not that message's, and the other message is unchanged.
			other := chat.Ref{ChatID: chatID, Seq: m.Seq - 1}
			before := e.waitMessage(other, "sent", func(m chat.Message) bool { return m.ProviderMessageID != "" })
			q := url.Values{"chat": {chatID}, "seq": {fmt.Sprint(other.Seq)}}
			replay := event(telnyx.EventFinalized, "86f58db9-0fe3-4adc-9d1f-replayed0000", map[string]any{
				"record_type": "message", "direction": "outbound", "id": out.ID, "type": "SMS",
				"from": map[string]any{"phone_number": numberEN}, "to": []map[string]any{{"phone_number": consumer, "status": "delivery_failed"}},
				"text": reply, "media": []any{}, "errors": []map[string]any{{"code": "40300", "title": "Blocked due to STOP message"}},
			})
			if code := e.post(wire.FnDeliveryStatus, "/"+telnyx.Name+"?"+q.Encode(), replay); code != http.StatusConflict {
				t.Errorf("an update re-targeted at message %d answered %d, want 409", other.Seq, code)
			}
			if after := e.waitMessage(other, "read", func(chat.Message) bool { return true }); after.Delivery != before.Delivery {
				t.Errorf("the re-targeted update changed message %d: %+v -> %+v", other.Seq, before.Delivery, after.Delivery)
			}
			if c := e.chat(chatID); c.Status != chat.StatusActive {
				t.Errorf("the re-targeted opt-out changed the chat: %s", c.Status)
			}
		})
	}
}
