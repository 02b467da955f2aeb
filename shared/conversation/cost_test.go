package conversation_test

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// discardBus and discardTasks stand in for Pub/Sub and Cloud Tasks: the
// benchmark drives each step itself and counts only the store.
type discardBus struct{}

func (discardBus) Publish(context.Context, string, bus.Message) error { return nil }

type discardTasks struct{}

func (discardTasks) Enqueue(context.Context, string, tasks.Task) error { return nil }
func (discardTasks) Delete(context.Context, string, string) error      { return nil }

// steppingClock moves a second at every reading: the benchmarks send far
// faster than a number's pace (one segment a second for the demo's long
// codes), and on this clock every send finds its slot free, as texts
// spread over real time do.
func steppingClock() clock.Clock {
	var n atomic.Int64
	base := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	return clock.Clock{Now: func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) }}
}

type acceptingCarrier struct{ n int }

func (c *acceptingCarrier) Send(context.Context, carrier.OutboundSMS) (carrier.SendResult, error) {
	c.n++
	return carrier.SendResult{ProviderMessageID: fmt.Sprintf("SM%032d", c.n), Status: chat.DeliveryQueued}, nil
}

// opsScenarios are texts sent in order by one new consumer; only the last
// is counted. reads and writes are the budget TestFirestoreOpsPerText holds
// each to: what the pipe costs now, so a change that adds an operation per
// text fails until it is measured and the README's table updated.
var opsScenarios = []struct {
	name          string
	texts         []string
	reads, writes int64
}{
	{"first-text-opt-in-and-menu", []string{"Hi, my order is late"}, 20, 21},
	{"menu-choice-assigned-to-agent", []string{"Hi", "2"}, 13, 12},
	{"follow-up-text-to-agent", []string{"Hi", "2", "It is order 1234"}, 6, 4},
	{"stop-with-confirmation", []string{"Hi", "STOP"}, 14, 13},
}

// opsPerText drives n consumers through texts and returns the operations
// of their last texts.
func opsPerText(tb testing.TB, texts []string, n int) counting.Counts {
	tb.Helper()
	ctx := logging.WithEntry(context.Background(), logrus.NewEntry(logging.New(io.Discard, logrus.InfoLevel, "")))
	mem := memstore.New()
	cfg := demo.Demo()
	if err := demo.Load(ctx, mem, cfg); err != nil {
		tb.Fatal(err)
	}
	for _, ag := range cfg.Agents {
		ag.Capacity = 1 << 30 // every chat finds Ben free, however many run
		if err := mem.PutAgent(ctx, ag); err != nil {
			tb.Fatal(err)
		}
	}
	st := counting.Wrap(mem)
	a := jobs.Compose(jobs.Clients{Store: st, Bus: discardBus{}, Tasks: discardTasks{},
		Senders: map[string]carrier.Sender{wire.ProviderTwilio: &acceptingCarrier{}},
		URLs:    wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: steppingClock()})
	// The configuration's tree is read once per process: a first run
	// outside the count, as a warm function instance has.
	if _, err := a.Conversation.Trees.Tree(ctx); err != nil {
		tb.Fatal(err)
	}
	var total counting.Counts
	for i := range n {
		consumer := fmt.Sprintf("+1415%07d", i%10_000_000)
		for j, body := range texts {
			last := j == len(texts)-1
			before := st.Counts()
			in := chat.Inbound{Provider: "twilio", ProviderMessageID: fmt.Sprintf("SM%d_%d", i, j),
				Number: "+14155550101", Consumer: consumer, Body: body}
			if _, err := a.Intake.Accept(ctx, in); err != nil {
				tb.Fatal(err)
			}
			in.ID = "twilio_" + in.ProviderMessageID
			if err := a.Conversation.RouteInbound(ctx, in); err != nil {
				tb.Fatal(err)
			}
			rec, err := mem.Inbound(ctx, in.ID)
			if err != nil {
				tb.Fatal(err)
			}
			for _, ref := range rec.Replies {
				if out, err := a.Delivery.Send(ctx, ref); err != nil || out != delivery.OutcomeSent {
					tb.Fatalf("send %v: %s %v", ref, out, err)
				}
				m, err := mem.Message(ctx, ref)
				if err != nil {
					tb.Fatal(err)
				}
				for _, s := range []chat.DeliveryStatus{chat.DeliverySent, chat.DeliveryDelivered} {
					if _, err := a.Delivery.ApplyStatus(ctx, "twilio", ref, carrier.Status{ProviderMessageID: m.ProviderMessageID, Status: s}); err != nil {
						tb.Fatal(err)
					}
				}
			}
			if last {
				after := st.Counts()
				total.Reads += after.Reads - before.Reads
				total.Writes += after.Writes - before.Writes
				total.Deletes += after.Deletes - before.Deletes
			}
		}
	}
	return total
}

// TestFirestoreOpsPerText holds each text to its budget of operations.
func TestFirestoreOpsPerText(t *testing.T) {
	for _, sc := range opsScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			got := opsPerText(t, sc.texts, 3)
			if r, w := got.Reads/3, got.Writes/3; r > sc.reads || w > sc.writes {
				t.Errorf("%d reads and %d writes per text, budget %d and %d", r, w, sc.reads, sc.writes)
			}
		})
	}
}

// BenchmarkFirestoreOpsPerInbound counts the Firestore document operations
// one consumer text costs through the whole pipe (TwilioInbound,
// RouteInbound, SendSMS for each reply, and a "sent" and a "delivered"
// status callback per reply), and the list price per million texts.
func BenchmarkFirestoreOpsPerInbound(b *testing.B) {
	for _, sc := range opsScenarios {
		b.Run(sc.name, func(b *testing.B) {
			total := opsPerText(b, sc.texts, b.N)
			n := float64(b.N)
			b.ReportMetric(float64(total.Reads)/n, "reads/text")
			b.ReportMetric(float64(total.Writes)/n, "writes/text")
			b.ReportMetric(float64(total.Deletes)/n, "deletes/text")
			b.ReportMetric(total.Cost()/n*1e6, "USD/1M-texts")
		})
	}
}
