package bandwidth

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// The callbacks the simulator and the sandbox post parse as Bandwidth's
// own.
func TestPostsParse(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	const app = "93de2206-9669-4e07-948d-329f4b722ee2"
	in, err := ParseInbound(ReceivedCallback(app, "msg-1", "+14155550142", "+14155550104", "Hi", at))
	if err != nil || in.ProviderMessageID != "msg-1" || in.Consumer != "+14155550142" || in.Number != "+14155550104" || in.Body != "Hi" {
		t.Fatalf("ParseInbound = %+v, %v", in, err)
	}
	st, err := ParseStatus(StatusCallbackBody(app, "msg-2", "+14155550104", "+14155550142", EventDelivered, "chat=c1&seq=3", at))
	if err != nil || st.ProviderMessageID != "msg-2" || st.Status != chat.DeliveryDelivered || st.Ref == nil || *st.Ref != (chat.Ref{ChatID: "c1", Seq: 3}) {
		t.Fatalf("ParseStatus = %+v, %v", st, err)
	}
}
