package stats

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Periods a report is split by: the whole range, each day, each hour of
// each day.
const (
	PerRange = ""
	PerDay   = "day"
	PerHour  = "hour"
)

// ReportRow is one line of a chat report: the summed counters of a group
// (and day or hour) and the figures a report shows. Averages are in
// milliseconds; cost in micro-dollars.
type ReportRow struct {
	Key string `json:"key"`
	// Day and Hour are set when the report is split per day or hour
	// (Hour is -1 otherwise).
	Day  string `json:"day,omitempty"`
	Hour int    `json:"hour"`

	Chats int64 `json:"chats"`
	// Offered is, for an agent or team, the offers made to them; for a
	// queue, number, start type or the business, the chats that reached a
	// queue.
	Offered  int64 `json:"offered"`
	Answered int64 `json:"answered"`
	Missed   int64 `json:"missed"`
	// AnswerRate (0..1): for an agent or team, offers taken ÷ offers
	// (chats given to an auto-answer agent are not offers); else answered ÷
	// (answered + missed).
	AnswerRate             float64 `json:"answerRate"`
	MissedOffers           int64   `json:"missedOffers"`
	Transferred            int64   `json:"transferred"`
	Transfers              int64   `json:"transfers"`
	AverageWaitMs          int64   `json:"averageWaitMs"`
	AverageFirstResponseMs int64   `json:"averageFirstResponseMs"`
	AverageHandleMs        int64   `json:"averageHandleMs"`
	AverageDurationMs      int64   `json:"averageDurationMs"`
	// Outbound are the chats the business started (outbound and sessionless).
	Outbound int64 `json:"outbound"`
	// SMS figures: every text in and out (MMS included), then each way.
	MessagesTotal int64 `json:"messagesTotal"`
	SMSIn         int64 `json:"smsIn"`
	SMSOut        int64 `json:"smsOut"`
	MMSIn         int64 `json:"mmsIn"`
	MMSOut        int64 `json:"mmsOut"`
	Segments      int64 `json:"segments"`
	CostMicros    int64 `json:"costMicros"`
	// EndReasons and FailReasons count the chats by end reason and by the
	// reference product's fail-reason code.
	EndReasons  map[string]int64 `json:"endReasons"`
	FailReasons map[string]int64 `json:"failReasons"`
	StartTypes  map[string]int64 `json:"startTypes"`
	// Waits counts the answered chats by wait (WaitBuckets' labels).
	Waits    map[string]int64 `json:"waits"`
	Counters Counters         `json:"counters"`
}

// NewReportRow derives a row's figures from its counters.
func NewReportRow(key, dim string, c Counters) ReportRow {
	avg := func(sum, n string) int64 {
		if c[n] == 0 {
			return 0
		}
		return c[sum] / c[n]
	}
	r := ReportRow{Key: key, Hour: -1, Chats: c[CChats], Answered: c[CAnswered], Missed: c[CMissed],
		MissedOffers: c[CMissedOffers], Transferred: c[CTransferred], Transfers: c[CTransfers],
		AverageWaitMs: avg(CWaitMs, CWaitN), AverageFirstResponseMs: avg(CFirstRespMs, CFirstRespN),
		AverageHandleMs: avg(CHandleMs, CHandleN), AverageDurationMs: avg(CDurationMs, CChats),
		Outbound: c[PrefixStartType+"outbound"] + c[PrefixStartType+"sessionless"],
		SMSIn:    c[CMsgInSMS], SMSOut: c[CMsgOutSMS], MMSIn: c[CMsgInMMS], MMSOut: c[CMsgOutMMS],
		Segments: c[CSegments], CostMicros: c[CCostMicros],
		EndReasons: map[string]int64{}, FailReasons: map[string]int64{}, StartTypes: map[string]int64{}, Waits: map[string]int64{}, Counters: c}
	r.MessagesTotal = r.SMSIn + r.SMSOut + r.MMSIn + r.MMSOut
	if dim == ByAgent || dim == ByTeam {
		r.Offered = c[COffers]
		if r.Offered > 0 {
			r.AnswerRate = float64(r.Offered-r.MissedOffers) / float64(r.Offered)
		}
	} else {
		r.Offered = c[CQueued]
		if n := r.Answered + r.Missed; n > 0 {
			r.AnswerRate = float64(r.Answered) / float64(n)
		}
	}
	for k, v := range c {
		switch {
		case strings.HasPrefix(k, PrefixEnd):
			r.EndReasons[strings.TrimPrefix(k, PrefixEnd)] = v
		case strings.HasPrefix(k, PrefixFail):
			r.FailReasons[strings.TrimPrefix(k, PrefixFail)] = v
		case strings.HasPrefix(k, PrefixStartType):
			r.StartTypes[strings.TrimPrefix(k, PrefixStartType)] = v
		case strings.HasPrefix(k, PrefixWait):
			r.Waits[strings.TrimPrefix(k, PrefixWait)] = v
		}
	}
	return r
}

