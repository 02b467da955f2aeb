package desk

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
)

// Offer preview limits.
const (
	// PreviewMessages is how many of the latest texts an offer shows.
	PreviewMessages = 5
	// previewHistory bounds the consumer's chats counted (and read).
	previewHistory = 20
)

// OfferPreview is what an agent sees of an offered chat before accepting:
// its latest texts, where it came through the menu, how often the consumer
// wrote before, and the note of a transfer to them.
type OfferPreview struct {
	ChatID   string `json:"chatId"`
	Consumer string `json:"consumer"`
	// Messages are the chat's latest texts (at most 5), oldest first.
	Messages []chat.Message `json:"messages"`
	// QueuePath is the chat's queue and its ancestors, from the top.
	QueuePath []QueueRef `json:"queuePath"`
	// PastChats counts the consumer's earlier chats on every number (at
	// most 20 are counted; PastChatsMore says there are more).
	PastChats     int  `json:"pastChats"`
	PastChatsMore bool `json:"pastChatsMore,omitempty"`
	// Transfer is the pending transfer the chat comes with, if any.
	Transfer *chat.Transfer `json:"transfer,omitempty"`
}

// OfferPreview returns the preview of a chat the viewer may see (an offer
// to them, a chat waiting in their queues). It reads the chat, its last
// five messages and at most 20 of the consumer's chats.
func (s *Service) OfferPreview(ctx context.Context, v access.Viewer, chatID string) (OfferPreview, error) {
	c, tree, err := s.viewChat(ctx, v, chatID)
	if err != nil {
		return OfferPreview{}, err
	}
	p := OfferPreview{ChatID: c.ID, Consumer: c.Consumer, Messages: []chat.Message{}, QueuePath: []QueueRef{}}
	msgs, err := s.Store.MessagesAfter(ctx, chatID, max(0, c.NextSeq-1-PreviewMessages))
	if err != nil {
		return p, fmt.Errorf("messages of chat %s: %w", chatID, err)
	}
	if len(msgs) > PreviewMessages {
		msgs = msgs[len(msgs)-PreviewMessages:]
	}
	for i := range msgs {
		msgs[i].Media = s.Media.SignAll(ctx, msgs[i].Media)
	}
	p.Messages = orEmpty(msgs)
	seen := map[string]bool{}
	for id := c.QueueID; id != "" && !seen[id]; {
		q, ok := tree.Queue(id)
		if !ok {
			break
		}
		seen[id] = true
		p.QueuePath = append([]QueueRef{{ID: q.ID, Name: q.Name}}, p.QueuePath...)
		id = q.ParentID
	}
	past, err := s.Store.ConsumerChats(ctx, c.Consumer, previewHistory+1)
	if err != nil {
		return p, fmt.Errorf("chats of %s: %w", c.Consumer, err)
	}
	for _, pc := range past {
		if pc.ID != c.ID {
			p.PastChats++
		}
	}
	if p.PastChats > previewHistory {
		p.PastChats, p.PastChatsMore = previewHistory, true
	}
	if n := len(c.Transfers); n > 0 && c.Transfers[n-1].State == chat.TransferPending {
		t := c.Transfers[n-1]
		p.Transfer = &t
	}
	return p, nil
}
