package proactive

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

const (
	usNumber   = "+14155550100" // San Francisco: America/Los_Angeles
	usConsumer = "+12125550123" // New York: America/New_York
)

// noon is 12:00 in New York, inside every default window.
var noon = time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)

func settings() chat.Settings {
	s := chat.DefaultSettings()
	s.OutboundEnabled = true
	s.Program.Name = "Acme"
	return s
}

func number() chat.Number {
	return chat.Number{E164: usNumber, Provider: "twilio", EntryQueue: "bill", Language: "en", Enabled: true, CampaignStatus: "verified"}
}

func tree(s chat.Settings) *chat.Tree {
	return chat.NewTree(s, []chat.Queue{{ID: "bill", Name: "Billing", Agents: []string{"ana"}}}, nil)
}

func start(mod func(*Start)) Start {
	s := settings()
	in := Start{
		Settings: s, Tree: tree(s), Number: number(), Consumer: usConsumer,
		Bodies: []string{"Your order shipped."}, Origin: Origin{APIKeyID: "key1"}, ChatID: "c1", Now: noon, Hold: true,
	}
	if mod != nil {
		mod(&in)
	}
	return in
}

func TestBeginRefusals(t *testing.T) {
	optedOut := chat.Consent{State: chat.ConsentOptedOut, Source: chat.SourceKeyword, Keyword: "STOP", UpdatedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	open := chat.Chat{ID: "open1", Status: chat.StatusActive}
	tests := []struct {
		name    string
		mod     func(*Start)
		code    Code
		message string
	}{
		{"channel off", func(in *Start) { in.Settings.ChannelEnabled = false }, CodeChannelOff, "SMS is not enabled"},
		{"outbound off", func(in *Start) { in.Settings.OutboundEnabled = false }, CodeOutboundOff, "Outbound SMS is not enabled"},
		{"number disabled", func(in *Start) { in.Number.Enabled = false }, CodeNumberDisabled, "outbound_number +14155550100 is disabled"},
		{"unregistered long code", func(in *Start) { in.Number.CampaignStatus = "" }, CodeCampaign, "outbound_number campaign is not active: +14155550100 is a US long code whose 10DLC campaign is not registered"},
		{"pending campaign", func(in *Start) { in.Number.CampaignStatus = "pending" }, CodeCampaign, "outbound_number campaign is not active: +14155550100 is a US long code whose 10DLC campaign is pending"},
		{"non-US recipient", func(in *Start) { in.Consumer = "+33612345678" }, CodeCountry, "Non-US phone number not allowed"},
		{"country outside a longer list", func(in *Start) {
			in.Settings.AllowedCountries = []string{"US", "CA"}
			in.Consumer = "+33612345678"
		}, CodeCountry, `phone number of country "FR" not allowed (allowed: US, CA)`},
		{"opted out", func(in *Start) { in.Consent = optedOut }, CodeOptedOut, "consumer has opted out: on 2026-11-30 09:00 UTC (keyword STOP)"},
		{"number the carrier said cannot receive texts", func(in *Start) {
			in.Consent = chat.Consent{State: chat.ConsentOptedIn, Undeliverable: "The consumer's number is a landline. (carrier error 30006)"}
		}, CodeUndeliverable, "end_user_number cannot receive texts: The consumer's number is a landline. (carrier error 30006)"},
		{"active session", func(in *Start) { in.Open = &open }, CodeActiveSession, "Outbound SMS failed. Consumer is already in an active SMS session."},
		{"quiet hours, not held", func(in *Start) {
			in.Hold = false
			in.Now = time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) // 22:00 in New York
		}, CodeQuietHours, "quiet hours in the recipient's time zone: texts may go out from 2026-12-02T13:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Begin(start(tt.mod))
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("Begin = %v, want a refusal", err)
			}
			if r.Code != tt.code || r.Message != tt.message {
				t.Errorf("refusal = %s %q, want %s %q", r.Code, r.Message, tt.code, tt.message)
			}
			if tt.code == CodeActiveSession && r.ChatID != "open1" {
				t.Errorf("refusal names chat %q, want open1", r.ChatID)
			}
		})
	}
}

