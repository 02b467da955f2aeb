package storetest

import (
	"errors"
	"testing"

	"github.com/smsdesk/smsdesk/shared/store"
)

// testOutboundBatches: a batch reads back as written (UTC, microseconds),
// a rewrite replaces it, an unknown one is ErrNotFound.
func testOutboundBatches(t *testing.T, s store.Store) {
	bs := s
	if _, err := bs.Batch(ctx(t), "b-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Batch(missing) = %v, want ErrNotFound", err)
	}
	b := store.OutboundBatch{
		ID: "b1", KeyID: "key_x", From: "+14155550101", Messages: []string{"one", "two"}, CreatedAt: t0,
		Recipients: []store.OutboundRecipient{
			{Input: "+12125550123", Number: "+12125550123", Status: "queued", ChatID: "b1-0", From: "+14155550101", NotBefore: t0.Add(3e9)},
			{Input: "nope", Status: "refused_invalid", Error: "not a phone number"},
		},
		ExpireAt: t0.Add(store.OutboundBatchRetention),
	}
	if err := bs.PutBatch(ctx(t), b); err != nil {
		t.Fatalf("PutBatch: %v", err)
	}
	got, err := bs.Batch(ctx(t), "b1")
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	diff(t, "batch", b, got)
	b.Complete = true
	b.Recipients[0].Status = "held_quiet_hours"
	if err := bs.PutBatch(ctx(t), b); err != nil {
		t.Fatalf("PutBatch again: %v", err)
	}
	if got, err = bs.Batch(ctx(t), "b1"); err != nil {
		t.Fatalf("Batch: %v", err)
	}
	diff(t, "rewritten batch", b, got)
}
