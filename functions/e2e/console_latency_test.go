package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// latencyTexts is how many consumer texts the latency figure samples.
const latencyTexts = 30

// TestConsoleLatency measures the consumer-text-to-visible latency: each
// of 30 texts goes through the signed webhook into a chat Ana has open, and
// the time from posting it to its bubble appearing (the page's own clock,
// the same machine's) is recorded. The texts are spread over the poll's
// phase (the console polls every second): after each bubble the next text
// waits a different fraction of the interval, so the samples cover a text
// arriving just after a poll as well as just before one. Reported in the
// log (p50, p90, p99), not asserted: timing is no test's pass mark.
func TestConsoleLatency(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550198"
		chatID := activeChat(t, e, consumer, "1", "ana")
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open the chat",
			chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
			chromedp.WaitEnabled(chromedp.ID("reply")),
		)
		var shown []time.Duration
		for i := range latencyTexts {
			// A phase offset, not a wait for a condition: it places the text
			// at a different point of the poll interval each time.
			time.Sleep(time.Duration(i*37%1000) * time.Millisecond)
			body := fmt.Sprintf("Latency sample %d of %d", i+1, latencyTexts)
			sid := fmt.Sprintf("SMlatency%d", e.sids.Add(1))
			sentAt := time.Now()
			if code := e.text(sid, consumer, numberEN, body); code != 200 {
				t.Fatalf("webhook answered %d", code)
			}
			at := waitFor[int64](ana, "text "+body, jsMessageShownAt, body)
			shown = append(shown, time.UnixMilli(at).Sub(sentAt))
		}
		t.Logf("%s: consumer text → visible in the console, %s (poll interval 1 s)", t.Name(), percentiles(shown))
	})
}

// percentiles summarises samples as p50, p90, p99 and max (nearest rank).
func percentiles(ds []time.Duration) string {
	s := slices.Sorted(slices.Values(ds))
	at := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(len(s)-1, i))].Round(time.Millisecond)
	}
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v, min %v (%d samples)", at(.5), at(.9), at(.99), s[len(s)-1].Round(time.Millisecond), s[0].Round(time.Millisecond), len(s))
}
