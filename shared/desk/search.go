package desk

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/search"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Search limits.
const (
	// SearchLimit bounds the chats a search answers with.
	SearchLimit = 20
	// searchRead is how many chats each bound's query reads: more than
	// answered, as further terms and access drop some.
	searchRead = 30
)

// SearchResult is a search's answer.
type SearchResult struct {
	// Chats the viewer may see whose number or texts match, newest
	// activity first, at most SearchLimit.
	Chats []chat.Chat `json:"chats"`
	// Queues names the queues of the chats, by id.
	Queues map[string]string `json:"queues"`
	// Queries is how many Firestore queries the search ran (each reads
	// the documents it returns, at least one).
	Queries int `json:"queries"`
}

// Search finds the chats a viewer may see by the consumer's number or the
// words of the texts (chat/search). An agent's search is bounded by what
// they see: the chats they hold or held (agentId) and the chats queued in
// their queues; a supervisor's by nothing. Text with nothing searchable
// (under three letters, under four digits) is a 400 naming q.
func (s *Service) Search(ctx context.Context, v access.Viewer, q string) (SearchResult, error) {
	out := SearchResult{Chats: []chat.Chat{}, Queues: map[string]string{}}
	token, terms, ok := search.Query(q)
	if !ok {
		return out, invalid("q", "type at least %d letters of a word or 4 digits of a number", search.MinPrefix)
	}
	cs, ok := s.Store.(store.ChatSearcher)
	if !ok {
		return out, fmt.Errorf("the store %T does not search chats", s.Store)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return out, err
	}
	var found []chat.Chat
	switch {
	case v.Supervisor:
		found, err = cs.SearchChats(ctx, token, "", nil, searchRead)
		out.Queries++
	case v.AgentID != "":
		found, err = cs.SearchChats(ctx, token, v.AgentID, nil, searchRead)
		out.Queries++
		if queues := tree.QueuesOf(v.AgentID); err == nil && len(queues) > 0 {
			var queued []chat.Chat
			queued, err = cs.SearchChats(ctx, token, "", queues, searchRead)
			out.Queries += (len(queues) + 29) / 30
			found = append(found, queued...)
		}
	default:
		return out, access.Forbidden("only agents and supervisors search chats")
	}
	if err != nil {
		return out, fmt.Errorf("search %q: %w", token, err)
	}
	seen := map[string]bool{}
	for _, c := range found {
		if seen[c.ID] || !search.Matches(c, terms) || !access.CanSee(v, c, tree) {
			continue
		}
		seen[c.ID] = true
		out.Chats = append(out.Chats, c)
	}
	slices.SortFunc(out.Chats, func(a, b chat.Chat) int { return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID)) })
	if len(out.Chats) > SearchLimit {
		out.Chats = out.Chats[:SearchLimit]
	}
	for _, c := range out.Chats {
		if qu, ok := tree.Queue(c.QueueID); ok {
			out.Queues[c.QueueID] = qu.Name
		}
	}
	return out, nil
}
