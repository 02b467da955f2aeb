package conversation_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/functions/deliverystatus"
	"github.com/smsdesk/smsdesk/functions/routeinbound"
	"github.com/smsdesk/smsdesk/functions/sendsms"
	"github.com/smsdesk/smsdesk/functions/twilioinbound"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const benchToken = "0123456789abcdef0123456789abcdef"

// BenchmarkCPUPerText is the product's own CPU for one consumer text end
// to end on the embedded backend, which no emulator distorts: the signed
// webhook through TwilioInbound, its Pub/Sub push through RouteInbound,
// every send task it causes through SendSMS, and a "sent" and a
// "delivered" status callback per text sent through DeliveryStatus, each
// the real function handler (New) with its logging, called in process on
// one goroutine. Pub/Sub and Cloud Tasks are queues this benchmark empties
// itself, so only the functions' work is timed.
//
// In the first three, ns/op, B/op and allocs/op are the last text's (the
// ones before it are not timed); sends/text are the texts it handed to
// the carrier. The fourth times a whole conversation of those three texts
// and adds cpu-ns/text: the process's user and system CPU on every core
// (garbage collection included) divided by its three texts.
func BenchmarkCPUPerText(b *testing.B) {
	scenarios := []struct {
		name string
		// texts are sent in order by one new consumer; only the last is timed
		texts []string
		sends int // texts handed to the carrier for the last one
	}{
		{"first-text-opt-in-and-menu", []string{"Hi, my order is late"}, 2},
		{"menu-choice-assigned-to-agent", []string{"Hi", "2"}, 1},
		{"follow-up-text-to-agent", []string{"Hi", "2", "It is order 1234"}, 0},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			p := newPipe(b)
			sends := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				consumer := fmt.Sprintf("+1628%07d", 2_000_000+i%8_000_000)
				last := len(sc.texts) - 1
				for j, body := range sc.texts[:last] {
					p.text(b, consumer, fmt.Sprintf("SM%08d%024d", j, i), body)
				}
				b.StartTimer()
				sends += p.text(b, consumer, fmt.Sprintf("SM%08d%024d", last, i), sc.texts[last])
			}
			b.StopTimer()
			if want := sc.sends * b.N; sends != want {
				b.Fatalf("%d texts handed to the carrier, want %d (%d per text)", sends, want, sc.sends)
			}
			b.ReportMetric(float64(sends)/float64(b.N), "sends/text")
		})
	}
	b.Run("conversation-of-all-three", func(b *testing.B) {
		p := newPipe(b)
		texts := []string{"Hi, my order is late", "2", "It is order 1234"}
		sends := 0
		b.ReportAllocs()
		b.ResetTimer()
		before := processCPU(b)
		for i := range b.N {
			consumer := fmt.Sprintf("+1628%07d", 2_000_000+i%8_000_000)
			for j, body := range texts {
				sends += p.text(b, consumer, fmt.Sprintf("SM%08d%024d", j, i), body)
			}
		}
		cpu := processCPU(b) - before
		b.StopTimer()
		if sends != 3*b.N {
			b.Fatalf("%d texts handed to the carrier, want %d", sends, 3*b.N)
		}
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(texts)), "cpu-ns/text")
	})
}

// processCPU is the user and system CPU this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pipe is the four functions of the SMS path over one embedded store, with
// the queues between them held here.
type pipe struct {
	inbound, route, send, status http.Handler
	bus                          *queueBus
	tasks                        *queueTasks
	carrier                      *recordingCarrier
	inboundURL                   string
}

func newPipe(b *testing.B) *pipe {
	ctx := context.Background()
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
	urls := wire.URLs{Public: "https://sms.acme.example", Internal: "https://fn.acme.example"}
	p := &pipe{bus: &queueBus{}, tasks: &queueTasks{}, carrier: &recordingCarrier{}, inboundURL: urls.PublicFunction(wire.FnTwilioInbound)}
	set := jobs.Compose(jobs.Clients{Store: mem, Bus: p.bus, Tasks: p.tasks, URLs: urls,
		Senders: map[string]carrier.Sender{wire.ProviderTwilio: p.carrier}, Clock: steppingClock()})
	verifier := twilio.NewVerifier(benchToken)
	// The functions log as deployed (JSON, info), into nothing.
	logger := logging.New(io.Discard, logrus.InfoLevel, "bench")
	wrap := func(name string, h http.Handler) http.Handler { return logging.Middleware(logger, "bench", name, h) }
	p.inbound = wrap(wire.FnTwilioInbound, twilioinbound.New(set.Intake, verifier, p.inboundURL))
	p.route = wrap(wire.FnRouteInbound, routeinbound.New(set.Conversation))
	p.send = wrap(wire.FnSendSMS, sendsms.New(set.Delivery))
	p.status = wrap(wire.FnDeliveryStatus, deliverystatus.New(set.Delivery, map[string]carrier.Webhooks{wire.ProviderTwilio: verifier}, urls))
	return p
}

