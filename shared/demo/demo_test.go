package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func TestDemoLoads(t *testing.T) {
	d := Demo()
	if len(d.Numbers) != 2 {
		t.Fatalf("demo has %d numbers, want 2", len(d.Numbers))
	}
	children := map[string]int{}
	for _, q := range d.Queues {
		if q.ParentID != "" && !q.Hidden {
			children[q.ParentID]++
		}
	}
	if children["en"] < 2 || children["es"] < 2 {
		t.Errorf("visible children per top-level queue = %v, want at least 2 each", children)
	}
	s := memstore.New()
	if err := Load(context.Background(), s, d); err != nil {
		t.Fatal(err)
	}
	ns, _ := s.Numbers(context.Background())
	qs, _ := s.Queues(context.Background())
	as, _ := s.Agents(context.Background())
	if len(ns) != 2 || len(qs) != len(d.Queues) || len(as) != len(d.Agents) {
		t.Errorf("store holds %d numbers, %d queues, %d agents", len(ns), len(qs), len(as))
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"unknown field", `{"numbrs": []}`, "unknown field"},
		{"bad number", `{"numbers":[{"e164":"call me"}]}`, "numbers[0].e164"},
		{"unknown entry queue", `{"numbers":[{"e164":"+14155550101","entryQueue":"x"}]}`, "numbers[0].entryQueue"},
		{"unknown parent", `{"queues":[{"id":"a","parentId":"b","name":"A"}]}`, "queues[0].parentId"},
		{"command as keyword", `{"queues":[{"id":"a","name":"A","keywords":["stop"]}]}`, "SMS command"},
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
