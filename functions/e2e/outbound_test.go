package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// outboundReady turns quiet hours off (these tests run at any hour; the
// hold is tested with an injected clock in shared/outbound) and returns an
// API key's secret for both scopes on the demo's English number.
func (e *env) outboundReady(rate int, numbers ...string) string {
	e.t.Helper()
	adm, err := jobs.Admin(e.ctx(), e.penv)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg, err := adm.Config(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	s := cfg.Settings
	s.QuietHours = chat.QuietHours{Enabled: false, Start: "21:00", End: "08:00"}
	if _, err := adm.PutSettings(e.ctx(), s); err != nil {
		e.t.Fatal(err)
	}
	keys, err := jobs.APIKeys(e.ctx(), e.penv)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(numbers) == 0 {
		numbers = []string{numberEN}
	}
	_, secret, err := keys.Create(e.ctx(), apikey.Key{Name: "CRM", Numbers: numbers,
		Scopes: []apikey.Scope{apikey.ScopeSession, apikey.ScopeSessionless}, RatePerSecond: rate})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// outboundAPI posts (or gets, with a nil body) on OutboundAPI with a key.
func (e *env) outboundAPI(secret, method, path string, body any, idem string) (int, string, http.Header) {
	e.t.Helper()
	header := http.Header{}
	if secret != "" {
		header.Set("Authorization", "Bearer "+secret)
	}
	if idem != "" {
		header.Set("Idempotency-Key", idem)
	}
	return e.callJSON(method, e.urls.Function(wire.FnOutboundAPI)+path, header, body)
}

func (e *env) optOut(number, consumer string) {
	e.t.Helper()
	err := e.store.RunTx(e.ctx(), func(tx store.Tx) error {
		tx.PutConsent(chat.Consent{Number: number, Consumer: consumer, State: chat.ConsentOptedOut, Source: chat.SourceKeyword,
			Keyword: "STOP", UpdatedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// An agent texts a consumer first: the disclosure, then the text; the
// consumer's reply lands in the same chat with the same agent; a second
// start while it is open is a 409 naming it; after STOP nobody can start.
func TestOutboundAgentInitiated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.outboundReady(10)
		const consumer = "+12125550141"
		var started struct {
			Chat chat.Chat `json:"chat"`
		}
		req := map[string]any{"number": numberEN, "consumer": consumer, "body": "Hi, this is Ana about your order.", "requestId": "o-1"}
		e.mustAgentAPI(&anaAgent, http.StatusCreated, "POST", "/outbound", req, &started)
		c := started.Chat
		if c.StartType != chat.StartOutbound || c.Status != chat.StatusActive || c.AgentID != "ana" {
			t.Fatalf("chat %s/%s with %q, want an outbound chat assigned to ana", c.StartType, c.Status, c.AgentID)
		}
		sent := e.waitSent(consumer, 2)
		if !strings.Contains(sent[0].Body, "Msg & data rates may apply") || !strings.Contains(sent[0].Body, "STOP") {
			t.Errorf("first text %q is not the opt-in disclosure", sent[0].Body)
		}
		if sent[1].Body != "Hi, this is Ana about your order." || sent[1].From != numberEN {
			t.Errorf("second text %q from %s", sent[1].Body, sent[1].From)
		}
		// A retry of the same request starts nothing new.
		var again struct {
			Chat chat.Chat `json:"chat"`
		}
		e.mustAgentAPI(&anaAgent, http.StatusCreated, "POST", "/outbound", req, &again)
		if again.Chat.ID != c.ID {
			t.Errorf("retry started chat %s, want %s", again.Chat.ID, c.ID)
		}
		// Another start while the chat is open names it.
		code, body := e.agentAPI(&anaAgent, "POST", "/outbound", map[string]any{"number": numberEN, "consumer": consumer, "body": "again", "requestId": "o-2"}, nil)
		if code != http.StatusConflict || !strings.Contains(body, c.ID) {
			t.Errorf("second start = %d %s, want 409 naming %s", code, body, c.ID)
		}
		// Ben works no queue of the Spanish number.
		if code, body := e.agentAPI(&benAgent, "POST", "/outbound", map[string]any{"number": numberES, "consumer": "+12125550142", "body": "hola", "requestId": "o-3"}, nil); code != http.StatusBadRequest {
			t.Errorf("ben from the Spanish number = %d %s, want 400", code, body)
		}
		rec := e.say(consumer, numberEN, "Thanks, when will it arrive?")
		if rec.ChatID != c.ID {
			t.Fatalf("reply went to chat %s, want %s", rec.ChatID, c.ID)
		}
		if got := e.chat(c.ID); got.AgentID != "ana" || got.Status != chat.StatusActive {
			t.Errorf("after the reply chat is %s with %q", got.Status, got.AgentID)
		}
		if n := len(e.twilio.SentTo(consumer)); n != 2 {
			t.Errorf("the reply to an agent's chat sent %d texts, want none more than the 2", n)
		}
		e.say(consumer, numberEN, "STOP")
		code, body = e.agentAPI(&anaAgent, "POST", "/outbound", map[string]any{"number": numberEN, "consumer": consumer, "body": "one more", "requestId": "o-4"}, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, "consumer has opted out") || !strings.Contains(body, "keyword STOP") {
			t.Errorf("start after STOP = %d %s, want 400 naming the opt-out", code, body)
		}
	})
}

// Every error of the session-based API, with the reference product's
// messages, and the unassigned chat entering the queue on the reply.
func TestOutboundAPISession(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		secret := e.outboundReady(50)
		e.optOut(numberEN, "+12125550150")
		e.editNumber(numberES, func(n *chat.Number) { n.CampaignStatus = "pending" })
		ok := func(mod func(m map[string]any)) map[string]any {
			m := map[string]any{"chat_type": "Messaging (SMS)", "end_user_number": "+12125550151", "outbound_number": numberEN, "message": "Your order shipped."}
			if mod != nil {
				mod(m)
			}
			return m
		}
		tests := []struct {
			name   string
			body   map[string]any
			status int
			msg    string
		}{
			{"no chat type", ok(func(m map[string]any) { delete(m, "chat_type") }), 400, "chat_type needs to be provided"},
			{"bad chat type", ok(func(m map[string]any) { m["chat_type"] = "Voice" }), 400, "valid chat type needs to be provided"},
			{"no end user", ok(func(m map[string]any) { delete(m, "end_user_number") }), 400, "end_user_number is required"},
			{"bad end user", ok(func(m map[string]any) { m["end_user_number"] = "555" }), 400, "end_user_number is invalid"},
			{"non-US end user", ok(func(m map[string]any) { m["end_user_number"] = "+33612345678" }), 400, "Non-US phone number not allowed"},
			{"no outbound number", ok(func(m map[string]any) { delete(m, "outbound_number") }), 400, "outbound_number is required"},
			{"bad outbound number", ok(func(m map[string]any) { m["outbound_number"] = "abc" }), 400, "outbound_number is invalid"},
			{"unknown outbound number", ok(func(m map[string]any) { m["outbound_number"] = "+14155550199" }), 400, "outbound_number is not found"},
			{"campaign not active", ok(func(m map[string]any) { m["outbound_number"] = numberES }), 400, "outbound_number campaign is not active"},
			{"no message", ok(func(m map[string]any) { delete(m, "message") }), 400, "message is required"},
			{"opted out", ok(func(m map[string]any) { m["end_user_number"] = "+12125550150" }), 400, "consumer has opted out"},
			{"unknown agent", ok(func(m map[string]any) { m["agentId"] = "zed" }), 400, "agent_id is not found"},
			{"unknown field", ok(func(m map[string]any) { m["colour"] = "red" }), 400, "colour"},
		}
		for _, tt := range tests {
			code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, tt.body, "")
			var got struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal([]byte(body), &got)
			if code != tt.status || !strings.Contains(got.Message, tt.msg) {
				t.Errorf("%s: %d %s, want %d with %q", tt.name, code, body, tt.status, tt.msg)
			}
		}
		if n := len(e.twilio.Sent()); n != 0 {
			t.Fatalf("refused requests sent %d texts", n)
		}
		if code, _, h := e.outboundAPI("", "POST", outboundapi.PathSession, ok(nil), ""); code != 401 || h.Get("WWW-Authenticate") == "" {
			t.Errorf("no key: %d, WWW-Authenticate %q", code, h.Get("WWW-Authenticate"))
		}

		// Idempotent: the same key and body, one chat and one text; another
		// body with the key, 409.
		var first, second outbound.ChatView
		for i, out := range []*outbound.ChatView{&first, &second} {
			code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, ok(nil), "idem-1")
			if code != 200 {
				t.Fatalf("attempt %d: %d %s", i, code, body)
			}
			if err := json.Unmarshal([]byte(body), out); err != nil {
				t.Fatal(err)
			}
		}
		if first.ID != second.ID || first.Status != "selecting" || first.OutboundNumber != numberEN || first.EndUser.PhoneNumber != "+12125550151" {
			t.Errorf("first %+v, retry %+v", first, second)
		}
		if code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, ok(func(m map[string]any) { m["message"] = "other" }), "idem-1"); code != 409 {
			t.Errorf("same key, other body: %d %s, want 409", code, body)
		}
		sent := e.waitSent("+12125550151", 2)
		if len(sent) != 2 || sent[1].Body != "Your order shipped." {
			t.Errorf("texts %+v, want the disclosure and the text once", sent)
		}
		// Assigned by e-mail, both spellings of the field.
		code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, ok(func(m map[string]any) {
			m["end_user_number"], m["agentEmail"], m["ticket_id"] = "+12125550152", "ben@acme.example", "T-77"
		}), "")
		var assigned outbound.ChatView
		_ = json.Unmarshal([]byte(body), &assigned)
		if code != 200 || assigned.Status != "assigned" || assigned.AgentInfo == nil || assigned.AgentInfo.ID != "ben" || assigned.TicketID != "T-77" {
			t.Errorf("assigned by e-mail: %d %s", code, body)
		}
		// The unassigned chat's reply enters the number's entry queue: the
		// English menu, not an invalid choice.
		rec := e.say("+12125550151", numberEN, "Where is it?")
		if rec.ChatID != first.ID {
			t.Fatalf("reply went to %s, want %s", rec.ChatID, first.ID)
		}
		sent = e.twilio.SentTo("+12125550151")
		if last := sent[len(sent)-1].Body; !strings.Contains(last, "Text 1 for Billing") || strings.Contains(last, "not one of the choices") {
			t.Errorf("answer to the reply %q, want the menu", last)
		}
		// Still an open session: a second start is refused.
		if code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSession, ok(nil), ""); code != 400 || !strings.Contains(body, "Consumer is already in an active SMS session") {
			t.Errorf("second session: %d %s", code, body)
		}
	})
}

