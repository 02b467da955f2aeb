package store

import "time"

// OutboundBatch is one sessionless send through OutboundAPI
// (outboundBatches/{id}): every recipient with what became of it when the
// request was taken. Delivery is read from each recipient's chat, so the
// batch document is written when the batch is taken and finished, never
// per text.
type OutboundBatch struct {
	ID        string    `firestore:"id" json:"id"`
	KeyID     string    `firestore:"keyId" json:"keyId"`
	From      string    `firestore:"from" json:"from"`
	Messages  []string  `firestore:"messages" json:"messages"`
	CreatedAt time.Time `firestore:"createdAt" json:"createdAt"`
	// Complete: every recipient's chat was written; an incomplete batch is
	// finished by the retry of its request.
	Complete   bool                `firestore:"complete" json:"complete"`
	Recipients []OutboundRecipient `firestore:"recipients" json:"recipients"`
	ExpireAt   time.Time           `firestore:"expireAt" json:"expireAt"`
}

// OutboundRecipient is one recipient of a batch.
type OutboundRecipient struct {
	Input     string    `firestore:"input" json:"input"`
	Number    string    `firestore:"number,omitempty" json:"number,omitempty"`
	Status    string    `firestore:"status" json:"status"`
	Error     string    `firestore:"error,omitempty" json:"error,omitempty"`
	ChatID    string    `firestore:"chatId,omitempty" json:"chatId,omitempty"`
	From      string    `firestore:"from,omitempty" json:"from,omitempty"`
	NotBefore time.Time `firestore:"notBefore,omitempty" json:"notBefore,omitzero"`
	// Ticks and Lane are the send block reserved from NotBefore on the
	// sender's pace.
	Ticks int `firestore:"ticks,omitempty" json:"ticks,omitempty"`
	Lane  int `firestore:"lane,omitempty" json:"lane,omitempty"`
}

// OutboundBatchRetention is how long a batch can be looked up.
const OutboundBatchRetention = 30 * 24 * time.Hour
