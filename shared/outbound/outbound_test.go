package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks/memtasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
	numberEN   = "+14155550101"
	consumer   = "+12125550123" // New York
)

// world is the outbound and delivery use cases over the embedded store and
// task queue, Twilio's stand-in, and a clock the test moves.
type world struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	now    time.Time
	set    jobs.Set
	twilio *twiliotest.Server
	store  *memstore.Store
}

func newWorld(t *testing.T, now time.Time) *world {
	w := &world{t: t, ctx: context.Background(), now: now, store: memstore.New(), twilio: twiliotest.New(accountSID, authToken)}
	t.Cleanup(w.twilio.Close)
	if err := demo.Load(w.ctx, w.store, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	client, err := twilio.NewClient(accountSID, authToken, w.twilio.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	// Nothing serves the task URLs: the test runs each send itself at the
	// time it chooses, so every task stays scheduled.
	tq := memtasks.New(memtasks.Options{Logger: logger, Client: &http.Client{Transport: refuse{}}})
	t.Cleanup(func() { _ = tq.Close() })
	clk := clock.Clock{Now: func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }}
	w.set = jobs.Compose(jobs.Clients{Store: w.store, Bus: membus.New(membus.Options{Logger: logger}), Tasks: tq,
		URLs:    wire.URLs{Public: "https://sms.acme.example", Internal: "https://fn.acme.example"},
		Senders: map[string]carrier.Sender{wire.ProviderTwilio: client}, Clock: clk})
	return w
}

type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no function here")
}

func (w *world) at(t time.Time) { w.mu.Lock(); w.now = t; w.mu.Unlock() }

func (w *world) start(hold bool) (outbound.ChatView, error) {
	return w.set.Outbound.StartSession(w.ctx, "key1", nil, "", outbound.SessionRequest{
		ChatType: "SMS", EndUserNumber: consumer, OutboundNumber: numberEN, Message: "Your order shipped.", Hold: &hold,
	})
}

func (w *world) send(seq int64, chatID string) delivery.Outcome {
	w.t.Helper()
	out, err := w.set.Delivery.Send(w.ctx, chat.Ref{ChatID: chatID, Seq: seq})
	if err != nil {
		w.t.Fatalf("send %d: %v", seq, err)
	}
	return out
}

// A proactive text at 22:00 in the recipient's zone waits for 08:00 there:
// held at every attempt before, sent at the first after, the disclosure
// first; asked not to hold, the request is refused instead.
func TestQuietHoursHoldUntilMorning(t *testing.T) {
	night := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) // 22:00 in New York
	morning := time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)
	w := newWorld(t, night)

	if _, err := w.start(false); err == nil || !strings.Contains(err.Error(), "quiet hours") {
		t.Fatalf("hold false at 22:00: %v, want a quiet-hours refusal", err)
	}
	v, err := w.start(true)
	if err != nil {
		t.Fatal(err)
	}
	if v.HeldUntil == nil || !v.HeldUntil.Equal(morning) {
		t.Fatalf("held until %v, want %v", v.HeldUntil, morning)
	}
	steps := []struct {
		at   time.Time
		seq  int64
		want delivery.Outcome
	}{
		{night, 1, delivery.OutcomeHeld},
		{morning.Add(-time.Second), 1, delivery.OutcomeHeld},
		{morning.Add(300 * time.Millisecond), 1, delivery.OutcomeSent},
		// The text's slot on the number's pace (1/s) is the next second.
		{morning.Add(400 * time.Millisecond), 2, delivery.OutcomeHeld},
		{morning.Add(1300 * time.Millisecond), 2, delivery.OutcomeSent},
		{morning.Add(2 * time.Second), 2, delivery.OutcomeDone},
	}
	for i, s := range steps {
		w.at(s.at)
		if got := w.send(s.seq, v.ID); got != s.want {
			t.Errorf("step %d (%s, text %d): %s, want %s", i, s.at.Format(time.TimeOnly), s.seq, got, s.want)
		}
		sent := len(w.twilio.Sent())
		want := 0
		for _, p := range steps[:i+1] {
			if p.want == delivery.OutcomeSent {
				want++
			}
		}
		if sent != want {
			t.Fatalf("step %d: the carrier has %d texts, want %d", i, sent, want)
		}
	}
	sent := w.twilio.SentTo(consumer)
	if !strings.Contains(sent[0].Body, "Msg & data rates may apply") || sent[1].Body != "Your order shipped." {
		t.Errorf("texts %q, %q", sent[0].Body, sent[1].Body)
	}
}

// Twilio's 30034 marks the number's campaign unregistered: the failed text
// is not retried and the next proactive request is refused at the door.
func TestUnregisteredCampaignStopsProactiveTexts(t *testing.T) {
	noon := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	w := newWorld(t, noon)
	w.twilio.Fail(twiliotest.Failure{HTTPStatus: 400, Code: 30034, Message: "Message from an Unregistered Number"})
	v, err := w.start(true)
	if err != nil {
		t.Fatal(err)
	}
	w.at(noon.Add(300 * time.Millisecond))
	if got := w.send(1, v.ID); got != delivery.OutcomeFailed {
		t.Fatalf("send: %s, want failed", got)
	}
	n, err := w.store.Number(w.ctx, numberEN)
	if err != nil || n.CampaignStatus != delivery.CampaignUnregistered {
		t.Fatalf("number campaign %q (%v), want %q", n.CampaignStatus, err, delivery.CampaignUnregistered)
	}
	w.twilio.Recover()
	_, err = w.set.Outbound.StartSession(w.ctx, "key1", nil, "", outbound.SessionRequest{
		ChatType: "SMS", EndUserNumber: "+12125550124", OutboundNumber: numberEN, Message: "hi",
	})
	var oe *outbound.Error
	if !errors.As(err, &oe) || oe.Status != 400 || !strings.Contains(oe.Message, "outbound_number campaign is not active") || !strings.Contains(oe.Message, "unregistered") {
		t.Errorf("next request: %v, want 400 naming the unregistered campaign", err)
	}
}
