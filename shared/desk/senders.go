package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
)

// OutboundNumber is a business number an agent may start a chat from, with
// what the console labels it by.
type OutboundNumber struct {
	E164     string `json:"e164"`
	Language string `json:"language"`
	// Queue is the number's entry queue, where the consumer's reply would
	// go were the chat not the agent's.
	Queue QueueRef `json:"queue"`
}

// senders lists the numbers an agent may text a consumer first from, and
// the local time quiet hours release held texts at. Numbers are read only
// when there can be any: /me is polled.
func (s *Service) senders(ctx context.Context, tree *chat.Tree, agentID string) ([]OutboundNumber, string, error) {
	from := ""
	if w, on, err := proactive.QuietWindow(tree.Settings.QuietHours); err == nil && on {
		from = w.Start.String()
	}
	out := []OutboundNumber{}
	if agentID == "" || !proactive.AgentsMayStart(tree.Settings) || len(tree.QueuesOf(agentID)) == 0 {
		return out, from, nil
	}
	numbers, err := s.Store.Numbers(ctx)
	if err != nil {
		return out, from, fmt.Errorf("load numbers: %w", err)
	}
	for _, n := range proactive.Senders(tree, numbers, agentID) {
		q := QueueRef{ID: n.EntryQueue, Name: n.EntryQueue}
		if entry, ok := tree.Queue(n.EntryQueue); ok && entry.Name != "" {
			q.Name = entry.Name
		}
		lang := tree.Language(n.EntryQueue)
		if lang == "" {
			lang = tree.Settings.LanguageFor(n)
		}
		out = append(out, OutboundNumber{E164: n.E164, Language: lang, Queue: q})
	}
	slices.SortFunc(out, func(a, b OutboundNumber) int { return strings.Compare(a.E164, b.E164) })
	return out, from, nil
}
