package admin_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/texts"
)

// The catalog lists every system message, and every placeholder a built-in
// text uses is one its message is filled with: otherwise the page would
// tell admins a variable does not exist that the default text itself uses.
func TestMessageKindsCoverTheBuiltInTexts(t *testing.T) {
	kinds := admin.MessageKinds()
	var names []chat.SystemMessage
	for _, k := range kinds {
		names = append(names, k.Name)
		if k.Title == "" || k.When == "" {
			t.Errorf("%s has no title or description", k.Name)
		}
	}
	if !slices.Equal(names, chat.SystemMessages) {
		t.Fatalf("kinds %v, want chat.SystemMessages %v", names, chat.SystemMessages)
	}
	for _, k := range kinds {
		for _, lang := range []string{"en", "es"} {
			text := texts.Builtin(lang, string(k.Name))
			if text == "" {
				t.Errorf("%s has no built-in %s text", k.Name, lang)
			}
			for _, v := range admin.Placeholders(text) {
				if !slices.Contains(k.Variables, v) {
					t.Errorf("built-in %s %s uses @{%s}, not among %v", lang, k.Name, v, k.Variables)
				}
			}
		}
	}
}

func TestOverridesWithAPlaceholderTheirMessageLacksAreRefused(t *testing.T) {
	cases := []struct {
		name      string
		edit      func(c *chat.Config)
		wantField string
		wantIn    string
	}{
		{"settings: AGENT in the waiting message", func(c *chat.Config) {
			c.Settings.Messages = map[string]map[string]string{"en": {"waiting": "@{AGENT} will be with you"}}
		}, "settings.messages.en.waiting", "@{AGENT}"},
		{"settings: a typo", func(c *chat.Config) {
			c.Settings.Messages = map[string]map[string]string{"es": {"agentAssigned": "@{AGNT} le atiende"}}
		}, "settings.messages.es.agentAssigned", "@{AGNT}"},
		{"a queue's override", func(c *chat.Config) {
			c.Queues[1].Messages = map[string]map[string]string{"en": {"menuOption": "@{KEY}: @{QUEUE} @{CHOICE}"}}
		}, "queues[1].messages.en.menuOption", "@{CHOICE}"},
		{"known placeholders pass", func(c *chat.Config) {
			c.Settings.Messages = map[string]map[string]string{"en": {"agentAssigned": "@{PROGRAM}: @{AGENT} on @{QUEUE}"}}
		}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newAdmin(t)
			c := adminFixture()
			tc.edit(&c)
			err := a.ImportConfig(context.Background(), c)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("import: %v", err)
				}
				return
			}
			ps := problems(t, err)
			if !hasField(ps, tc.wantField) {
				t.Fatalf("problems %v do not name %s", ps, tc.wantField)
			}
			for _, p := range ps {
				if p.Field == tc.wantField && !strings.Contains(p.Message, tc.wantIn) {
					t.Errorf("message %q does not name %s", p.Message, tc.wantIn)
				}
			}
		})
	}
	// A piecewise change names the queue by id.
	a, _ := newAdmin(t)
	q := adminFixture().Queues[1]
	q.Messages = map[string]map[string]string{"en": {"waiting": "@{END_USER}, wait"}}
	_, err := a.PutQueue(context.Background(), q)
	if ps := problems(t, err); !hasField(ps, "queues[sales].messages.en.waiting") {
		t.Fatalf("problems %v do not name queues[sales].messages.en.waiting", ps)
	}
}
