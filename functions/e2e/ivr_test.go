package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const ivrSecret = "cx-webhook-secret-0123456789"

// forEachBackendIVR is forEachBackend with the webhook's secret set.
func forEachBackendIVR(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b, map[string]string{"IVR_WEBHOOK_SECRET": ivrSecret}))
		})
	}
}

// ivrQueue configures the IVR queue "tech-ivr" through AdminAPI: calls
// deflect to Technical support (ben's queue) from the English number.
func (e *env) ivrQueue(threshold int) {
	e.t.Helper()
	body := fmt.Sprintf(`{"enabled": true, "thresholdMinutes": %d, "smsQueue": "en-tech", "number": %q,
		"companyName": "Acme", "defaultLanguage": "en", "texts": {"en": {
		"offer": "The wait is about @{ESTIMATED_WAIT_TIME_IN_MINUTES} minutes with @{QUEUE_SIZE} ahead. Want to continue by text?",
		"optedIn": "Acme: you asked to continue by text. Msg & data rates may apply. Reply STOP to opt out.",
		"greeting": "Hi, this is @{COMPANY_NAME} @{QUEUE_NAME}. Tell us how we can help.",
		"waitTimeAsk": "While you wait, would you like to text us the details?",
		"waitTimeInvite": "@{COMPANY_NAME}: reply to this text with details or photos; the agent who takes your call will see them. Reply STOP to opt out."}},
		"waitTime": true}`, threshold, numberEN)
	if code, resp := e.admin(auth.RoleAdmin, "PUT", "/ivrQueues/tech-ivr", body); code != http.StatusOK {
		e.t.Fatalf("PUT ivrQueues = %d %s", code, resp)
	}
}

