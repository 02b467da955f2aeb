package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

func TestFirstTextGetsOptInMessage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		tests := []struct {
			number, consumer string
			want             []string
		}{
			{numberEN, "+14155550142", []string{"Acme Support", "Msg frequency varies", "Msg & data rates may apply", "HELP", "STOP"}},
			{numberES, "+14155550143", []string{"Acme Support", "tarifas de mensajes y datos", "AYUDA", "STOP"}},
		}
		for i, tc := range tests {
			sid := fmt.Sprintf("SMfirst%d", i)
			if code := e.text(sid, tc.consumer, tc.number, "Hi, my order is late"); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			sent := e.waitSent(tc.consumer, 1)
			if sent[0].From != tc.number {
				t.Errorf("opt-in sent from %s, want %s", sent[0].From, tc.number)
			}
			for _, w := range tc.want {
				if !strings.Contains(sent[0].Body, w) {
					t.Errorf("opt-in %q lacks %q", sent[0].Body, w)
				}
			}
			rec := e.waitRouted(sid)
			e.waitSettled(rec)
			msgs, err := e.store.Messages(e.ctx(), rec.ChatID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 3 || msgs[0].Author != chat.AuthorConsumer || msgs[1].Kind != chat.KindOptIn || msgs[2].Kind != chat.KindMenu {
				t.Fatalf("transcript = %+v, want consumer text, opt-in, menu", msgs)
			}
			if msgs[1].ProviderMessageID != sent[0].SID || msgs[1].Send.State != chat.SendSent || msgs[1].Segments < 1 || msgs[1].Encoding == "" {
				t.Errorf("opt-in message record = %+v", msgs[1])
			}
			if !strings.Contains(sent[0].StatusCallback, "/DeliveryStatus?chat="+rec.ChatID) {
				t.Errorf("status callback URL %q does not name the chat", sent[0].StatusCallback)
			}
			c, err := e.store.Chat(e.ctx(), rec.ChatID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != chat.StatusMenu || c.QueueID != map[string]string{numberEN: "en", numberES: "es"}[tc.number] {
				t.Errorf("chat status %q queue %q", c.Status, c.QueueID)
			}
			evs, err := e.store.ConsentEvents(e.ctx(), tc.number, tc.consumer)
			if err != nil || len(evs) != 1 || evs[0].Action != chat.ActionOptIn || evs[0].Source != chat.SourceFirstMessage {
				t.Errorf("consent ledger = %+v, %v", evs, err)
			}
		}
	})
}

func TestDuplicateDeliveriesSendOneReply(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer, sid, deliveries = "+14155550150", "SMdup", 5
		var wg sync.WaitGroup
		codes := make(chan int, deliveries)
		for range deliveries {
			wg.Add(1)
			go func() { defer wg.Done(); codes <- e.text(sid, consumer, numberEN, "hello") }()
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusOK {
				t.Errorf("a delivery was answered %d, want 200", c)
			}
		}
		e.waitSent(consumer, 1)
		// Every delivery is republished; wait for all of them to be routed
		// and for the send queue to settle before counting.
		testenv.WaitFor(t, waitLimit, "all deliveries routed", func() bool { return e.calls.OK(wire.FnRouteInbound) >= deliveries })
		rec := e.waitRouted(sid)
		e.waitSettled(rec)
		if got := e.twilio.SentTo(consumer); len(got) != 2 {
			t.Errorf("consumer received %d texts, want 2 (opt-in, menu)", len(got))
		}
		msgs, err := e.store.Messages(e.ctx(), rec.ChatID)
		if err != nil {
			t.Fatal(err)
		}
		consumerMsgs := 0
		for _, m := range msgs {
			if m.Author == chat.AuthorConsumer {
				consumerMsgs++
			}
		}
		if consumerMsgs != 1 || len(msgs) != 3 {
			t.Errorf("chat holds %d messages (%d from the consumer), want 3 (1)", len(msgs), consumerMsgs)
		}
	})
}

