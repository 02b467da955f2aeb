package apikey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// HeaderIdempotencyKey is the request header; HeaderReplayed marks a
// replayed answer.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

// RecordID is the record of an Idempotency-Key of a key. The header is
// hashed so any printable value makes a valid, bounded document id.
func RecordID(keyID, idemKey string) string {
	sum := sha256.Sum256([]byte(idemKey))
	return keyID + "_" + hex.EncodeToString(sum[:])
}

// ValidateIdempotencyKey checks the header's value: 1 to 255 printable
// ASCII characters. The problem names the header.
func ValidateIdempotencyKey(v string) error {
	bad := len(v) == 0 || len(v) > 255
	for i := 0; i < len(v) && !bad; i++ {
		bad = v[i] < 0x20 || v[i] > 0x7e
	}
	if bad {
		return &chat.ValidationError{Problems: []chat.FieldError{{
			Field: HeaderIdempotencyKey, Message: "must be 1 to 255 printable ASCII characters",
		}}}
	}
	return nil
}

// Begin starts a request under an Idempotency-Key:
//   - the first time (or 24 h after the last time), the record is created
//     in progress and Begin returns nil: do the work, then Finish;
//   - the same key with the same body, done: the stored response, to be
//     replayed instead of doing anything;
//   - the same key with another body: ErrIdempotencyMismatch (409);
//   - the same key and body still in progress: nil, so the work is done
//     again. The outbound use cases derive every effect from the key
//     (chat and task names), so a second run makes no second text; and a
//     client whose first attempt died with its instance can retry at once
//     rather than wait for a lease to expire or get a 409 it cannot act on.
func (s *Service) Begin(ctx context.Context, keyID, idemKey string, body []byte) (*Response, error) {
	if err := ValidateIdempotencyKey(idemKey); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	now := s.Clock.Time()
	rec := Record{
		ID: RecordID(keyID, idemKey), KeyID: keyID, BodyHash: hex.EncodeToString(sum[:]),
		State: StateInProgress, Created: now, ExpireAt: now.Add(IdempotencyRetention),
	}
	held, created, err := s.Store.BeginRequest(ctx, rec, now)
	switch {
	case err != nil:
		return nil, fmt.Errorf("begin request %s: %w", rec.ID, err)
	case created:
		return nil, nil
	case held.BodyHash != rec.BodyHash:
		return nil, ErrIdempotencyMismatch
	case held.State == StateDone:
		resp := held.Response
		return &resp, nil
	}
	return nil, nil
}

// Finish stores the response to replay for an Idempotency-Key. The first
// response finished is the one kept.
func (s *Service) Finish(ctx context.Context, keyID, idemKey string, resp Response) error {
	id := RecordID(keyID, idemKey)
	if err := s.Store.FinishRequest(ctx, id, resp); err != nil {
		return fmt.Errorf("finish request %s: %w", id, err)
	}
	return nil
}
