package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/sandbox"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// got is a text one of the inbound handlers accepted.
type got struct{ Provider, Number, Consumer, Body string }

// simulatorWorld is the simulator posting to the three carriers' real
// webhook handlers (each verifying its carrier's signature exactly as in
// production), which record what they accept.
func simulatorWorld(t *testing.T) (*httptest.Server, func() []got) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cs := carriers{twilioToken: "sim-test-token", telnyxKey: priv, bwUser: devBandwidthUser, bwPassword: "0123456789abcdef0123456789abcdef"}
	var mu sync.Mutex
	var accepted []got
	accept := func(_ context.Context, in chat.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		accepted = append(accepted, got{in.Provider, in.Number, in.Consumer, in.Body})
		return nil
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	urls := wire.URLs{Public: srv.URL}
	for fn, hooks := range map[string]carrier.Webhooks{
		wire.FnTwilioInbound:    twilio.NewVerifier(cs.twilioToken),
		wire.FnTelnyxInbound:    telnyx.NewVerifier(pub),
		wire.FnBandwidthInbound: bandwidth.NewVerifier(cs.bwUser, cs.bwPassword),
	} {
		mux.Handle("/"+fn, carrier.InboundHandler(hooks, urls.PublicFunction(fn), fn, accept))
	}
	sim := &simulator{
		numbersOf: func(context.Context) ([]chat.Number, error) {
			return []chat.Number{
				{E164: "+14155550101", Provider: twilio.Name, Language: "en"},
				{E164: "+14155550103", Provider: telnyx.Name, Language: "en"},
				{E164: "+14155550104", Provider: bandwidth.Name, Language: "en"},
			}, nil
		},
		sandbox: sandbox.New(cs.twilioToken, logrus.New()),
		urls:    urls, carriers: cs, selfBase: srv.URL, client: srv.Client(), sent: map[string][]bubble{}, boot: "test",
	}
	mux.Handle("/Simulator/", sim)
	return srv, func() []got {
		mu.Lock()
		defer mu.Unlock()
		return append([]got(nil), accepted...)
	}
}

// TestSimulatorCarrierPicker: the page offers the three carriers, picks
// the chosen number's own, and a text goes to that carrier's inbound
// function signed as it signs (Telnyx's Ed25519, Bandwidth's Basic
// credentials after the 401 challenge); another carrier may be picked for
// any number.
func TestSimulatorCarrierPicker(t *testing.T) {
	srv, accepted := simulatorWorld(t)
	const consumer = "+14155550142"
	browser := consoletest.Browser(t)
	tab := consoletest.NewSession(t, browser)
	consoletest.WatchConsole(t, tab, "simulator")
	ctx := consoletest.Timeout(t, tab, 30*time.Second)
	fail := func(what string, err error) {
		t.Helper()
		consoletest.Screenshot(t, tab, "simulator-carriers-failed")
		t.Fatalf("%s: %v", what, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/Simulator/")); err != nil {
		fail("load", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`() => document.querySelectorAll('#carrier option').length === 3 && document.querySelectorAll('#number option').length === 3`,
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		fail("the carriers and numbers listed", err)
	}
	carriers, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#carrier option')].map(o => o.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Twilio", "Telnyx", "Bandwidth"}, carriers); d != "" {
		t.Errorf("carriers offered (-want +got):\n%s", d)
	}

	var want []got
	for _, tc := range []struct {
		number, pick, wantCarrier, body string
	}{
		{"+14155550103", "", telnyx.Name, "Hi via Telnyx"},
		{"+14155550104", "", bandwidth.Name, "Hi via Bandwidth"},
		{"+14155550104", twilio.Name, twilio.Name, "Hi via Twilio to a Bandwidth number"},
		{"+14155550101", "", twilio.Name, "Hi via Twilio"},
	} {
		choose := `(() => { const s = document.querySelector('#number'); s.value = ` + js(tc.number) + `; s.dispatchEvent(new Event('change')); return document.querySelector('#carrier').value; })()`
		selected, err := chromedp.Run(ctx, chromedp.Evaluate[string](choose))
		if err != nil {
			t.Fatal(err)
		}
		if tc.pick == "" && selected != tc.wantCarrier {
			t.Errorf("number %s: carrier %q picked, want its own %q", tc.number, selected, tc.wantCarrier)
		}
		if tc.pick != "" {
			if err := chromedp.Do(ctx, chromedp.SetValue("#carrier", tc.pick)); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(ctx, chromedp.SetValue("#body", tc.body), chromedp.Click("#compose button")); err != nil {
			t.Fatal(err)
		}
		want = append(want, got{tc.wantCarrier, tc.number, consumer, tc.body})
		if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`() => document.querySelector('#body').value === "" || document.querySelector('#status').textContent !== ""`,
			chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			fail("the send answered", err)
		}
		status, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#status').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if status != "" {
			t.Fatalf("sending %q as %s: %s", tc.body, tc.wantCarrier, status)
		}
	}
	if d := cmp.Diff(want, accepted()); d != "" {
		t.Errorf("accepted by the carriers' handlers (-want +got):\n%s", d)
	}
}

func js(s string) string { return `"` + s + `"` }
