package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
)

// Dist is a latency distribution in milliseconds.
type Dist struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func distOf(d []time.Duration) Dist {
	if len(d) == 0 {
		return Dist{}
	}
	slices.Sort(d)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(d)))) - 1 // nearest rank
		return ms(d[max(0, min(len(d)-1, i))])
	}
	return Dist{N: len(d), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: ms(d[len(d)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*10) / 10 }

func (d Dist) String() string {
	if d.N == 0 {
		return "no samples"
	}
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", d.N, fmtMs(d.P50), fmtMs(d.P90), fmtMs(d.P99), fmtMs(d.Max))
}

func fmtMs(v float64) string {
	if v >= 10_000 {
		return fmt.Sprintf("%.1f s", v/1000)
	}
	if v >= 1000 {
		return fmt.Sprintf("%.2f s", v/1000)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// Result is one run at one rate, as written to -out (one JSON line).
type Result struct {
	Label     string  `json:"label,omitempty"` // the fault drill's scenario
	Rate      float64 `json:"rate"`
	Run       int     `json:"run"`
	DurationS float64 `json:"durationS"`
	Agents    int     `json:"agents"`
	Capacity  int     `json:"capacity"`
	FollowUps int     `json:"followUps"`
	Cores     int     `json:"cores"`

	Sent      int     `json:"sent"`
	Achieved  float64 `json:"achieved"` // consumer texts per second actually sent
	Skipped   int     `json:"skipped"`  // arrivals turned away at the consumer cap
	Consumers int     `json:"consumers"`
	Acked     int     `json:"acked"`
	Refused   int     `json:"refused"`
	Retried   int     `json:"retried"` // texts whose webhook needed more than one post

	Ack     Dist            `json:"ack"`
	Visible Dist            `json:"visible"` // follow-up → an agent's read returned it
	Reply   Dist            `json:"reply"`   // any text → first text back handed to the carrier
	Auto    Dist            `json:"auto"`    // first texts and menu choices → the system's answer
	ReplyBy map[string]Dist `json:"replyBy"`

	// Warmup are the texts sent during the warm-up, audited but not in the
	// latencies; Timeline is the reply latency of every text by when it
	// was sent, 5 s apart, to tell a cold start from a growing backlog.
	Warmup   int      `json:"warmup"`
	WarmupS  float64  `json:"warmupS"`
	Timeline []Bucket `json:"timeline"`

	Unanswered int `json:"unanswered"` // no text came back by the end
	NotVisible int `json:"notVisible"` // a follow-up no agent read by the end
	GaveUp     int `json:"gaveUp"`
	DrainS     float64

	CarrierTexts int            `json:"carrierTexts"`
	DupSends     int            `json:"dupSends"` // handed to the carrier again after it took it
	Resent       int            `json:"resent"`   // handed to the carrier again after no answer
	FaultSends   map[string]int `json:"faultSends,omitempty"`
	OptViolate   int            `json:"optOutViolations"`
	Foreign      int            `json:"foreign"`
	Boots        int            `json:"boots"`

	Audit audit `json:"audit"`

	InboxPolls  int64 `json:"inboxPolls"`
	ChatReads   int64 `json:"chatReads"`
	Replies     int64 `json:"replies"`
	Ends        int64 `json:"ends"`
	Accepts     int64 `json:"accepts"`
	OutboxPolls int64 `json:"outboxPolls"`

	Errors map[string]int `json:"errors,omitempty"`

	Stable   bool     `json:"stable"`
	Unstable []string `json:"unstable,omitempty"`

	Fault *FaultResult `json:"fault,omitempty"`
}

// Bucket is the reply latency of the texts sent in 5 seconds.
type Bucket struct {
	FromS float64 `json:"fromS"`
	N     int     `json:"n"`
	P50   float64 `json:"p50"`
	Max   float64 `json:"max"`
}

// FaultResult is the fault drill's view of a run.
type FaultResult struct {
	Target  string    `json:"target"`
	At      time.Time `json:"at"`
	Up      time.Time `json:"up"`
	DownS   float64   `json:"downS"`
	Sent    [3]int    `json:"sent"` // before the fault, during it, after recovery
	Lost    [3]int    `json:"lost"`
	Refused [3]int    `json:"refused"`
	// RecoverS is from the fault until every text sent got its answer in
	// time again; -1 when that never happened.
	RecoverS float64 `json:"recoverS"`
	// UnsettledBefore are outbound messages written before the restart
	// that never settled (a Cloud Tasks restart loses their send tasks).
	UnsettledBefore int `json:"unsettledBefore"`
	// SentOnlyBefore are texts the carrier took before the dev server was
	// killed, whose delivery reports died with it.
	SentOnlyBefore int      `json:"sentOnlyBefore"`
	Pass           bool     `json:"pass"`
	Failures       []string `json:"failures,omitempty"`
	Allowed        []string `json:"allowed,omitempty"`
}

// print writes a run's figures for a person reading the log.
func (r Result) print(w io.Writer) {
	fmt.Fprintf(w, "loadtest: %s%.0f texts/s, run %d: sent %d in %.0f s (%.1f/s, %d consumers, %d turned away), %d agents × %d chats\n",
		labelPrefix(r.Label), r.Rate, r.Run, r.Sent, r.DurationS, r.Achieved, r.Consumers, r.Skipped, r.Agents, r.Capacity)
	fmt.Fprintf(w, "  latencies leave out the %d texts of the first %.0f s (warm-up); reply p50/max by when the text was sent:", r.Warmup, r.WarmupS)
	for _, b := range r.Timeline {
		if b.N > 0 {
			fmt.Fprintf(w, " %.0fs %s/%s", b.FromS, fmtMs(b.P50), fmtMs(b.Max))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  webhook answered:                 %s (%d needed retries, %d refused)\n", r.Ack, r.Retried, r.Refused)
	fmt.Fprintf(w, "  follow-up visible to the agent:   %s (%d never)\n", r.Visible, r.NotVisible)
	fmt.Fprintf(w, "  first reply handed to carrier:    %s (%d never)\n", r.Reply, r.Unanswered)
	for k := range kinds {
		if d, ok := r.ReplyBy[kindNames[k]]; ok {
			fmt.Fprintf(w, "    after a %-12s %s\n", kindNames[k]+":", d)
		}
	}
	a := r.Audit
	fmt.Fprintf(w, "  transcripts: lost %d, duplicated %d, agent replies doubled %d; outbound: %d delivered, %d sent without report, %d failed with reason, %d without, %d unsettled; %d consumers unread\n",
		a.Lost, a.Duplicated, a.DupReplies, a.Delivered, a.SentOnly, a.FailedWithReason, a.FailedNoReason, a.Unsettled, a.Unread)
	for why, n := range a.Reasons {
		fmt.Fprintf(w, "    %d× %s\n", n, why)
	}
	if len(a.LostSIDs) > 0 {
		fmt.Fprintf(w, "    lost: %s\n", strings.Join(a.LostSIDs, " "))
	}
	fmt.Fprintf(w, "  carrier: %d texts to consumers, %d handed over twice, %d resent after no answer, %d after an opt-out, faults played %v, %d dev server restarts seen\n",
		r.CarrierTexts, r.DupSends, r.Resent, r.OptViolate, r.FaultSends, r.Boots)
	d := max(r.DurationS+r.DrainS, 1)
	fmt.Fprintf(w, "  requests: %d inbox polls, %d chat reads, %d replies, %d ends, %d accepts (%.1f AgentAPI requests/s); %d outbox polls\n",
		r.InboxPolls, r.ChatReads, r.Replies, r.Ends, r.Accepts, float64(r.InboxPolls+r.ChatReads+r.Replies+r.Ends+r.Accepts)/d, r.OutboxPolls)
	for what, n := range r.Errors {
		fmt.Fprintf(w, "  error %d×: %s\n", n, what)
	}
	if f := r.Fault; f != nil {
		fmt.Fprintf(w, "  fault %s: down %.1f s, recovered after %s; sent before/during/after %v, lost %v, refused %v\n",
			f.Target, f.DownS, recoverText(f.RecoverS), f.Sent, f.Lost, f.Refused)
		for _, x := range f.Allowed {
			fmt.Fprintf(w, "    allowed: %s\n", x)
		}
		for _, x := range f.Failures {
			fmt.Fprintf(w, "    FAILED: %s\n", x)
		}
		fmt.Fprintf(w, "  verdict: %s\n", passText(f.Pass))
		return
	}
	if r.Stable {
		fmt.Fprintln(w, "  verdict: stable")
	} else {
		fmt.Fprintf(w, "  verdict: NOT stable: %s\n", strings.Join(r.Unstable, "; "))
	}
}

func labelPrefix(l string) string {
	if l == "" {
		return ""
	}
	return l + ", "
}

func passText(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

func recoverText(s float64) string {
	if s < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1f s", s)
}

func readResults(paths []string) ([]Result, error) {
	var out []Result
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var r Result
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			out = append(out, r)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// table prints the load runs as the README's table: one row per rate (the
// median of the runs' p50s and the worst p99), then every run, then the
// highest rate whose runs were all stable.
func table(w io.Writer, results []Result) {
	byRate := map[float64][]Result{}
	var rates []float64
	var faults []Result
	for _, r := range results {
		if r.Fault != nil {
			faults = append(faults, r)
			continue
		}
		if _, ok := byRate[r.Rate]; !ok {
			rates = append(rates, r.Rate)
		}
		byRate[r.Rate] = append(byRate[r.Rate], r)
	}
	sort.Float64s(rates)
	if len(rates) > 0 {
		fmt.Fprintln(w, "| Consumer texts/s | Stable runs | Sent (achieved/s) | Webhook answered p50 / p99 | Text → visible to the agent p50 / p99 | Text → automatic reply to the carrier p50 / p99 | Follow-up → agent's reply to the carrier p50 / p99 | Lost | Duplicated | AgentAPI requests/s |")
		fmt.Fprintln(w, "|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		best := 0.0
		for _, rate := range rates {
			rs := byRate[rate]
			stable, sent, lost, dup := 0, 0, 0, 0
			var achieved, reqs float64
			for _, r := range rs {
				if r.Stable {
					stable++
				}
				sent += r.Sent
				lost += r.Audit.Lost + r.Refused
				dup += r.Audit.Duplicated + r.Audit.DupReplies + r.DupSends + r.Resent
				achieved += r.Achieved
				reqs += float64(r.InboxPolls+r.ChatReads+r.Replies+r.Ends+r.Accepts) / max(r.DurationS+r.DrainS, 1)
			}
			n := float64(len(rs))
			fmt.Fprintf(w, "| %.0f | %d of %d | %d (%.1f) | %s | %s | %s | %s | %d | %d | %.0f |\n",
				rate, stable, len(rs), sent, achieved/n,
				pair(rs, func(r Result) Dist { return r.Ack }),
				pair(rs, func(r Result) Dist { return r.Visible }),
				pair(rs, func(r Result) Dist { return r.Auto }),
				pair(rs, func(r Result) Dist { return r.ReplyBy[kindNames[kindFollowUp]] }),
				lost, dup, reqs/n)
			if stable == len(rs) && len(rs) >= 3 && rate > best {
				best = rate
			}
		}
		fmt.Fprintln(w)
		if best > 0 {
			fmt.Fprintf(w, "Highest rate stable in three consecutive runs: **%.0f consumer texts/s**.\n\n", best)
		} else {
			fmt.Fprintln(w, "No rate was stable in three consecutive runs.")
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "<details><summary>Every run</summary>")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| Texts/s | Run | Sent | Ack p50 / p99 | Visible p50 / p99 | Automatic reply p50 / p99 | Agent's reply p50 / p99 | Lost | Dup | Unanswered | Verdict |")
		fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
		for _, rate := range rates {
			for _, r := range byRate[rate] {
				verdict := "stable"
				if !r.Stable {
					verdict = strings.Join(r.Unstable, "; ")
				}
				fmt.Fprintf(w, "| %.0f | %d | %d | %s | %s | %s | %s | %d | %d | %d | %s |\n", r.Rate, r.Run, r.Sent,
					p5099(r.Ack), p5099(r.Visible), p5099(r.Auto), p5099(r.ReplyBy[kindNames[kindFollowUp]]),
					r.Audit.Lost+r.Refused, r.Audit.Duplicated+r.Audit.DupReplies+r.DupSends+r.Resent, r.Unanswered, verdict)
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "</details>")
	}
	if len(faults) > 0 {
		if len(rates) > 0 {
			fmt.Fprintln(w)
		}
		faultTable(w, faults)
	}
}

func faultTable(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "| Fault | Texts sent | Lost (after recovery) | Lost with the emulator's memory | Duplicated | Replies sent twice | Replies failed with reason | Unsettled | Opted-out consumers texted | Down | Time to recover | Verdict |")
	fmt.Fprintln(w, "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
	for _, r := range rs {
		f := r.Fault
		verdict := "pass"
		if !f.Pass {
			verdict = "FAIL: " + strings.Join(f.Failures, "; ")
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %.1f s | %s | %s |\n",
			r.Label, r.Sent, f.Lost[2]+f.Refused[2], f.Lost[0]+f.Lost[1], r.Audit.Duplicated,
			r.Audit.DupReplies+r.DupSends+r.Resent, r.Audit.FailedWithReason, r.Audit.Unsettled,
			r.OptViolate, f.DownS, recoverText(f.RecoverS), verdict)
	}
}

// pair is "p50 / p99" over runs: the median p50 and the worst p99.
func pair(rs []Result, d func(Result) Dist) string {
	var p50s []float64
	worst := 0.0
	for _, r := range rs {
		x := d(r)
		if x.N == 0 {
			continue
		}
		p50s = append(p50s, x.P50)
		worst = max(worst, x.P99)
	}
	if len(p50s) == 0 {
		return "–"
	}
	sort.Float64s(p50s)
	return fmtMs(p50s[len(p50s)/2]) + " / " + fmtMs(worst)
}

func p5099(d Dist) string {
	if d.N == 0 {
		return "–"
	}
	return fmtMs(d.P50) + " / " + fmtMs(d.P99)
}
