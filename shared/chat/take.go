package chat

import "fmt"

// ErrNotWaiting is a take of a chat that no longer waits in a queue.
var ErrNotWaiting error = &StateError{"the chat is no longer waiting in a queue (an agent has it, or it ended)"}

// Take is an agent of the chat's queue (the caller checks) taking a waiting
// chat unoffered. They must be Eligible, save that an earlier decline does
// not count: taking is asking. Another agent's offer is withdrawn.
func (ch *Change) Take(agentID string) error {
	c := &ch.Chat
	a, known := ch.agent(agentID)
	probe := *c
	probe.Offer, probe.Declined = nil, nil
	switch {
	case !c.Open():
		return ErrChatEnded
	case c.Status != StatusQueued:
		return ErrNotWaiting
	case c.Offer != nil && c.Offer.AgentID == agentID:
		return ch.Accept(agentID)
	case !known:
		return fmt.Errorf("take chat %s: agent %s was not loaded", c.ID, agentID)
	case !Eligible(a, probe):
		return &StateError{fmt.Sprintf("you can take a chat only while available, with room for one more, speaking its language (%s): you are %s with %d of %d chats",
			c.Language, a.Status, a.Load, a.Capacity)}
	}
	ch.releaseOffer("")
	a.Load++
	a.LastAssignedAt = ch.Now
	ch.Agents[a.ID] = a
	ch.activate(a, StartManual)
	return nil
}
