package agentapi

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/stats/monitor"
)

// maxStatsDays bounds a query: a year of day documents per dimension.
const maxStatsDays = 366

// StatsRow is one group of GET /stats (shared/stats.ReportRow).
type StatsRow = stats.ReportRow

// StatsReport is the answer of GET /stats.
type StatsReport struct {
	From string     `json:"from"`
	To   string     `json:"to"`
	By   string     `json:"by"`
	Per  string     `json:"per,omitempty"`
	Rows []StatsRow `json:"rows"`
}

// statsRoutes are the statistics, monitoring and report routes.
func statsRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/stats/me", Handle: getMyStats},
		{Method: "GET", Path: "/stats/history", Supervisor: true, Handle: getHistory},
		{Method: "GET", Path: "/monitor", Supervisor: true, Handle: getMonitor},
	}
}

// monitorOf is the live monitor over the statistics' store, nil when the
// store keeps no statistics or lacks the monitor's reads.
func monitorOf(s *stats.Service, c clock.Clock) *monitor.Service {
	if s == nil {
		return nil
	}
	ms, ok := s.Store.(monitor.Store)
	if !ok {
		return nil
	}
	return &monitor.Service{Store: ms, Clock: c}
}

// dayRange reads from and to (to defaults to from), problems named.
func dayRange(q map[string][]string, need bool) (from, to string, bad []chat.FieldError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	from, to = get("from"), get("to")
	if from == "" && !need {
		return "", "", nil
	}
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
	return from, to, bad
}

// wantCSV reads format=json|csv.
func wantCSV(r *http.Request) (bool, []chat.FieldError) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	default:
		return false, []chat.FieldError{{Field: "format", Message: "want json or csv, got " + strconv.Quote(f)}}
	}
}

// writeCSV answers a table as text/csv, a download named file.
func writeCSV(w http.ResponseWriter, file string, head []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.Write(head)
	_ = cw.WriteAll(rows) // a client gone mid-table has nothing to be told
}

// names are the display names of agents, teams and queues for a CSV's
// name column; a failed read leaves them blank (the ids are in key).
func names(a *Services, r *http.Request) map[string]string {
	out := map[string]string{}
	if a.Monitor == nil {
		return out
	}
	if tree, qs, err := a.Monitor.Tree(r.Context()); err == nil {
		for _, q := range qs {
			out[q.ID] = tree.Path(q.ID)
		}
	}
	if ts, err := a.Monitor.Store.Teams(r.Context()); err == nil {
		for _, t := range ts {
			out[t.ID] = t.Name
		}
	}
	if as, err := a.Monitor.Store.Agents(r.Context()); err == nil {
		for _, ag := range as {
			out[ag.ID] = ag.Name
		}
	}
	return out
}

