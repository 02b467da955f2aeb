package conversation

import (
	"context"
	"errors"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ErrNotCallChat: the chat belongs to no voice call (or another one).
var ErrNotCallChat = errors.New("the chat is not this call's")

// ConnectCallChat hands a voice call's chat to the agent who took the
// call: a parked one (the wait-time texts of a caller) becomes theirs,
// active, keeping its start type; one another agent holds follows the call
// when it is transferred to them. A chat already theirs, or ended, is left
// as it is.
func (s *Service) ConnectCallChat(ctx context.Context, chatID, callID, agentID string) (chat.Chat, error) {
	ch, err := s.changeChat(ctx, chatID, "connect call", func(tx store.Tx, ch *chat.Change) error {
		c := &ch.Chat
		switch {
		case c.CallID != callID:
			return ErrNotCallChat
		case !c.Open() || (c.Status == chat.StatusActive && c.AgentID == agentID):
			return nil
		case c.Status == chat.StatusActive && c.AgentID != "":
			// The call was transferred: its chat leaves the first agent.
			prev, err := tx.Agent(c.AgentID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil && prev.Load > 0 {
				prev.Load--
				ch.Agents[prev.ID] = prev
				ch.FreedAgents = append(ch.FreedAgents, prev.ID)
			}
		}
		a, err := tx.Agent(agentID)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("agent", "no agent %q", agentID)
		}
		if err != nil {
			return err
		}
		a.Load++
		a.LastAssignedAt = ch.Now
		ch.Agents[a.ID] = a
		c.Status, c.AgentID, c.AssignedAt = chat.StatusActive, a.ID, ch.Now
		ch.Emit(chat.EventChatAssigned)
		return nil
	})
	if err != nil {
		return chat.Chat{}, err
	}
	return ch.Chat, nil
}
