package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

const (
	number   = "+14155550101"
	consumer = "+14155550142"
)

// gateCarrier stands in for a carrier whose API holds the texts it is told
// to hold until released, and records the order in which texts reached it.
type gateCarrier struct {
	mu      sync.Mutex
	arrived []string
	hold    map[string]chan struct{} // by body
	calling chan string              // a held text's call has begun
}

func newGateCarrier() *gateCarrier {
	return &gateCarrier{hold: map[string]chan struct{}{}, calling: make(chan string, 8)}
}

func (g *gateCarrier) holdBody(body string) func() {
	ch := make(chan struct{})
	g.mu.Lock()
	g.hold[body] = ch
	g.mu.Unlock()
	return func() { close(ch) }
}

func (g *gateCarrier) Send(ctx context.Context, msg carrier.OutboundSMS) (carrier.SendResult, error) {
	g.mu.Lock()
	ch := g.hold[msg.Body]
	g.mu.Unlock()
	if ch != nil {
		g.calling <- msg.Body
		select {
		case <-ch:
		case <-ctx.Done():
			return carrier.SendResult{}, ctx.Err()
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.arrived = append(g.arrived, msg.Body)
	return carrier.SendResult{ProviderMessageID: fmt.Sprintf("SM%032d", len(g.arrived)), Status: chat.DeliveryQueued}, nil
}

func (g *gateCarrier) bodies() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.arrived)
}

// noTasks stands in for Cloud Tasks: each test drives the sends itself.
type noTasks struct{}

func (noTasks) Enqueue(context.Context, string, tasks.Task) error { return nil }
func (noTasks) Delete(context.Context, string, string) error      { return nil }

type fixture struct {
	t       *testing.T
	ctx     context.Context
	store   *memstore.Store
	carrier *gateCarrier
	svc     *delivery.Service
	chat    chat.Chat
	n       int
}

// newFixture is an active chat with Ana whose consumer opted in.
func newFixture(t *testing.T) *fixture {
	ctx := logging.WithEntry(context.Background(), logrus.NewEntry(logging.New(io.Discard, logrus.InfoLevel, "")))
	f := &fixture{t: t, ctx: ctx, store: memstore.New(), carrier: newGateCarrier()}
	f.svc = &delivery.Service{Store: f.store, Tasks: noTasks{},
		Carriers: map[string]carrier.Sender{wire.ProviderTwilio: f.carrier},
		URLs:     wire.URLs{Public: "https://x.example", Internal: "https://x.example"}}
	f.chat = chat.Chat{ID: "c1", Number: number, Consumer: consumer, Provider: wire.ProviderTwilio, Language: "en",
		QueueID: "q", Status: chat.StatusActive, AgentID: "ana", NextSeq: 1}
	f.tx(func(tx store.Tx) error {
		tx.PutConsent(chat.Consent{Number: number, Consumer: consumer, State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage})
		tx.PutChat(f.chat)
		return nil
	})
	return f
}

func (f *fixture) tx(fn func(tx store.Tx) error) {
	f.t.Helper()
	if err := f.store.RunTx(f.ctx, fn); err != nil {
		f.t.Fatal(err)
	}
}

// reply writes Ana's reply, as conversation.Reply does, and returns it.
func (f *fixture) reply(body string) chat.Ref {
	f.t.Helper()
	var ref chat.Ref
	f.tx(func(tx store.Tx) error {
		c, err := tx.Chat(f.chat.ID)
		if err != nil {
			return err
		}
		ch := chat.Begin(c, chat.NewTree(chat.DefaultSettings(), nil, nil), time.Now(), "reply")
		if ref, err = ch.AgentMessage("ana", body, nil, ""); err != nil {
			return err
		}
		tx.PutChat(ch.Chat)
		for _, m := range ch.Messages {
			tx.PutMessage(m)
		}
		return nil
	})
	return ref
}

// text applies the consumer's text, as conversation.RouteInbound does,
// and returns the replies it decided on.
func (f *fixture) text(body string) []chat.Ref {
	f.t.Helper()
	f.n++
	var replies []chat.Ref
	f.tx(func(tx store.Tx) error {
		c, err := tx.Chat(f.chat.ID)
		if err != nil {
			return err
		}
		consent, err := tx.Consent(number, consumer)
		if err != nil {
			return err
		}
		in := chat.Inbound{ID: fmt.Sprintf("twilio_SM%d", f.n), Provider: wire.ProviderTwilio, Number: number, Consumer: consumer, Body: body}
		st := chat.InboundState{Settings: chat.DefaultSettings(), Number: chat.Number{E164: number, EntryQueue: "q"}, Consent: consent}
		if c.Open() {
			st.OpenChat = &c
		}
		out := chat.ReceiveInbound(st, in, fmt.Sprintf("c%d", f.n+1), time.Now())
		if out.Consent != nil {
			tx.PutConsent(*out.Consent)
		}
		tx.PutChat(out.Chat)
		for _, m := range out.Messages {
			tx.PutMessage(m)
		}
		replies = out.Replies
		return nil
	})
	return replies
}