// getStats sums the statistics of days from..to by a dimension, for the
// whole range or per day or hour. An agent sees only their own row of
// by=agent; supervisors and admins see all, and by=all the business's.
func getStats(a *Services, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, bad := dayRange(q, true)
	by := q.Get("by")
	if by == "" {
		by = stats.ByAgent
	}
	if by != stats.ByAll && !slices.Contains(stats.Dims, by) {
		bad = append(bad, chat.FieldError{Field: "by", Message: "want agent, team, queue, number, startType or all"})
	}
	per := q.Get("per")
	if !slices.Contains([]string{stats.PerRange, stats.PerDay, stats.PerHour}, per) {
		bad = append(bad, chat.FieldError{Field: "per", Message: "want day or hour (or nothing for the whole range)"})
	}
	asCSV, fbad := wantCSV(r)
	if bad = append(bad, fbad...); len(bad) > 0 {
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
	shards, err := a.Stats.Shards(r.Context(), from, to, by, "")
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	out := StatsReport{From: from, To: to, By: by, Per: per, Rows: []StatsRow{}}
	for _, row := range stats.Report(shards, by, per) {
		if !v.Supervisor && row.Key != v.AgentID {
			continue
		}
		out.Rows = append(out.Rows, row)
	}
	if asCSV {
		head, rows := stats.Columns(out.Rows, names(a, r))
		writeCSV(w, fmt.Sprintf("chat-report-%s-%s-%s.csv", by, from, to), head, rows)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// TeamAverage is a team's figures per member: counts divided by the
// members (whole in Average, to two decimals in PerMember), averages
// (wait, handle, duration) as the team's.
type TeamAverage struct {
	TeamID  string   `json:"teamId"`
	Name    string   `json:"name"`
	Members int      `json:"members"`
	Average StatsRow `json:"average"`
	// PerMember are the counts of Average unrounded: chats, offered,
	// answered, missedOffers, transferred, smsIn, smsOut (SMS and MMS).
	PerMember map[string]float64 `json:"perMember"`
}

// MyPeriod is an agent's figures of a period beside their teams'.
type MyPeriod struct {
	From  string        `json:"from"`
	To    string        `json:"to"`
	Me    StatsRow      `json:"me"`
	Teams []TeamAverage `json:"teams"`
}

// MyStats is the answer of GET /stats/me: today, this week (Monday to
// today, in the business's time zone) and the range asked for.
type MyStats struct {
	AgentID string    `json:"agentId"`
	Today   MyPeriod  `json:"today"`
	Week    MyPeriod  `json:"week"`
	Range   *MyPeriod `json:"range,omitempty"`
}

// getMyStats is the agent statistics page: the caller's own figures and
// their teams' averages, nothing of another agent.
func getMyStats(a *Services, w http.ResponseWriter, r *http.Request) {
	from, to, bad := dayRange(r.URL.Query(), false)
	if len(bad) > 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid statistics query", bad)
		return
	}
	v := ViewerOf(r)
	if v.AgentID == "" {
		httpapi.WriteError(w, http.StatusForbidden, "only an agent has their own statistics", nil)
		return
	}
	if a.Stats == nil || a.Monitor == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "statistics are not kept on this deployment", nil)
		return
	}
	ctx := r.Context()
	tree, _, err := a.Monitor.Tree(ctx)
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	teams, err := a.Monitor.Store.Teams(ctx)
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	var mine []chat.Team
	for _, t := range teams {
		if slices.Contains(t.Members, v.AgentID) {
			mine = append(mine, t)
		}
	}
	loc := stats.Location(tree.Settings.QuietHours.TimeZone)
	now := a.Monitor.Clock.Time().In(loc)
	today := now.Format(time.DateOnly)
	monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7)).Format(time.DateOnly)
	period := func(from, to string) (MyPeriod, error) {
		p := MyPeriod{From: from, To: to, Teams: []TeamAverage{}}
		shards, err := a.Stats.Shards(ctx, from, to, stats.ByAgent, v.AgentID)
		if err != nil {
			return p, err
		}
		p.Me = stats.NewReportRow(v.AgentID, stats.ByAgent, sumOf(shards))
		for _, t := range mine {
			shards, err := a.Stats.Shards(ctx, from, to, stats.ByTeam, t.ID)
			if err != nil {
				return p, err
			}
			sum := sumOf(shards)
			p.Teams = append(p.Teams, TeamAverage{TeamID: t.ID, Name: t.Name, Members: len(t.Members),
				Average: perMember(t.ID, sum, len(t.Members)), PerMember: fractions(sum, len(t.Members))})
		}
		return p, nil
	}
	out := MyStats{AgentID: v.AgentID}
	if out.Today, err = period(today, today); err == nil {
		out.Week, err = period(monday, today)
	}
	if err == nil && from != "" {
		var p MyPeriod
		if p, err = period(from, to); err == nil {
			out.Range = &p
		}
	}
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// sumOf adds shards' counters, without the hourly ones.
func sumOf(shards []stats.Shard) stats.Counters {
	out := stats.Counters{}
	for _, sh := range shards {
		for k, v := range sh.Counters {
			if len(k) > 4 && k[0] == 'h' && k[3] == '_' {
				continue
			}
			out[k] += v
		}
	}
	return out
}

