package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// ivrMediaEnv is forEachBackendIVR's deployment with the media store on
// (mediaEnv's), for callers' photos.
func ivrMediaEnv(t *testing.T, backend string) *env {
	extra := map[string]string{"IVR_WEBHOOK_SECRET": ivrSecret}
	if backend == "emulators" {
		gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{
			Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1", Writer: io.Discard,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(gcs.Stop)
		const bucket = "e2e-smsdesk-ivr-media"
		gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
		extra["MEDIA_BUCKET"], extra["STORAGE_EMULATOR_HOST"] = bucket, gcs.URL()
	}
	e := newEnv(t, backend, extra)
	if e.media.Bucket == nil {
		t.Fatal("the deployment has no media store")
	}
	return e
}

// inCallReady makes the Spanish number the in-call number and configures
// the preset links and the app link.
func (e *env) inCallReady() {
	e.t.Helper()
	e.editNumber(numberES, func(n *chat.Number) { n.InCall = true })
	adm, err := jobs.Admin(e.ctx(), e.penv)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg, err := adm.Config(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	s := cfg.Settings
	s.InCallLinks = []chat.Link{{ID: "bill", Title: "Your bill", URL: "https://m.acme.example/bill"}}
	s.AppLink = "https://app.acme.example/open?src=sms"
	if _, err := adm.PutSettings(e.ctx(), s); err != nil {
		e.t.Fatal(err)
	}
}

// mms posts a caller's MMS with one photo and returns its inbound id.
func (e *env) mms(host *twilioMedia, from, to, body string) string {
	e.t.Helper()
	sid := fmt.Sprintf("MM%s%d", strings.TrimPrefix(from, "+"), e.sids.Add(1))
	form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "To": {to}, "Body": {body}, "NumMedia": {"1"},
		"MediaUrl0": {host.add("/2010-04-01/Accounts/"+accountSID+"/Messages/"+sid+"/Media/ME0", e2eJPEG)}, "MediaContentType0": {"image/jpeg"}}
	if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
		e.t.Fatalf("MMS webhook answered %d", code)
	}
	e.waitRouted(sid)
	return "twilio_" + sid
}

func messageOf(msgs []chat.Message, inboundID string) (chat.Message, bool) {
	i := slices.IndexFunc(msgs, func(m chat.Message) bool { return m.InboundID == inboundID })
	if i < 0 {
		return chat.Message{}, false
	}
	return msgs[i], true
}

var tokenPattern = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// exchange posts an app token as the app's SDK does.
func (e *env) exchange(token string) (int, string) {
	e.t.Helper()
	code, body, _ := e.callJSON("POST", e.urls.Function(wire.FnIVRWebhook)+ivrwebhook.AppTokenPath, nil, map[string]string{"token": token})
	return code, body
}

