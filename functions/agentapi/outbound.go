package agentapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/outbound"
)

// OutboundRequest is an agent texting a consumer first.
type OutboundRequest struct {
	Number    string `json:"number"`
	Consumer  string `json:"consumer"`
	Body      string `json:"body"`
	RequestID string `json:"requestId"`
	// Hold false refuses a text in the consumer's quiet hours instead of
	// holding it until they end.
	Hold *bool `json:"hold,omitempty"`
}

// OutboundStarted is the chat an agent started.
type OutboundStarted struct {
	Chat chat.Chat `json:"chat"`
	// HeldUntil is when the text goes out, when the consumer's quiet
	// hours hold it.
	HeldUntil *time.Time `json:"heldUntil,omitempty"`
}

// OutboundError is a refused start: the rule's message and, for a consumer
// already in an open chat, that chat.
type OutboundError struct {
	Error  string `json:"error"`
	ChatID string `json:"chatId,omitempty"`
}

func startOutbound(a *Services, w http.ResponseWriter, r *http.Request) {
	var in OutboundRequest
	if !Decode(w, r, "OutboundRequest", &in) {
		return
	}
	c, held, err := a.Outbound.StartByAgent(r.Context(), ViewerOf(r).AgentID, outbound.AgentStart{
		Number: in.Number, Consumer: in.Consumer, Body: in.Body, RequestID: in.RequestID, Hold: in.Hold,
	})
	var oe *outbound.Error
	if errors.As(err, &oe) {
		WriteJSON(w, oe.Status, OutboundError{Error: oe.Message, ChatID: oe.ChatID})
		return
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	out := OutboundStarted{Chat: c}
	if !held.IsZero() {
		out.HeldUntil = &held
	}
	WriteJSON(w, http.StatusCreated, out)
}
