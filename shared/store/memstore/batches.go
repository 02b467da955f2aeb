package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/store"
)

// batchTable is outboundBatches, outside transactions as in Firestore.
type batchTable map[string]store.OutboundBatch

// Batch returns a sessionless batch.
func (s *Store) Batch(ctx context.Context, id string) (store.OutboundBatch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.batches[id]
	if !ok {
		return store.OutboundBatch{}, notFound("outbound batch", id)
	}
	b.Recipients, b.Messages = slices.Clone(b.Recipients), slices.Clone(b.Messages)
	return b, nil
}

// PutBatch creates or replaces a sessionless batch.
func (s *Store) PutBatch(ctx context.Context, b store.OutboundBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.batches == nil {
		s.batches = batchTable{}
	}
	b.CreatedAt, b.ExpireAt = micro(b.CreatedAt), micro(b.ExpireAt)
	b.Recipients, b.Messages = slices.Clone(b.Recipients), slices.Clone(b.Messages)
	for i := range b.Recipients {
		b.Recipients[i].NotBefore = micro(b.Recipients[i].NotBefore)
	}
	s.batches[b.ID] = b
	return nil
}

// micro is a time as Firestore returns it: UTC, microseconds.
func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