// A key past its rate gets 429 with Retry-After, and sends nothing more.
func TestOutboundAPIRateLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		secret := e.outboundReady(2)
		limited := 0
		for i := range 6 {
			code, body, h := e.outboundAPI(secret, "GET", outboundapi.PathSessionless+"/batch-none", nil, "")
			switch code {
			case http.StatusNotFound:
			case http.StatusTooManyRequests:
				limited++
				if h.Get("Retry-After") == "" || !strings.Contains(body, "rate limit exceeded: 2 requests per second") {
					t.Errorf("429 %s without Retry-After (%q)", body, h.Get("Retry-After"))
				}
			default:
				t.Errorf("request %d: %d %s", i, code, body)
			}
		}
		// Six requests in well under two seconds: at most four fit.
		if limited < 2 {
			t.Errorf("%d of 6 requests limited, want at least 2", limited)
		}
	})
}

// A sessionless batch of 1,000 to a mix of recipients: each gets the right
// outcome, the texts never exceed the number's pace in any second, and a
// reply gets the auto-response without reaching a queue.
func TestOutboundSessionlessBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const sender = "+14155550103"
		const rate = 100
		adm, err := jobs.Admin(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := adm.PutNumber(e.ctx(), chat.Number{E164: sender, Provider: "twilio", EntryQueue: "en", Language: "en", Enabled: true,
			Type: chat.NumberShortCode, MessagesPerSecond: rate}); err != nil {
			t.Fatal(err)
		}
		secret := e.outboundReady(10, sender)
		var numbers []string
		want := map[string]string{}
		for i := range outbound.MaxRecipients {
			var n, status string
			switch {
			case i%50 == 1:
				n, status = fmt.Sprintf("+1212555%04d", i), outbound.StatusOptedOut
				e.optOut(sender, n)
			case i%50 == 2:
				n, status = fmt.Sprintf("555-%04d", i), outbound.StatusInvalid
			case i%50 == 3:
				n, status = fmt.Sprintf("+3361234%04d", i), outbound.StatusCountry
			default:
				n, status = fmt.Sprintf("+1212555%04d", i), outbound.StatusQueued
			}
			numbers = append(numbers, n)
			want[n] = status
		}
		start := time.Now()
		code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSessionless,
			map[string]any{"from_phone": sender, "phone_number": numbers, "message": "Your appointment is tomorrow at 10."}, "batch-1")
		if code != http.StatusAccepted {
			t.Fatalf("batch: %d %.300s", code, body)
		}
		t.Logf("1,000-recipient batch taken in %v (%s)", time.Since(start).Round(time.Millisecond), backendOf(t))
		var v outboundapi.BatchView
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		queued := 0
		for _, r := range v.Recipients {
			in := r.PhoneNumber
			if want[in] == "" {
				// Invalid inputs are echoed as given; valid ones as E.164.
				t.Errorf("recipient %q not in the request", in)
				continue
			}
			if r.Status != want[in] {
				t.Errorf("%s: %s (%s), want %s", in, r.Status, r.Error, want[in])
			}
			if r.Status == outbound.StatusQueued {
				queued++
			}
		}
		// Every queued recipient gets the disclosure and the text, once.
		testenv.WaitFor(t, 3*time.Minute, fmt.Sprintf("%d texts", 2*queued), func() bool { return len(e.twilio.Sent()) >= 2*queued })
		perSecond := map[int64]int{}
		per := map[string]int{}
		for _, s := range e.twilio.Sent() {
			perSecond[s.At.Unix()]++
			per[s.To]++
			if s.From != sender {
				t.Errorf("text from %s", s.From)
			}
		}
		peak := 0
		for _, n := range perSecond {
			peak = max(peak, n)
		}
		t.Logf("%d texts over %d seconds, at most %d in one second at the carrier (pace %d/s)", len(e.twilio.Sent()), len(perSecond), peak, rate)
		// What SendSMS controls is when it hands a text over: its claim.
		// The stand-in counts arrivals, and on the emulators under the race
		// detector a request can take more than a second to arrive, so
		// there the claims are counted; on the embedded backend the arrivals.
		if backendOf(t) == "emulators" {
			claims := map[int64]int{}
			for _, r := range v.Recipients {
				if r.Status != outbound.StatusQueued {
					continue
				}
				for seq := int64(1); seq <= 2; seq++ {
					m, err := e.store.Message(e.ctx(), chat.Ref{ChatID: r.ChatID, Seq: seq})
					if err != nil {
						t.Fatalf("message %s/%d: %v", r.ChatID, seq, err)
					}
					claims[m.Send.ClaimedAt.Unix()]++
				}
			}
			peak = 0
			for _, n := range claims {
				peak = max(peak, n)
			}
			t.Logf("at most %d claims in one second", peak)
		}
		if peak > rate {
			t.Errorf("%d texts in one second, over the number's %d/s", peak, rate)
		}
		for n, st := range want {
			if got := per[n]; (st == outbound.StatusQueued && got != 2) || (st != outbound.StatusQueued && got != 0) {
				t.Errorf("%s (%s) got %d texts", n, st, got)
			}
		}
		// The retry of the request answers the same batch and sends nothing.
		if code, again, _ := e.outboundAPI(secret, "POST", outboundapi.PathSessionless,
			map[string]any{"from_phone": sender, "phone_number": numbers, "message": "Your appointment is tomorrow at 10."}, "batch-1"); code != http.StatusAccepted || !strings.Contains(again, v.BatchID) {
			t.Errorf("retry: %d %.200s", code, again)
		}
		// The status report, through delivery.
		code, body, _ = e.outboundAPI(secret, "GET", outboundapi.PathSessionless+"/"+v.BatchID, nil, "")
		var st outboundapi.BatchView
		_ = json.Unmarshal([]byte(body), &st)
		if code != 200 || st.Counts[outbound.StatusQueued] != queued {
			t.Fatalf("status: %d %.300s", code, body)
		}
		for _, r := range st.Recipients {
			if r.Status == outbound.StatusQueued && (r.Delivery != "sent" && r.Delivery != "delivered" || len(r.Texts) != 2) {
				t.Errorf("%s: delivery %q texts %+v", r.PhoneNumber, r.Delivery, r.Texts)
				break
			}
		}
		// A reply gets the auto-response once and reaches no queue.
		replier := "+12125550000"
		rec := e.say(replier, sender, "Who is this?")
		c := e.chat(rec.ChatID)
		if c.Status != chat.StatusEnded || c.QueuedAt != (time.Time{}) || c.AgentID != "" {
			t.Errorf("reply's chat %s queued %v agent %q, want ended without a queue", c.Status, c.QueuedAt, c.AgentID)
		}
		sent := e.waitSent(replier, 3)
		if !strings.Contains(sent[2].Body, "does not take replies") {
			t.Errorf("auto-response %q", sent[2].Body)
		}
		e.say(replier, sender, "Hello?")
		if n := len(e.twilio.SentTo(replier)); n != 3 {
			t.Errorf("a second reply got an answer too (%d texts)", n)
		}
	})
}

// editNumber changes a business number's configuration through AdminAPI's
// use case.
func (e *env) editNumber(e164 string, edit func(n *chat.Number)) {
	e.t.Helper()
	adm, err := jobs.Admin(e.ctx(), e.penv)
	if err != nil {
		e.t.Fatal(err)
	}
	n, err := adm.ConfigNumber(e.ctx(), e164)
	if err != nil {
		e.t.Fatal(err)
	}
	edit(&n)
	if _, err := adm.PutNumber(e.ctx(), n); err != nil {
		e.t.Fatal(err)
	}
}
