package e2e

import (
	"net/http"
	"testing"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestStatsCountEndedChats: two consumers' chats are answered and ended;
// ChatStats counts them and GET /AgentAPI/stats reports two chats
// answered with the wait and handle times of the stored chats; a
// redelivered chat.ended changes nothing; an agent sees their own row.
func TestStatsCountEndedChats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		var ended []chat.Chat
		for _, consumer := range []string{"+14155550181", "+14155550182"} {
			chatID, agentID := e.assignedChat(consumer)
			if err := e.end(chatID, agentID); err != nil {
				t.Fatal(err)
			}
			ended = append(ended, e.chat(chatID))
		}
		st, _ := e.store.Settings(e.ctx())
		day := stats.Day(ended[0].EndedAt, stats.Location(st.QuietHours.TimeZone))
		var wantWait, wantHandle int64
		for _, c := range ended {
			wantWait += c.AssignedAt.Sub(c.QueuedAt).Milliseconds()
			wantHandle += c.EndedAt.Sub(c.AssignedAt).Milliseconds()
		}
		wantWait, wantHandle = wantWait/2, wantHandle/2

		report := func() agentapi.StatsRow {
			var r agentapi.StatsReport
			e.mustAgentAPI(&supervisor, http.StatusOK, "GET", "/stats?from="+day+"&by=startType", nil, &r)
			// The rows (one per start type) add up; averages from the sums.
			all := stats.Counters{}
			for _, row := range r.Rows {
				all.Add(row.Counters)
			}
			sum := agentapi.StatsRow{Chats: all[stats.CChats], Answered: all[stats.CAnswered]}
			if n := all[stats.CWaitN]; n > 0 {
				sum.AverageWaitMs = all[stats.CWaitMs] / n
			}
			if n := all[stats.CHandleN]; n > 0 {
				sum.AverageHandleMs = all[stats.CHandleMs] / n
			}
			return sum
		}
		testenv.WaitFor(t, waitLimit, "both chats counted", func() bool { return report().Chats == 2 })
		got := report()
		if got.Answered != 2 || got.AverageWaitMs != wantWait || got.AverageHandleMs != wantHandle {
			t.Errorf("report %+v, want 2 answered, wait %d ms, handle %d ms", got, wantWait, wantHandle)
		}

		// Pub/Sub delivers the first chat.ended again: nothing changes.
		c := ended[0]
		msg, err := wire.EventMessage(chat.Event{ID: c.ID + "-redelivered", Type: chat.EventChatEnded, ChatID: c.ID, AgentID: c.AgentID})
		if err != nil {
			t.Fatal(err)
		}
		b, err := busenv.Bus(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		before := e.calls.OK(wire.FnChatStats)
		if err := b.Publish(e.ctx(), wire.TopicChatEvents, msg); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, waitLimit, "the redelivery acked", func() bool { return e.calls.OK(wire.FnChatStats) > before })
		if again := report(); again.Chats != 2 || again.Answered != 2 || again.AverageHandleMs != wantHandle {
			t.Errorf("after a redelivery %+v, want the same 2 chats", again)
		}

		// The agent of the first chat reads their own row only.
		var mine agentapi.StatsReport
		e.mustAgentAPI(principalOf(c.AgentID), http.StatusOK, "GET", "/stats?from="+day+"&by=agent", nil, &mine)
		for _, row := range mine.Rows {
			if row.Key != c.AgentID {
				t.Errorf("agent %s sees the row of %s", c.AgentID, row.Key)
			}
		}
		if len(mine.Rows) != 1 || mine.Rows[0].Chats == 0 {
			t.Errorf("agent %s's report %+v, want their own row", c.AgentID, mine)
		}
		e.mustAgentAPI(principalOf(c.AgentID), http.StatusForbidden, "GET", "/stats?from="+day+"&by=queue", nil, nil)
	})
}
