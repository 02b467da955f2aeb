package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// TestPacingBench is scripts/pacing-bench: a sessionless batch through
// the whole pipe (OutboundAPI, Cloud Tasks, SendSMS, the carrier stand-in)
// on 1, 3 and 10 pooled numbers, reporting the span of the sends and the
// most texts the carrier got in one second, per number and for the pool.
// It runs only when SMSDESK_PACING_BENCH is set (it takes minutes at the
// real long-code pace).
func TestPacingBench(t *testing.T) {
	if os.Getenv("SMSDESK_PACING_BENCH") == "" {
		t.Skip("scripts/pacing-bench runs this")
	}
	rate := envFloat(t, "SMSDESK_PACING_RATE", 1)
	recipients := int(envFloat(t, "SMSDESK_PACING_RECIPIENTS", 1000))
	backend := os.Getenv("SMSDESK_PACING_BACKEND")
	if backend == "" {
		backend = "embedded"
	}
	pools := []int{1, 3, 10}
	if p := os.Getenv("SMSDESK_PACING_POOLS"); p != "" {
		pools = nil
		for _, f := range strings.Split(p, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			pools = append(pools, n)
		}
	}
	fmt.Printf("pacing-bench: %d recipients, %g segments/s per number, %s backend\n", recipients, rate, backend)
	fmt.Printf("%-8s %-10s %-10s %-12s %-12s %s\n", "numbers", "expected", "span", "max/s/number", "max/s/pool", "batch taken in")
	for _, n := range pools {
		e := newEnv(t, backend)
		adm, err := jobs.Admin(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for i := range n {
			num := fmt.Sprintf("+1415555%04d", 2000+i)
			numbers = append(numbers, num)
			if _, err := adm.PutNumber(e.ctx(), chat.Number{E164: num, Provider: "twilio", LineOfBusiness: "consumer", EntryQueue: "en",
				Language: "en", Enabled: true, CampaignStatus: "verified", MessagesPerSecond: rate, Pool: "bench"}); err != nil {
				t.Fatal(err)
			}
		}
		secret := e.outboundReady(10, numbers...)
		var to []string
		// Consent on record everywhere: one text each, no disclosure.
		err = e.store.RunTx(e.ctx(), func(tx store.Tx) error {
			for i := range recipients {
				c := fmt.Sprintf("+1212%07d", 5_000_000+i)
				to = append(to, c)
				for _, num := range numbers {
					tx.PutConsent(chat.Consent{Number: num, Consumer: c, State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage})
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, body, _ := e.outboundAPI(secret, "POST", outboundapi.PathSessionless,
			map[string]any{"from_phone": numbers[0], "phone_number": to, "message": "Your appointment is tomorrow at 10."}, "bench")
		taken := time.Since(start)
		if code != http.StatusAccepted {
			t.Fatalf("batch: %d %.300s", code, body)
		}
		var v outboundapi.BatchView
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		expected := time.Duration(float64(recipients) / (rate * float64(n)) * float64(time.Second)).Round(time.Second)
		testenv.WaitFor(t, 3*expected+time.Minute, fmt.Sprintf("%d texts", recipients), func() bool { return len(e.twilio.Sent()) >= recipients })
		sent := e.twilio.Sent()
		first, last := sent[0].At, sent[0].At
		pool, per := map[int64]int{}, map[string]map[int64]int{}
		for _, s := range sent {
			first, last = minTime(first, s.At), maxTime(last, s.At)
			pool[s.At.Unix()]++
			if per[s.From] == nil {
				per[s.From] = map[int64]int{}
			}
			per[s.From][s.At.Unix()]++
		}
		maxPool, maxPer := 0, 0
		for _, c := range pool {
			maxPool = max(maxPool, c)
		}
		for _, m := range per {
			for _, c := range m {
				maxPer = max(maxPer, c)
			}
		}
		fmt.Printf("%-8d %-10v %-10v %-12d %-12d %v\n", n, expected, last.Sub(first).Round(time.Second), maxPer, maxPool, taken.Round(time.Millisecond))
		if float64(maxPer) > max(1, rate) {
			t.Errorf("%d numbers: %d texts in one second from one number, over its pace %g/s", n, maxPer, rate)
		}
		if len(sent) != recipients {
			t.Errorf("%d numbers: %d texts, want %d", n, len(sent), recipients)
		}
	}
}

func envFloat(t *testing.T, name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return f
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
