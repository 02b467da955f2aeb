package firestore

import (
	"context"
	"fmt"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/apikey/keyrec"
)

// The API-key collections: apiKeys/{id}; ratelimit/{keyId}_{second}_{slot},
// one document per rate-limit token, created once and never written
// again; outboundRequests/{keyId}_{sha256(Idempotency-Key)}. The last two
// carry expireAt for their TTL policies (terraform/firestore.tf).
const (
	colAPIKeys          = "apiKeys"
	colRateLimit        = "ratelimit"
	colOutboundRequests = "outboundRequests"
)

var _ keyrec.Store = (*Store)(nil)

// keyDoc is apiKeys/{id}. The secret is never stored, only its hash.
type keyDoc struct {
	Name          string         `firestore:"name"`
	Numbers       []string       `firestore:"numbers"`
	Scopes        []keyrec.Scope `firestore:"scopes"`
	RatePerSecond int            `firestore:"ratePerSecond"`
	Hash          string         `firestore:"hash"`
	CreatedAt     time.Time      `firestore:"createdAt"`
	CreatedBy     string         `firestore:"createdBy,omitempty"`
	RevokedAt     *time.Time     `firestore:"revokedAt,omitempty"`
}

func toKeyDoc(k keyrec.Key) keyDoc {
	d := keyDoc{
		Name: k.Name, Numbers: k.Numbers, Scopes: k.Scopes, RatePerSecond: k.RatePerSecond,
		Hash: k.Hash, CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
	}
	if !k.RevokedAt.IsZero() {
		at := k.RevokedAt
		d.RevokedAt = &at
	}
	return d
}

func (d keyDoc) key(id string) keyrec.Key {
	k := keyrec.Key{
		ID: id, Name: d.Name, Numbers: d.Numbers, Scopes: d.Scopes, RatePerSecond: d.RatePerSecond,
		Hash: d.Hash, CreatedAt: d.CreatedAt.UTC(), CreatedBy: d.CreatedBy,
	}
	if d.RevokedAt != nil {
		k.RevokedAt = d.RevokedAt.UTC()
	}
	return k
}

type rateTokenDoc struct {
	ExpireAt time.Time `firestore:"expireAt"`
}

// requestDoc is outboundRequests/{id}: an Idempotency-Key's request and,
// once done, the answer to replay (under the 1 MiB document limit: the
// middleware stores answers up to 512 KiB).
type requestDoc struct {
	KeyID       string    `firestore:"keyId"`
	BodyHash    string    `firestore:"bodyHash"`
	State       string    `firestore:"state"`
	Status      int       `firestore:"status,omitempty"`
	ContentType string    `firestore:"contentType,omitempty"`
	Body        []byte    `firestore:"body,omitempty"`
	CreatedAt   time.Time `firestore:"createdAt"`
	ExpireAt    time.Time `firestore:"expireAt"`
}

func toRequestDoc(r keyrec.Record) requestDoc {
	return requestDoc{
		KeyID: r.KeyID, BodyHash: r.BodyHash, State: string(r.State),
		Status: r.Response.Status, ContentType: r.Response.ContentType, Body: r.Response.Body,
		CreatedAt: r.Created, ExpireAt: r.ExpireAt,
	}
}

func (d requestDoc) record(id string) keyrec.Record {
	return keyrec.Record{
		ID: id, KeyID: d.KeyID, BodyHash: d.BodyHash, State: keyrec.State(d.State),
		Response: keyrec.Response{Status: d.Status, ContentType: d.ContentType, Body: d.Body},
		Created:  d.CreatedAt.UTC(), ExpireAt: d.ExpireAt.UTC(),
	}
}

func (s *Store) apiKeyRef(id string) *gfs.DocumentRef { return s.client.Collection(colAPIKeys).Doc(id) }
func (s *Store) requestRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colOutboundRequests).Doc(id)
}

func (s *Store) CreateAPIKey(ctx context.Context, k keyrec.Key) error {
	ref := s.apiKeyRef(k.ID)
	if _, err := ref.Create(ctx, toKeyDoc(k)); err != nil {
		return mapErr(err, "create "+ref.Path)
	}
	return nil
}

func (s *Store) APIKey(ctx context.Context, id string) (keyrec.Key, error) {
	d, err := get[keyDoc](ctx, s.apiKeyRef(id))
	if err != nil {
		return keyrec.Key{}, err
	}
	return d.key(id), nil
}

func (s *Store) APIKeys(ctx context.Context) ([]keyrec.Key, error) {
	return listByID(ctx, s.client.Collection(colAPIKeys), keyDoc.key)
}

func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) (keyrec.Key, error) {
	ref := s.apiKeyRef(id)
	var k keyrec.Key
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		if err != nil {
			return err
		}
		var d keyDoc
		if err := snap.DataTo(&d); err != nil {
			return fmt.Errorf("decode %s: %w", ref.Path, err)
		}
		if d.RevokedAt == nil {
			d.RevokedAt = &at
			if err := ft.Set(ref, d); err != nil {
				return err
			}
		}
		k = d.key(id)
		return nil
	})
	if err != nil {
		return keyrec.Key{}, mapErr(err, "revoke "+ref.Path)
	}
	return k, nil
}

func (s *Store) CreateRateToken(ctx context.Context, id string, expireAt time.Time) error {
	ref := s.client.Collection(colRateLimit).Doc(id)
	if _, err := ref.Create(ctx, rateTokenDoc{ExpireAt: expireAt}); err != nil {
		return mapErr(err, "create "+ref.Path)
	}
	return nil
}

func (s *Store) BeginRequest(ctx context.Context, rec keyrec.Record, now time.Time) (keyrec.Record, bool, error) {
	ref := s.requestRef(rec.ID)
	var held keyrec.Record
	var created bool
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		switch {
		case status.Code(err) == codes.NotFound:
		case err != nil:
			return err
		default:
			var d requestDoc
			if err := snap.DataTo(&d); err != nil {
				return fmt.Errorf("decode %s: %w", ref.Path, err)
			}
			if d.ExpireAt.After(now) {
				held, created = d.record(rec.ID), false
				return nil
			}
		}
		held, created = rec, true
		return ft.Set(ref, toRequestDoc(rec))
	})
	if err != nil {
		return keyrec.Record{}, false, mapErr(err, "begin "+ref.Path)
	}
	return held, created, nil
}

func (s *Store) FinishRequest(ctx context.Context, id string, resp keyrec.Response) error {
	ref := s.requestRef(id)
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		if err != nil {
			return err
		}
		var d requestDoc
		if err := snap.DataTo(&d); err != nil {
			return fmt.Errorf("decode %s: %w", ref.Path, err)
		}
		if d.State == string(keyrec.StateDone) {
			return nil
		}
		d.State = string(keyrec.StateDone)
		d.Status, d.ContentType, d.Body = resp.Status, resp.ContentType, resp.Body
		return ft.Set(ref, d)
	})
	if err != nil {
		return mapErr(err, "finish "+ref.Path)
	}
	return nil
}
