package conversation_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/presence"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestPresence: an agent whose console stopped polling is not offered a
// chat (before, an agent who closed the tab stayed available and the
// consumer waited out the offer), and polls are written at most every
// 20 s, not once each.
func TestPresence(t *testing.T) {
	tests := []struct {
		name      string
		silent    time.Duration
		wantOffer bool
	}{
		{"polling console", 30 * time.Second, true},
		{"console silent past the away time", presence.DefaultAwayAfter + time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := logging.WithEntry(context.Background(), logrus.NewEntry(logging.New(io.Discard, logrus.InfoLevel, "")))
			mem := memstore.New()
			if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
				t.Fatal(err)
			}
			ben, err := mem.Agent(ctx, "ben")
			if err != nil {
				t.Fatal(err)
			}
			ben.Status = chat.AgentAway // Billing is then Ana's alone
			if err := mem.PutAgent(ctx, ben); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
			st := counting.Wrap(mem)
			a := jobs.Compose(jobs.Clients{Store: st, Bus: discardBus{}, Tasks: discardTasks{},
				URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}, Clock: clock.Clock{Now: func() time.Time { return now }}})

			// Ana's console polls every second for 10 s: one write.
			before := st.Counts()
			for range 10 {
				if err := a.Conversation.Seen(ctx, "ana"); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Second)
			}
			if w := st.Counts().Writes - before.Writes; w != 1 {
				t.Errorf("10 polls in 10 s wrote %d times, want 1", w)
			}
			if ag, _ := mem.Agent(ctx, "ana"); ag.LastSeenAt.IsZero() {
				t.Error("the poll was not recorded on the agent")
			}

			// Then the console goes quiet; a consumer picks Billing.
			now = now.Add(tc.silent)
			consumer := "+14155550199"
			var c chat.Chat
			for i, body := range []string{"Hi", "1"} {
				in := chat.Inbound{Provider: "twilio", ProviderMessageID: fmt.Sprintf("SMp%d", i), Number: "+14155550101", Consumer: consumer, Body: body}
				if _, err := a.Intake.Accept(ctx, in); err != nil {
					t.Fatal(err)
				}
				in.ID = "twilio_" + in.ProviderMessageID
				if err := a.Conversation.RouteInbound(ctx, in); err != nil {
					t.Fatal(err)
				}
				rec, err := mem.Inbound(ctx, in.ID)
				if err != nil {
					t.Fatal(err)
				}
				if c, err = mem.Chat(ctx, rec.ChatID); err != nil {
					t.Fatal(err)
				}
			}
			if c.QueueID != "en-billing" {
				t.Fatalf("the chat is in %s, want en-billing", c.QueueID)
			}
			offered := c.Offer != nil && c.Offer.AgentID == "ana" || c.AgentID == "ana"
			if offered != tc.wantOffer {
				t.Errorf("offered to Ana: %v, want %v (chat %s, offer %+v)", offered, tc.wantOffer, c.Status, c.Offer)
			}
			ana, _ := mem.Agent(ctx, "ana")
			if !tc.wantOffer && (ana.Status != chat.AgentAway || ana.StatusReason != presence.Reason) {
				t.Errorf("Ana is %s (%q), want away (%q)", ana.Status, ana.StatusReason, presence.Reason)
			}
		})
	}
}
