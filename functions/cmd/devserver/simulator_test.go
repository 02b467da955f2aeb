package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// TestSimulatorPage loads the phone simulator in headless Chromium at both
// addresses the README and the console link use. Without the slash its
// relative api/numbers request went to /api/numbers (404: no numbers, and
// "404 page not found" on Send). An MMS with only a picture shows the
// picture, not an empty bubble.
func TestSimulatorPage(t *testing.T) {
	const number, consumer = "+14155550101", "+14155550142"
	sb := sandbox.New("token", logrus.New())
	sim := &simulator{
		numbersOf: func(context.Context) ([]chat.Number, error) {
			return []chat.Number{{E164: number, Language: "en", LineOfBusiness: "consumer"}}, nil
		},
		sandbox: sb, sent: map[string][]bubble{}, boot: "test",
	}
	mux := http.NewServeMux()
	mux.Handle("/Simulator", sim)
	mux.Handle("/Simulator/", sim)
	pic := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	mux.HandleFunc("/media/pic.gif", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write(pic)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if _, err := sb.Send(context.Background(), carrier.OutboundSMS{From: number, To: consumer, MediaURLs: []string{srv.URL + "/media/pic.gif"}}); err != nil {
		t.Fatal(err)
	}

	browser := consoletest.Browser(t)
	for _, path := range []string{"/Simulator", "/Simulator/"} {
		t.Run(path, func(t *testing.T) {
			tab := consoletest.NewSession(t, browser)
			consoletest.WatchConsole(t, tab, "simulator")
			ctx := consoletest.Timeout(t, tab, 20*time.Second)
			fail := func(what string, err error) {
				consoletest.Screenshot(t, tab, "simulator-failed")
				t.Fatalf("GET %s: %s: %v", path, what, err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
				fail("load", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`() => document.querySelectorAll('#number option').length === 1`,
				chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
				fail("the business numbers listed", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`() => { const i = document.querySelector('#thread .business img'); return Boolean(i && i.complete && i.naturalWidth); }`,
				chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
				fail("the picture in the bubble", err)
			}
			alt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#thread .business img').alt`))
			if err != nil {
				t.Fatal(err)
			}
			if alt != "Picture 1 of 1" {
				t.Errorf("picture alt %q", alt)
			}
		})
	}
}
