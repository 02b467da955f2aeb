// Package callchat decides what a voice call does to its SMS chats: the
// wait-time chat a caller wrote in while waiting, and the in-call chat the
// agent texts them in. The call's agent holds them; a transferred call
// takes them along.
package callchat

import (
	"errors"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// ErrNotCallChat: the chat belongs to no voice call, or to another one.
var ErrNotCallChat = errors.New("the chat is not this call's")

// Connect hands a call's chat to the agent who took the call: a parked
// chat becomes theirs, active, keeping its start type; a chat prev holds
// leaves prev (a transferred call) and prev gets its capacity back. prev
// is the chat's agent as stored (nil when it has none, or was deleted). A
// chat already the agent's, or ended, is left as it is.
func Connect(ch *chat.Change, callID string, prev *chat.Agent, a chat.Agent) error {
	c := &ch.Chat
	switch {
	case c.CallID != callID:
		return ErrNotCallChat
	case !c.Open() || (c.Status == chat.StatusActive && c.AgentID == a.ID):
		return nil
	}
	if prev != nil && c.Status == chat.StatusActive && c.AgentID == prev.ID {
		p := *prev
		if p.Load > 0 {
			p.Load--
		}
		ch.Agents[p.ID] = p
		ch.FreedAgents = append(ch.FreedAgents, p.ID)
	}
	a.Load++
	a.LastAssignedAt = ch.Now
	ch.Agents[a.ID] = a
	c.Status, c.AgentID, c.AssignedAt = chat.StatusActive, a.ID, ch.Now
	ch.Emit(chat.EventChatAssigned)
	return nil
}
