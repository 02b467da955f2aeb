package canned

import (
	"errors"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

func TestRenderCanned(t *testing.T) {
	full := chat.Vars{chat.PlaceholderAgent: "Ana", chat.PlaceholderQueue: "Billing", chat.PlaceholderConsumerFirstName: "Sam"}
	noName := chat.Vars{chat.PlaceholderAgent: "Ana", chat.PlaceholderQueue: "Billing"}
	tests := []struct {
		name, body string
		vars       chat.Vars
		want       string
	}{
		{"every placeholder", "Hi @{CONSUMER_FIRST_NAME}, this is @{AGENT} from @{QUEUE}.", full, "Hi Sam, this is Ana from Billing."},
		{"no placeholder", "Thanks for waiting.", full, "Thanks for waiting."},
		{"empty name before a comma", "Hi @{CONSUMER_FIRST_NAME}, this is @{AGENT}.", noName, "Hi, this is Ana."},
		{"empty name before an exclamation mark", "Hello @{CONSUMER_FIRST_NAME}!", noName, "Hello!"},
		{"empty name between words", "Thanks @{CONSUMER_FIRST_NAME} for waiting", noName, "Thanks for waiting"},
		{"empty name at the end", "See you soon @{CONSUMER_FIRST_NAME}", noName, "See you soon"},
		{"empty name at the end of a line", "Hi @{CONSUMER_FIRST_NAME}\nYour order shipped.", noName, "Hi\nYour order shipped."},
		{"empty name opening the message", "@{CONSUMER_FIRST_NAME}, your order shipped.", noName, "Your order shipped."},
		{"empty name opening a later line", "Hello.\n@{CONSUMER_FIRST_NAME}, your order shipped.", noName, "Hello.\nYour order shipped."},
		{"empty name followed by a word at the start", "@{CONSUMER_FIRST_NAME} thanks!", noName, "Thanks!"},
		{"empty name glued to a word", "Hi@{CONSUMER_FIRST_NAME}there", noName, "Hithere"},
		{"two empty placeholders in a row", "Hi @{CONSUMER_FIRST_NAME} @{CONSUMER_FIRST_NAME}, hello", noName, "Hi, hello"},
		{"an empty value is only whitespace", "Hi @{CONSUMER_FIRST_NAME}, ok", chat.Vars{chat.PlaceholderConsumerFirstName: "  "}, "Hi, ok"},
		{"text around other placeholders is kept", "Price : $5 , @{AGENT}", full, "Price : $5 , Ana"},
		{"unknown placeholder kept verbatim", "Hi @{NICKNAME}, @{AGENT} here", full, "Hi @{NICKNAME}, Ana here"},
		{"placeholder names are case-sensitive", "Hi @{agent}", full, "Hi @{agent}"},
		{"a placeholder used twice", "@{AGENT} here. Ask for @{AGENT}.", full, "Ana here. Ask for Ana."},
		{"non-ASCII around the gap", "¡Hola @{CONSUMER_FIRST_NAME}! Soy @{AGENT}.", noName, "¡Hola! Soy Ana."},
		{"no vars at all", "Hi @{CONSUMER_FIRST_NAME}, I am @{AGENT} of @{QUEUE}.", nil, "Hi, I am of."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Render(chat.Canned{Body: tc.body}, tc.vars); got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestCannedVars(t *testing.T) {
	v := VarsFor(chat.Agent{Name: "Ana García"}, chat.Queue{Name: "Billing"}, "")
	want := chat.Vars{chat.PlaceholderAgent: "Ana", chat.PlaceholderQueue: "Billing", chat.PlaceholderConsumerFirstName: ""}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if got := VarsFor(chat.Agent{}, chat.Queue{}, "Sam Smith")[chat.PlaceholderConsumerFirstName]; got != "Sam" {
		t.Errorf("consumer first name = %q, want Sam", got)
	}
}

func TestValidateCanned(t *testing.T) {
	known := func(id string) bool { return id == "en" || id == "bill" }
	valid := chat.Canned{ID: "greeting", Title: "Greeting", Language: "en", Body: "Hi @{CONSUMER_FIRST_NAME}, I am @{AGENT}.", QueueIDs: []string{"bill"}}
	tests := []struct {
		name      string
		edit      func(c *chat.Canned)
		wantField string // "" means valid
		wantText  string
	}{
		{"valid", func(c *chat.Canned) {}, "", ""},
		{"every language and queue", func(c *chat.Canned) { c.Language, c.QueueIDs = "", nil }, "", ""},
		{"regional language", func(c *chat.Canned) { c.Language = "es-MX" }, "", ""},
		{"body of exactly 1600 characters", func(c *chat.Canned) { c.Body = strings.Repeat("a", 1600) }, "", ""},
		{"bad id", func(c *chat.Canned) { c.ID = "no spaces" }, "id", "not a valid id"},
		{"empty id", func(c *chat.Canned) { c.ID = "" }, "id", "not a valid id"},
		{"no title", func(c *chat.Canned) { c.Title = "  " }, "title", "needs a title"},
		{"long title", func(c *chat.Canned) { c.Title = strings.Repeat("t", MaxTitle+1) }, "title", "the limit is 100"},
		{"no body", func(c *chat.Canned) { c.Body = "\n" }, "body", "needs a body"},
		{"body too long", func(c *chat.Canned) { c.Body = strings.Repeat("é", 1601) }, "body", "1,601 characters; the limit is 1,600"},
		{"unknown placeholder", func(c *chat.Canned) { c.Body = "Hi @{FIRST_NAME}" }, "body", "unknown placeholder @{FIRST_NAME}"},
		{"bad language", func(c *chat.Canned) { c.Language = "English" }, "language", "not a language code"},
		{"unknown queue", func(c *chat.Canned) { c.QueueIDs = []string{"bill", "nope"} }, "queueIds[1]", "unknown queue"},
		{"duplicate queue", func(c *chat.Canned) { c.QueueIDs = []string{"bill", "bill"} }, "queueIds[1]", "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			c.QueueIDs = append([]string(nil), valid.QueueIDs...)
			tc.edit(&c)
			err := Validate(c, known)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *chat.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *chat.ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Field == tc.wantField && strings.Contains(p.Message, tc.wantText) {
					return
				}
			}
			t.Errorf("problems %+v lack %s: %q", ve.Problems, tc.wantField, tc.wantText)
		})
	}
	if err := Validate(chat.Canned{ID: "x", Title: "X", Body: "b", QueueIDs: []string{"anything"}}, nil); err != nil {
		t.Errorf("Validate(nil) checks queue ids: %v", err)
	}
}

func TestCannedFits(t *testing.T) {
	tree := chat.NewTree(chat.DefaultSettings(), []chat.Queue{
		{ID: "en", Name: "English"},
		{ID: "bill", ParentID: "en", Name: "Billing"},
		{ID: "tech", ParentID: "en", Name: "Tech"},
		{ID: "es", Name: "Español"},
	}, nil)
	tests := []struct {
		name        string
		canned      chat.Canned
		lang, queue string
		want        bool
	}{
		{"any language, any queue", chat.Canned{}, "es", "es", true},
		{"same language", chat.Canned{Language: "en"}, "en", "bill", true},
		{"language case-insensitive", chat.Canned{Language: "EN"}, "en", "bill", true},
		{"other language", chat.Canned{Language: "es"}, "en", "bill", false},
		{"its queue", chat.Canned{QueueIDs: []string{"bill"}}, "en", "bill", true},
		{"a child of its queue", chat.Canned{QueueIDs: []string{"en"}}, "en", "tech", true},
		{"a sibling of its queue", chat.Canned{QueueIDs: []string{"bill"}}, "en", "tech", false},
		{"a parent of its queue", chat.Canned{QueueIDs: []string{"bill"}}, "en", "en", false},
		{"an unknown queue", chat.Canned{QueueIDs: []string{"bill"}}, "en", "gone", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fits(tc.canned, tc.lang, tc.queue, tree); got != tc.want {
				t.Errorf("Fits(%s, %s) = %v, want %v", tc.lang, tc.queue, got, tc.want)
			}
		})
	}
	if !Fits(chat.Canned{QueueIDs: []string{"q"}}, "en", "q", nil) {
		t.Error("Fits without a tree does not match the queue itself")
	}
}

func TestCannedCapitalizingKeepsGSM7(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"@{CONSUMER_FIRST_NAME}, à demain", "à demain"},
		{"@{CONSUMER_FIRST_NAME}, è pronto", "è pronto"},
		{"@{CONSUMER_FIRST_NAME}, ñandú", "Ñandú"},
		{"@{CONSUMER_FIRST_NAME}, your order shipped", "Your order shipped"},
	} {
		got := Render(chat.Canned{Body: tc.body}, chat.Vars{})
		if got != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.body, got, tc.want)
		}
		if in, out := sms.Measure(tc.body).Encoding, sms.Measure(got).Encoding; in == sms.GSM7 && out != sms.GSM7 {
			t.Errorf("Render(%q) turned GSM-7 into %s: %q", tc.body, out, got)
		}
	}
}

// TestSpanishMenus: a Spanish menu takes its keywords whatever the accents
// and names its command words in Spanish.
