package telnyx

import (
	"encoding/json"
	"time"
)

// The callbacks Telnyx posts, built as its documentation shows them
// ("Receiving Webhooks for Messaging"): the dev phone simulator and the
// sandbox carrier post them to act as Telnyx, signed with Sign.

// ReceivedEvent is the message.received webhook of an inbound SMS: event
// eventID about message id, from a consumer to a business number.
func ReceivedEvent(eventID, id, from, to, text string, at time.Time) []byte {
	return envelope(eventID, EventReceived, at, map[string]any{
		"record_type": "message", "direction": "inbound", "id": id, "type": "SMS",
		"from": map[string]any{"phone_number": from, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"},
		"to":   []map[string]any{{"phone_number": to, "status": "delivered", "carrier": "TELNYX LLC", "line_type": "VoIP"}},
		"cc":   []any{}, "text": text, "media": []any{}, "encoding": "GSM-7", "parts": 1, "tags": []any{},
		"received_at": at.UTC().Format(time.RFC3339Nano), "errors": []any{},
	})
}

// DeliveryUpdate is the delivery update of an outbound message: message.sent
// for "queued", "sending" and "sent", message.finalized for the final
// words (delivered, delivery_failed, sending_failed, delivery_unconfirmed).
func DeliveryUpdate(eventID, id, from, to, word string, at time.Time) []byte {
	event := EventFinalized
	switch word {
	case "queued", "sending", "sent":
		event = EventSent
	}
	return envelope(eventID, event, at, map[string]any{
		"record_type": "message", "direction": "outbound", "id": id, "type": "SMS",
		"from": map[string]any{"phone_number": from, "carrier": "TELNYX LLC", "line_type": "VoIP"},
		"to":   []map[string]any{{"phone_number": to, "status": word, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"}},
		"cc":   []any{}, "media": []any{}, "encoding": "GSM-7", "parts": 1, "errors": []any{},
	})
}

func envelope(eventID, eventType string, at time.Time, payload map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"data": map[string]any{"record_type": "event", "id": eventID, "event_type": eventType,
			"occurred_at": at.UTC().Format(time.RFC3339Nano), "payload": payload},
		"meta": map[string]any{"attempt": 1},
	})
	if err != nil {
		panic("telnyx: a webhook of strings and numbers always encodes: " + err.Error())
	}
	return b
}
