package callchat

import (
	"errors"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestConnect(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	tree := chat.NewTree(chat.DefaultSettings(), nil, nil)
	ben := chat.Agent{ID: "ben", Capacity: 3, Load: 2}
	ana := chat.Agent{ID: "ana", Capacity: 3, Load: 0}
	parked := chat.Chat{ID: "w1", CallID: "call-1", Status: chat.StatusQueued, StartType: chat.StartWaitTime, NextSeq: 3}
	held := parked
	held.Status, held.AgentID = chat.StatusActive, "ben"
	ended := parked
	ended.Status = chat.StatusEnded
	tests := []struct {
		name     string
		c        chat.Chat
		call     string
		prev     *chat.Agent
		want     error
		agent    string
		loads    map[string]int
		assigned bool
	}{
		{"a parked chat", parked, "call-1", nil, nil, "ana", map[string]int{"ana": 1}, true},
		{"a transferred call", held, "call-1", &ben, nil, "ana", map[string]int{"ana": 1, "ben": 1}, true},
		{"already the agent's", held, "call-1", &ben, nil, "ben", map[string]int{}, false},
		{"ended", ended, "call-1", nil, nil, "", map[string]int{}, false},
		{"another call", parked, "call-2", nil, ErrNotCallChat, "", map[string]int{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := ana
			if tt.name == "already the agent's" {
				to = ben
			}
			ch := chat.Begin(tt.c, tree, now, "test")
			if err := Connect(ch, tt.call, tt.prev, to); !errors.Is(err, tt.want) {
				t.Fatalf("Connect = %v, want %v", err, tt.want)
			}
			if len(ch.Agents) != len(tt.loads) {
				t.Errorf("agents changed %v, want %v", ch.Agents, tt.loads)
			}
			for id, load := range tt.loads {
				if ch.Agents[id].Load != load {
					t.Errorf("%s's load %d, want %d", id, ch.Agents[id].Load, load)
				}
			}
			c := ch.Chat
			if tt.assigned && (c.Status != chat.StatusActive || c.AgentID != tt.agent || c.StartType != chat.StartWaitTime || !c.AssignedAt.Equal(now) || len(ch.Events) != 1) {
				t.Errorf("chat %s with %q start %s assigned %v, %d events", c.Status, c.AgentID, c.StartType, c.AssignedAt, len(ch.Events))
			}
			if !tt.assigned && len(ch.Events) != 0 {
				t.Errorf("events %v, want none", ch.Events)
			}
		})
	}
}