func (f *fixture) send(ref chat.Ref) (delivery.Outcome, error) {
	return f.svc.Send(f.ctx, ref)
}

// TestOptOutConfirmationWaitsForSendsOnTheirWay: Ana's reply is claimed and
// in its carrier call when the consumer's STOP is applied. The confirmation
// backs off until the reply's call is over, so the carrier gets it last; a
// reply written before the STOP but claimed after it is suppressed.
func TestOptOutConfirmationWaitsForSendsOnTheirWay(t *testing.T) {
	f := newFixture(t)
	release := f.carrier.holdBody("On its way")
	onItsWay := f.reply("On its way")
	notYet := f.reply("Not claimed yet")

	type result struct {
		outcome delivery.Outcome
		err     error
	}
	first := make(chan result, 1)
	go func() {
		o, err := f.send(onItsWay)
		first <- result{o, err}
	}()
	if body := <-f.carrier.calling; body != "On its way" {
		t.Fatalf("carrier call for %q", body)
	}

	replies := f.text("STOP")
	if len(replies) != 1 {
		t.Fatalf("STOP decided %d replies, want the confirmation", len(replies))
	}
	confirmation := replies[0]
	if _, err := f.send(confirmation); !errors.Is(err, delivery.ErrSendInProgress) {
		t.Fatalf("confirmation sent while a reply was in its carrier call: %v", err)
	}
	if got := f.carrier.bodies(); len(got) != 0 {
		t.Fatalf("carrier got %q before the reply's call ended", got)
	}

	release()
	if r := <-first; r.err != nil || r.outcome != delivery.OutcomeSent {
		t.Fatalf("reply: %q %v", r.outcome, r.err)
	}
	if o, err := f.send(confirmation); err != nil || o != delivery.OutcomeSent {
		t.Fatalf("confirmation after the reply: %q %v", o, err)
	}
	if o, err := f.send(notYet); err != nil || o != delivery.OutcomeSuppressed {
		t.Fatalf("reply claimed after the opt-out: %q %v", o, err)
	}
	got := f.carrier.bodies()
	if len(got) != 2 || got[0] != "On its way" || got[1] != chat.DefaultSettings().Text("en", chat.MsgOptOutConfirm) {
		t.Fatalf("carrier got %q, want the reply then the confirmation", got)
	}

	// The consent lists the claims that may still be on their way: the
	// confirmation's claim read the reply, done, and dropped it.
	c, err := f.store.Consent(f.ctx, number, consumer)
	if err != nil {
		t.Fatal(err)
	}
	var refs []chat.Ref
	for _, sc := range c.Sending {
		refs = append(refs, sc.Ref)
	}
	if !slices.Equal(refs, []chat.Ref{confirmation}) {
		t.Errorf("registered claims %v, want [%v]", refs, confirmation)
	}
}

// TestHelpAfterOptOutFollowsTheConfirmation: an opted-out consumer's HELP
// is answered, after the confirmation still in its carrier call.
func TestHelpAfterOptOutFollowsTheConfirmation(t *testing.T) {
	f := newFixture(t)
	confirmText := chat.DefaultSettings().Text("en", chat.MsgOptOutConfirm)
	release := f.carrier.holdBody(confirmText)
	confirmation := f.text("STOP")[0]
	first := make(chan error, 1)
	go func() {
		_, err := f.send(confirmation)
		first <- err
	}()
	<-f.carrier.calling

	help := f.text("HELP")
	if len(help) != 1 {
		t.Fatalf("HELP after the opt-out decided %d replies, want the help text", len(help))
	}
	if _, err := f.send(help[0]); !errors.Is(err, delivery.ErrSendInProgress) {
		t.Fatalf("help text sent while the confirmation was in its carrier call: %v", err)
	}
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if o, err := f.send(help[0]); err != nil || o != delivery.OutcomeSent {
		t.Fatalf("help text: %q %v", o, err)
	}
	if got := f.carrier.bodies(); len(got) != 2 || got[0] != confirmText || got[1] != chat.DefaultSettings().Text("en", chat.MsgHelp) {
		t.Fatalf("carrier got %q, want the confirmation then the help text", got)
	}
}
