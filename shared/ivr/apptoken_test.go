package ivr

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// An app token is exchanged once within its 10 minutes: a second exchange,
// a late one, an unknown one and a token of another issue are refused; of
// concurrent exchanges one wins; the store holds only the digest.
func TestAppToken(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	s := &Service{Store: st, Clock: clock.Clock{Now: func() time.Time { return now }}}
	call := Call{Session: "projects/p/locations/l/agents/a/sessions/call-9", ID: "call-9", Caller: "+12125550199"}
	if _, err := s.updateCall(ctx, call, func(c *ivrrec.Call) error { c.IVRQueue = "billing"; return nil }); err != nil {
		t.Fatal(err)
	}
	c := chat.Chat{ID: "chat-9", CallID: "call-9"}
	issue := func() string {
		t.Helper()
		l, err := s.IssueAppLink(ctx, "https://app.acme.example/open?src=sms", c, "ben")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(l.URL, "https://app.acme.example/open?") || !strings.Contains(l.URL, "src=sms") || !l.ExpiresAt.Equal(now.Add(10*time.Minute)) {
			t.Fatalf("link %+v", l)
		}
		_, tok, _ := strings.Cut(l.URL, "token=")
		if len(tok) < 43 {
			t.Fatalf("token %q is short", tok)
		}
		if _, err := st.UpdateAppToken(ctx, tok, func(*ivrrec.AppToken) error { return nil }); err == nil {
			t.Fatal("the token itself is a key of the store; only its digest may be")
		}
		return tok
	}

	tok := issue()
	tests := []struct {
		name    string
		token   string
		advance time.Duration
		want    error
	}{
		{"fresh", tok, 0, nil},
		{"again", tok, 0, ErrTokenUsed},
		{"unknown", "nope", 0, ErrTokenUnknown},
		{"empty", "", 0, ErrTokenUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ExchangeAppToken(ctx, tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("exchange = %+v, %v; want %v", got, err, tt.want)
			}
			if err == nil && (got != CallContext{CallID: "call-9", AgentID: "ben", IVRQueue: "billing", ChatID: "chat-9", Caller: "+12125550199"}) {
				t.Errorf("context %+v", got)
			}
		})
	}

	late := issue()
	now = now.Add(ivrrec.AppTokenTTL)
	if _, err := s.ExchangeAppToken(ctx, late); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("exchange at 10 minutes = %v, want ErrTokenExpired", err)
	}
	now = now.Add(-time.Second)
	if _, err := s.ExchangeAppToken(ctx, late); err != nil {
		t.Errorf("exchange a second before = %v", err)
	}

	raced := issue()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.ExchangeAppToken(ctx, raced); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, ErrTokenUsed) {
				t.Errorf("racing exchange: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d of 10 concurrent exchanges won, want 1", wins)
	}
	if _, err := s.IssueAppLink(ctx, "https://app.acme.example/", chat.Chat{ID: "x"}, "ben"); !errors.Is(err, ErrNotCallChat) {
		t.Errorf("a link in a chat of no call = %v", err)
	}
}