// perMember is a team's row with its counts divided by its members (the
// average agent), its averages (sums over counts) unchanged.
func perMember(key string, c stats.Counters, members int) StatsRow {
	full := stats.NewReportRow(key, stats.ByTeam, c)
	if members <= 1 {
		return full
	}
	div := stats.Counters{}
	for k, v := range c {
		div[k] = v / int64(members)
	}
	r := stats.NewReportRow(key, stats.ByTeam, div)
	r.AverageWaitMs, r.AverageFirstResponseMs, r.AverageHandleMs, r.AverageDurationMs, r.AnswerRate =
		full.AverageWaitMs, full.AverageFirstResponseMs, full.AverageHandleMs, full.AverageDurationMs, full.AnswerRate
	return r
}

// fractions are a team's counts per member, to two decimals.
func fractions(c stats.Counters, members int) map[string]float64 {
	full := stats.NewReportRow("", stats.ByTeam, c)
	n := float64(max(members, 1))
	per := func(v int64) float64 { return math.Round(100*float64(v)/n) / 100 }
	return map[string]float64{"chats": per(full.Chats), "offered": per(full.Offered), "answered": per(full.Answered),
		"missedOffers": per(full.MissedOffers), "transferred": per(full.Transferred),
		"smsIn": per(full.SMSIn + full.MMSIn), "smsOut": per(full.SMSOut + full.MMSOut)}
}

// History is the answer of GET /stats/history.
type History struct {
	From  time.Time      `json:"from"`
	To    time.Time      `json:"to"`
	Chats []monitor.Chat `json:"chats"`
	// Limited: the page is full; narrow the search to see the rest.
	Limited bool `json:"limited"`
}

// getHistory is the individual chat history: ended chats of a day range
// in the business's time zone, newest first, by consumer, agent, queue and
// end reason.
func getHistory(a *Services, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, bad := dayRange(q, true)
	hq := stats.HistoryQuery{Consumer: q.Get("consumer"), AgentID: q.Get("agent"), QueueID: q.Get("queue"), EndReason: chat.EndReason(q.Get("endReason"))}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > stats.MaxHistory {
			bad = append(bad, chat.FieldError{Field: "limit", Message: fmt.Sprintf("want 1 to %d", stats.MaxHistory)})
		}
		hq.Limit = n
	}
	if hq.Consumer != "" && !strings.HasPrefix(hq.Consumer, "+") {
		bad = append(bad, chat.FieldError{Field: "consumer", Message: "want an E.164 number such as +14155550100"})
	}
	asCSV, fbad := wantCSV(r)
	if bad = append(bad, fbad...); len(bad) > 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid history query", bad)
		return
	}
	if a.Stats == nil || a.Monitor == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "statistics are not kept on this deployment", nil)
		return
	}
	ctx := r.Context()
	tree, _, err := a.Monitor.Tree(ctx)
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	loc := stats.Location(tree.Settings.QuietHours.TimeZone)
	f, _ := time.ParseInLocation(time.DateOnly, from, loc)
	t, _ := time.ParseInLocation(time.DateOnly, to, loc)
	hq.From, hq.To = f, t.AddDate(0, 0, 1)
	chats, err := a.Stats.History(ctx, hq)
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	nm := names(a, r)
	out := History{From: hq.From, To: hq.To, Chats: []monitor.Chat{}, Limited: len(chats) >= hq.Size()}
	for _, c := range chats {
		out.Chats = append(out.Chats, monitor.Row(tree, nm, c, c.EndedAt))
	}
	if asCSV {
		head, rows := chatColumns(out.Chats, loc)
		writeCSV(w, fmt.Sprintf("chat-history-%s-%s.csv", from, to), head, rows)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// chatColumns are a chat table as CSV, times in the business's zone.
func chatColumns(chats []monitor.Chat, loc *time.Location) ([]string, [][]string) {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.DateTime)
	}
	head := []string{"chat_id", "state", "type", "start_type", "queue", "consumer", "number", "agent_id", "agent", "created", "queued",
		"assigned", "ended", "end_reason", "wait_s", "handle_s", "transfers", "last_activity", "last_message_by", "last_message",
		"wrap_up_code", "labels"}
	rows := make([][]string, 0, len(chats))
	for _, c := range chats {
		rows = append(rows, []string{c.ID, c.State, c.Type, c.StartLabel, c.QueuePath, c.Consumer, c.Number, c.AgentID, c.AgentName,
			ts(c.CreatedAt), ts(c.QueuedAt), ts(c.AssignedAt), ts(c.EndedAt), c.EndReason,
			strconv.FormatInt(c.WaitMs/1000, 10), strconv.FormatInt(c.HandleMs/1000, 10), strconv.Itoa(c.Transfers), ts(c.LastActivityAt), string(c.LastAuthor), c.LastMessage,
			c.WrapUpCode, strings.Join(c.Labels, " ")})
	}
	return head, rows
}

