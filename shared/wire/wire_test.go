package wire_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

var urls = wire.URLs{Public: "https://sms.acme.example/fn/", Internal: "https://internal.example"}

func TestURLs(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"internal function", urls.Function(wire.FnSendSMS), "https://internal.example/SendSMS"},
		{"public function", urls.PublicFunction(wire.FnTwilioInbound), "https://sms.acme.example/fn/TwilioInbound"},
		// Twilio's callbacks keep the path every sent message was given.
		{"twilio status callback", urls.StatusCallback(wire.ProviderTwilio, chat.Ref{ChatID: "c1", Seq: 7}), "https://sms.acme.example/fn/DeliveryStatus?chat=c1&seq=7"},
		{"unnamed provider is twilio", urls.StatusCallbackPath(""), "https://sms.acme.example/fn/DeliveryStatus"},
		{"another provider's callbacks", urls.StatusCallback("telnyx", chat.Ref{ChatID: "a b", Seq: 2}), "https://sms.acme.example/fn/DeliveryStatus/telnyx?chat=a+b&seq=2"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

func TestSendTaskRoundTrip(t *testing.T) {
	ref := chat.Ref{ChatID: "chat-1", Seq: 3}
	task, err := urls.SendTask(ref)
	if err != nil {
		t.Fatal(err)
	}
	if task.Name != "send-chat-1-3" || task.URL != "https://internal.example/SendSMS" || task.Headers["Content-Type"] != "application/json" {
		t.Errorf("task %+v", task)
	}
	got, err := wire.DecodeSendTask(task.Body)
	if err != nil || got != ref {
		t.Errorf("decoded %+v, %v; want %+v", got, err, ref)
	}
}

func TestTimerTaskRoundTrip(t *testing.T) {
	due := time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)
	timer := chat.Timer{ChatID: "chat-1", Kind: chat.TimerOffer, Version: 4, DueAt: due}
	task, err := urls.TimerTask(timer)
	if err != nil {
		t.Fatal(err)
	}
	if task.Name != timer.TaskName() || !task.ScheduleAt.Equal(due) || task.URL != "https://internal.example/ChatTimers" {
		t.Errorf("task %+v", task)
	}
	got, err := wire.DecodeTimerTask(task.Body)
	timer.DueAt = time.Time{} // scheduling only
	if err != nil || got != timer {
		t.Errorf("decoded %+v, %v; want %+v", got, err, timer)
	}
}

func TestDecodeTasksNameTheProblem(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		decode           func([]byte) error
	}{
		{"send: not JSON", `{`, "task body is not a send task", sendErr},
		{"send: no chat", `{"seq":1}`, "needs chatId and a positive seq", sendErr},
		{"send: zero seq", `{"chatId":"c","seq":0}`, "needs chatId and a positive seq", sendErr},
		{"timer: not JSON", `[]`, "task body is not a timer task", timerErr},
		{"timer: no chat", `{"kind":"offer","version":1}`, "chatId is required", timerErr},
		{"timer: unknown kind", `{"chatId":"c","kind":"nap","version":1}`, "kind: unknown timer kind nap", timerErr},
		{"timer: version", `{"chatId":"c","kind":"offer","version":0}`, "version must be positive", timerErr},
	} {
		err := tc.decode([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func sendErr(b []byte) error  { _, err := wire.DecodeSendTask(b); return err }
func timerErr(b []byte) error { _, err := wire.DecodeTimerTask(b); return err }

func TestInboundMessageRoundTrip(t *testing.T) {
	in := chat.Inbound{ID: "twilio_SM1", Provider: "twilio", ProviderMessageID: "SM1", Number: "+14155550101",
		Consumer: "+14155550142", Body: "hi", Media: []chat.Media{{URL: "https://api.twilio.com/m/1", ContentType: "image/png"}},
		ReceivedAt: time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)}
	msg, err := wire.InboundMessage(in)
	if err != nil {
		t.Fatal(err)
	}
	// One consumer's texts to one number are routed in order.
	if msg.OrderingKey != in.ThreadKey() || msg.Attributes[wire.AttrInboundID] != in.ID || msg.Attributes[wire.AttrProvider] != "twilio" {
		t.Errorf("message %+v", msg)
	}
	got, err := wire.DecodeInbound(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := wire.DecodeInbound([]byte(`{"id":"x"}`)); err == nil || !strings.Contains(err.Error(), "lacks id, number or consumer") {
		t.Errorf("incomplete inbound: %v", err)
	}
}

func TestEventMessageRoundTrip(t *testing.T) {
	ev := chat.Event{ID: "c1-v3-assigned", Type: chat.EventChatAssigned, ChatID: "c1", AgentID: "ana",
		At: time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)}
	msg, err := wire.EventMessage(ev)
	if err != nil {
		t.Fatal(err)
	}
	if msg.OrderingKey != "c1" || msg.Attributes[wire.AttrEventType] != string(chat.EventChatAssigned) || msg.Attributes[wire.AttrEventID] != ev.ID {
		t.Errorf("message %+v", msg)
	}
	got, err := wire.DecodeEvent(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ev, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := wire.DecodeEvent([]byte(`{"id":"x"}`)); err == nil {
		t.Error("an event without chat and type decoded")
	}
}
