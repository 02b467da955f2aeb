package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const messagingService = "MG0123456789abcdef0123456789abcdef"

// TestTwilioMessagingService: a number in a Messaging Service gets texts
// that name the service (inbound webhooks carry MessagingServiceSid and
// are routed by To as any), and every reply is sent naming the service
// instead of From; Twilio picks the number from the service's pool.
func TestTwilioMessagingService(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550181"
		e.twilio.AddService(messagingService, numberEN)
		e.editNumber(numberEN, func(n *chat.Number) { n.MessagingServiceSID = messagingService })
		form := url.Values{"MessageSid": {"SMsvc0000000000000000000000000001"}, "AccountSid": {accountSID}, "From": {consumer},
			"To": {numberEN}, "Body": {"Hi"}, "NumMedia": {"0"}, "MessagingServiceSid": {messagingService}}
		if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
			t.Fatalf("TwilioInbound answered %d", code)
		}
		rec := e.waitRouted("SMsvc0000000000000000000000000001")
		e.waitSettled(rec)
		if c := e.chat(rec.ChatID); c.Number != numberEN || c.QueueID != "en" {
			t.Fatalf("chat %+v, want one on %s in the English tree", c, numberEN)
		}
		sent := e.waitSent(consumer, 2) // opt-in and menu
		for _, s := range sent {
			if s.MessagingServiceSID != messagingService || s.From != numberEN {
				t.Errorf("sent %+v, want it through %s from its pool's %s", s, messagingService, numberEN)
			}
		}
	})
}

// TestUndeliverableNumberRefusesProactiveTexts: Twilio reports a text to
// a landline undelivered with 30006; the message shows the agent's
// sentence, the consumer's number is marked undeliverable (consent
// untouched), and the next proactive text to it is refused with that
// reason before anything is sent.
func TestUndeliverableNumberRefusesProactiveTexts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const landline = "+12125550162"
		secret := e.outboundReady(50)
		body := map[string]any{"chat_type": "Messaging (SMS)", "end_user_number": landline, "outbound_number": numberEN, "message": "Your order shipped."}
		if code, resp, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, body, ""); code != http.StatusOK {
			t.Fatalf("first session: %d %s", code, resp)
		}
		sent := e.waitSent(landline, 1)
		last := sent[len(sent)-1]
		cb, err := url.Parse(last.StatusCallback)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := wire.ParseStatusQuery(cb.Query())
		if err != nil {
			t.Fatal(err)
		}
		e.waitMessage(ref, "sent", func(m chat.Message) bool { return m.ProviderMessageID == last.SID })
		status := twiliotable.Form(twiliotable.StatusCallback(last.SID, "undelivered", "30006"))
		if code := e.postSigned(wire.FnDeliveryStatus, cb.RawQuery, status, authToken, ""); code != http.StatusNoContent {
			t.Fatalf("DeliveryStatus answered %d", code)
		}
		m := e.waitMessage(ref, "undelivered", func(m chat.Message) bool { return m.Delivery.Status == chat.DeliveryUndelivered })
		if m.Delivery.ErrorMessage != carrier.Landline.Sentence {
			t.Errorf("the agent reads %q, want %q", m.Delivery.ErrorMessage, carrier.Landline.Sentence)
		}
		consent, err := e.store.Consent(e.ctx(), numberEN, landline)
		if err != nil || consent.Undeliverable == "" || consent.State == chat.ConsentOptedOut {
			t.Fatalf("consent %+v (%v): want undeliverable, not opted out", consent, err)
		}

		before := len(e.twilio.SentTo(landline))
		code, resp, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, body, "")
		var got struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal([]byte(resp), &got)
		if code != http.StatusBadRequest || !strings.Contains(got.Message, "end_user_number cannot receive texts: "+carrier.Landline.Sentence) {
			t.Errorf("second session: %d %s, want 400 naming the carrier's reason", code, resp)
		}
		if n := len(e.twilio.SentTo(landline)) - before; n != 0 {
			t.Errorf("the refused session sent %d texts", n)
		}
	})
}

// TestConsumerFromAShortCodeIsNotAnswered: a text from a short code or an
// alphanumeric sender (a carrier's notice) is acknowledged and nothing
// answers it: no chat, no opt-in, no menu.
func TestConsumerFromAShortCodeIsNotAnswered(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		for i, from := range []string{"898211", "TMobile"} {
			sid := "SMsys000000000000000000000000000" + string(rune('0'+i))
			if code := e.text(sid, from, numberEN, "Free msg: your plan renews today. Reply HELP for help."); code != http.StatusOK {
				t.Fatalf("TwilioInbound answered %d to a text from %s", code, from)
			}
			if _, err := e.store.Inbound(e.ctx(), twilio.Name+"_"+sid); err == nil {
				t.Errorf("the text from %s was recorded for routing", from)
			}
			if s := e.twilio.SentTo(from); len(s) != 0 {
				t.Errorf("%s was answered: %+v", from, s)
			}
		}
	})
}