// text takes one consumer text through the whole path and returns how
// many texts went to the carrier because of it.
func (p *pipe) text(b *testing.B, consumer, sid, body string) int {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "From": {consumer},
		"To": {"+14155550101"}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"}}
	req, err := twilio.SignedRequest(benchToken, p.inboundURL, form)
	if err != nil {
		b.Fatal(err)
	}
	serve(b, p.inbound, req, http.StatusOK)
	for n, m := range p.bus.take() {
		if m.topic != wire.TopicInbound {
			continue // chat events: no subscription in this product
		}
		push, err := bus.EncodePush(bus.Delivery{Message: m.msg, ID: fmt.Sprintf("%s-%d", sid, n), PublishTime: time.Now(),
			Subscription: "projects/bench/subscriptions/" + wire.SubRouteInbound.Name})
		if err != nil {
			b.Fatal(err)
		}
		serve(b, p.route, httptest.NewRequest(http.MethodPost, "/"+wire.FnRouteInbound, bytes.NewReader(push)), http.StatusNoContent)
	}
	sent := 0
	for range 100 { // each send enqueues the next; a text causes a few
		queued := p.tasks.take(wire.QueueSend)
		if len(queued) == 0 {
			break
		}
		for _, t := range queued {
			req := httptest.NewRequest(http.MethodPost, t.URL, bytes.NewReader(t.Body))
			for k, v := range t.Headers {
				req.Header.Set(k, v)
			}
			serve(b, p.send, req, http.StatusOK)
		}
		for _, m := range p.carrier.take() {
			sent++
			for _, st := range []chat.DeliveryStatus{chat.DeliverySent, chat.DeliveryDelivered} {
				cb := url.Values{"MessageSid": {m.sid}, "SmsSid": {m.sid}, "MessageStatus": {string(st)},
					"From": {m.msg.From}, "To": {m.msg.To}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "ApiVersion": {"2010-04-01"}}
				req, err := twilio.SignedRequest(benchToken, m.msg.StatusCallbackURL, cb)
				if err != nil {
					b.Fatal(err)
				}
				serve(b, p.status, req, http.StatusNoContent)
			}
		}
	}
	return sent
}

func serve(b *testing.B, h http.Handler, req *http.Request, want int) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s answered %d, want %d: %s", req.Method, req.URL, rec.Code, want, rec.Body)
	}
}

// queueBus holds what is published until the benchmark delivers it.
type queueBus struct {
	mu  sync.Mutex
	out []published
}

type published struct {
	topic string
	msg   bus.Message
}

func (q *queueBus) Publish(_ context.Context, topic string, m bus.Message) error {
	q.mu.Lock()
	q.out = append(q.out, published{topic, m})
	q.mu.Unlock()
	return nil
}

func (q *queueBus) take() []published {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.out
	q.out = nil
	return out
}

// queueTasks holds enqueued tasks until the benchmark runs them, once per
// name as Cloud Tasks does.
type queueTasks struct {
	mu    sync.Mutex
	names map[string]bool
	out   map[string][]tasks.Task
}

func (q *queueTasks) Enqueue(_ context.Context, queue string, t tasks.Task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.names == nil {
		q.names, q.out = map[string]bool{}, map[string][]tasks.Task{}
	}
	if t.Name != "" && q.names[t.Name] {
		return nil
	}
	q.names[t.Name] = true
	q.out[queue] = append(q.out[queue], t)
	return nil
}

func (q *queueTasks) Delete(context.Context, string, string) error { return nil }

func (q *queueTasks) take(queue string) []tasks.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.out[queue]
	delete(q.out, queue)
	return out
}

// recordingCarrier takes every text and keeps it for its status callbacks.
type recordingCarrier struct {
	mu   sync.Mutex
	n    int
	sent []sentText
}

type sentText struct {
	sid string
	msg carrier.OutboundSMS
}

func (c *recordingCarrier) Send(_ context.Context, m carrier.OutboundSMS) (carrier.SendResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	sid := fmt.Sprintf("SM%032d", c.n)
	c.sent = append(c.sent, sentText{sid, m})
	return carrier.SendResult{ProviderMessageID: sid, Status: chat.DeliveryQueued}, nil
}

func (c *recordingCarrier) take() []sentText {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sent
	c.sent = nil
	return out
}
