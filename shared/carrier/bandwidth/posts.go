package bandwidth

import (
	"encoding/json"
	"time"
)

// The callbacks Bandwidth posts, built as its Messaging API v2
// documentation shows them (a JSON array of one event): the dev phone
// simulator and the sandbox carrier post them to act as Bandwidth, with
// the credentials of Sign.

const timeLayout = "2006-01-02T15:04:05.000000Z"

// ReceivedCallback is the message-received callback of an inbound SMS.
func ReceivedCallback(applicationID, id, from, to, text string, at time.Time) []byte {
	return array(map[string]any{
		"time": at.UTC().Format(timeLayout), "type": EventReceived, "to": to, "description": "Incoming message received",
		"message": map[string]any{"id": id, "owner": to, "applicationId": applicationID, "time": at.UTC().Format(timeLayout),
			"segmentCount": 1, "direction": "in", "to": []string{to}, "from": from, "text": text},
	})
}

// StatusCallbackBody is the status callback of an outbound message: word
// is one of the event types of StatusWords, tag the send's tag.
func StatusCallbackBody(applicationID, id, from, to, word, tag string, at time.Time) []byte {
	return array(map[string]any{
		"time": at.UTC().Format(timeLayout), "type": word, "to": to, "description": word,
		"message": map[string]any{"id": id, "owner": from, "applicationId": applicationID, "time": at.UTC().Format(timeLayout),
			"segmentCount": 1, "direction": "out", "to": []string{to}, "from": from, "tag": tag},
	})
}

func array(ev map[string]any) []byte {
	b, err := json.Marshal([]any{ev})
	if err != nil {
		panic("bandwidth: a callback of strings and numbers always encodes: " + err.Error())
	}
	return b
}
