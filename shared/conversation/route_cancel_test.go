package conversation_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// cancelAfterCommit ends the armed request's context as soon as a
// transaction commits, as a connection dropped at that moment does, or,
// with before, as the transaction starts (a commit whose answer is cut
// off looks the same to the caller).
type cancelAfterCommit struct {
	*memstore.Store
	mu     sync.Mutex
	cancel context.CancelFunc
	before bool
}

func (s *cancelAfterCommit) arm(cancel context.CancelFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel = cancel
}

func (s *cancelAfterCommit) RunTx(ctx context.Context, fn func(tx store.Tx) error) error {
	s.mu.Lock()
	cancel, before := s.cancel, s.before
	s.mu.Unlock()
	if cancel != nil && before {
		cancel()
	}
	err := s.Store.RunTx(ctx, fn)
	if cancel != nil {
		cancel()
	}
	return err
}

// recordingTasks refuses an enqueue with an ended context, as the Cloud
// Tasks client does, and records the others.
type recordingTasks struct {
	mu    sync.Mutex
	names []string
}

func (r *recordingTasks) Enqueue(ctx context.Context, _ string, t tasks.Task) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, t.Name)
	return nil
}

func (r *recordingTasks) Delete(context.Context, string, string) error { return nil }

func (r *recordingTasks) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.names, name)
}

// TestCommittedChangeIsHandedOverAfterItsRequestEnds: once a change has
// committed, its reply's send task is enqueued even though the request's
// context ended right then (a push connection dropped, an agent closing
// the console); a routing runs to its end even when its request ends
// before it commits. Before, the enqueue (or the transaction) failed with
// the context and the reply stayed pending unless a redelivery or a
// retried POST came; the Pub/Sub fault drill found both.
func TestCommittedChangeIsHandedOverAfterItsRequestEnds(t *testing.T) {
	const number, consumer = "+14155550101", "+14155550177"
	tests := []struct {
		name   string
		before bool     // the request ends as the transaction starts
		setup  []string // texts routed first, with a context that stays
		act    func(ctx context.Context, a *jobs.Set, mem *memstore.Store, chatID string) (chat.Ref, error)
	}{
		{"a consumer's first text", false, nil, func(ctx context.Context, a *jobs.Set, mem *memstore.Store, _ string) (chat.Ref, error) {
			return routeText(ctx, a, mem, "SMfirst", number, consumer, "Hi")
		}},
		{"a consumer's first text, the request ending before the commit", true, nil, func(ctx context.Context, a *jobs.Set, mem *memstore.Store, _ string) (chat.Ref, error) {
			return routeText(ctx, a, mem, "SMfirst", number, consumer, "Hi")
		}},
		{"an agent's reply", false, []string{"Hi", "2"}, func(ctx context.Context, a *jobs.Set, _ *memstore.Store, chatID string) (chat.Ref, error) {
			m, err := a.Conversation.Reply(ctx, benV, chatID, conversation.ReplyInput{Body: "Hello, Ben here", RequestID: "r1"})
			return m.Ref(), err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := logging.WithEntry(context.Background(), logrus.NewEntry(logging.New(io.Discard, logrus.InfoLevel, "")))
			mem := memstore.New()
			if err := demo.Load(base, mem, demo.Demo()); err != nil {
				t.Fatal(err)
			}
			st := &cancelAfterCommit{Store: mem}
			rec := &recordingTasks{}
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			a := jobs.Compose(jobs.Clients{Store: st, Bus: discardBus{}, Tasks: rec,
				URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: clock.Clock{Now: func() time.Time { return now }}})
			var chatID string
			for i, body := range tc.setup {
				ref, err := routeText(base, &a, mem, fmt.Sprintf("SMsetup%d", i), number, consumer, body)
				if err != nil {
					t.Fatal(err)
				}
				chatID = ref.ChatID
			}
			ctx, cancel := context.WithCancel(base)
			defer cancel()
			st.before = tc.before
			st.arm(cancel)
			ref, err := tc.act(ctx, &a, mem, chatID)
			if err != nil {
				t.Fatalf("with the request ending at the commit: %v", err)
			}
			if ctx.Err() == nil {
				t.Fatal("the test's store did not end the request's context")
			}
			if want := wire.SendTaskName(ref); !rec.has(want) {
				t.Errorf("tasks enqueued %v, want %s", rec.names, want)
			}
		})
	}
}

// routeText takes a consumer's text through the webhook's record and
// RouteInbound and returns its first reply.
func routeText(ctx context.Context, a *jobs.Set, mem *memstore.Store, sid, number, consumer, body string) (chat.Ref, error) {
	in := chat.Inbound{Provider: "twilio", ProviderMessageID: sid, Number: number, Consumer: consumer, Body: body}
	if _, err := a.Intake.Accept(context.WithoutCancel(ctx), in); err != nil {
		return chat.Ref{}, err
	}
	in.ID = "twilio_" + sid
	if err := a.Conversation.RouteInbound(ctx, in); err != nil {
		return chat.Ref{}, err
	}
	rec, err := mem.Inbound(context.WithoutCancel(ctx), in.ID)
	if err != nil || len(rec.Replies) == 0 {
		return chat.Ref{}, fmt.Errorf("inbound %s: replies %v: %w", in.ID, rec.Replies, err)
	}
	return rec.Replies[0], nil
}
