package conversation_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestStoredChatCarriesItsIndex: the inbox preview, unread count and
// search tokens are computed on the chat before it is written, so the
// stored chat has them (they were once computed after the write, on a
// copy nobody stored).
func TestStoredChatCarriesItsIndex(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	set := jobs.Compose(jobs.Clients{Store: mem, Bus: discardBus{}, Tasks: discardTasks{},
		Senders: map[string]carrier.Sender{wire.ProviderTwilio: &acceptingCarrier{}},
		URLs:    wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: clock.Clock{Now: func() time.Time { return now }}})
	tests := []struct {
		body        string
		wantInbound int64
	}{
		{"Hi, my parcel is late", 1},
		{"It is order 1234", 2},
	}
	var chatID string
	for i, tc := range tests {
		in := chat.Inbound{Provider: "twilio", ProviderMessageID: "SMindex" + string(rune('a'+i)), Number: "+14155550101",
			Consumer: "+14155550199", Body: tc.body}
		if _, err := set.Intake.Accept(ctx, in); err != nil {
			t.Fatal(err)
		}
		in.ID = "twilio_" + in.ProviderMessageID
		if err := set.Conversation.RouteInbound(ctx, in); err != nil {
			t.Fatal(err)
		}
		rec, err := mem.Inbound(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.ChatID != "" {
			chatID = rec.ChatID
		}
		c, err := mem.Chat(ctx, chatID)
		if err != nil {
			t.Fatalf("text %d: chat %q: %v", i, chatID, err)
		}
		if c.LastBody != tc.body || c.Inbound != tc.wantInbound {
			t.Errorf("text %d: stored chat has lastBody %q, inbound %d; want %q, %d", i, c.LastBody, c.Inbound, tc.body, tc.wantInbound)
		}
		if !slices.Contains(c.SearchTokens, "parcel") {
			t.Errorf("text %d: stored search tokens %v lack \"parcel\"", i, c.SearchTokens)
		}
	}
}
