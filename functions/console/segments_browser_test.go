package console_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/console"
	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// segmentBodies is the table the JavaScript counter must agree on with
// sms.Measure: every boundary of segments.go, then random bodies built from
// GSM-7 basic and extension characters, non-GSM letters and emoji with
// lengths around the part sizes.
func segmentBodies() []string {
	rep := strings.Repeat
	const grin = "😀"
	bodies := []string{
		"", "a", rep("a", 160), rep("a", 161), rep("a", 306), rep("a", 307),
		"€", "\f", "^{}\\[~]|€", rep("€", 80), rep("€", 81), rep("a", 159) + "€",
		rep("a", 152) + "€" + rep("a", 152), rep("a", 151) + "€" + rep("a", 153),
		"é ñ ü à Ä Ö Ñ Ü É Ç ß", "ΔΦΓΛΩΠΨΣΘΞ", "ΑΒΓ", "a\r\nb", "Dzień dobry, ą", "ç", "a\tb",
		rep("ą", 70), rep("ą", 71), rep("ą", 134), rep("ą", 135),
		grin, "Hello " + grin, rep(grin, 35), rep(grin, 36),
		rep("ą", 66) + grin + rep("ą", 66), rep("ą", 65) + grin + rep("ą", 67),
		"Hi {name}, your code is [1234] ~ see https://acme.example/a|b\\c ^_^",
		"¿Dónde está mi pedido? ¡Gracias!", "“Smart quotes” and an en dash –",
		"日本語のテキスト", "👍🏽 family 👨‍👩‍👧", "\u00a0non-breaking", "\U0001F1FA\U0001F1F8",
		rep("a", 1600), rep("a", 1601), rep("€", 800), rep(grin, 800),
		"<script>alert(1)</script> & \u2028 line separator",
	}
	alphabet := []string{"a", "Z", "0", " ", "\n", "é", "Ø", "Δ", "€", "^", "{", "\\", "|", "ą", "ç", "ж", "中", grin, "🇺🇸"}
	r := rand.New(rand.NewPCG(5, 7))
	lengths := []int{1, 66, 67, 68, 69, 70, 71, 133, 134, 135, 152, 153, 154, 159, 160, 161, 305, 306, 307, 459, 460}
	for i := range 300 {
		n := lengths[i%len(lengths)] + r.IntN(3) - 1
		var b strings.Builder
		gsmOnly := i%2 == 0 // half the bodies stay GSM-7, where the escape pairs matter
		for range max(n, 0) {
			c := alphabet[r.IntN(len(alphabet))]
			if gsmOnly {
				c = alphabet[r.IntN(13)]
			}
			b.WriteString(c)
		}
		bodies = append(bodies, b.String())
	}
	return bodies
}

// TestSegmentCounterMatchesGo runs the console's segments.js in Chromium on
// every body of the table and compares its answer with sms.Measure, which
// the server stores and bills by.
func TestSegmentCounterMatchesGo(t *testing.T) {
	srv := httptest.NewServer(console.New(console.Options{Auth: "dev", AgentAPI: "http://127.0.0.1:1/AgentAPI"}))
	t.Cleanup(srv.Close)
	browser := consoletest.Browser(t)
	consoletest.WatchConsole(t, browser, "segments")
	ctx := consoletest.Timeout(t, browser, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/Console/"), chromedp.WaitVisible(chromedp.ID("dev-form"))); err != nil {
		t.Fatal(err)
	}

	consoletest.Screenshot(t, browser, "sign-in")

	bodies := segmentBodies()
	in, err := json.Marshal(bodies)
	if err != nil {
		t.Fatal(err)
	}
	// The module is imported as the page imports it, under its CSP.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]sms.Measurement](
		`import('/Console/segments.js').then((m) => (`+string(in)+`).map((b) => m.measure(b)))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(bodies) {
		t.Fatalf("%d results for %d bodies", len(got), len(bodies))
	}
	for i, body := range bodies {
		if diff := cmp.Diff(sms.Measure(body), got[i]); diff != "" {
			t.Errorf("body %d (%d runes, %.40q…): JS differs from sms.Measure (-go +js):\n%s", i, utf8.RuneCountInString(body), body, diff)
		}
	}

	// A JavaScript string can hold a lone surrogate, which becomes U+FFFD on
	// its way to the server; the counter counts it as the server will.
	lone, err := chromedp.Run(ctx, chromedp.Evaluate[[]sms.Measurement](
		`import('/Console/segments.js').then((m) => ['a\ud800b', '\udc00'].map((b) => m.measure(b)))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := []sms.Measurement{sms.Measure("a\uFFFDb"), sms.Measure("\uFFFD")}
	if diff := cmp.Diff(want, lone); diff != "" {
		t.Errorf("lone surrogates (-go +js):\n%s", diff)
	}

	// firstNonGSM names the character that forces UCS-2.
	first, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`import('/Console/segments.js').then((m) => ['Hello €', 'Café ç 😀', ''].map(m.firstNonGSM))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"", "ç", ""}, first); diff != "" {
		t.Errorf("firstNonGSM (-want +got):\n%s", diff)
	}
	t.Logf("%d bodies agree", len(bodies))
}
