package delivery

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// publishSent tells chat-events that a proactive text of c went out: the
// moment the CRM record of an outbound chat is created or updated. One
// event id per chat, so a chat's later texts repeat an event consumers
// already have. The text is sent whatever happens here, so a failed
// publish is logged, not retried (a retried task must not send again).
func (s *Service) publishSent(ctx context.Context, c chat.Chat) {
	if s.Bus == nil {
		return
	}
	msg, err := wire.EventMessage(chat.Event{
		ID: c.ID + "-outbound-sent", Type: chat.EventOutboundSent, At: s.Clock.Time(), ChatID: c.ID,
		Number: c.Number, Consumer: c.Consumer, Language: c.Language, QueueID: c.QueueID, AgentID: c.AgentID, StartType: c.StartType,
	})
	if err == nil {
		err = s.Bus.Publish(ctx, wire.TopicChatEvents, msg)
	}
	if err != nil {
		logging.From(ctx).WithError(err).Warn("outbound.sent not published; the CRM record of this outbound chat waits for its next event")
	}
}
