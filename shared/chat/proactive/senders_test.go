package proactive

import (
	"slices"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// A tree of two lines: English (a menu over Billing, worked by a team, and
// a hidden VIP desk) and Spanish; a number per line, and a disabled one.
func sendersTree(mod func(*chat.Settings)) (*chat.Tree, []chat.Number) {
	s := settings()
	if mod != nil {
		mod(&s)
	}
	tree := chat.NewTree(s, []chat.Queue{
		{ID: "en", Name: "English", Agents: []string{"ned"}},
		{ID: "en-billing", ParentID: "en", Name: "Billing", Teams: []string{"billing"}},
		{ID: "en-vip", ParentID: "en", Name: "VIP", Hidden: true, Agents: []string{"vic"}},
		{ID: "es", Name: "Español", Agents: []string{"eva"}},
		{ID: "es-factura", ParentID: "es", Name: "Facturación"},
	}, []chat.Team{{ID: "billing", Name: "Billing team", Members: []string{"ana"}}})
	return tree, []chat.Number{
		{E164: "+14155550101", EntryQueue: "en", Enabled: true},
		{E164: "+14155550102", EntryQueue: "es", Enabled: true},
		{E164: "+14155550103", EntryQueue: "en", Enabled: false},
		{E164: "+14155550104", EntryQueue: "en-billing", Enabled: true},
	}
}

func TestSenders(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings func(*chat.Settings)
		agent    string
		want     []string
	}{
		{"through a team, a leaf under the entry queue", nil, "ana", []string{"+14155550101", "+14155550104"}},
		{"a hidden leaf counts", nil, "vic", []string{"+14155550101"}},
		{"the entry queue itself", nil, "eva", []string{"+14155550102"}},
		{"a queue above a number's entry queue is not in its tree", nil, "ned", []string{"+14155550101"}},
		{"an agent in no queue", nil, "zed", nil},
		{"no agent id", nil, "", nil},
		{"outbound off", func(s *chat.Settings) { s.OutboundEnabled = false }, "ana", nil},
		{"channel off", func(s *chat.Settings) { s.ChannelEnabled = false }, "ana", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree, numbers := sendersTree(tc.settings)
			var got []string
			for _, n := range Senders(tree, numbers, tc.agent) {
				got = append(got, n.E164)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Senders(%q) = %v, want %v", tc.agent, got, tc.want)
			}
		})
	}
}

func TestWorksNumberSurvivesACycle(t *testing.T) {
	// A configuration not validated yet: a and b are each other's parent.
	tree := chat.NewTree(settings(), []chat.Queue{
		{ID: "a", ParentID: "b", Agents: []string{"ana"}},
		{ID: "b", ParentID: "a"},
	}, nil)
	if WorksNumber(tree, chat.Number{EntryQueue: "root"}, "ana") {
		t.Error("a queue in a cycle works a number it does not route into")
	}
	if !WorksNumber(tree, chat.Number{EntryQueue: "b"}, "ana") {
		t.Error("a queue below the entry queue does not work it")
	}
}
