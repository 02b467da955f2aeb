package proactive

import "github.com/smsdesk/smsdesk/shared/chat"

// WorksNumber reports whether an agent works a queue the number routes
// into: its entry queue or one below it. An agent texts a consumer first
// only from such a number, so the consumer's reply comes back to a queue
// the agent answers.
func WorksNumber(tree *chat.Tree, n chat.Number, agentID string) bool {
	for _, q := range tree.QueuesOf(agentID) {
		// Bounded: a cycle in a configuration validation has not yet
		// refused must not hang the request.
		for id, depth := q, 0; id != "" && depth < 32; depth++ {
			if id == n.EntryQueue {
				return true
			}
			parent, ok := tree.Queue(id)
			if !ok {
				break
			}
			id = parent.ParentID
		}
	}
	return false
}

// Senders are the numbers an agent may start a chat from: enabled numbers
// routing into a queue the agent works, none while the channel or outbound
// SMS is off. A number's 10DLC campaign is judged when the agent sends,
// where the refusal names it.
func Senders(tree *chat.Tree, numbers []chat.Number, agentID string) []chat.Number {
	if agentID == "" || !AgentsMayStart(tree.Settings) {
		return nil
	}
	var out []chat.Number
	for _, n := range numbers {
		if n.Enabled && WorksNumber(tree, n, agentID) {
			out = append(out, n)
		}
	}
	return out
}

// AgentsMayStart reports whether the settings let agents text consumers
// first at all.
func AgentsMayStart(s chat.Settings) bool { return s.ChannelEnabled && s.OutboundEnabled }
