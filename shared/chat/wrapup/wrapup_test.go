package wrapup

import (
	"errors"
	"slices"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/configcheck"
)

func TestPolicyIsInheritedAndChecked(t *testing.T) {
	yes, no := true, false
	cfg := chat.Config{Queues: []chat.Queue{
		{ID: "en", Name: "English", WrapUpCodes: []string{"Resolved", "Refund"}, WrapUpRequired: &yes},
		{ID: "en-billing", ParentID: "en", Name: "Billing"},
		{ID: "en-tech", ParentID: "en", Name: "Tech", WrapUpRequired: &no},
		{ID: "en-sales", ParentID: "en", Name: "Sales", WrapUpCodes: []string{"Sold"}},
		{ID: "free", Name: "Free"},
	}}
	tree := chat.NewTree(cfg.Settings, cfg.Queues, nil)
	for _, tc := range []struct {
		queue, code string
		codes       []string
		required    bool
		ok          bool
	}{
		{"en-billing", "", []string{"Resolved", "Refund"}, true, false},
		{"en-billing", "Refund", []string{"Resolved", "Refund"}, true, true},
		{"en-billing", "Sold", []string{"Resolved", "Refund"}, true, false},
		{"en-tech", "", []string{"Resolved", "Refund"}, false, true},
		{"en-sales", "Sold", []string{"Sold"}, true, true},
		{"en-sales", "Resolved", []string{"Sold"}, true, false},
		{"free", "", []string{}, false, true},
		{"free", "Resolved", []string{}, false, false},
	} {
		p := Of(tree, tc.queue)
		if !slices.Equal(p.Codes, tc.codes) || p.Required != tc.required {
			t.Errorf("%s: policy %+v, want codes %q required %v", tc.queue, p, tc.codes, tc.required)
		}
		err := p.Check(tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("%s %q: Check = %v, want ok %v", tc.queue, tc.code, err, tc.ok)
		}
		var ve *chat.ValidationError
		if err != nil && (!errors.As(err, &ve) || ve.Problems[0].Field != "wrapUpCode") {
			t.Errorf("%s %q: error %v does not name wrapUpCode", tc.queue, tc.code, err)
		}
	}
}

func TestConfigValidatesWrapUpAndLabels(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name  string
		edit  func(*chat.Config)
		field string
	}{
		{"required without codes", func(c *chat.Config) { c.Queues[0].WrapUpRequired = &yes }, "queues[0].wrapUpRequired"},
		{"duplicate code", func(c *chat.Config) { c.Queues[0].WrapUpCodes = []string{"A", "A"} }, "queues[0].wrapUpCodes[1]"},
		{"blank code", func(c *chat.Config) { c.Queues[0].WrapUpCodes = []string{" "} }, "queues[0].wrapUpCodes[0]"},
		{"label with a space", func(c *chat.Config) { c.Settings.Labels = []string{"vip", "needs refund"} }, "settings.labels[1]"},
		{"upper-case label", func(c *chat.Config) { c.Settings.Labels = []string{"VIP"} }, "settings.labels[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := chat.Config{Queues: []chat.Queue{{ID: "q", Name: "Q"}}}
			tc.edit(&cfg)
			err := configcheck.Validate(cfg)
			var ve *chat.ValidationError
			if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Problems, func(p chat.FieldError) bool { return p.Field == tc.field }) {
				t.Errorf("Validate = %v, want a problem at %s", err, tc.field)
			}
		})
	}
}
