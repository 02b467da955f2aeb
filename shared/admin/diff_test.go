package admin_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// queueIn is the queue of a document with an id.
func queueIn(c *chat.Config, id string) *chat.Queue {
	for i := range c.Queues {
		if c.Queues[i].ID == id {
			return &c.Queues[i]
		}
	}
	panic("no queue " + id)
}

func TestPreviewImportListsWhatWouldChange(t *testing.T) {
	a, _ := newAdmin(t)
	ctx := context.Background()
	type change struct{ Path, Op string }
	cases := []struct {
		name         string
		edit         func(c *chat.Config)
		want         []change
		wantProblems []string
	}{
		{"the export itself changes nothing", func(c *chat.Config) {}, nil, nil},
		{"reordered lists and a status left out change nothing", func(c *chat.Config) {
			c.Queues[0], c.Queues[2] = c.Queues[2], c.Queues[0]
			c.Agents[0].Status = ""
			c.Agents[0].Load = 7 // routing state is never imported
		}, nil, nil},
		{"renamed, added, removed, nested", func(c *chat.Config) {
			queueIn(c, "sales").Name = "Sales and renewals"
			queueIn(c, "help-desk").Agents = nil
			c.Queues = append(c.Queues, chat.Queue{ID: "returns", ParentID: "root", Name: "Returns", Order: 3, Keywords: []string{"3"}})
			c.Agents = c.Agents[:1]
			c.Settings.Timeouts.QueueMinutes = 45
			c.Settings.Messages = map[string]map[string]string{"en": {"waiting": "Hold on"}}
			c.Numbers[0].E164 = "(415) 555-0101" // normalised: the same number
		}, []change{
			{"agents[bo]", "removed"},
			{"queues[help-desk].agents", "removed"},
			{"queues[returns]", "added"},
			{"queues[sales].name", "changed"},
			{"settings.messages.en.waiting", "added"},
			{"settings.timeouts.queueMinutes", "added"},
		}, nil},
		{"an invalid document: the changes and why it would be refused", func(c *chat.Config) {
			queueIn(c, "sales").Keywords = []string{"STOP"}
		}, []change{{"queues[sales].keywords", "changed"}}, []string{"queues[sales].keywords[0]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := a.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(&doc)
			p, err := a.PreviewImport(ctx, doc)
			if err != nil {
				t.Fatal(err)
			}
			var got []change
			for _, c := range p.Changes {
				got = append(got, change{c.Path, c.Op})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			var fields []string
			for _, pr := range p.Problems {
				fields = append(fields, pr.Field)
			}
			if diff := cmp.Diff(tc.wantProblems, fields); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			// Nothing was written.
			after, _ := a.Config(ctx)
			if queueIn(&after, "sales").Name != "Sales" || len(after.Agents) != 2 {
				t.Fatalf("the preview wrote: %+v", after)
			}
		})
	}
	// Before and after of a change are the values.
	doc, _ := a.Config(ctx)
	queueIn(&doc, "sales").Name = "Renewals"
	p, _ := a.PreviewImport(ctx, doc)
	if len(p.Changes) != 1 || string(p.Changes[0].Before) != `"Sales"` || string(p.Changes[0].After) != `"Renewals"` {
		t.Fatalf("changes %+v", p.Changes)
	}
	if _, err := admin.Diff(chat.Config{}, chat.Config{}); err != nil {
		t.Fatal(err)
	}
}
