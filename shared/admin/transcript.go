package admin

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat/transcript"
)

// Transcript returns a chat with every message in sequence order.
func (a *Service) Transcript(ctx context.Context, chatID string) (transcript.Transcript, error) {
	c, err := a.Store.Chat(ctx, chatID)
	if err != nil {
		return transcript.Transcript{}, fmt.Errorf("chat %s: %w", chatID, err)
	}
	msgs, err := a.Store.Messages(ctx, chatID)
	if err != nil {
		return transcript.Transcript{}, fmt.Errorf("messages of chat %s: %w", chatID, err)
	}
	return transcript.Transcript{Chat: c, Messages: msgs}, nil
}