// TestNumberMovedToAnotherProviderKeepsItsChats: a number on Telnyx with
// an open chat and an opted-in consumer moves to Twilio. The consumer's
// next text (now through Twilio) continues the same chat with no second
// opt-in, the consent ledger keeps its one entry, and the agent's reply
// goes out through Twilio, the carrier that now has the number.
func TestNumberMovedToAnotherProviderKeepsItsChats(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			e := newTelnyxEnv(t, b) // numberEN on Telnyx
			const consumer = "+14155550183"
			e.editAgent("ana", func(a *chat.Agent) { a.Status, a.AutoAnswer = chat.AgentAvailable, true })
			e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
			first := e.say(consumer, numberEN, "Hi")
			e.say(consumer, numberEN, "1") // Billing: Ana answers automatically
			e.waitChat(first.ChatID, "with ana", func(c chat.Chat) bool { return c.AgentID == "ana" })
			e.settleChat(first.ChatID)
			ledger, err := e.store.ConsentEvents(e.ctx(), numberEN, consumer)
			if err != nil || len(ledger) == 0 {
				t.Fatalf("ledger %v (%v)", ledger, err)
			}
			telnyxSent := len(e.telnyx.SentTo(consumer))

			e.editNumber(numberEN, func(n *chat.Number) { n.Provider = twilio.Name })
			again := e.env.say(consumer, numberEN, "Are you there?")
			if again.ChatID != first.ChatID {
				t.Fatalf("after the move the text went to chat %s, want %s", again.ChatID, first.ChatID)
			}
			if s := e.twilio.SentTo(consumer); len(s) != 0 {
				t.Errorf("the moved number answered a text of an open chat: %+v", s)
			}
			after, err := e.store.ConsentEvents(e.ctx(), numberEN, consumer)
			if err != nil || len(after) != len(ledger) {
				t.Errorf("ledger after the move %v (%v), want the %d entries before it", after, err, len(ledger))
			}
			if c, err := e.store.Consent(e.ctx(), numberEN, consumer); err != nil || c.State != chat.ConsentOptedIn {
				t.Errorf("consent after the move %+v (%v), want opted in", c, err)
			}

			const reply = "Yes, Ana here."
			var m chat.Message
			e.mustAgentAPI(&anaAgent, http.StatusOK, "POST", "/chats/"+first.ChatID+"/messages",
				map[string]any{"body": reply, "requestId": "5c0f7b8e-3a2d-4e1f-9b6a-7c8d9e0f1a2b"}, &m)
			e.settleChat(first.ChatID)
			sent := e.twilio.SentTo(consumer)
			if len(sent) != 1 || sent[0].Body != reply || sent[0].From != numberEN ||
				sent[0].StatusCallback != e.urls.StatusCallback(twilio.Name, m.Ref()) {
				t.Errorf("Twilio sent %+v, want the reply from %s with Twilio's status callback", sent, numberEN)
			}
			if n := len(e.telnyx.SentTo(consumer)); n != telnyxSent {
				t.Errorf("Telnyx sent %d more texts after the number left it", n-telnyxSent)
			}
		})
	}
}

// TestAdminAPITakesShortCodesAndSenderIDs: AdminAPI saves a short code and
// an alphanumeric sender id as business numbers, and refuses a malformed
// Messaging Service SID and an address of neither form, naming the field.
func TestAdminAPITakesShortCodesAndSenderIDs(t *testing.T) {
	e := newEnv(t, "embedded")
	for _, tc := range []struct {
		path, body string
		want       int
		field      string
	}{
		{"/numbers/898211", `{"e164":"898211","provider":"twilio","entryQueue":"en","language":"en","enabled":true,"type":"short-code"}`, http.StatusOK, ""},
		{"/numbers/ACME", `{"e164":"ACME","provider":"twilio","entryQueue":"en","language":"en","enabled":true}`, http.StatusOK, ""},
		{"/numbers/%2B14155550103", `{"e164":"+14155550103","provider":"twilio","entryQueue":"en","language":"en","enabled":true,"messagingServiceSid":"` + messagingService + `"}`, http.StatusOK, ""},
		{"/numbers/%2B14155550104", `{"e164":"+14155550104","provider":"twilio","entryQueue":"en","language":"en","enabled":true,"messagingServiceSid":"MG123"}`, http.StatusBadRequest, "messagingServiceSid"},
		{"/numbers/ACME-BANK", `{"e164":"ACME-BANK","provider":"twilio","entryQueue":"en","language":"en","enabled":true}`, http.StatusBadRequest, "e164"},
	} {
		code, body := e.admin(auth.RoleAdmin, "PUT", tc.path, tc.body)
		if code != tc.want || (tc.field != "" && !strings.Contains(body, tc.field)) {
			t.Errorf("PUT %s: %d %s, want %d naming %q", tc.path, code, body, tc.want, tc.field)
		}
	}
}
