package presence_test

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/presence"
)

func TestCheck(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     chat.AgentStatus
		lastSeen   time.Time
		awayAfter  time.Duration
		wantStatus chat.AgentStatus
		wantRecord bool
	}{
		{"polled just now", chat.AgentAvailable, now.Add(-time.Second), presence.DefaultAwayAfter, chat.AgentAvailable, false},
		{"polled 59 s ago", chat.AgentAvailable, now.Add(-59 * time.Second), presence.DefaultAwayAfter, chat.AgentAvailable, true},
		{"silent 61 s", chat.AgentAvailable, now.Add(-61 * time.Second), presence.DefaultAwayAfter, chat.AgentAway, true},
		{"never polled (API-only)", chat.AgentAvailable, time.Time{}, presence.DefaultAwayAfter, chat.AgentAvailable, true},
		{"offline stays offline", chat.AgentOffline, now.Add(-time.Hour), presence.DefaultAwayAfter, chat.AgentOffline, true},
		{"a shorter away time", chat.AgentAvailable, now.Add(-11 * time.Second), 10 * time.Second, chat.AgentAway, true},
		{"recorded a third of a short away time ago", chat.AgentAvailable, now.Add(-4 * time.Second), 10 * time.Second, chat.AgentAvailable, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := chat.Agent{ID: "ana", Status: tc.status, LastSeenAt: tc.lastSeen}
			got, changed := presence.Check(a, now, tc.awayAfter)
			if got.Status != tc.wantStatus || changed != (tc.wantStatus != tc.status) {
				t.Errorf("Check: status %s changed %v, want %s", got.Status, changed, tc.wantStatus)
			}
			if changed && got.StatusReason != presence.Reason {
				t.Errorf("reason %q", got.StatusReason)
			}
			if rec := presence.ShouldRecord(a, now, tc.awayAfter); rec != tc.wantRecord {
				t.Errorf("ShouldRecord %v, want %v", rec, tc.wantRecord)
			}
		})
	}
}
