package admin

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat/transcript"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Transcript returns a chat with every message in sequence order and its
// private notes.
func (a *Service) Transcript(ctx context.Context, chatID string) (transcript.Transcript, error) {
	c, err := a.Store.Chat(ctx, chatID)
	if err != nil {
		return transcript.Transcript{}, fmt.Errorf("chat %s: %w", chatID, err)
	}
	msgs, err := a.Store.Messages(ctx, chatID)
	if err != nil {
		return transcript.Transcript{}, fmt.Errorf("messages of chat %s: %w", chatID, err)
	}
	t := transcript.Transcript{Chat: c, Messages: msgs}
	// The private notes are the team's record too (marked internal).
	if ns, ok := a.Store.(store.NoteStore); ok && c.Notes > 0 {
		notes, err := ns.Notes(ctx, chatID, 0)
		if err != nil {
			return t, fmt.Errorf("notes of chat %s: %w", chatID, err)
		}
		for _, n := range notes {
			t.Notes = append(t.Notes, transcript.Note{Seq: n.Seq, AuthorID: n.AuthorID, AuthorName: n.AuthorName,
				Body: n.Body, Mentions: n.Mentions, CreatedAt: n.CreatedAt})
		}
	}
	return t, nil
}
