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

// BenchmarkFirestoreOpsPerInbound counts the Firestore document operations
// one consumer text costs through the whole pipe (TwilioInbound,
// RouteInbound, SendSMS for each reply, and a "sent" and a "delivered"
// status callback per reply), and the list price per million texts.
func BenchmarkFirestoreOpsPerInbound(b *testing.B) {
	scenarios := []struct {
		name string
		// texts are sent in order by one new consumer; only the last is counted
		texts []string
	}{
		{"first-text-opt-in-and-menu", []string{"Hi, my order is late"}},
		{"menu-choice-assigned-to-agent", []string{"Hi", "2"}},
		{"follow-up-text-to-agent", []string{"Hi", "2", "It is order 1234"}},
		{"stop-with-confirmation", []string{"Hi", "STOP"}},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			ctx := logging.WithEntry(context.Background(), logrus.NewEntry(logging.New(io.Discard, logrus.InfoLevel, "")))
			mem := memstore.New()
			cfg := demo.Demo()
			if err := demo.Load(ctx, mem, cfg); err != nil {
				b.Fatal(err)
			}
			for _, ag := range cfg.Agents {
				ag.Capacity = 1 << 30 // every chat finds Ben free, however many run
				if err := mem.PutAgent(ctx, ag); err != nil {
					b.Fatal(err)
				}
			}
			st := counting.Wrap(mem)
			a := jobs.Compose(jobs.Clients{Store: st, Bus: discardBus{}, Tasks: discardTasks{},
				Senders: map[string]carrier.Sender{wire.ProviderTwilio: &acceptingCarrier{}},
				URLs:    wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: steppingClock()})
			var total counting.Counts
			for i := range b.N {
				consumer := fmt.Sprintf("+1415%07d", i%10_000_000)
				for j, body := range sc.texts {
					last := j == len(sc.texts)-1
					before := st.Counts()
					in := chat.Inbound{Provider: "twilio", ProviderMessageID: fmt.Sprintf("SM%d_%d", i, j),
						Number: "+14155550101", Consumer: consumer, Body: body}
					if _, err := a.Intake.Accept(ctx, in); err != nil {
						b.Fatal(err)
					}
					in.ID = "twilio_" + in.ProviderMessageID
					if err := a.Conversation.RouteInbound(ctx, in); err != nil {
						b.Fatal(err)
					}
					rec, err := mem.Inbound(ctx, in.ID)
					if err != nil {
						b.Fatal(err)
					}
					for _, ref := range rec.Replies {
						if out, err := a.Delivery.Send(ctx, ref); err != nil || out != delivery.OutcomeSent {
							b.Fatalf("send %v: %s %v", ref, out, err)
						}
						m, err := mem.Message(ctx, ref)
						if err != nil {
							b.Fatal(err)
						}
						for _, s := range []chat.DeliveryStatus{chat.DeliverySent, chat.DeliveryDelivered} {
							if _, err := a.Delivery.ApplyStatus(ctx, "twilio", ref, carrier.Status{ProviderMessageID: m.ProviderMessageID, Status: s}); err != nil {
								b.Fatal(err)
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
			n := float64(b.N)
			b.ReportMetric(float64(total.Reads)/n, "reads/text")
			b.ReportMetric(float64(total.Writes)/n, "writes/text")
			b.ReportMetric(float64(total.Deletes)/n, "deletes/text")
			b.ReportMetric(total.Cost()/n*1e6, "USD/1M-texts")
		})
	}
}
