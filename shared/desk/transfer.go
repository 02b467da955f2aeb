package desk

import (
	"context"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
)

// MaxWaitingCounted bounds the queued chats read to count each transfer
// queue's waiting chats; past it a count is a lower bound (WaitingMore).
const MaxWaitingCounted = 500

// TransferAgent is an agent as the transfer picker shows them.
type TransferAgent struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Status    chat.AgentStatus `json:"status"`
	Languages []string         `json:"languages"`
	Capacity  int              `json:"capacity"`
	// Free is how many more chats the agent can hold now (0 when not
	// available).
	Free int `json:"free"`
}

// TransferQueue is a queue a chat can be transferred to, with what is
// waiting in it and who could take a chat there now.
type TransferQueue struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language,omitempty"`
	// Waiting counts the chats queued there now (at least, when
	// WaitingMore).
	Waiting     int  `json:"waiting"`
	WaitingMore bool `json:"waitingMore,omitempty"`
	// AgentsFree counts the queue's agents who are available with a free
	// slot.
	AgentsFree int `json:"agentsFree"`
	// SmartEncoding is the queue's effective smart encoding (inherited):
	// the composer's look-alike button transliterates when it says so.
	SmartEncoding string `json:"smartEncoding,omitempty"`
}

// TransferTargets is the transfer picker's directory.
type TransferTargets struct {
	Agents []TransferAgent `json:"agents"`
	Queues []TransferQueue `json:"queues"`
}

// TransferTargets lists every agent with status and free capacity and every
// queue a chat can be transferred to (no menu) with its waiting count, for
// whoever may transfer a chat: an agent or a supervisor. It reads the agents,
// the queues (cached tree) and the queued chats once, not per target.
func (s *Service) TransferTargets(ctx context.Context, v access.Viewer) (TransferTargets, error) {
	out := TransferTargets{Agents: []TransferAgent{}, Queues: []TransferQueue{}}
	if v.AgentID == "" && !v.Supervisor {
		return out, access.Forbidden("only agents and supervisors transfer chats")
	}
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return out, fmt.Errorf("load agents: %w", err)
	}
	queues, err := s.Store.Queues(ctx)
	if err != nil {
		return out, fmt.Errorf("load queues: %w", err)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return out, err
	}
	free := map[string]bool{}
	for _, a := range agents {
		n := 0
		if a.Status == chat.AgentAvailable {
			n = max(0, a.Capacity-a.Load)
		}
		free[a.ID] = n > 0
		out.Agents = append(out.Agents, TransferAgent{ID: a.ID, Name: a.Name, Status: a.Status,
			Languages: orEmpty(a.Languages), Capacity: a.Capacity, Free: n})
	}
	var leaves []string
	for _, q := range queues {
		if len(tree.Menu(q.ID)) == 0 {
			leaves = append(leaves, q.ID)
		}
	}
	waiting := map[string]int{}
	more := false
	if len(leaves) > 0 {
		queued, err := s.Store.QueuedChats(ctx, leaves, MaxWaitingCounted)
		if err != nil {
			return out, fmt.Errorf("queued chats: %w", err)
		}
		for _, c := range queued {
			waiting[c.QueueID]++
		}
		more = len(queued) >= MaxWaitingCounted
	}
	for _, q := range queues {
		if !slices.Contains(leaves, q.ID) {
			continue
		}
		tq := TransferQueue{ID: q.ID, Name: q.Name, Language: tree.Language(q.ID), Waiting: waiting[q.ID], WaitingMore: more,
			SmartEncoding: string(tree.SmartEncoding(q.ID))}
		for _, id := range tree.Agents(q.ID) {
			if free[id] {
				tq.AgentsFree++
			}
		}
		out.Queues = append(out.Queues, tq)
	}
	return out, nil
}
