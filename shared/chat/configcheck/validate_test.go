package configcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func validConfig() chat.Config {
	s := chat.DefaultSettings()
	s.Languages = []string{"en", "es"}
	return chat.Config{
		Settings: s,
		Numbers:  []chat.Number{{E164: "+14155550101", Provider: "twilio", EntryQueue: "en", Language: "en", Enabled: true}},
		Queues: []chat.Queue{
			{ID: "en", Name: "English"},
			{ID: "bill", ParentID: "en", Name: "Billing", Order: 1, Keywords: []string{"1"}, Agents: []string{"ana"}},
			{ID: "tech", ParentID: "en", Name: "Tech", Order: 2, Keywords: []string{"2"}, Teams: []string{"t1"}},
		},
		Teams:  []chat.Team{{ID: "t1", Name: "Tier 1", Members: []string{"ana"}}},
		Agents: []chat.Agent{{ID: "ana", Name: "Ana", Capacity: 2, Status: chat.AgentAvailable}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(c *chat.Config)
		wantField string // "" means valid
		wantText  string
	}{
		{"valid", func(c *chat.Config) {}, "", ""},
		{"keyword is STOP", func(c *chat.Config) { c.Queues[1].Keywords = []string{"STOP"} }, "queues[1].keywords[0]", "SMS command"},
		{"keyword is the BACK word", func(c *chat.Config) { c.Queues[1].Keywords = []string{"back"} }, "queues[1].keywords[0]", "SMS command"},
		{"keyword is a configured EXIT word", func(c *chat.Config) {
			c.Settings.ExitWords = []string{"BYE"}
			c.Queues[2].Keywords = []string{"bye"}
		}, "queues[2].keywords[0]", "SMS command"},
		{"queue name is HELP", func(c *chat.Config) { c.Queues[2].Name = "Help" }, "queues[2].name", "SMS command"},
		{"duplicate keywords among siblings", func(c *chat.Config) { c.Queues[2].Keywords = []string{"1"} }, "queues[2].keywords", "also selects sibling"},
		{"position clashes with a keyword", func(c *chat.Config) { c.Queues[1].Keywords = nil; c.Queues[2].Keywords = []string{"1"} }, "queues[2].keywords", "also selects sibling"},
		{"cycle", func(c *chat.Config) { c.Queues[0].ParentID = "bill" }, "queues[0].parentId", "cycle"},
		{"self parent", func(c *chat.Config) { c.Queues[2].ParentID = "tech" }, "queues[2].parentId", "cycle"},
		{"timeout too long", func(c *chat.Config) { c.Queues[1].Timeouts.QueueMinutes = 10081 }, "queues[1].timeouts.queueMinutes", "between 1 and 10080"},
		{"negative timeout", func(c *chat.Config) { c.Settings.Timeouts.OfferMinutes = -1 }, "settings.timeouts.offerMinutes", "between 1 and 10080"},
		{"unknown entry queue", func(c *chat.Config) { c.Numbers[0].EntryQueue = "nope" }, "numbers[0].entryQueue", "unknown queue"},
		{"unknown parent", func(c *chat.Config) { c.Queues[1].ParentID = "nope" }, "queues[1].parentId", "unknown queue"},
		{"unknown agent", func(c *chat.Config) { c.Queues[1].Agents = []string{"zed"} }, "queues[1].agents[0]", "unknown agent"},
		{"unknown team", func(c *chat.Config) { c.Queues[2].Teams = []string{"t9"} }, "queues[2].teams[0]", "unknown team"},
		{"unknown team member", func(c *chat.Config) { c.Teams[0].Members = []string{"zed"} }, "teams[0].members[0]", "unknown agent"},
		{"number not E.164", func(c *chat.Config) { c.Numbers[0].E164 = "4155550101" }, "numbers[0].e164", "E.164"},
		{"unknown provider", func(c *chat.Config) { c.Numbers[0].Provider = "carrier-pigeon" }, "numbers[0].provider", "one of"},
		{"short code", func(c *chat.Config) { c.Numbers[0].E164, c.Numbers[0].Type = "898211", chat.NumberShortCode }, "", ""},
		{"alphanumeric sender id", func(c *chat.Config) { c.Numbers[0].E164 = "ACME" }, "", ""},
		{"neither E.164, short code nor sender id", func(c *chat.Config) { c.Numbers[0].E164 = "ACME-BANK" }, "numbers[0].e164", "nor is it a short code"},
		{"Messaging Service", func(c *chat.Config) { c.Numbers[0].MessagingServiceSID = "MG0123456789abcdef0123456789abcdef" }, "", ""},
		{"malformed Messaging Service SID", func(c *chat.Config) { c.Numbers[0].MessagingServiceSID = "MG123" }, "numbers[0].messagingServiceSid", "MG and 32 hexadecimal digits"},
		{"Messaging Service on a Telnyx number", func(c *chat.Config) {
			c.Numbers[0].Provider, c.Numbers[0].MessagingServiceSID = "telnyx", "MG0123456789abcdef0123456789abcdef"
		}, "numbers[0].messagingServiceSid", "only a Twilio number"},
		{"duplicate number", func(c *chat.Config) { c.Numbers = append(c.Numbers, c.Numbers[0]) }, "numbers[1].e164", "duplicate"},
		{"back word is STOP", func(c *chat.Config) { c.Settings.BackWords = []string{"stop"} }, "settings.backWords[0]", "fixed"},
		{"unknown system message", func(c *chat.Config) { c.Queues[0].Messages = map[string]map[string]string{"en": {"greetz": "hi"}} }, "queues[0].messages.en.greetz", "unknown system message"},
		{"queue language not offered", func(c *chat.Config) { c.Queues[0].Language = "fr" }, "queues[0].language", "not one of settings.languages"},
		{"number language not offered", func(c *chat.Config) { c.Numbers[0].Language = "de" }, "numbers[0].language", "not one of settings.languages"},
		{"default language not offered", func(c *chat.Config) { c.Settings.DefaultLanguage = "pt" }, "settings.defaultLanguage", "not one of settings.languages"},
		{"any language when none are listed", func(c *chat.Config) { c.Settings.Languages = nil; c.Queues[0].Language = "fr" }, "", ""},
		{"prices per number", func(c *chat.Config) { c.Numbers[0].SMSSegmentMicros, c.Numbers[0].MMSMicros = 8300, 22000 }, "", ""},
		{"negative SMS price", func(c *chat.Config) { c.Numbers[0].SMSSegmentMicros = -1 }, "numbers[0].smsSegmentMicros", "micro-dollars"},
		{"MMS price over a dollar", func(c *chat.Config) { c.Numbers[0].MMSMicros = 1_000_001 }, "numbers[0].mmsMicros", "micro-dollars"},
		{"capacity zero", func(c *chat.Config) { c.Agents[0].Capacity = 0 }, "agents[0].capacity", "between 1 and 100"},
		{"quiet hours malformed", func(c *chat.Config) {
			c.Settings.QuietHours = chat.QuietHours{Enabled: true, Start: "9pm", End: "08:00"}
		}, "settings.quietHours.start", "HH:MM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			err := Validate(c)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("valid configuration rejected: %v", err)
				}
				return
			}
			var ve *chat.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError on %s", err, tc.wantField)
			}
			for _, p := range ve.Problems {
				if p.Field == tc.wantField && strings.Contains(p.Message, tc.wantText) {
					return
				}
			}
			t.Errorf("problems %v lack %s: ...%s...", ve.Problems, tc.wantField, tc.wantText)
		})
	}
}