func TestBeginStarts(t *testing.T) {
	ana := chat.Agent{ID: "ana", Name: "Ana Ruiz", Capacity: 3, Load: 1, Status: chat.AgentAvailable}
	optedIn := chat.Consent{State: chat.ConsentOptedIn, Source: chat.SourceFirstMessage}
	tests := []struct {
		name       string
		mod        func(*Start)
		wantKinds  []chat.Kind
		wantStatus chat.Status
		wantStart  chat.StartType
		wantHeld   time.Time
		wantOpen   bool
		wantTimers []chat.TimerKind
	}{
		{"API session, no consent on record: disclosure first, waits for the reply", nil,
			[]chat.Kind{chat.KindOptIn, chat.KindOutbound}, chat.StatusMenu, chat.StartOutbound, time.Time{}, true, []chat.TimerKind{chat.TimerExpiry}},
		{"agent-initiated, consent on record: no disclosure, assigned", func(in *Start) {
			in.Consent, in.Agent, in.Origin = optedIn, &ana, Origin{AgentID: "ana"}
		}, []chat.Kind{chat.KindOutbound}, chat.StatusActive, chat.StartOutbound, time.Time{}, true, []chat.TimerKind{chat.TimerEndUserInactivity}},
		{"sessionless, two texts: the chat only records them", func(in *Start) {
			in.Consent, in.Sessionless, in.Bodies = optedIn, true, []string{"one", "two"}
		}, []chat.Kind{chat.KindOutbound, chat.KindOutbound}, chat.StatusEnded, chat.StartSessionless, time.Time{}, false, nil},
		{"sessionless beside an open chat", func(in *Start) {
			in.Consent, in.Sessionless, in.Open = optedIn, true, &chat.Chat{ID: "o", Status: chat.StatusActive}
		}, []chat.Kind{chat.KindOutbound}, chat.StatusEnded, chat.StartSessionless, time.Time{}, false, nil},
		{"22:00 recipient time: held until 08:00", func(in *Start) {
			in.Consent, in.Now = optedIn, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
		}, []chat.Kind{chat.KindOutbound}, chat.StatusMenu, chat.StartOutbound, time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC), true, []chat.TimerKind{chat.TimerExpiry}},
		{"toll-free needs no campaign", func(in *Start) {
			in.Consent, in.Number.Type, in.Number.CampaignStatus = optedIn, chat.NumberTollFree, ""
		}, []chat.Kind{chat.KindOutbound}, chat.StatusMenu, chat.StartOutbound, time.Time{}, true, []chat.TimerKind{chat.TimerExpiry}},
		{"quiet hours turned off", func(in *Start) {
			in.Consent, in.Now = optedIn, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
			in.Settings.QuietHours = chat.QuietHours{Enabled: false, Start: "21:00", End: "08:00"}
		}, []chat.Kind{chat.KindOutbound}, chat.StatusMenu, chat.StartOutbound, time.Time{}, true, []chat.TimerKind{chat.TimerExpiry}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := start(tt.mod)
			out, err := Begin(in)
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			c := out.Change.Chat
			var kinds []chat.Kind
			for _, m := range out.Change.Messages {
				kinds = append(kinds, m.Kind)
				if !m.Proactive || m.SentBy != in.Origin.Basis() || !m.Send.NotBefore.Equal(tt.wantHeld) {
					t.Errorf("message %d: proactive %v, sent by %q, not before %v; want true, %q, %v", m.Seq, m.Proactive, m.SentBy, m.Send.NotBefore, in.Origin.Basis(), tt.wantHeld)
				}
			}
			if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(tt.wantKinds), ",") {
				t.Errorf("messages %v, want %v", kinds, tt.wantKinds)
			}
			if len(out.Change.Replies) != len(tt.wantKinds) {
				t.Errorf("%d replies to send, want %d", len(out.Change.Replies), len(tt.wantKinds))
			}
			if c.Status != tt.wantStatus || c.StartType != tt.wantStart || out.ThreadOpen != tt.wantOpen || !out.HeldUntil.Equal(tt.wantHeld) {
				t.Errorf("chat %s/%s open %v held %v, want %s/%s open %v held %v", c.Status, c.StartType, out.ThreadOpen, out.HeldUntil, tt.wantStatus, tt.wantStart, tt.wantOpen, tt.wantHeld)
			}
			var timers []chat.TimerKind
			for _, tm := range c.Timers {
				timers = append(timers, tm.Kind)
			}
			if len(timers) != len(tt.wantTimers) || (len(timers) > 0 && timers[0] != tt.wantTimers[0]) {
				t.Errorf("timers %v, want %v", timers, tt.wantTimers)
			}
			if in.Agent != nil && (c.AgentID != "ana" || out.Change.Agents["ana"].Load != 2) {
				t.Errorf("agent %q load %d, want ana with load 2", c.AgentID, out.Change.Agents["ana"].Load)
			}
			if (c.Status == chat.StatusMenu) != c.AwaitingReply {
				t.Errorf("awaiting reply %v with status %s", c.AwaitingReply, c.Status)
			}
			// The ledger: consent attested when none was on record, and the
			// legal basis of every proactive send.
			wantEvents := []chat.ConsentAction{chat.ActionProactive}
			if in.Consent.State == chat.ConsentUnknown {
				wantEvents = []chat.ConsentAction{chat.ActionOptIn, chat.ActionProactive}
			}
			if len(out.Events) != len(wantEvents) {
				t.Fatalf("ledger %+v, want %v", out.Events, wantEvents)
			}
			for i, ev := range out.Events {
				if ev.Action != wantEvents[i] || ev.Detail != in.Origin.Basis() || ev.Source != chat.SourceBusiness {
					t.Errorf("ledger %d = %+v, want %s by %s", i, ev, wantEvents[i], in.Origin.Basis())
				}
			}
			if out.Consent.State != chat.ConsentOptedIn {
				t.Errorf("consent %s, want opted-in", out.Consent.State)
			}
		})
	}
}

