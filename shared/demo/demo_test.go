package demo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/canned"
	"github.com/smsdesk/smsdesk/shared/chat/configcheck"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func TestDemoLoads(t *testing.T) {
	d := Demo()
	if err := configcheck.Validate(d); err != nil {
		t.Fatal(err)
	}
	if len(d.Numbers) != 2 {
		t.Fatalf("demo has %d numbers, want 2", len(d.Numbers))
	}
	children := map[string]int{}
	for _, q := range d.Queues {
		if q.ParentID != "" && !q.Hidden {
			children[q.ParentID]++
		}
	}
	if children["en"] < 2 || children["es"] < 2 || children["es-soporte"] != 2 {
		t.Errorf("visible children per queue = %v, want at least 2 under en and es, 2 under es-soporte", children)
	}
	tree := d.Tree()
	if got := tree.Agents("en-billing"); len(got) != 2 {
		t.Errorf("en-billing agents through billing-team = %v, want ana and ben", got)
	}
	if got := tree.Timeouts("es-movil"); got.QueueMinutes != 60 || got.OfferMinutes != 2 {
		t.Errorf("es-movil timeouts %+v, want the settings' queue 60 and offer 2", got)
	}
	if got := tree.MenuText("es-soporte", "es"); !strings.Contains(got, "Internet") || !strings.Contains(got, "Telefonía móvil") {
		t.Errorf("es-soporte menu %q", got)
	}

	ctx := context.Background()
	s := memstore.New()
	if err := Load(ctx, s, d); err != nil {
		t.Fatal(err)
	}
	ns, _ := s.Numbers(ctx)
	qs, _ := s.Queues(ctx)
	ts, _ := s.Teams(ctx)
	as, _ := s.Agents(ctx)
	if len(ns) != 2 || len(qs) != len(d.Queues) || len(ts) != len(d.Teams) || len(as) != len(d.Agents) {
		t.Errorf("store holds %d numbers, %d queues, %d teams, %d agents", len(ns), len(qs), len(ts), len(as))
	}
	// Loading again changes nothing and keeps routing state.
	ana, _ := s.Agent(ctx, "ana")
	ana.Load = 2
	if err := s.PutAgent(ctx, ana); err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, s, d); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Agent(ctx, "ana"); got.Load != 2 {
		t.Errorf("reloading reset ana's load to %d", got.Load)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"unknown field", `{"numbrs": []}`, "unknown field"},
		{"two documents", `{} {}`, "more than one document"},
		{"bad number", `{"numbers":[{"e164":"call me now!","provider":"twilio","entryQueue":"a"}],"queues":[{"id":"a","name":"A"}]}`, "numbers[0].e164"},
		{"unknown entry queue", `{"numbers":[{"e164":"+14155550101","entryQueue":"x"}]}`, "numbers[0].entryQueue"},
		{"unknown parent", `{"queues":[{"id":"a","parentId":"b","name":"A"}]}`, "queues[0].parentId"},
		{"command as keyword", `{"queues":[{"id":"a","name":"A","keywords":["stop"]}]}`, "queues[0].keywords[0]"},
		{"unknown team", `{"queues":[{"id":"a","name":"A","teams":["t"]}]}`, "queues[0].teams[0]"},
		{"timeout too long", `{"settings":{"timeouts":{"queueMinutes":10081}}}`, "settings.timeouts.queueMinutes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestParseNormalisesNumbers(t *testing.T) {
	c, err := Parse(strings.NewReader(`{"settings":{"channelEnabled":true},
		"numbers":[{"e164":"(415) 555-0101","provider":"twilio","entryQueue":"a","enabled":true}],
		"queues":[{"id":"a","name":"A"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Numbers[0].E164 != "+14155550101" {
		t.Errorf("e164 = %q", c.Numbers[0].E164)
	}
	_, err = Parse(strings.NewReader(`{"queues":[{"id":"a","name":"STOP"}]}`))
	var ve *chat.ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Field != "queues[0].name" {
		t.Errorf("error %v, want a *chat.ValidationError on queues[0].name", err)
	}
}

func TestCannedMessagesAreValid(t *testing.T) {
	tree := Demo().Tree()
	known := func(id string) bool { _, ok := tree.Queue(id); return ok }
	seen := map[string]bool{}
	for _, c := range CannedMessages() {
		if seen[c.ID] {
			t.Errorf("duplicate canned id %s", c.ID)
		}
		seen[c.ID] = true
		if err := canned.Validate(c, known); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
	}
}

// The dev server's demo has one number per carrier, each into a tree of
// the demo.
func TestWithEveryCarrier(t *testing.T) {
	c := WithEveryCarrier()
	providers := map[string][]string{}
	for _, n := range c.Numbers {
		providers[n.Provider] = append(providers[n.Provider], n.E164)
	}
	for _, p := range chat.Providers {
		if len(providers[p]) == 0 {
			t.Errorf("no %s number in %v", p, providers)
		}
	}
	if err := configcheck.Validate(c); err != nil {
		t.Fatal(err)
	}
}