// A waiting caller is asked once whether to text details; yes texts them
// an invitation into a parked wait-time chat of the call (their text and
// photo land there, no menu answers them); the agent who takes the call
// gets that chat and an in-call chat on the in-call number, sends a preset
// link, a custom link and the app link there, receives a photo; the app
// link's token is exchanged once; the call's end ends both chats. A
// caller who said no is not asked again. Unauthenticated tags change
// nothing.
func TestIVRWaitTimeAndInCall(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			e := ivrMediaEnv(t, b)
			host := newTwilioMedia(t)
			e.outboundReady(10)
			e.ivrQueue(5)
			e.inCallReady()
			const caller = "+12125550201"
			call := cxCall{session: sessionOf("call-201"), caller: caller, params: map[string]any{"ivr_queue": "tech-ivr"}}
			at := func(tag, turn string, ps map[string]any) cxCall {
				c := call
				c.tag, c.turn, c.params = tag, turn, map[string]any{"ivr_queue": "tech-ivr"}
				for k, v := range ps {
					c.params[k] = v
				}
				return c
			}

			if code, _, raw := e.cx(at(ivrwebhook.TagCallConnected, "t-0", map[string]any{"agent_id": "ben"}), ""); code != http.StatusUnauthorized {
				t.Errorf("call-connected without the secret = %d %s, want 401", code, raw)
			}
			if _, err := e.store.Chat(e.ctx(), ivr.InCallChatID(call.session)); err == nil {
				t.Error("an unauthenticated call-connected opened a chat")
			}

			// Asked once: a CX retry of the turn gets the same question,
			// a later turn does not ask again.
			ask := at(ivrwebhook.TagWaitTimeConsent, "t-1", nil)
			for range 2 {
				r := e.mustCX(ask)
				if param(r, "waittime_ask") != true || len(said(r)) != 1 || said(r)[0] != "While you wait, would you like to text us the details?" {
					t.Fatalf("first waittime-consent = %v %v", r.GetSessionInfo().GetParameters(), said(r))
				}
			}
			if r := e.mustCX(at(ivrwebhook.TagWaitTimeConsent, "t-2", nil)); param(r, "waittime_ask") != false || param(r, "waittime_reason") != ivr.ReasonAlreadyAsked {
				t.Errorf("second waittime-consent = %v", r.GetSessionInfo().GetParameters())
			}
			if code, _, raw := e.cx(at(ivrwebhook.TagWaitTimeAnswer, "t-3", map[string]any{"waittime_consent": "maybe"}), ivrSecret); code != http.StatusBadRequest || !strings.Contains(raw, "waittime_consent") {
				t.Errorf("answer without a yes or no = %d %s, want 400 naming waittime_consent", code, raw)
			}
			r := e.mustCX(at(ivrwebhook.TagWaitTimeAnswer, "t-4", map[string]any{"waittime_consent": true}))
			waitID, _ := param(r, "waittime_chat_id").(string)
			if param(r, "waittime_texted") != true || waitID != ivr.WaitTimeChatID(call.session) {
				t.Fatalf("waittime-answer yes = %v", r.GetSessionInfo().GetParameters())
			}
			sent := e.waitSent(caller, 1)
			if !strings.HasPrefix(sent[0].Body, "Acme: reply to this text with details or photos") || sent[0].From != numberEN {
				t.Errorf("invitation %+v", sent[0])
			}
			c := e.chat(waitID)
			if c.StartType != chat.StartWaitTime || c.CallID != "call-201" || c.Status != chat.StatusQueued || c.QueueID != "" || c.AgentID != "" {
				t.Errorf("wait-time chat %s/%s call %q queue %q agent %q, want a parked wait-time chat of call-201", c.StartType, c.Status, c.CallID, c.QueueID, c.AgentID)
			}
			cons, err := e.store.Consent(e.ctx(), numberEN, caller)
			if err != nil || cons.State != chat.ConsentOptedIn || cons.Source != "ivr:call-201" {
				t.Errorf("consent %+v (%v), want opted in from ivr:call-201", cons, err)
			}

			// The caller's text and photo wait in the chat; nothing
			// answers them (no menu, no queue message).
			e.say(caller, numberEN, "2")
			photo := e.mms(host, caller, numberEN, "the error on my screen")
			msgs := e.transcript(waitID)
			if m, ok := messageOf(msgs, photo); !ok || len(m.Media) != 1 || m.Media[0].ContentType != "image/jpeg" || m.Body != "the error on my screen" {
				t.Errorf("photo message %+v (found %v)", m, ok)
			}
			if n := len(e.twilio.SentTo(caller)); n != 1 {
				t.Errorf("%d texts to the caller after their replies, want only the invitation: %+v", n, e.twilio.SentTo(caller))
			}
			if c := e.chat(waitID); c.Status != chat.StatusQueued || c.QueueID != "" {
				t.Errorf("after the replies the chat is %s in %q", c.Status, c.QueueID)
			}

			// Ben takes the call.
			benLoad, anaLoad := e.agent("ben").Load, e.agent("ana").Load
			r = e.mustCX(at(ivrwebhook.TagCallConnected, "t-5", map[string]any{"agent_id": "ben"}))
			inCallID, _ := param(r, "in_call_chat_id").(string)
			if param(r, "in_call_sms") != true || inCallID != ivr.InCallChatID(call.session) || param(r, "waittime_chat_id") != waitID {
				t.Fatalf("call-connected = %v", r.GetSessionInfo().GetParameters())
			}
			if c := e.chat(waitID); c.Status != chat.StatusActive || c.AgentID != "ben" || c.StartType != chat.StartWaitTime {
				t.Errorf("wait-time chat after connect: %s with %q, start %s", c.Status, c.AgentID, c.StartType)
			}
			ic := e.chat(inCallID)
			if ic.StartType != chat.StartInCall || ic.Status != chat.StatusActive || ic.AgentID != "ben" || ic.Number != numberES || ic.CallID != "call-201" {
				t.Errorf("in-call chat %s/%s with %q on %s call %q", ic.StartType, ic.Status, ic.AgentID, ic.Number, ic.CallID)
			}
			var inbox desk.Inbox
			e.mustAgentAPI(&benAgent, http.StatusOK, "GET", "/inbox", nil, &inbox)
			starts := map[string]chat.StartType{}
			for _, c := range inbox.Active {
				starts[c.ID] = c.StartType
			}
			if starts[waitID] != chat.StartWaitTime || starts[inCallID] != chat.StartInCall {
				t.Errorf("ben's inbox start types %v, want both call chats", starts)
			}

			// Links: a preset, a custom one; a non-https one is refused.
			var links struct {
				Links   []chat.Link `json:"links"`
				AppLink bool        `json:"appLink"`
			}
			e.mustAgentAPI(&benAgent, http.StatusOK, "GET", "/incall/links", nil, &links)
			if len(links.Links) != 1 || links.Links[0].ID != "bill" || !links.AppLink {
				t.Errorf("in-call links %+v", links)
			}
			e.mustAgentAPI(&benAgent, http.StatusOK, "POST", "/chats/"+inCallID+"/link", map[string]any{"linkId": "bill", "requestId": "l1"}, nil)
			e.mustAgentAPI(&benAgent, http.StatusOK, "POST", "/chats/"+inCallID+"/link", map[string]any{"url": "https://m.acme.example/reset", "text": "Reset here", "requestId": "l2"}, nil)
			if code, body := e.agentAPI(&benAgent, "POST", "/chats/"+inCallID+"/link", map[string]any{"url": "http://m.acme.example/x", "requestId": "l3"}, nil); code != http.StatusBadRequest || !strings.Contains(body, "url") {
				t.Errorf("an http link = %d %s, want 400 naming url", code, body)
			}
			if code, body := e.agentAPI(&anaAgent, "POST", "/chats/"+inCallID+"/link", map[string]any{"linkId": "bill", "requestId": "l4"}, nil); code != http.StatusForbidden {
				t.Errorf("ana sending in ben's call = %d %s, want 403", code, body)
			}
			fromIn := func() []string {
				var out []string
				for _, m := range e.twilio.SentTo(caller) {
					if m.From == numberES {
						out = append(out, m.Body)
					}
				}
				return out
			}
			e.waitSent(caller, 3)
			if got := fromIn(); len(got) != 2 || got[0] != "Your bill\nhttps://m.acme.example/bill" || got[1] != "Reset here\nhttps://m.acme.example/reset" {
				t.Errorf("in-call texts %q", got)
			}

			// The caller sends a screenshot to the in-call number: it is in
			// the in-call chat.
			shot := e.mms(host, caller, numberES, "")
			if m, ok := messageOf(e.transcript(inCallID), shot); !ok || len(m.Media) != 1 {
				t.Errorf("screenshot in the in-call chat: %+v (found %v)", m, ok)
			}

			// The app link: its token gives the call's context once.
			var sentApp struct {
				Message chat.Message `json:"message"`
			}
			e.mustAgentAPI(&benAgent, http.StatusCreated, "POST", "/chats/"+inCallID+"/app-link", map[string]any{"requestId": "a1"}, &sentApp)
			e.waitSent(caller, 4)
			body := fromIn()[2]
			mt := tokenPattern.FindStringSubmatch(body)
			if !strings.HasPrefix(body, "Open the app:\nhttps://app.acme.example/open?") || mt == nil || !strings.Contains(body, "src=sms") {
				t.Fatalf("app link text %q", body)
			}
			code, got := e.exchange(mt[1])
			if code != http.StatusOK || !strings.Contains(got, `"callId":"call-201"`) || !strings.Contains(got, `"agentId":"ben"`) || !strings.Contains(got, `"ivrQueue":"tech-ivr"`) {
				t.Errorf("exchange = %d %s", code, got)
			}
			if code, got := e.exchange(mt[1]); code != http.StatusConflict || !strings.Contains(got, "already") {
				t.Errorf("second exchange = %d %s, want 409", code, got)
			}
			if code, got := e.exchange("not-a-token"); code != http.StatusNotFound {
				t.Errorf("unknown token = %d %s, want 404", code, got)
			}

			// Queue wait in AgentAPI.
			var est struct {
				QueueID string `json:"queueId"`
				Minutes int    `json:"minutes"`
				Known   bool   `json:"known"`
			}
			e.mustAgentAPI(&benAgent, http.StatusOK, "GET", "/queues/en-tech/ewt", nil, &est)
			if est.QueueID != "en-tech" || !est.Known {
				t.Errorf("ewt %+v", est)
			}
			e.mustAgentAPI(&benAgent, http.StatusNotFound, "GET", "/queues/nope/ewt", nil, nil)

			// Ben transfers the call to Ana: both chats follow it.
			if r := e.mustCX(at(ivrwebhook.TagCallConnected, "t-8", map[string]any{"agent_id": "ana"})); param(r, "in_call_chat_id") != inCallID {
				t.Errorf("call-connected for ana = %v", r.GetSessionInfo().GetParameters())
			}
			for _, id := range []string{waitID, inCallID} {
				if c := e.chat(id); c.AgentID != "ana" || c.Status != chat.StatusActive {
					t.Errorf("chat %s after the transfer: %s with %q", id, c.Status, c.AgentID)
				}
			}
			if b, a := e.agent("ben").Load, e.agent("ana").Load; b != benLoad || a != anaLoad+2 {
				t.Errorf("loads after the transfer: ben %d (was %d), ana %d (was %d)", b, benLoad, a, anaLoad)
			}

			// The call ends: both chats end; a retry changes nothing.
			for range 2 {
				if r := e.mustCX(at(ivrwebhook.TagCallEnded, "t-9", nil)); param(r, "call_ended") != true {
					t.Errorf("call-ended = %v", r.GetSessionInfo().GetParameters())
				}
			}
			for _, id := range []string{waitID, inCallID} {
				e.waitChat(id, "ended", func(c chat.Chat) bool { return c.Status == chat.StatusEnded && c.EndReason == chat.EndFinished })
			}
			if b, a := e.agent("ben").Load, e.agent("ana").Load; b != benLoad || a != anaLoad {
				t.Errorf("loads after the call: ben %d (was %d), ana %d (was %d)", b, benLoad, a, anaLoad)
			}
			// After the call the in-call number takes no chat: a text gets
			// the auto-response (in the number's language, Spanish here) and
			// waits in no menu and no queue.
			before := len(e.twilio.SentTo(caller))
			rec := e.say(caller, numberES, "thanks!")
			if got := e.twilio.SentTo(caller); len(got) != before+1 || !strings.Contains(got[len(got)-1].Body, "no recibe respuestas") {
				t.Errorf("after the call the in-call number answered %+v", got[before:])
			}
			if c := e.chat(rec.ChatID); c.Status != chat.StatusEnded || c.EndReason != chat.EndFinished {
				t.Errorf("a text after the call opened a chat: %s in %q", c.Status, c.QueueID)
			}
			if r := e.mustCX(at(ivrwebhook.TagWaitTimeConsent, "t-10", nil)); param(r, "waittime_ask") != false {
				t.Errorf("consent after the call = %v", r.GetSessionInfo().GetParameters())
			}

			// Another caller says no: never asked again on that call.
			const other = "+12125550202"
			no := cxCall{session: sessionOf("call-202"), caller: other, params: map[string]any{"ivr_queue": "tech-ivr"}}
			for i, step := range []struct {
				tag  string
				ps   map[string]any
				want any
			}{
				{ivrwebhook.TagWaitTimeConsent, nil, true},
				{ivrwebhook.TagWaitTimeAnswer, map[string]any{"waittime_consent": "no"}, nil},
				{ivrwebhook.TagWaitTimeConsent, nil, false},
			} {
				c := no
				c.tag, c.turn = step.tag, "n-"+strconv.Itoa(i)
				c.params = map[string]any{"ivr_queue": "tech-ivr"}
				for k, v := range step.ps {
					c.params[k] = v
				}
				r := e.mustCX(c)
				if step.want != nil && param(r, "waittime_ask") != step.want {
					t.Errorf("step %d %s = %v, want ask %v", i, step.tag, r.GetSessionInfo().GetParameters(), step.want)
				}
				if i == 2 && param(r, "waittime_reason") != ivr.ReasonDeclined {
					t.Errorf("asked after a no: reason %v", param(r, "waittime_reason"))
				}
			}
			if n := len(e.twilio.SentTo(other)); n != 0 {
				t.Errorf("%d texts to a caller who said no", n)
			}
		})
	}
}
