package e2e

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// statsDay is the scripted day's date (UTC: the demo sets no time zone);
// in the future, so no timer comes due on the real clock.
const statsDay = "2030-01-07"

func dayAt(hms string) time.Time {
	t, err := time.Parse(time.DateTime, statsDay+" "+hms)
	if err != nil {
		panic(err)
	}
	return t
}

// TestStatsScriptedDay runs a day of five chats through the real functions
// with an injected clock and checks every figure of the reports:
//
//   - c1: offered to Ana, accepted after 30 s, answered 30 s later, ended
//     after 300 s (Finished);
//   - c2: declined by Ana, auto-answered by Ben once he is available,
//     transferred by him to the queue, offered to Ana, who takes it 30 s
//     later and ends it after 150 s;
//   - c3: offered to Ana, the consumer texts STOP (end_user_opt_out:41);
//   - c4: declined by Ana, the queue times out (expired:3);
//   - c5: Ana texts a consumer first and ends it after 300 s (outbound).
//
// c1..c3 end in hour 10, c4 at 11:30, c5 at 17:45.
//
// Then every chat.ended is published again in reverse order and nothing
// changes; a rebuild of the day equals the live counters; the CSV has the
// same rows.
func TestStatsScriptedDay(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		clk := e.useClock(dayAt("09:59:00"))
		ana := access.Viewer{UID: "ana", AgentID: "ana"}
		ben := access.Viewer{UID: "ben", AgentID: "ben"}
		// The number's own price per segment (1 cent) replaces the default.
		e.editNumber(numberEN, func(n *chat.Number) { n.SMSSegmentMicros = 10000 })
		if err := e.setStatus("ben", chat.AgentOffline); err != nil {
			t.Fatal(err)
		}
		at := func(hms string) { clk.Set(dayAt(hms)) }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		offeredTo := func(id, agent string) {
			t.Helper()
			e.waitChat(id, "offered to "+agent, func(c chat.Chat) bool { return c.Offer != nil && c.Offer.AgentID == agent })
		}

		// c1
		at("10:00:00")
		e.say("+14155550301", numberEN, "Hi")
		at("10:00:10")
		c1 := e.say("+14155550301", numberEN, "1").ChatID
		offeredTo(c1, "ana")
		at("10:00:40")
		must(e.accept(c1, "ana"))
		at("10:01:10")
		_, err := e.conv.Reply(e.ctx(), ana, c1, conversation.ReplyInput{Body: "Hello, how can I help?", RequestID: "r-c1"})
		must(err)
		e.settleChat(c1)
		at("10:05:40")
		must(e.end(c1, "ana"))

		// c2
		at("10:10:00")
		e.say("+14155550302", numberEN, "Hi")
		at("10:10:05")
		c2 := e.say("+14155550302", numberEN, "1").ChatID
		offeredTo(c2, "ana")
		at("10:10:20")
		_, err = e.conv.Decline(e.ctx(), ana, c2)
		must(err)
		at("10:11:05")
		must(e.setStatus("ben", chat.AgentAvailable))
		e.waitChat(c2, "auto-answered by Ben", func(c chat.Chat) bool { return c.AgentID == "ben" && c.Status == chat.StatusActive })
		at("10:12:05")
		_, err = e.conv.Transfer(e.ctx(), ben, c2, conversation.TransferInput{ToQueue: "en-billing"})
		must(err)
		must(e.setStatus("ben", chat.AgentOffline))
		offeredTo(c2, "ana")
		at("10:12:35")
		must(e.accept(c2, "ana"))
		at("10:15:05")
		must(e.end(c2, "ana"))

		// c3
		at("10:20:00")
		e.say("+14155550303", numberEN, "Hi")
		at("10:20:05")
		c3 := e.say("+14155550303", numberEN, "1").ChatID
		offeredTo(c3, "ana")
		at("10:20:30")
		e.say("+14155550303", numberEN, "STOP")
		e.waitChat(c3, "ended by STOP", func(c chat.Chat) bool { return c.Status == chat.StatusEnded })

		// c4
		at("10:30:00")
		e.say("+14155550304", numberEN, "Hi")
		at("10:30:05")
		c4 := e.say("+14155550304", numberEN, "1").ChatID
		offeredTo(c4, "ana")
		at("10:30:10")
		_, err = e.conv.Decline(e.ctx(), ana, c4)
		must(err)
		at("11:30:05")
		e.fireTimer(c4, chat.TimerQueue)

		// c5
		at("17:40:00") // 9:40 in the consumer's zone, outside quiet hours
		var started agentapi.OutboundStarted
		e.mustAgentAPI(principalOf("ana"), http.StatusCreated, "POST", "/outbound",
			agentapi.OutboundRequest{Number: numberEN, Consumer: "+14155550305", Body: "Your order has shipped.", RequestID: "r-c5"}, &started)
		c5 := started.Chat.ID // its text's send is paced on the injected clock; the statistics count it as written
		at("17:45:00")
		must(e.end(c5, "ana"))

		ids := []string{c1, c2, c3, c4, c5}
		for _, id := range ids {
			e.waitChat(id, "ended", func(c chat.Chat) bool { return c.Status == chat.StatusEnded })
		}
		report := func(by, per string) agentapi.StatsReport {
			t.Helper()
			var r agentapi.StatsReport
			path := "/stats?from=" + statsDay + "&by=" + by
			if per != "" {
				path += "&per=" + per
			}
			e.mustAgentAPI(&supervisor, http.StatusOK, "GET", path, nil, &r)
			return r
		}
		testenv.WaitFor(t, waitLimit, "the five chats counted", func() bool {
			r := report("all", "")
			return len(r.Rows) == 1 && r.Rows[0].Chats == 5
		})

		type figures struct {
			Chats, Offered, Answered, Missed, MissedOffers, Transferred, Transfers, Outbound int64
			AvgWaitMs, AvgHandleMs                                                           int64
			SMSIn, SMSOut, Segments, CostMicros                                              int64
			EndReasons, FailReasons                                                          map[string]int64
		}
		of := func(r agentapi.StatsRow) figures {
			return figures{r.Chats, r.Offered, r.Answered, r.Missed, r.MissedOffers, r.Transferred, r.Transfers, r.Outbound,
				r.AverageWaitMs, r.AverageHandleMs, r.SMSIn + r.MMSIn, r.SMSOut + r.MMSOut, r.Segments, r.CostMicros, r.EndReasons, r.FailReasons}
		}
		// Consumer texts: Hi and 1 in each of c1..c4, and STOP in c3; agent
		// texts: Ana's reply in c1 and her outbound text in c5. System
		// notices are not traffic. Each text is one segment at 1 cent.
		wantAll := figures{Chats: 5, Offered: 4, Answered: 3, Missed: 2, MissedOffers: 3, Transferred: 1, Transfers: 1, Outbound: 1,
			AvgWaitMs: 30000, AvgHandleMs: (300000 + 150000 + 300000) / 3, SMSIn: 9, SMSOut: 2, Segments: 11, CostMicros: 110000,
			EndReasons:  map[string]int64{"Finished": 3, "End User Stopped": 1, "Expired": 1},
			FailReasons: map[string]int64{"end_user_opt_out:41": 1, "expired:3": 1}}
		wantAna := figures{Chats: 3, Offered: 5, Answered: 3, MissedOffers: 3, Transferred: 1, Transfers: 1, Outbound: 1,
			AvgWaitMs: 30000, AvgHandleMs: (300000 + 150000 + 300000) / 3, SMSIn: 4, SMSOut: 2, Segments: 6, CostMicros: 60000,
			EndReasons: map[string]int64{"Finished": 3}, FailReasons: map[string]int64{}}
		check := func(stage string) {
			t.Helper()
			all := report("all", "")
			if d := cmp.Diff(wantAll, of(all.Rows[0])); d != "" {
				t.Errorf("%s: the day (-want +got):\n%s", stage, d)
			}
			byAgent := report("agent", "")
			i := slices.IndexFunc(byAgent.Rows, func(r agentapi.StatsRow) bool { return r.Key == "ana" })
			if i < 0 {
				t.Fatalf("%s: no row for Ana in %+v", stage, byAgent.Rows)
			}
			if d := cmp.Diff(wantAna, of(byAgent.Rows[i])); d != "" {
				t.Errorf("%s: Ana (-want +got):\n%s", stage, d)
			}
			if got := byAgent.Rows[i].AnswerRate; got != 0.4 {
				t.Errorf("%s: Ana's answer rate %v, want 2 of 5 offers taken", stage, got)
			}
			// The outbound chat is in its number's entry queue.
			queues := map[string][3]int64{}
			for _, r := range report("queue", "").Rows {
				queues[r.Key] = [3]int64{r.Chats, r.Offered, r.Answered}
			}
			if d := cmp.Diff(map[string][3]int64{"en-billing": {4, 4, 2}, "en": {1, 0, 1}}, queues); d != "" {
				t.Errorf("%s: chats, offered, answered by queue (-want +got):\n%s", stage, d)
			}
			team := report("team", "")
			if len(team.Rows) != 1 || team.Rows[0].Key != "billing-team" || team.Rows[0].Chats != 3 || team.Rows[0].Offered != 5 || team.Rows[0].AnswerRate != 0.4 {
				t.Errorf("%s: by team %+v, want billing-team with Ana's 3 chats and 5 offers, 2 taken", stage, team.Rows)
			}
			hours := map[int]int64{}
			for _, r := range report("all", "hour").Rows {
				hours[r.Hour] = r.Chats
			}
			if d := cmp.Diff(map[int]int64{10: 3, 11: 1, 17: 1}, hours); d != "" {
				t.Errorf("%s: chats per hour of their end (-want +got):\n%s", stage, d)
			}
		}
		check("live")

		// Pub/Sub delivers every chat.ended again, newest first.
		b, err := busenv.Bus(e.ctx(), e.penv)
		must(err)
		before := e.calls.OK(wire.FnChatStats)
		for i := len(ids) - 1; i >= 0; i-- {
			c := e.chat(ids[i])
			msg, err := wire.EventMessage(chat.Event{ID: c.ID + "-again", Type: chat.EventChatEnded, ChatID: c.ID, AgentID: c.AgentID, At: c.EndedAt})
			must(err)
			must(b.Publish(e.ctx(), wire.TopicChatEvents, msg))
		}
		testenv.WaitFor(t, waitLimit, "the redeliveries acked", func() bool { return e.calls.OK(wire.FnChatStats) >= before+len(ids) })
		check("after redelivery")

		// A rebuild of the day from the chats equals the live counters.
		if code, body := e.admin(auth.RoleAdmin, "POST", "/stats/rebuild?day="+statsDay, ""); code != http.StatusOK || !strings.Contains(body, `"chats":5`) {
			t.Fatalf("rebuild: %d %s", code, body)
		}
		check("after the rebuild")

		// The CSV of the agent report has Ana's row with the same figures.
		code, body := e.agentAPI(&supervisor, "GET", "/stats?from="+statsDay+"&by=agent&format=csv", nil, nil)
		if code != http.StatusOK || !strings.HasPrefix(body, "day,hour,key,name,") {
			t.Fatalf("CSV: %d %s", code, body)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		must(err)
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		var anaRow []string
		for _, r := range rows[1:] {
			if r[col["key"]] == "ana" {
				anaRow = r
			}
		}
		want := map[string]string{"name": "Ana García", "chats": "3", "offered": "5", "answered": "3", "answer_rate": "0.400", "missed_offers": "3",
			"transfers": "1", "avg_wait_s": "30.0", "avg_handle_s": "250.0", "sms_in": "4", "sms_out": "2", "segments": "6",
			"estimated_cost_usd": "0.0600", "end:Finished": "3"}
		for k, v := range want {
			if anaRow == nil || anaRow[col[k]] != v {
				t.Errorf("CSV %s of Ana = %q, want %q (rows %q)", k, cell(anaRow, col, k), v, rows)
			}
		}

		// The history finds the opted-out chat by its end reason and the
		// consumer's chat by number, each with its type.
		var hist agentapi.History
		e.mustAgentAPI(&supervisor, http.StatusOK, "GET", "/stats/history?from="+statsDay+"&endReason=End+User+Stopped", nil, &hist)
		if len(hist.Chats) != 1 || hist.Chats[0].ID != c3 || hist.Chats[0].Type != "SMS" {
			t.Errorf("history by end reason = %+v, want only %s", hist.Chats, c3)
		}
		e.mustAgentAPI(&supervisor, http.StatusOK, "GET", "/stats/history?from="+statsDay+"&consumer=%2B14155550305&agent=ana", nil, &hist)
		if len(hist.Chats) != 1 || hist.Chats[0].ID != c5 || hist.Chats[0].Type != "outbound SMS" || hist.Chats[0].StartLabel != "outbound" {
			t.Errorf("history by consumer and agent = %+v, want the outbound chat %s", hist.Chats, c5)
		}
		e.mustAgentAPI(&supervisor, http.StatusOK, "GET", "/stats/history?from="+statsDay, nil, &hist)
		if got := len(hist.Chats); got != 5 || hist.Chats[0].ID != c5 {
			t.Errorf("history of the day: %d chats, first %+v; want 5, newest (c5) first", got, hist.Chats)
		}

		// Ana sees her own figures and her team's average; agents cannot
		// read the history or the monitor.
		var mine agentapi.MyStats
		e.mustAgentAPI(principalOf("ana"), http.StatusOK, "GET", "/stats/me?from="+statsDay, nil, &mine)
		if mine.Range == nil || mine.Range.Me.Answered != 3 || len(mine.Range.Teams) != 1 || mine.Range.Teams[0].Members != 2 ||
			mine.Range.Teams[0].PerMember["answered"] != 1.5 || mine.Range.Teams[0].Average.AverageHandleMs != 250000 {
			t.Errorf("Ana's statistics %+v, want 3 answered beside the billing team's average of 1.5 (3 chats over 2 members), 250 s handle", mine.Range)
		}
		e.mustAgentAPI(principalOf("ana"), http.StatusForbidden, "GET", "/stats/history?from="+statsDay, nil, nil)
		e.mustAgentAPI(principalOf("ana"), http.StatusForbidden, "GET", "/monitor", nil, nil)
		e.mustAgentAPI(&supervisor, http.StatusBadRequest, "GET", "/stats?from="+statsDay+"&per=week", nil, nil)
	})
}

func cell(row []string, col map[string]int, k string) string {
	if row == nil {
		return ""
	}
	return row[col[k]]
}
