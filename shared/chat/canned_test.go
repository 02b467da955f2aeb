package chat

import (
	"errors"
	"strings"
	"testing"
)

func TestRenderCanned(t *testing.T) {
	full := Vars{PlaceholderAgent: "Ana", PlaceholderQueue: "Billing", PlaceholderConsumerFirstName: "Sam"}
	noName := Vars{PlaceholderAgent: "Ana", PlaceholderQueue: "Billing"}
	tests := []struct {
		name, body string
		vars       Vars
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
		{"an empty value is only whitespace", "Hi @{CONSUMER_FIRST_NAME}, ok", Vars{PlaceholderConsumerFirstName: "  "}, "Hi, ok"},
		{"text around other placeholders is kept", "Price : $5 , @{AGENT}", full, "Price : $5 , Ana"},
		{"unknown placeholder kept verbatim", "Hi @{NICKNAME}, @{AGENT} here", full, "Hi @{NICKNAME}, Ana here"},
		{"placeholder names are case-sensitive", "Hi @{agent}", full, "Hi @{agent}"},
		{"a placeholder used twice", "@{AGENT} here. Ask for @{AGENT}.", full, "Ana here. Ask for Ana."},
		{"non-ASCII around the gap", "¡Hola @{CONSUMER_FIRST_NAME}! Soy @{AGENT}.", noName, "¡Hola! Soy Ana."},
		{"no vars at all", "Hi @{CONSUMER_FIRST_NAME}, I am @{AGENT} of @{QUEUE}.", nil, "Hi, I am of."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Render(Canned{Body: tc.body}, tc.vars); got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestCannedVars(t *testing.T) {
	v := CannedVars(Agent{Name: "Ana García"}, Queue{Name: "Billing"}, "")
	want := Vars{PlaceholderAgent: "Ana", PlaceholderQueue: "Billing", PlaceholderConsumerFirstName: ""}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if got := CannedVars(Agent{}, Queue{}, "Sam Smith")[PlaceholderConsumerFirstName]; got != "Sam" {
		t.Errorf("consumer first name = %q, want Sam", got)
	}
}

func TestValidateCanned(t *testing.T) {
	known := func(id string) bool { return id == "en" || id == "bill" }
	valid := Canned{ID: "greeting", Title: "Greeting", Language: "en", Body: "Hi @{CONSUMER_FIRST_NAME}, I am @{AGENT}.", QueueIDs: []string{"bill"}}
	tests := []struct {
		name      string
		edit      func(c *Canned)
		wantField string // "" means valid
		wantText  string
	}{
		{"valid", func(c *Canned) {}, "", ""},
		{"every language and queue", func(c *Canned) { c.Language, c.QueueIDs = "", nil }, "", ""},
		{"regional language", func(c *Canned) { c.Language = "es-MX" }, "", ""},
		{"body of exactly 1600 characters", func(c *Canned) { c.Body = strings.Repeat("a", 1600) }, "", ""},
		{"bad id", func(c *Canned) { c.ID = "no spaces" }, "id", "not a valid id"},
		{"empty id", func(c *Canned) { c.ID = "" }, "id", "not a valid id"},
		{"no title", func(c *Canned) { c.Title = "  " }, "title", "needs a title"},
		{"long title", func(c *Canned) { c.Title = strings.Repeat("t", MaxCannedTitle+1) }, "title", "the limit is 100"},
		{"no body", func(c *Canned) { c.Body = "\n" }, "body", "needs a body"},
		{"body too long", func(c *Canned) { c.Body = strings.Repeat("é", 1601) }, "body", "1,601 characters; the limit is 1,600"},
		{"unknown placeholder", func(c *Canned) { c.Body = "Hi @{FIRST_NAME}" }, "body", "unknown placeholder @{FIRST_NAME}"},
		{"bad language", func(c *Canned) { c.Language = "English" }, "language", "not a language code"},
		{"unknown queue", func(c *Canned) { c.QueueIDs = []string{"bill", "nope"} }, "queueIds[1]", "unknown queue"},
		{"duplicate queue", func(c *Canned) { c.QueueIDs = []string{"bill", "bill"} }, "queueIds[1]", "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			c.QueueIDs = append([]string(nil), valid.QueueIDs...)
			tc.edit(&c)
			err := c.Validate(known)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Field == tc.wantField && strings.Contains(p.Message, tc.wantText) {
					return
				}
			}
			t.Errorf("problems %+v lack %s: %q", ve.Problems, tc.wantField, tc.wantText)
		})
	}
	if err := (Canned{ID: "x", Title: "X", Body: "b", QueueIDs: []string{"anything"}}).Validate(nil); err != nil {
		t.Errorf("Validate(nil) checks queue ids: %v", err)
	}
}

func TestCannedFits(t *testing.T) {
	tree := NewTree(DefaultSettings(), []Queue{
		{ID: "en", Name: "English"},
		{ID: "bill", ParentID: "en", Name: "Billing"},
		{ID: "tech", ParentID: "en", Name: "Tech"},
		{ID: "es", Name: "Español"},
	}, nil)
	tests := []struct {
		name        string
		canned      Canned
		lang, queue string
		want        bool
	}{
		{"any language, any queue", Canned{}, "es", "es", true},
		{"same language", Canned{Language: "en"}, "en", "bill", true},
		{"language case-insensitive", Canned{Language: "EN"}, "en", "bill", true},
		{"other language", Canned{Language: "es"}, "en", "bill", false},
		{"its queue", Canned{QueueIDs: []string{"bill"}}, "en", "bill", true},
		{"a child of its queue", Canned{QueueIDs: []string{"en"}}, "en", "tech", true},
		{"a sibling of its queue", Canned{QueueIDs: []string{"bill"}}, "en", "tech", false},
		{"a parent of its queue", Canned{QueueIDs: []string{"bill"}}, "en", "en", false},
		{"an unknown queue", Canned{QueueIDs: []string{"bill"}}, "en", "gone", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.canned.Fits(tc.lang, tc.queue, tree); got != tc.want {
				t.Errorf("Fits(%s, %s) = %v, want %v", tc.lang, tc.queue, got, tc.want)
			}
		})
	}
	if !(Canned{QueueIDs: []string{"q"}}).Fits("en", "q", nil) {
		t.Error("Fits without a tree does not match the queue itself")
	}
}