// getMonitor is the monitoring pages' live state; table=agents|chats|queues
// with format=csv downloads one of its tables.
func getMonitor(a *Services, w http.ResponseWriter, r *http.Request) {
	asCSV, bad := wantCSV(r)
	table := r.URL.Query().Get("table")
	if asCSV && !slices.Contains([]string{"agents", "chats", "queues"}, table) {
		bad = append(bad, chat.FieldError{Field: "table", Message: "want agents, chats or queues with format=csv"})
	}
	if len(bad) > 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid monitor query", bad)
		return
	}
	if a.Monitor == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "monitoring is not available on this deployment", nil)
		return
	}
	snap, err := a.Monitor.Snapshot(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	if !asCSV {
		httpapi.WriteJSON(w, http.StatusOK, snap)
		return
	}
	tree, _, err := a.Monitor.Tree(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	loc := stats.Location(tree.Settings.QuietHours.TimeZone)
	file := fmt.Sprintf("monitor-%s-%s.csv", table, snap.GeneratedAt.In(loc).Format("2006-01-02T150405"))
	switch table {
	case "chats":
		head, rows := chatColumns(snap.Chats, loc)
		writeCSV(w, file, head, rows)
	case "agents":
		head := []string{"agent_id", "name", "status", "status_reason", "in_status_s", "chats", "offered", "load", "capacity", "answered_today"}
		var rows [][]string
		for _, ag := range snap.Agents {
			rows = append(rows, []string{ag.ID, ag.Name, string(ag.Status), ag.StatusReason, strconv.FormatInt(ag.InStatusMs/1000, 10),
				strconv.Itoa(ag.Chats), strconv.Itoa(ag.Offered), strconv.Itoa(ag.Load), strconv.Itoa(ag.Capacity), strconv.FormatInt(ag.AnsweredToday, 10)})
		}
		writeCSV(w, file, head, rows)
	case "queues":
		head := []string{"queue_id", "queue", "menu", "waiting", "offered", "active", "longest_wait_s", "ewt_s", "agents", "free_slots", "sms_waiting", "outbound_sms_waiting"}
		var rows [][]string
		for _, q := range snap.Queues {
			rows = append(rows, []string{q.ID, q.Path, strconv.Itoa(q.Menu), strconv.Itoa(q.Waiting), strconv.Itoa(q.Offered), strconv.Itoa(q.Active),
				strconv.FormatInt(q.LongestWaitMs/1000, 10), strconv.FormatInt(q.EWTSeconds, 10), strconv.Itoa(q.Agents), strconv.Itoa(q.FreeSlots),
				strconv.Itoa(q.ByType["SMS"].Waiting), strconv.Itoa(q.ByType["outbound SMS"].Waiting)})
		}
		writeCSV(w, file, head, rows)
	}
}
