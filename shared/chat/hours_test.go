package chat

import (
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// fixedHours closes the queues whose hours name the zone "closed".
type fixedHours struct{ reopen time.Time }

func (f fixedHours) Closed(h Hours, lang string, now time.Time) (time.Time, string, bool) {
	if h.TimeZone != "closed" {
		return time.Time{}, "", false
	}
	return f.reopen, "8:00 AM tomorrow/" + lang, true
}

func TestClosedQueue(t *testing.T) {
	now := time.Date(2027, 1, 5, 23, 0, 0, 0, time.UTC)
	reopen := now.Add(9 * time.Hour)
	tests := []struct {
		name       string
		hours      Hours
		wantStatus Status
		wantText   string
	}{
		{"ends after hours", Hours{TimeZone: "closed"}, StatusEnded, "Please text us again then"},
		{"waits for the opening", Hours{TimeZone: "closed", WhenClosed: ClosedWait}, StatusQueued, "keep your place in line"},
		{"open", Hours{TimeZone: "open"}, StatusQueued, "you are in line"},
	}
	for _, tc := range tests {
		c := Config{
			Settings: DefaultSettings(),
			Numbers:  []Number{{E164: "+14155550101", Provider: "twilio", EntryQueue: "en", Language: "en", Enabled: true}},
			Queues: []Queue{
				{ID: "en", Name: "English"},
				{ID: "bill", ParentID: "en", Name: "Billing", Order: 1, Keywords: []string{"1"}, Agents: []string{"ana"}},
				{ID: "tech", ParentID: "en", Name: "Tech", Order: 2, Keywords: []string{"2"}},
			},
			Agents: []Agent{{ID: "ana", Name: "Ana", Capacity: 2, Status: AgentAvailable}},
		}
		h := tc.hours
		c.Queues[1].Hours = &h
		tree := c.Tree()
		tree.Calendar = fixedHours{reopen}
		st := InboundState{Settings: c.Settings, Tree: tree, Number: c.Numbers[0], Consent: Consent{State: ConsentOptedIn}}
		out := ReceiveInbound(st, Inbound{ID: "in1", Number: c.Numbers[0].E164, Consumer: "+14155550199", Body: "hi"}, "c1", now)
		if out.Chat.Status != StatusMenu {
			t.Fatalf("%s: first text: %s %+v", tc.name, out.Chat.Status, out.Messages)
		}
		ch := Begin(out.Chat, tree, now, "in2")
		ch.navigate(sms.CommandNone, "1", "en")
		if tc.name == "open" {
			ch.Assign(nil)
		}
		last := ch.Messages[len(ch.Messages)-1].Body
		if ch.Chat.Status != tc.wantStatus || !strings.Contains(last, tc.wantText) {
			t.Errorf("%s: %s %q, want %s %q", tc.name, ch.Chat.Status, last, tc.wantStatus, tc.wantText)
		}
		switch tc.name {
		case "ends after hours":
			if ch.Chat.EndReason != EndFailed || ch.Chat.FailReason != FailAfterHours || !strings.Contains(last, "8:00 AM tomorrow/en") {
				t.Errorf("%s: %s %s %q", tc.name, ch.Chat.EndReason, ch.Chat.FailReason, last)
			}
		case "waits for the opening":
			due, armed := ch.Chat.Armed(TimerOpening)
			if !armed || !due.Equal(reopen) || ch.NeedsAgent || Eligible(Agent{ID: "ana", Status: AgentAvailable, Capacity: 2}, ch.Chat) {
				t.Errorf("%s: opening %v %v, needs agent %v", tc.name, due, armed, ch.NeedsAgent)
			}
			if _, armed := ch.Chat.Armed(TimerQueue); armed {
				t.Errorf("%s: the queue timer runs before the opening", tc.name)
			}
			open := Begin(ch.Chat, tree, reopen, "timer")
			open.Fire(TimerOpening)
			qdue, armed := open.Chat.Armed(TimerQueue)
			if !open.NeedsAgent || !armed || !qdue.Equal(reopen.Add(time.Hour)) || !Eligible(Agent{ID: "ana", Status: AgentAvailable, Capacity: 2}, open.Chat) {
				t.Errorf("%s: at the opening needs agent %v, queue timer %v %v", tc.name, open.NeedsAgent, qdue, armed)
			}
		}
	}
}
