package proactive

import (
	"errors"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// A call's chats: a parked wait-time chat waits in no queue and no menu,
// an in-call chat is its agent's, both last as long as the call (its
// timeout, not inactivity), and an in-call number serves in-call chats
// only.
func TestBeginCallChats(t *testing.T) {
	ana := chat.Agent{ID: "ana", Capacity: 3, Load: 1, Status: chat.AgentAvailable}
	inCall := number()
	inCall.InCall = true
	tests := []struct {
		name    string
		mod     func(*Start)
		refused Code
		check   func(t *testing.T, out Result)
	}{
		{"parked wait-time chat", func(in *Start) {
			in.StartType, in.Parked, in.Requested, in.CallID, in.CallTimeout = chat.StartWaitTime, true, true, "call-1", 4*time.Hour
			in.Origin = Origin{Call: "call-1"}
		}, "", func(t *testing.T, out Result) {
			c := out.Change.Chat
			if c.Status != chat.StatusQueued || c.QueueID != "" || c.AwaitingReply || out.Change.NeedsAgent || c.CallID != "call-1" {
				t.Errorf("chat %s in %q awaiting %v needs agent %v call %q, want parked", c.Status, c.QueueID, c.AwaitingReply, out.Change.NeedsAgent, c.CallID)
			}
			if len(c.Timers) != 1 || c.Timers[0].Kind != chat.TimerExpiry || !c.Timers[0].DueAt.Equal(noon.Add(4*time.Hour)) {
				t.Errorf("timers %+v, want only the call's timeout", c.Timers)
			}
		}},
		{"in-call chat", func(in *Start) {
			in.Number, in.Agent, in.Bodies = inCall, &ana, nil
			in.StartType, in.Requested, in.CallID, in.CallTimeout = chat.StartInCall, true, "call-2", 4*time.Hour
			in.Origin = Origin{Call: "call-2", AgentID: "ana"}
		}, "", func(t *testing.T, out Result) {
			c := out.Change.Chat
			if c.Status != chat.StatusActive || c.AgentID != "ana" || c.StartType != chat.StartInCall || len(out.Change.Messages) != 0 || out.Change.Agents["ana"].Load != 2 {
				t.Errorf("chat %s with %q start %s, %d messages, ana's load %d", c.Status, c.AgentID, c.StartType, len(out.Change.Messages), out.Change.Agents["ana"].Load)
			}
			if len(c.Timers) != 1 || c.Timers[0].Kind != chat.TimerExpiry {
				t.Errorf("timers %+v, want only the call's timeout (no inactivity)", c.Timers)
			}
			if out.Consent.Source != "ivr:call-2" {
				t.Errorf("consent %+v, want from ivr:call-2", out.Consent)
			}
		}},
		{"an outbound chat from an in-call number", func(in *Start) { in.Number = inCall }, CodeInCallNumber, nil},
		{"an in-call chat from a chat number", func(in *Start) {
			in.StartType, in.Agent, in.Requested = chat.StartInCall, &ana, true
		}, CodeInCallNumber, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Begin(start(tt.mod))
			var r *Refusal
			switch {
			case tt.refused != "":
				if !errors.As(err, &r) || r.Code != tt.refused {
					t.Fatalf("Begin = %v, want refusal %s", err, tt.refused)
				}
			case err != nil:
				t.Fatal(err)
			default:
				tt.check(t, out)
			}
		})
	}
}
