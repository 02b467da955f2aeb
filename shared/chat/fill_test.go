package chat

import (
	"slices"
	"testing"
	"time"
)

func TestFillCapacity(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	tree := NewTree(DefaultSettings(), []Queue{{ID: "billing", Name: "Billing", Agents: []string{"ana"}}}, nil)
	waitingSince := func(id, lang string, minutes int) Chat {
		at := now.Add(-time.Duration(minutes) * time.Minute)
		return Chat{ID: id, QueueID: "billing", Language: lang, Status: StatusQueued, QueuedAt: at, CreatedAt: at,
			Number: "+14155550101", Consumer: "+14155550142", Version: 2, NextSeq: 2}
	}
	declined := waitingSince("declined", "en", 50)
	declined.Declined = []string{"ana"}
	offered := waitingSince("offered-to-ben", "en", 40)
	offered.Offer = &Offer{AgentID: "ben", OfferedAt: now, ExpiresAt: now.Add(time.Minute)}
	waiting := []Chat{
		waitingSince("newest", "en", 1),
		waitingSince("spanish", "es", 60),
		declined,
		offered,
		waitingSince("oldest", "en", 30),
		waitingSince("middle", "en", 10),
	}
	for _, tc := range []struct {
		name      string
		agent     Agent
		want      []string
		wantState Status // of the changes' chats
		wantLoad  int
	}{
		{"offers the longest waiting it may take, up to capacity",
			Agent{ID: "ana", Status: AgentAvailable, Capacity: 2, Languages: []string{"en"}},
			[]string{"oldest", "middle"}, StatusQueued, 2},
		{"auto-answer takes them at once",
			Agent{ID: "ana", Status: AgentAvailable, Capacity: 3, Load: 1, AutoAnswer: true, Languages: []string{"en"}},
			[]string{"oldest", "middle"}, StatusActive, 3},
		{"no languages listed: any chat",
			Agent{ID: "ana", Status: AgentAvailable, Capacity: 1},
			[]string{"spanish"}, StatusQueued, 1},
		{"full agent takes nothing",
			Agent{ID: "ana", Status: AgentAvailable, Capacity: 2, Load: 2},
			nil, "", 2},
		{"away agent takes nothing",
			Agent{ID: "ana", Status: AgentAway, Capacity: 5},
			nil, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := FillCapacity(tc.agent, waiting, tree, now, "cause")
			var got []string
			load := tc.agent.Load
			for _, ch := range changes {
				got = append(got, ch.Chat.ID)
				if ch.Chat.Status != tc.wantState {
					t.Errorf("%s: status %s, want %s", ch.Chat.ID, ch.Chat.Status, tc.wantState)
				}
				if tc.wantState == StatusQueued && (ch.Chat.Offer == nil || ch.Chat.Offer.AgentID != "ana") {
					t.Errorf("%s: offer %+v, want one to ana", ch.Chat.ID, ch.Chat.Offer)
				}
				load = ch.Agents["ana"].Load
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("took %v, want %v", got, tc.want)
			}
			if load != tc.wantLoad {
				t.Errorf("agent's load %d after, want %d", load, tc.wantLoad)
			}
		})
	}
}
