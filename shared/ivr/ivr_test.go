package ivr

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func validQueue() ivrrec.Queue {
	return ivrrec.Queue{ID: "billing-ivr", Enabled: true, ThresholdMinutes: 5, SMSQueue: "bill", Number: "+14155550100",
		DefaultLanguage: "en", Texts: map[string]ivrrec.Texts{"en": {Offer: "o", OptedIn: "i", Greeting: "g"}}}
}

func TestValidate(t *testing.T) {
	cfg := chat.Config{
		Queues:  []chat.Queue{{ID: "top", Name: "Top"}, {ID: "bill", Name: "Billing", ParentID: "top"}},
		Numbers: []chat.Number{{E164: "+14155550100"}, {E164: "+14155550102", InCall: true}},
	}
	tests := []struct {
		name   string
		mod    func(*ivrrec.Queue)
		fields []string
	}{
		{"valid", func(*ivrrec.Queue) {}, nil},
		{"threshold 0 offers always", func(q *ivrrec.Queue) { q.ThresholdMinutes = 0 }, nil},
		{"number in another spelling", func(q *ivrrec.Queue) { q.Number = "(415) 555-0100" }, nil},
		{"negative threshold", func(q *ivrrec.Queue) { q.ThresholdMinutes = -1 }, []string{"thresholdMinutes"}},
		{"unknown SMS queue", func(q *ivrrec.Queue) { q.SMSQueue = "nope" }, []string{"smsQueue"}},
		{"SMS queue not a leaf", func(q *ivrrec.Queue) { q.SMSQueue = "top" }, []string{"smsQueue"}},
		{"unknown number", func(q *ivrrec.Queue) { q.Number = "+14155550199" }, []string{"number"}},
		{"bad id", func(q *ivrrec.Queue) { q.ID = "a/b" }, []string{"id"}},
		{"an in-call number", func(q *ivrrec.Queue) { q.Number = "+14155550102" }, []string{"number"}},
		{"wait-time without its texts", func(q *ivrrec.Queue) { q.WaitTime = true }, []string{"texts.en.waitTimeAsk", "texts.en.waitTimeInvite"}},
		{"wait-time with its texts", func(q *ivrrec.Queue) {
			q.WaitTime = true
			q.Texts["en"] = ivrrec.Texts{Offer: "o", OptedIn: "i", Greeting: "g", WaitTimeAsk: "a", WaitTimeInvite: "v"}
		}, nil},
		{"default language without texts", func(q *ivrrec.Queue) { q.DefaultLanguage = "es" }, []string{"defaultLanguage"}},
		{"empty and long texts", func(q *ivrrec.Queue) {
			q.Texts["es"] = ivrrec.Texts{Offer: "o", OptedIn: strings.Repeat("x", 1601)}
		}, []string{"texts.es.greeting", "texts.es.optedIn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := validQueue()
			tt.mod(&q)
			err := Validate(q, cfg)
			var got []string
			var ve *chat.ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("problems %v (%v), want %v", got, err, tt.fields)
			}
		})
	}
}

func TestOnceRunsATurnOnce(t *testing.T) {
	st := memstore.New()
	now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	s := &Service{Store: storeOf(st), Clock: clock.Clock{Now: func() time.Time { return now }}, SendWait: time.Second, Poll: time.Millisecond}
	var runs atomic.Int32
	fn := func(context.Context) ([]byte, error) { runs.Add(1); return []byte(`{"n":1}`), nil }
	ctx := context.Background()
	for range 3 {
		out, err := s.Once(ctx, "sess", "deflection-accept", "turn-1", fn)
		if err != nil || string(out) != `{"n":1}` {
			t.Fatalf("Once = %s, %v", out, err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("ran %d times, want once", n)
	}
	// Another turn, or another tag, runs.
	_, _ = s.Once(ctx, "sess", "deflection-accept", "turn-2", fn)
	_, _ = s.Once(ctx, "sess", "ewt", "turn-1", fn)
	if n := runs.Load(); n != 3 {
		t.Errorf("ran %d times, want 3", n)
	}
	// A failed turn is left to the retry once its lease is out.
	boom := errors.New("boom")
	if _, err := s.Once(ctx, "sess", "x", "t", func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failing turn = %v", err)
	}
	if _, err := s.Once(ctx, "sess", "x", "t", fn); !errors.Is(err, ErrTurnBusy) {
		t.Errorf("retry within the lease = %v, want ErrTurnBusy", err)
	}
	now = now.Add(TurnLease + time.Second)
	if out, err := s.Once(ctx, "sess", "x", "t", fn); err != nil || string(out) != `{"n":1}` {
		t.Errorf("retry after the lease = %s, %v", out, err)
	}
}

func TestFillAndQueuePath(t *testing.T) {
	got := Fill("Wait @{ESTIMATED_WAIT_TIME_IN_MINUTES} min, @{QUEUE_SIZE} ahead, @{UNKNOWN}", map[string]string{"ESTIMATED_WAIT_TIME_IN_MINUTES": "7", "QUEUE_SIZE": "3"})
	if got != "Wait 7 min, 3 ahead, @{UNKNOWN}" {
		t.Errorf("Fill = %q", got)
	}
	tree := chat.NewTree(chat.DefaultSettings(), []chat.Queue{{ID: "en", Name: "English"}, {ID: "bill", Name: "Billing", ParentID: "en"}}, nil)
	if got := tree.Path("bill"); got != "English > Billing" {
		t.Errorf("QueuePath = %q", got)
	}
}

// storeOf gives the memstore as the IVR's Store.
func storeOf(st *memstore.Store) Store { return st }