func TestStopIsFinal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550160"
		e.text("SMs1", consumer, numberEN, "Hi")
		e.waitSent(consumer, 2) // opt-in, menu
		e.waitSettled(e.waitRouted("SMs1"))
		chatID := e.waitRouted("SMs1").ChatID

		e.text("SMs2", consumer, numberEN, "  stop ")
		sent := e.waitSent(consumer, 3)
		if !strings.Contains(sent[2].Body, "unsubscribed") {
			t.Errorf("opt-out confirmation = %q", sent[2].Body)
		}
		e.waitSettled(e.waitRouted("SMs2"))
		c, err := e.store.Chat(e.ctx(), chatID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != chat.StatusEnded || c.EndReason != chat.EndUserStopped {
			t.Errorf("chat after STOP: status %q reason %q", c.Status, c.EndReason)
		}

		// An agent (or the system) tries to text the opted-out consumer.
		agentMsg := chat.Message{ChatID: chatID, Seq: c.NextSeq, Author: chat.AuthorAgent, Kind: chat.KindText,
			Body: "Are you still there?", Send: chat.Send{State: chat.SendPending}}
		if err := e.store.RunTx(e.ctx(), func(tx store.Tx) error {
			tx.PutMessage(agentMsg)
			c.NextSeq++
			tx.PutChat(c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.conv.Delivery.Enqueue(e.ctx(), agentMsg.Ref()); err != nil {
			t.Fatal(err)
		}
		m := e.waitMessage(agentMsg.Ref(), "suppressed", func(m chat.Message) bool { return m.Send.State == chat.SendSuppressed })
		if m.Send.Error != "consumer opted out" {
			t.Errorf("suppression reason = %q", m.Send.Error)
		}
		// A second STOP and any other text get no answer.
		e.text("SMs3", consumer, numberEN, "STOP")
		e.text("SMs4", consumer, numberEN, "why did you stop?")
		e.waitSettled(e.waitRouted("SMs3"))
		e.waitSettled(e.waitRouted("SMs4"))
		if got := e.twilio.SentTo(consumer); len(got) != 3 {
			t.Errorf("after STOP the consumer received %d texts in all, want 3 (opt-in, menu, confirmation)", len(got))
		}
		consent, err := e.store.Consent(e.ctx(), numberEN, consumer)
		if err != nil || consent.State != chat.ConsentOptedOut || consent.Keyword != "STOP" {
			t.Errorf("consent = %+v, %v", consent, err)
		}

		// START resubscribes, and texts flow again.
		e.text("SMs5", consumer, numberEN, "Start")
		sent = e.waitSent(consumer, 5)
		if !strings.Contains(sent[3].Body, "resubscribed") || !strings.Contains(sent[4].Body, "Text 1 for Billing") {
			t.Errorf("resubscribe confirmation and menu = %q", []string{sent[3].Body, sent[4].Body})
		}
		e.text("SMs6", consumer, numberEN, "help")
		sent = e.waitSent(consumer, 6)
		if !strings.Contains(sent[5].Body, "support@acme.example") {
			t.Errorf("help text = %q", sent[5].Body)
		}
		evs, err := e.store.ConsentEvents(e.ctx(), numberEN, consumer)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			actions = append(actions, string(ev.Action))
		}
		if strings.Join(actions, ",") != "opt-in,opt-out,opt-in" {
			t.Errorf("ledger actions = %v, want opt-in,opt-out,opt-in", actions)
		}
	})
}

func TestNaturalLanguageOptOut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550161"
		e.text("SMn1", consumer, numberEN, "Stop texting me!")
		rec := e.waitRouted("SMn1")
		e.waitSettled(rec)
		// A first text that is an opt-out gets only the confirmation.
		sent := e.twilio.SentTo(consumer)
		if len(sent) != 1 || !strings.Contains(sent[0].Body, "unsubscribed") {
			t.Errorf("texts = %+v, want only the opt-out confirmation", sent)
		}
	})
}

func TestForgedWebhooksAreRejected(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		form := url.Values{"MessageSid": {"SMforged"}, "From": {"+14155550170"}, "To": {numberEN}, "Body": {"hi"}}
		tests := []struct {
			name          string
			token, signed string
			unsigned      bool
		}{
			{name: "wrong token", token: "not-the-token"},
			{name: "missing signature", unsigned: true},
			{name: "signed for another URL", token: authToken, signed: "https://evil.example/TwilioInbound"},
			{name: "signed for the request's own host", token: authToken, signed: e.urls.Function(wire.FnTwilioInbound)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var code int
				if tc.unsigned {
					resp, err := http.PostForm(e.urls.Function(wire.FnTwilioInbound), form)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					code = resp.StatusCode
				} else {
					code = e.postSigned(wire.FnTwilioInbound, "", form, tc.token, tc.signed)
				}
				if code != http.StatusForbidden {
					t.Errorf("answered %d, want 403", code)
				}
			})
		}
		// A tampered body with a once-valid signature is refused too.
		if _, err := e.store.Inbound(e.ctx(), "twilio_SMforged"); err == nil {
			t.Error("a forged webhook left an inbound record")
		}
		if got := e.calls.OK(wire.FnRouteInbound); got != 0 {
			t.Errorf("RouteInbound ran %d times for forged webhooks", got)
		}
	})
}

func TestMalformedWebhookNamesTheField(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		tests := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no From", url.Values{"MessageSid": {"SMm1"}, "To": {numberEN}, "Body": {"x"}}, "From"},
			{"bad To", url.Values{"MessageSid": {"SMm2"}, "From": {"+14155550171"}, "To": {"not a number"}, "Body": {"x"}}, "To"},
			{"no sid", url.Values{"From": {"+14155550171"}, "To": {numberEN}, "Body": {"x"}}, "MessageSid"},
			{"bad NumMedia", url.Values{"MessageSid": {"SMm3"}, "From": {"+14155550171"}, "To": {numberEN}, "NumMedia": {"11"}}, "NumMedia"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				req := e.signedRequest(wire.FnTwilioInbound, tc.form)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body := readAll(t, resp)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.field) {
					t.Errorf("answered %d %q, want 400 naming %s", resp.StatusCode, body, tc.field)
				}
			})
		}
	})
}

func TestStatusCallbacksOutOfOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550180"
		e.text("SMo1", consumer, numberEN, "Hi")
		sent := e.waitSent(consumer, 1)[0]
		rec := e.waitRouted("SMo1")
		e.waitSettled(rec)
		ref := rec.Replies[0]
		cb, err := url.Parse(sent.StatusCallback)
		if err != nil {
			t.Fatal(err)
		}
		post := func(status, code string, sid string) int {
			form := url.Values{"MessageSid": {sid}, "MessageStatus": {status}, "AccountSid": {accountSID}, "To": {consumer}, "From": {numberEN}}
			if code != "" {
				form.Set("ErrorCode", code)
			}
			return e.postSigned(wire.FnDeliveryStatus, cb.RawQuery, form, authToken, "")
		}
		steps := []struct {
			status, code string
			want         chat.DeliveryStatus
		}{
			{"delivered", "", chat.DeliveryDelivered},
			{"sent", "", chat.DeliveryDelivered},
			{"queued", "", chat.DeliveryDelivered},
			{"delivered", "", chat.DeliveryDelivered},
			{"undelivered", "30005", chat.DeliveryDelivered},
			{"sending", "", chat.DeliveryDelivered},
		}
		for i, s := range steps {
			if code := post(s.status, s.code, sent.SID); code >= 300 {
				t.Fatalf("step %d (%s) answered %d", i, s.status, code)
			}
			m, err := e.store.Message(e.ctx(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if m.Delivery.Status != s.want || m.Delivery.ErrorCode != "" {
				t.Errorf("after %s: delivery = %+v, want %s", s.status, m.Delivery, s.want)
			}
		}
		if code := post("failed", "", "SMsomeoneelse"); code != http.StatusConflict {
			t.Errorf("callback for another message answered %d, want 409", code)
		}
		form := url.Values{"MessageSid": {sent.SID}, "MessageStatus": {"failed"}}
		if code := e.postSigned(wire.FnDeliveryStatus, cb.RawQuery, form, "forged", ""); code != http.StatusForbidden {
			t.Errorf("forged callback answered %d, want 403", code)
		}
		if code := e.postSigned(wire.FnDeliveryStatus, "chat="+ref.ChatID+"&seq=1", url.Values{"MessageSid": {sent.SID}, "MessageStatus": {"failed"}}, authToken, e.urls.PublicFunction(wire.FnDeliveryStatus)+"?"+cb.RawQuery); code != http.StatusForbidden {
			t.Errorf("callback replayed against another message answered %d, want 403", code)
		}
	})
}

func TestCarrierErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		tests := []struct {
			name, consumer string
			failure        twiliotest.Failure
			wantState      chat.SendState
			wantSent       int
			wantOptedOut   bool
		}{
			{"opted out at the carrier", "+14155550190", twiliotest.Failure{HTTPStatus: 400, Code: 21610, Message: "Attempt to send to unsubscribed recipient"}, chat.SendFailed, 0, true},
			{"invalid number", "+14155550191", twiliotest.Failure{HTTPStatus: 400, Code: 21211, Message: "Invalid 'To' Phone Number"}, chat.SendFailed, 0, false},
			{"rate limited once", "+14155550192", twiliotest.Failure{HTTPStatus: 429, Code: 20429, Message: "Too Many Requests", Times: 1}, chat.SendSent, 2, false}, // opt-in, menu
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.twilio.FailFor(tc.consumer, tc.failure)
				sid := fmt.Sprintf("SMc%d", i)
				e.text(sid, tc.consumer, numberEN, "Hi")
				rec := e.waitRouted(sid)
				m := e.waitMessage(rec.Replies[0], "send finished", func(m chat.Message) bool { return m.Send.Done() })
				e.waitSettled(rec)
				if m.Send.State != tc.wantState {
					t.Errorf("send state = %q (%s), want %q", m.Send.State, m.Send.Error, tc.wantState)
				}
				if got := len(e.twilio.SentTo(tc.consumer)); got != tc.wantSent {
					t.Errorf("texts received = %d, want %d", got, tc.wantSent)
				}
				if tc.wantState == chat.SendFailed && m.Send.ErrorCode != fmt.Sprint(tc.failure.Code) {
					t.Errorf("error code = %q, want %d", m.Send.ErrorCode, tc.failure.Code)
				}
				consent, err := e.store.Consent(e.ctx(), numberEN, tc.consumer)
				if err != nil {
					t.Fatal(err)
				}
				if got := consent.State == chat.ConsentOptedOut; got != tc.wantOptedOut {
					t.Errorf("consent = %+v, want opted out: %v", consent, tc.wantOptedOut)
				}
			})
		}
	})
}