// Report sums shards of dim (ByAll for the business) per key, split per
// period; rows sort by day, hour, then key. Hourly rows come from the
// "hNN_" counters.
func Report(shards []Shard, dim, per string) []ReportRow {
	type group struct {
		day, key string
		hour     int
	}
	sums := map[group]Counters{}
	add := func(g group, k string, v int64) {
		if sums[g] == nil {
			sums[g] = Counters{}
		}
		sums[g][k] += v
	}
	for _, sh := range shards {
		if sh.Dim != dim {
			continue
		}
		for k, v := range sh.Counters {
			hour, name, hourly := splitHour(k)
			switch per {
			case PerHour:
				if hourly {
					add(group{sh.Day, sh.Value, hour}, name, v)
				}
			case PerDay:
				if !hourly {
					add(group{sh.Day, sh.Value, -1}, k, v)
				}
			default:
				if !hourly {
					add(group{"", sh.Value, -1}, k, v)
				}
			}
		}
	}
	rows := make([]ReportRow, 0, len(sums))
	for g, c := range sums {
		r := NewReportRow(g.key, dim, c)
		r.Day, r.Hour = g.day, g.hour
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b ReportRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.Key, b.Key))
	})
	return rows
}

// splitHour parses "h07_chats" into 7, "chats".
func splitHour(k string) (int, string, bool) {
	if len(k) < 5 || k[0] != 'h' || k[3] != '_' {
		return 0, "", false
	}
	h, err := strconv.Atoi(k[1:3])
	if err != nil {
		return 0, "", false
	}
	return h, k[4:], true
}

// Columns of a report table as CSV: the header and each row's cells. End
// reasons and fail reasons get a column each, named for every one present.
func Columns(rows []ReportRow, names map[string]string) ([]string, [][]string) {
	ends, fails := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		for k := range r.EndReasons {
			ends[k] = true
		}
		for k := range r.FailReasons {
			fails[k] = true
		}
	}
	endCols, failCols := sortedKeys(ends), sortedKeys(fails)
	head := []string{"day", "hour", "key", "name", "chats", "offered", "answered", "missed", "answer_rate", "missed_offers",
		"transferred", "transfers", "avg_wait_s", "avg_first_response_s", "avg_handle_s", "avg_duration_s", "outbound_chats",
		"messages_total", "sms_in", "sms_out", "mms_in", "mms_out", "segments", "estimated_cost_usd"}
	for _, e := range endCols {
		head = append(head, "end:"+e)
	}
	for _, f := range failCols {
		head = append(head, "fail:"+f)
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		hour := ""
		if r.Hour >= 0 {
			hour = fmt.Sprintf("%02d", r.Hour)
		}
		cells := []string{r.Day, hour, r.Key, names[r.Key], i(r.Chats), i(r.Offered), i(r.Answered), i(r.Missed),
			strconv.FormatFloat(r.AnswerRate, 'f', 3, 64), i(r.MissedOffers), i(r.Transferred), i(r.Transfers),
			secs(r.AverageWaitMs), secs(r.AverageFirstResponseMs), secs(r.AverageHandleMs), secs(r.AverageDurationMs),
			i(r.Outbound), i(r.MessagesTotal), i(r.SMSIn), i(r.SMSOut), i(r.MMSIn), i(r.MMSOut), i(r.Segments), Dollars(r.CostMicros)}
		for _, e := range endCols {
			cells = append(cells, i(r.EndReasons[e]))
		}
		for _, f := range failCols {
			cells = append(cells, i(r.FailReasons[f]))
		}
		out = append(out, cells)
	}
	return head, out
}

// Dollars formats micro-dollars as dollars with 4 decimals (a segment
// costs fractions of a cent).
func Dollars(micros int64) string {
	return strconv.FormatFloat(float64(micros)/1e6, 'f', 4, 64)
}

func i(v int64) string { return strconv.FormatInt(v, 10) }

func secs(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
