package outbound

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Text is one text of a recipient as it went.
type Text struct {
	Seq       int64  `json:"seq"`
	Kind      string `json:"kind"`
	SendState string `json:"send_state"`
	Delivery  string `json:"delivery,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Summary is a recipient's delivery in one word: the worst outcome of its
// texts, else the least advanced.
func Summary(texts []Text) string {
	if len(texts) == 0 {
		return "pending"
	}
	out := "delivered"
	for _, t := range texts {
		switch {
		case t.SendState == string(chat.SendSuppressed):
			return "suppressed"
		case t.SendState == string(chat.SendFailed) || t.Delivery == string(chat.DeliveryFailed) || t.Delivery == string(chat.DeliveryUndelivered):
			return "failed"
		case t.SendState == string(chat.SendPending) || t.SendState == string(chat.SendClaimed):
			out = "pending"
		case t.Delivery != string(chat.DeliveryDelivered) && t.Delivery != string(chat.DeliveryRead) && out != "pending":
			out = "sent"
		}
	}
	return out
}

// BatchStatus is a batch with each texted recipient's texts as they went,
// read from the recipients' chats (the batch document is never written per
// text). Only the key that sent a batch may read it.
func (s *Service) BatchStatus(ctx context.Context, keyID, id string) (store.OutboundBatch, map[string][]Text, error) {
	b, err := s.Store.Batch(ctx, id)
	if err != nil {
		return b, nil, fmt.Errorf("batch %s: %w", id, err)
	}
	if b.KeyID != keyID {
		return store.OutboundBatch{}, nil, fmt.Errorf("batch %s: %w", id, store.ErrNotFound)
	}
	out := map[string][]Text{}
	var mu sync.Mutex
	err = s.each(ctx, len(b.Recipients), func(ctx context.Context, i int) error {
		r := b.Recipients[i]
		if r.ChatID == "" {
			return nil
		}
		var texts []Text
		for seq := int64(1); seq <= int64(len(b.Messages))+1; seq++ {
			m, err := s.Store.Message(ctx, chat.Ref{ChatID: r.ChatID, Seq: seq})
			if errors.Is(err, store.ErrNotFound) {
				break
			}
			if err != nil {
				return fmt.Errorf("message %s/%d: %w", r.ChatID, seq, err)
			}
			t := Text{Seq: m.Seq, Kind: string(m.Kind), SendState: string(m.Send.State), Delivery: string(m.Delivery.Status), Error: m.Send.Error}
			if t.Error == "" {
				t.Error = m.Delivery.ErrorMessage
			}
			texts = append(texts, t)
		}
		mu.Lock()
		out[r.ChatID] = texts
		mu.Unlock()
		return nil
	})
	return b, out, err
}
