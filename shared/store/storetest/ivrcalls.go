package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/store"
)

func testIVRCalls(t *testing.T, s store.Store) {
	is := ivrStore(t, s)
	if _, err := is.Call(ctx(t), "call-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Call(missing) = %v, want ErrNotFound", err)
	}
	want := ivrrec.Call{ID: "call-1", Session: "projects/p/locations/l/agents/a/sessions/call-1", Caller: "+12125550100",
		IVRQueue: "billing", WaitTimeAsked: true, Created: t0, ExpireAt: t0.Add(ivrrec.CallRetention)}
	got, err := is.UpdateCall(ctx(t), "call-1", func(c *ivrrec.Call, found bool) error {
		if found || c.ID != "call-1" {
			t.Errorf("new call: found %v, id %q", found, c.ID)
		}
		*c = want
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "created call", want, got)
	want.WaitTimeAnswer, want.WaitTimeChatID = ivrrec.WaitTimeYes, "chat-1"
	want.AgentID, want.InCallChatID, want.InCallNumber = "ben", "chat-2", "+14155550102"
	want.ConnectedAt, want.EndedAt = t0.Add(time.Minute), t0.Add(time.Hour)
	if _, err := is.UpdateCall(ctx(t), "call-1", func(c *ivrrec.Call, found bool) error {
		if !found {
			t.Error("stored call not found")
		}
		*c = want
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("refused")
	if _, err := is.UpdateCall(ctx(t), "call-1", func(c *ivrrec.Call, _ bool) error { c.AgentID = "x"; return boom }); !errors.Is(err, boom) {
		t.Errorf("failing update = %v, want its error", err)
	}
	got, err = is.Call(ctx(t), "call-1")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "updated call (a failed update changes nothing)", want, got)
}

// testIVRAppTokens: a token is exchanged by one of many concurrent
// exchanges, as the app SDK retrying on a flaky network would race.
func testIVRAppTokens(t *testing.T, s store.Store) {
	is := ivrStore(t, s)
	if _, err := is.UpdateAppToken(ctx(t), "nope", func(*ivrrec.AppToken) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateAppToken(missing) = %v, want ErrNotFound", err)
	}
	tok := ivrrec.AppToken{Digest: "d1", CallID: "call-1", AgentID: "ben", IVRQueue: "billing", ChatID: "chat-2",
		Created: t0, ExpiresAt: t0.Add(ivrrec.AppTokenTTL), ExpireAt: t0.Add(24 * time.Hour)}
	if err := is.PutAppToken(ctx(t), tok); err != nil {
		t.Fatal(err)
	}
	used := errors.New("used")
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := is.UpdateAppToken(ctx(t), "d1", func(x *ivrrec.AppToken) error {
				if !x.UsedAt.IsZero() {
					return used
				}
				x.UsedAt = t0.Add(time.Minute)
				return nil
			})
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, used):
				t.Errorf("exchange: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("%d exchanges succeeded, want 1", n)
	}
	got, err := is.UpdateAppToken(ctx(t), "d1", func(*ivrrec.AppToken) error { return used })
	if !errors.Is(err, used) {
		t.Fatalf("read-back = %v", err)
	}
	tok.UsedAt = t0.Add(time.Minute)
	diff(t, "exchanged token", tok, got)
}
