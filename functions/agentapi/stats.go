package agentapi

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/stats"
)

// maxStatsDays bounds a query: a year of day documents per dimension.
const maxStatsDays = 366

// StatsRow is one group of GET /stats: the summed counters and the
// averages a report shows, in milliseconds.
type StatsRow struct {
	Key                    string         `json:"key"`
	Chats                  int64          `json:"chats"`
	Answered               int64          `json:"answered"`
	Missed                 int64          `json:"missed"`
	Transferred            int64          `json:"transferred"`
	AverageWaitMs          int64          `json:"averageWaitMs"`
	AverageFirstResponseMs int64          `json:"averageFirstResponseMs"`
	AverageHandleMs        int64          `json:"averageHandleMs"`
	AverageDurationMs      int64          `json:"averageDurationMs"`
	Counters               stats.Counters `json:"counters"`
}

// StatsReport is the answer of GET /stats.
type StatsReport struct {
	From string     `json:"from"`
	To   string     `json:"to"`
	By   string     `json:"by"`
	Rows []StatsRow `json:"rows"`
}

// getStats sums the statistics of days from..to by a dimension. An agent
// sees only their own row of by=agent; supervisors and admins see all.
func getStats(a *Services, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var bad []chat.FieldError
	from, to := q.Get("from"), q.Get("to")
	if to == "" {
		to = from
	}
	f, errF := time.Parse(time.DateOnly, from)
	if errF != nil {
		bad = append(bad, chat.FieldError{Field: "from", Message: "want a day YYYY-MM-DD"})
	}
	t, errT := time.Parse(time.DateOnly, to)
	if errT != nil {
		bad = append(bad, chat.FieldError{Field: "to", Message: "want a day YYYY-MM-DD"})
	}
	if errF == nil && errT == nil && (t.Before(f) || t.Sub(f) > maxStatsDays*24*time.Hour) {
		bad = append(bad, chat.FieldError{Field: "to", Message: fmt.Sprintf("want a day from %s to %d days after", from, maxStatsDays)})
	}
	by := q.Get("by")
	if by == "" {
		by = stats.ByAgent
	}
	if !slices.Contains(stats.Dims, by) {
		bad = append(bad, chat.FieldError{Field: "by", Message: "want agent, team, queue, number or startType"})
	}
	if len(bad) > 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid statistics query", bad)
		return
	}
	v := ViewerOf(r)
	if !v.Supervisor && by != stats.ByAgent {
		httpapi.WriteError(w, http.StatusForbidden, "agents see their own statistics only (by=agent)", []chat.FieldError{{Field: "by", Message: "agents may only use by=agent"}})
		return
	}
	if a.Stats == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "statistics are not kept on this deployment", nil)
		return
	}
	rows, err := a.Stats.Query(r.Context(), from, to, by)
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	out := StatsReport{From: from, To: to, By: by, Rows: []StatsRow{}}
	for _, row := range rows {
		if !v.Supervisor && row.Key != v.AgentID {
			continue
		}
		out.Rows = append(out.Rows, statsRow(row))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func statsRow(r stats.Row) StatsRow {
	c := r.Counters
	avg := func(sum, n string) int64 {
		if c[n] == 0 {
			return 0
		}
		return c[sum] / c[n]
	}
	return StatsRow{Key: r.Key, Chats: c[stats.CChats], Answered: c[stats.CAnswered], Missed: c[stats.CMissed],
		Transferred: c[stats.CTransferred], AverageWaitMs: avg(stats.CWaitMs, stats.CWaitN),
		AverageFirstResponseMs: avg(stats.CFirstRespMs, stats.CFirstRespN), AverageHandleMs: avg(stats.CHandleMs, stats.CHandleN),
		AverageDurationMs: avg(stats.CDurationMs, stats.CChats), Counters: c}
}
