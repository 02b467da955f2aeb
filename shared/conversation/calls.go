package conversation

import (
	"context"
	"errors"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/callchat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ConnectCallChat hands a voice call's chat to the agent who took the
// call (callchat.Connect decides): a parked wait-time chat becomes theirs,
// one another agent holds follows a transferred call.
func (s *Service) ConnectCallChat(ctx context.Context, chatID, callID, agentID string) (chat.Chat, error) {
	ch, err := s.changeChat(ctx, chatID, "connect call", func(tx store.Tx, ch *chat.Change) error {
		var prev *chat.Agent
		if c := ch.Chat; c.Status == chat.StatusActive && c.AgentID != "" && c.AgentID != agentID {
			p, err := tx.Agent(c.AgentID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil {
				prev = &p
			}
		}
		a, err := tx.Agent(agentID)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("agent", "no agent %q", agentID)
		}
		if err != nil {
			return err
		}
		return callchat.Connect(ch, callID, prev, a)
	})
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}
