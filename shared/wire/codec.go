package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// MaxTaskBody bounds what a task handler reads: task bodies are a few ids.
const MaxTaskBody = 4096

// Event attributes on chat-events messages, for subscriptions that filter.
const (
	AttrEventType = chat.EventTypeAttributeKey
	AttrEventID   = "eventId"
	AttrInboundID = "inboundId"
	AttrProvider  = "provider"
)

var jsonHeaders = map[string]string{"Content-Type": "application/json"}

// sendTask is the body of an sms-send task.
type sendTask struct {
	ChatID string `json:"chatId"`
	Seq    int64  `json:"seq"`
}

// SendTaskName names the one task that sends a message, so a retried
// producer cannot create a second send.
func SendTaskName(ref chat.Ref) string {
	return "send-" + ref.ChatID + "-" + strconv.FormatInt(ref.Seq, 10)
}

// SendTask is the sms-send task that sends one message.
func (u URLs) SendTask(ref chat.Ref) (tasks.Task, error) {
	body, err := json.Marshal(sendTask{ChatID: ref.ChatID, Seq: ref.Seq})
	if err != nil {
		return tasks.Task{}, fmt.Errorf("encode send task: %w", err)
	}
	return tasks.Task{Name: SendTaskName(ref), URL: u.Function(FnSendSMS), Body: body, Headers: jsonHeaders}, nil
}

// DecodeSendTask reads an sms-send task's body.
func DecodeSendTask(body []byte) (chat.Ref, error) {
	var t sendTask
	if err := json.Unmarshal(body, &t); err != nil {
		return chat.Ref{}, fmt.Errorf("task body is not a send task: %w", err)
	}
	if t.ChatID == "" || t.Seq < 1 {
		return chat.Ref{}, errors.New("task body needs chatId and a positive seq")
	}
	return chat.Ref{ChatID: t.ChatID, Seq: t.Seq}, nil
}

// timerTask is the body of a chat-timers task.
type timerTask struct {
	ChatID  string         `json:"chatId"`
	Kind    chat.TimerKind `json:"kind"`
	Version int64          `json:"version"`
}

// TimerTask is the chat-timers task that fires one armed timer at its due
// time; its name is the timer's (chat, kind, version).
func (u URLs) TimerTask(t chat.Timer) (tasks.Task, error) {
	body, err := json.Marshal(timerTask{ChatID: t.ChatID, Kind: t.Kind, Version: t.Version})
	if err != nil {
		return tasks.Task{}, fmt.Errorf("encode timer task: %w", err)
	}
	return tasks.Task{Name: t.TaskName(), URL: u.Function(FnChatTimers), Body: body, Headers: jsonHeaders, ScheduleAt: t.DueAt}, nil
}

// DecodeTimerTask reads a chat-timers task's body: the timer without its
// due time, which only scheduling needed.
func DecodeTimerTask(body []byte) (chat.Timer, error) {
	var t timerTask
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&t); err != nil {
		return chat.Timer{}, fmt.Errorf("task body is not a timer task: %w", err)
	}
	switch {
	case t.ChatID == "":
		return chat.Timer{}, errors.New("chatId is required")
	case !slices.Contains(chat.TimerKinds, t.Kind):
		return chat.Timer{}, errors.New("kind: unknown timer kind " + string(t.Kind))
	case t.Version < 1:
		return chat.Timer{}, errors.New("version must be positive")
	}
	return chat.Timer{ChatID: t.ChatID, Kind: t.Kind, Version: t.Version}, nil
}

// InboundMessage is the sms-inbound message of a recorded consumer text,
// ordered per thread so one consumer's texts are routed in order.
func InboundMessage(in chat.Inbound) (bus.Message, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return bus.Message{}, fmt.Errorf("encode inbound %s: %w", in.ID, err)
	}
	return bus.Message{
		Data:        data,
		Attributes:  map[string]string{AttrInboundID: in.ID, AttrProvider: in.Provider},
		OrderingKey: in.ThreadKey(),
	}, nil
}

// DecodeInbound reads an sms-inbound message's data.
func DecodeInbound(data []byte) (chat.Inbound, error) {
	var in chat.Inbound
	if err := json.Unmarshal(data, &in); err != nil {
		return in, fmt.Errorf("message.data is not an inbound message: %w", err)
	}
	if in.ID == "" || in.Number == "" || in.Consumer == "" {
		return in, errors.New("message.data lacks id, number or consumer")
	}
	return in, nil
}

// EventMessage is the chat-events message of a chat event, ordered per
// chat. Consumers dedupe on the event id: a repair publishes it again.
func EventMessage(ev chat.Event) (bus.Message, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return bus.Message{}, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	return bus.Message{Data: data, OrderingKey: ev.ChatID, Attributes: map[string]string{
		AttrEventType: string(ev.Type), AttrEventID: ev.ID,
	}}, nil
}

// DecodeEvent reads a chat-events message's data.
func DecodeEvent(data []byte) (chat.Event, error) {
	var ev chat.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return ev, fmt.Errorf("message.data is not a chat event: %w", err)
	}
	if ev.ID == "" || ev.ChatID == "" || ev.Type == "" {
		return ev, errors.New("message.data lacks id, chatId or type")
	}
	return ev, nil
}
