package chat

import (
	"fmt"
	"time"
)

// EventType names a chat event published on chat-events for the CRM and
// statistics consumers.
type EventType string

const (
	EventChatAssigned     EventType = "chat.assigned"
	EventChatEnded        EventType = "chat.ended"
	EventTransferStarted  EventType = "transfer.started"
	EventTransferFailed   EventType = "transfer.failed"
	EventTransferEnded    EventType = "transfer.ended"
	EventOutboundSent     EventType = "outbound.sent" // a proactive text went to the carrier
	EventTypeAttributeKey           = "type"
)

// Event is one chat event. ID is derived from the chat version that caused
// it, so a redelivered or re-published event can be recognised.
type Event struct {
	ID        string    `firestore:"id" json:"id"`
	Type      EventType `firestore:"type" json:"type"`
	At        time.Time `firestore:"at" json:"at"`
	ChatID    string    `firestore:"chatId" json:"chatId"`
	Number    string    `firestore:"number" json:"number"`
	Consumer  string    `firestore:"consumer" json:"consumer"`
	Language  string    `firestore:"language" json:"language"`
	QueueID   string    `firestore:"queueId" json:"queueId"`
	AgentID   string    `firestore:"agentId,omitempty" json:"agentId,omitempty"`
	StartType StartType `firestore:"startType,omitempty" json:"startType,omitempty"`
	EndReason EndReason `firestore:"endReason,omitempty" json:"endReason,omitempty"`
	WrapUp    string    `firestore:"wrapUp,omitempty" json:"wrapUp,omitempty"`
	Transfer  *Transfer `firestore:"transfer,omitempty" json:"transfer,omitempty"`
	// Rating and HasFeedback: chat.rated (the chat's latest answer).
	Rating      int  `firestore:"rating,omitempty" json:"rating,omitempty"`
	HasFeedback bool `firestore:"hasFeedback,omitempty" json:"hasFeedback,omitempty"`
	// chat.language: the first text's detected language, its confidence,
	// and whether it decided (language.go).
	Detected   string  `firestore:"detected,omitempty" json:"detected,omitempty"`
	Confidence float64 `firestore:"confidence,omitempty" json:"confidence,omitempty"`
	Decided    bool    `firestore:"decided,omitempty" json:"decided,omitempty"`
}

// event records an event of the change's chat as it stands now.
func (ch *Change) event(typ EventType, t Transfer) {
	c := ch.Chat
	ev := Event{
		ID:   fmt.Sprintf("%s-%d-%d", c.ID, c.Version, len(ch.Events)+1),
		Type: typ, At: ch.Now, ChatID: c.ID, Number: c.Number, Consumer: c.Consumer,
		Language: c.Language, QueueID: c.QueueID, AgentID: c.AgentID, StartType: c.StartType,
		EndReason: c.EndReason, WrapUp: c.WrapUp, Rating: c.Rating, HasFeedback: c.HasFeedback,
	}
	if t.ID != "" {
		ev.Transfer = &t
	}
	ch.Events = append(ch.Events, ev)
	ch.Chat.Unpublished = append(ch.Chat.Unpublished, ev)
}