func kindStrings(ks []chat.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestGate(t *testing.T) {
	night := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) // 22:00 in New York
	proactive := chat.Message{Proactive: true, Kind: chat.KindOutbound}
	tests := []struct {
		name string
		s    func(*chat.Settings)
		n    func(*chat.Number)
		m    chat.Message
		now  time.Time
		want Decision
	}{
		{"reply at night passes", nil, nil, chat.Message{Kind: chat.KindText}, night, Decision{}},
		{"proactive at noon passes", nil, nil, proactive, noon, Decision{}},
		{"proactive at night waits for 08:00", nil, nil, proactive, night, Decision{Later: time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)}},
		{"campaign suspended since the request", nil, func(n *chat.Number) { n.CampaignStatus = "suspended" }, proactive, noon,
			Decision{Suppress: "outbound_number campaign is not active: +14155550100 is a US long code whose 10DLC campaign is suspended"}},
		{"outbound turned off since the request", func(s *chat.Settings) { s.OutboundEnabled = false }, nil, proactive, noon, Decision{Suppress: "Outbound SMS is not enabled"}},
		{"custom window 10:00-18:00 at 09:00", func(s *chat.Settings) {
			s.QuietHours = chat.QuietHours{Enabled: true, Start: "18:00", End: "10:00"}
		}, nil, proactive, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), Decision{Later: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, n := settings(), number()
			if tt.s != nil {
				tt.s(&s)
			}
			if tt.n != nil {
				tt.n(&n)
			}
			if got := Gate(s, n, usConsumer, tt.m, tt.now); got != tt.want {
				t.Errorf("Gate = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A number spanning zones is texted only when every zone allows it: 08:30
// in New York is still 07:30 in Chicago.
func TestHoldUntilEveryZone(t *testing.T) {
	s := settings()
	s.QuietHours = chat.QuietHours{Enabled: true, Start: "21:00", End: "08:00", TimeZone: "America/Chicago"}
	// +1 312 is Chicago; 13:30 UTC is 07:30 there.
	until, held, err := HoldUntil(s, "+13125550123", time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC))
	if err != nil || !held || !until.Equal(time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("HoldUntil = %v %v %v, want held until 14:00 UTC", until, held, err)
	}
}

// A caller who asked for texts on a call: the chat waits in the queue it
// was sent to with its start type, quiet hours do not hold the texts, the
// first is the caller's own opt-in (no disclosure before it) and the
// ledger names the call.
func TestBeginRequestedDeflection(t *testing.T) {
	night := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC) // 02:00 in New York
	in := start(func(in *Start) {
		in.Now, in.Hold, in.Requested = night, false, true
		in.Origin = Origin{Call: "call-7"}
		in.StartType, in.QueueID = chat.StartDeflected, "bill"
		in.Bodies = []string{"You asked to text us. Reply STOP to opt out.", "Hi, this is Acme Billing."}
	})
	out, err := Begin(in)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	c := out.Change.Chat
	if c.StartType != chat.StartDeflected || c.Status != chat.StatusQueued || c.QueueID != "bill" || !c.QueuedAt.Equal(night) || c.AwaitingReply || !out.Change.NeedsAgent {
		t.Errorf("chat %s/%s in %q queued at %v awaiting %v needs agent %v, want a deflected chat waiting in bill",
			c.StartType, c.Status, c.QueueID, c.QueuedAt, c.AwaitingReply, out.Change.NeedsAgent)
	}
	if !out.HeldUntil.IsZero() {
		t.Errorf("held until %v, want sent now", out.HeldUntil)
	}
	msgs := out.Change.Messages
	if len(msgs) != 2 || msgs[0].Body != in.Bodies[0] || msgs[1].Body != in.Bodies[1] {
		t.Fatalf("messages %+v, want the two bodies and no disclosure", msgs)
	}
	for _, m := range msgs {
		if m.Proactive || m.SentBy != "ivr:call-7" || !m.Send.NotBefore.IsZero() {
			t.Errorf("message %q proactive %v sent by %q not before %v, want a requested text from ivr:call-7", m.Body, m.Proactive, m.SentBy, m.Send.NotBefore)
		}
	}
	if out.Consent.State != chat.ConsentOptedIn || out.Consent.Source != "ivr:call-7" {
		t.Errorf("consent %+v, want opted in from ivr:call-7", out.Consent)
	}
	if len(out.Events) != 1 || out.Events[0].Action != chat.ActionOptIn || out.Events[0].Source != "ivr:call-7" {
		t.Errorf("ledger %+v, want one opt-in from ivr:call-7", out.Events)
	}
	// An opted-out caller is still refused: asking on a call is not START.
	in.Consent = chat.Consent{State: chat.ConsentOptedOut, Source: chat.SourceKeyword}
	var r *Refusal
	if _, err := Begin(in); !errors.As(err, &r) || r.Code != CodeOptedOut {
		t.Errorf("opted-out caller: %v, want %s", err, CodeOptedOut)
	}
}
