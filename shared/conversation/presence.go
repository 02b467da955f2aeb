package conversation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/presence"
	"github.com/smsdesk/smsdesk/shared/store"
)

// seenCache remembers when this process last wrote each agent's poll, so
// that most polls cost neither a read nor a write. Each instance keeps its
// own: with N instances an agent's poll is written at most N times per
// presence.RecordEvery, still far from once per poll.
type seenCache struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (c *seenCache) due(agentID string, now time.Time, every time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.last[agentID]
	return !ok || now.Sub(t) >= every
}

func (c *seenCache) mark(agentID string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = map[string]time.Time{}
	}
	c.last[agentID] = at
}

func (s *Service) awayAfter() time.Duration {
	if s.AwayAfter > 0 {
		return s.AwayAfter
	}
	return presence.DefaultAwayAfter
}

// Seen records that agentID's console polled now: on the agent document,
// at most once per presence.RecordEvery. Routing treats an available agent
// whose record is older than the away time as away (present).
func (s *Service) Seen(ctx context.Context, agentID string) error {
	if agentID == "" {
		return nil
	}
	now, every := s.Clock.Time(), presence.RecordEvery(s.awayAfter())
	if !s.seen.due(agentID, now, every) {
		return nil
	}
	err := s.Store.RunTx(ctx, func(tx store.Tx) error {
		ag, err := tx.Agent(agentID)
		if err != nil {
			return err
		}
		if !presence.ShouldRecord(ag, now, s.awayAfter()) {
			return nil // another instance wrote it
		}
		ag.LastSeenAt = now
		tx.PutAgent(ag)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // a token for an agent with no document: nothing to record
	}
	if err != nil {
		return fmt.Errorf("record the poll of agent %s: %w", agentID, err)
	}
	s.seen.mark(agentID, now)
	return nil
}

// present returns the candidates as routing must see them: an available
// agent whose console stopped polling is away (presence.Check), and is
// stored so, with the reason, unless the change already writes that agent.
func (s *Service) present(tx store.Tx, ch *chat.Change, agents []chat.Agent) []chat.Agent {
	out := make([]chat.Agent, len(agents))
	for i, a := range agents {
		b, changed := presence.Check(a, ch.Now, s.awayAfter())
		if _, written := ch.Agents[a.ID]; changed && !written {
			tx.PutAgent(b)
		}
		out[i] = b
	}
	return out
}

// presentAgent is present for one agent outside a change (a freed agent's
// pull of waiting chats); it reports whether the agent is still available.
func (s *Service) presentAgent(tx store.Tx, a chat.Agent) bool {
	b, changed := presence.Check(a, s.Clock.Time(), s.awayAfter())
	if changed {
		tx.PutAgent(b)
	}
	return b.Free()
}