// busyBen fills ben's capacity, so a new chat in en-tech waits.
func (e *env) busyBen() {
	e.t.Helper()
	err := e.store.RunTx(e.ctx(), func(tx store.Tx) error {
		a, err := tx.Agent("ben")
		if err != nil {
			return err
		}
		a.Load = a.Capacity
		tx.PutAgent(a)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// cxCall is one CX webhook call as a Dialogflow CX agent makes it.
type cxCall struct {
	session, tag, turn, caller string
	params                     map[string]any
}

func sessionOf(call string) string {
	return "projects/acme/locations/us-central1/agents/ivr/sessions/" + call
}

func (c cxCall) body(t *testing.T) []byte {
	t.Helper()
	ps, err := structpb.NewStruct(c.params)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := structpb.NewStruct(map[string]any{"telephony": map[string]any{"caller_id": c.caller}})
	if err != nil {
		t.Fatal(err)
	}
	req := &cxpb.WebhookRequest{
		DetectIntentResponseId: c.turn, LanguageCode: "en-us",
		FulfillmentInfo: &cxpb.WebhookRequest_FulfillmentInfo{Tag: c.tag},
		SessionInfo:     &cxpb.SessionInfo{Session: c.session, Parameters: ps.GetFields()},
		Payload:         payload,
	}
	b, err := protojson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cx posts a call with a secret header value ("" sends none).
func (e *env) cx(c cxCall, secret string) (int, *cxpb.WebhookResponse, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.urls.Function(wire.FnIVRWebhook), bytes.NewReader(c.body(e.t)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-IVR-Webhook-Secret", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, string(raw)
	}
	var out cxpb.WebhookResponse
	if err := protojson.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("answer is not a WebhookResponse: %v: %s", err, raw)
	}
	return resp.StatusCode, &out, string(raw)
}

func (e *env) mustCX(c cxCall) *cxpb.WebhookResponse {
	e.t.Helper()
	code, out, raw := e.cx(c, ivrSecret)
	if code != http.StatusOK {
		e.t.Fatalf("%s = %d %s", c.tag, code, raw)
	}
	return out
}

func param(r *cxpb.WebhookResponse, name string) any {
	v, ok := r.GetSessionInfo().GetParameters()[name]
	if !ok {
		return nil
	}
	return v.AsInterface()
}

func said(r *cxpb.WebhookResponse) []string {
	var out []string
	for _, m := range r.GetFulfillmentResponse().GetMessages() {
		out = append(out, m.GetText().GetText()...)
	}
	return out
}

// A caller is offered SMS only above the queue's threshold; accepting
// texts them (the opted-in SMS, then the greeting) into a deflected chat
// waiting in the mapped queue, and end_call comes only with the carrier's
// acceptance; a CX retry sends nothing twice; decline says so; a call
// without the secret, or with a wrong one, is 401 and texts nobody.
func TestIVRDeflection(t *testing.T) {
	forEachBackendIVR(t, func(t *testing.T, e *env) {
		e.outboundReady(10)
		e.ivrQueue(5)
		const caller = "+12125550171"
		call := cxCall{session: sessionOf("call-171"), caller: caller, params: map[string]any{"ivr_queue": "tech-ivr"}}
		at := func(tag, turn string) cxCall { c := call; c.tag, c.turn = tag, turn; return c }

		for _, secret := range []string{"", "wrong-secret-0123456789abc"} {
			if code, _, raw := e.cx(at(ivrwebhook.TagDeflectionAccept, "t-unauth"), secret); code != http.StatusUnauthorized {
				t.Errorf("accept with secret %q = %d %s, want 401", secret, code, raw)
			}
		}
		if n := len(e.twilio.SentTo(caller)); n != 0 {
			t.Fatalf("refused calls sent %d texts", n)
		}

		// Ben is free: no wait, below the threshold.
		r := e.mustCX(at(ivrwebhook.TagEWT, "t-1"))
		if param(r, "ewt_minutes") != 0.0 || param(r, "queue_size") != 0.0 || param(r, "ewt_known") != true {
			t.Errorf("ewt with ben free = %v", r.GetSessionInfo().GetParameters())
		}
		r = e.mustCX(at(ivrwebhook.TagDeflectionOffer, "t-2"))
		if param(r, "deflection_offered") != false || param(r, "deflection_reason") != "below-threshold" || len(said(r)) != 0 {
			t.Errorf("offer below the threshold = %v %v", r.GetSessionInfo().GetParameters(), said(r))
		}

		// Ben is full: one slot frees per 5 minutes over his 2 slots, the
		// wait is 3 minutes, above a threshold of 2.
		e.busyBen()
		e.ivrQueue(2)
		r = e.mustCX(at(ivrwebhook.TagDeflectionOffer, "t-3"))
		if param(r, "deflection_offered") != true || param(r, "ewt_minutes") != 3.0 {
			t.Errorf("offer above the threshold = %v", r.GetSessionInfo().GetParameters())
		}
		if s := said(r); len(s) != 1 || s[0] != "The wait is about 3 minutes with 0 ahead. Want to continue by text?" {
			t.Errorf("offer prompt %q", s)
		}

		accept := at(ivrwebhook.TagDeflectionAccept, "t-4")
		r = e.mustCX(accept)
		if param(r, "end_call") != true || param(r, "deflected") != true {
			t.Fatalf("accept = %v", r.GetSessionInfo().GetParameters())
		}
		chatID, _ := param(r, "sms_chat_id").(string)
		if r.GetSessionInfo().GetSession() != call.session {
			t.Errorf("answer session %q", r.GetSessionInfo().GetSession())
		}
		// end_call came once the carrier took the first text.
		sent := e.twilio.SentTo(caller)
		if len(sent) == 0 || !strings.HasPrefix(sent[0].Body, "Acme: you asked to continue by text.") || sent[0].From != numberEN {
			t.Fatalf("texts when end_call came: %+v", sent)
		}
		sent = e.waitSent(caller, 2)
		if sent[1].Body != "Hi, this is Acme Technical support. Tell us how we can help." {
			t.Errorf("greeting %q", sent[1].Body)
		}
		c, err := e.store.Chat(e.ctx(), chatID)
		if err != nil {
			t.Fatal(err)
		}
		if c.StartType != chat.StartDeflected || c.Status != chat.StatusQueued || c.QueueID != "en-tech" || c.Consumer != caller {
			t.Errorf("chat %s/%s in %s for %s, want a deflected chat waiting in en-tech", c.StartType, c.Status, c.QueueID, c.Consumer)
		}
		cons, err := e.store.Consent(e.ctx(), numberEN, caller)
		if err != nil || cons.State != chat.ConsentOptedIn || cons.Source != "ivr:call-171" {
			t.Errorf("consent %+v (%v), want opted in from ivr:call-171", cons, err)
		}

		// CX retries the turn, and the caller says yes again in a later
		// turn: the same answer, the same chat, no text again.
		again := e.mustCX(accept)
		if param(again, "end_call") != true || param(again, "sms_chat_id") != chatID {
			t.Errorf("retried accept = %v", again.GetSessionInfo().GetParameters())
		}
		later := e.mustCX(at(ivrwebhook.TagDeflectionAccept, "t-5"))
		if param(later, "end_call") != true || param(later, "sms_chat_id") != chatID {
			t.Errorf("second accept = %v", later.GetSessionInfo().GetParameters())
		}
		if n := len(e.twilio.SentTo(caller)); n != 2 {
			t.Errorf("%d texts after the retries, want 2", n)
		}

		r = e.mustCX(cxCall{session: sessionOf("call-172"), tag: ivrwebhook.TagDeflectionDecline, turn: "t-1", caller: "+12125550172",
			params: map[string]any{"ivr_queue": "tech-ivr"}})
		if param(r, "deflection_declined") != true {
			t.Errorf("decline = %v", r.GetSessionInfo().GetParameters())
		}
		if code, _, raw := e.cx(cxCall{session: sessionOf("call-173"), tag: ivrwebhook.TagDeflectionOffer, turn: "t-1", caller: "+12125550173",
			params: map[string]any{"ivr_queue": "nope"}}, ivrSecret); code != http.StatusBadRequest || !strings.Contains(raw, "ivr_queue") {
			t.Errorf("unknown IVR queue = %d %s, want 400 naming ivr_queue", code, raw)
		}
	})
}

// A landline cannot take SMS: the carrier refuses the first text with
// 30006, the caller stays in the voice queue (end_call false, landline)
// and the chat does not wait for an agent.
func TestIVRDeflectionLandline(t *testing.T) {
	forEachBackendIVR(t, func(t *testing.T, e *env) {
		e.outboundReady(10)
		e.ivrQueue(0)
		const landline = "+12125550181"
		e.twilio.FailFor(landline, twiliotest.Failure{HTTPStatus: http.StatusBadRequest, Code: 30006, Message: "Landline or unreachable carrier"})
		r := e.mustCX(cxCall{session: sessionOf("call-181"), tag: ivrwebhook.TagDeflectionAccept, turn: "t-1", caller: landline,
			params: map[string]any{"ivr_queue": "tech-ivr"}})
		if param(r, "end_call") != false || param(r, "deflection_reason") != ivr.ReasonLandline {
			t.Fatalf("landline accept = %v", r.GetSessionInfo().GetParameters())
		}
		if n := len(e.twilio.SentTo(landline)); n != 0 {
			t.Errorf("%d texts reached the landline", n)
		}
		c, err := e.store.Chat(e.ctx(), param(r, "sms_chat_id").(string))
		if err != nil || c.Status != chat.StatusEnded || c.EndReason != chat.EndFailed {
			t.Errorf("chat %s/%s (%v), want ended Failed", c.Status, c.EndReason, err)
		}
	})
}

// TestIVRDeflectionAcceptLatency reports deflection-accept's latency
// through the whole pipe (webhook, chat start, send task, SendSMS, the
// carrier stand-in), back to back, on the demo's long code paced at its
// default rate and on one paced at 30 texts a second: CX waits 5 s for a
// webhook. It only reports.
func TestIVRDeflectionAcceptLatency(t *testing.T) {
	forEachBackendIVR(t, func(t *testing.T, e *env) {
		e.outboundReady(100)
		e.ivrQueue(0)
		measure := func(what string, n int) {
			var ds []time.Duration
			for i := range n {
				caller := fmt.Sprintf("+12125552%03d", len(e.twilio.Sent())+i)
				start := time.Now()
				r := e.mustCX(cxCall{session: sessionOf("lat-" + caller), tag: ivrwebhook.TagDeflectionAccept, turn: "t-1", caller: caller,
					params: map[string]any{"ivr_queue": "tech-ivr"}})
				ds = append(ds, time.Since(start))
				if param(r, "end_call") != true {
					t.Fatalf("accept %d = %v", i, r.GetSessionInfo().GetParameters())
				}
				e.waitSent(caller, 2)
			}
			slices.Sort(ds)
			t.Logf("deflection-accept latency, %s, %d calls: p50 %v, p99 %v, max %v", what, n, ds[n/2], ds[(n*99)/100], ds[n-1])
		}
		measure("long code at its default pace", 5)
		n, err := e.store.Number(e.ctx(), numberEN)
		if err != nil {
			t.Fatal(err)
		}
		n.MessagesPerSecond = 30
		if err := e.store.PutNumber(e.ctx(), n); err != nil {
			t.Fatal(err)
		}
		measure("sender paced at 30/s", 30)
	})
}
