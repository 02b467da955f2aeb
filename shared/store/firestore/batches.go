package firestore

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/store"
)

// colBatches holds outboundBatches/{id}, with expireAt for its TTL policy.
const colBatches = "outboundBatches"

// Batch returns a sessionless batch.
func (s *Store) Batch(ctx context.Context, id string) (store.OutboundBatch, error) {
	b, err := get[store.OutboundBatch](ctx, s.client.Collection(colBatches).Doc(id))
	if err != nil {
		return store.OutboundBatch{}, err
	}
	b.CreatedAt, b.ExpireAt = b.CreatedAt.UTC(), b.ExpireAt.UTC()
	for i := range b.Recipients {
		b.Recipients[i].NotBefore = b.Recipients[i].NotBefore.UTC()
	}
	return b, nil
}

// PutBatch creates or replaces a sessionless batch.
func (s *Store) PutBatch(ctx context.Context, b store.OutboundBatch) error {
	return set(ctx, s.client.Collection(colBatches).Doc(b.ID), b)
}
