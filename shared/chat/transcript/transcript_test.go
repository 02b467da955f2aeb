package transcript

import (
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestText(t *testing.T) {
	at := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	c := chat.Chat{ID: "chat1", Number: "+14155550101", Consumer: "+12125550123", Language: "en", QueueID: "bill",
		Status: chat.StatusActive, AgentID: "ben", StartType: chat.StartAuto, CreatedAt: at,
		Transfers: []chat.Transfer{{FromAgent: "ana", ToQueue: "bill", ToAgent: "ben", State: "ended", StartedAt: at, Note: "billing question"}},
		WrapUp:    "refund issued"}
	msgs := []chat.Message{
		{Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "hi", CreatedAt: at, Media: []chat.Media{
			{Name: "inbound/in1/0", URL: "https://api.twilio.com/media/1", ContentType: "image/png"},
			{URL: "https://api.twilio.com/media/2", ContentType: "application/zip", Error: "blocked: type"},
		}},
		{Seq: 2, Author: chat.AuthorSystem, Kind: chat.KindMenu, Body: "Text 1 for Billing", CreatedAt: at,
			Send: chat.Send{State: chat.SendSent}, Delivery: chat.Delivery{Status: chat.DeliveryDelivered}},
		{Seq: 3, Author: chat.AuthorSystem, Kind: chat.KindAssigned, Body: "Ben will chat with you about Billing.", CreatedAt: at,
			Send: chat.Send{State: chat.SendPending}},
		{Seq: 4, Author: chat.AuthorSystem, Kind: chat.KindOutbound, Body: "Your order shipped.", SentBy: "api:key_abc", CreatedAt: at,
			Send: chat.Send{State: chat.SendSuppressed, Error: "consumer opted out"}},
	}
	got := Transcript{Chat: c, Messages: msgs}.Text(nil)
	for _, want := range []string{
		"Chat chat1\n",
		"Queue bill, status active, agent ben, start auto\n",
		"Transfer 2026-12-01T17:00:00Z from ana to queue bill: ended, taken by ben; note: billing question\n",
		"Wrap-up: refund issued\n",
		"#1 consumer (text): hi\n    media image/png media bucket: inbound/in1/0\n    media application/zip https://api.twilio.com/media/2 (blocked: type)\n",
		"#2 system (menu): Text 1 for Billing [delivered]\n",
		"#3 system (agent-assigned): Ben will chat with you about Billing. [pending]\n",
		"#4 system (outbound SMS, sent by api:key_abc): Your order shipped. [suppressed: consumer opted out]\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
}
