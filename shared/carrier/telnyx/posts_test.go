package telnyx

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// The webhooks the simulator and the sandbox post parse as Telnyx's own.
func TestPostsParse(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	in, err := ParseInbound(ReceivedEvent("evt-1", "msg-1", "+14155550142", "+14155550103", "Hi", at))
	if err != nil || in.ProviderMessageID != "msg-1" || in.Consumer != "+14155550142" || in.Number != "+14155550103" || in.Body != "Hi" {
		t.Fatalf("ParseInbound = %+v, %v", in, err)
	}
	for word, want := range map[string]chat.DeliveryStatus{"sent": chat.DeliverySent, "delivered": chat.DeliveryDelivered} {
		st, err := ParseStatus(DeliveryUpdate("evt-"+word, "msg-2", "+14155550103", "+14155550142", word, at))
		if err != nil || st.ProviderMessageID != "msg-2" || st.Status != want {
			t.Errorf("%s: ParseStatus = %+v, %v", word, st, err)
		}
	}
}
