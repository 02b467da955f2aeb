package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/apikey/keyrec"
	"github.com/smsdesk/smsdesk/shared/store"
)

// keyStore is the store as keyrec.Store. The Firestore adapter and
// memstore assert they implement it at compile time; a wrapper that does
// not (counting) has no API keys to test.
func keyStore(t *testing.T, s store.Store) keyrec.Store {
	t.Helper()
	ks, ok := s.(keyrec.Store)
	if !ok {
		t.Skipf("%T does not store API keys", s)
	}
	return ks
}

func testAPIKeys(t *testing.T, s store.Store) {
	ks := keyStore(t, s)
	k := keyrec.Key{
		ID: "key_aaaaaaaaaaaaaaaa", Name: "CRM", Numbers: []string{"+14155550101", "+14155550102"},
		Scopes: []keyrec.Scope{keyrec.ScopeSession, keyrec.ScopeSessionless}, RatePerSecond: 10,
		Hash: "sha256:00ff", CreatedAt: t0, CreatedBy: "admin-uid",
	}
	if _, err := ks.APIKey(ctx(t), k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("APIKey(missing) = %v, want ErrNotFound", err)
	}
	if err := ks.CreateAPIKey(ctx(t), k); err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	other := k
	other.Name = "changed"
	if err := ks.CreateAPIKey(ctx(t), other); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateAPIKey(same id) = %v, want ErrConflict", err)
	}
	got, err := ks.APIKey(ctx(t), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "key", k, got)
	k2 := keyrec.Key{ID: "key_0000000000000000", Name: "ERP", Numbers: []string{"+14155550101"},
		Scopes: []keyrec.Scope{keyrec.ScopeSessionless}, RatePerSecond: 1, Hash: "sha256:11", CreatedAt: t0.Add(time.Second)}
	if err := ks.CreateAPIKey(ctx(t), k2); err != nil {
		t.Fatal(err)
	}
	all, err := ks.APIKeys(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "keys by id", []keyrec.Key{k2, k}, all)

	revokedAt := t0.Add(time.Hour)
	rk, err := ks.RevokeAPIKey(ctx(t), k.ID, revokedAt)
	if err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	want := k
	want.RevokedAt = revokedAt
	diff(t, "revoked key", want, rk)
	// A second revocation keeps the first time.
	if rk, err = ks.RevokeAPIKey(ctx(t), k.ID, revokedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	diff(t, "revoked again", want, rk)
	if got, err = ks.APIKey(ctx(t), k.ID); err != nil {
		t.Fatal(err)
	}
	diff(t, "revoked key read back", want, got)
	if _, err := ks.RevokeAPIKey(ctx(t), "key_nope", revokedAt); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAPIKey(missing) = %v, want ErrNotFound", err)
	}
}

// testRateTokens: each token is created once, however many try at once.
func testRateTokens(t *testing.T, s store.Store) {
	ks := keyStore(t, s)
	const tokens, tries = 5, 4
	var won [tokens]atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, tokens*tries)
	for slot := range tokens {
		for range tries {
			wg.Go(func() {
				err := ks.CreateRateToken(ctx(t), fmt.Sprintf("key_x_1764079200_%d", slot), t0.Add(time.Minute))
				switch {
				case err == nil:
					won[slot].Add(1)
				case !errors.Is(err, store.ErrConflict):
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("CreateRateToken: %v", err)
	}
	for slot := range tokens {
		if n := won[slot].Load(); n != 1 {
			t.Errorf("token %d created %d times, want 1", slot, n)
		}
	}
}

func testOutboundRequests(t *testing.T, s store.Store) {
	ks := keyStore(t, s)
	rec := keyrec.Record{
		ID: "key_aaaaaaaaaaaaaaaa_abc", KeyID: "key_aaaaaaaaaaaaaaaa", BodyHash: "h1",
		State: keyrec.StateInProgress, Created: t0, ExpireAt: t0.Add(keyrec.IdempotencyRetention),
	}
	if err := ks.FinishRequest(ctx(t), rec.ID, keyrec.Response{Status: 200}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishRequest(missing) = %v, want ErrNotFound", err)
	}
	held, created, err := ks.BeginRequest(ctx(t), rec, t0)
	if err != nil || !created {
		t.Fatalf("first BeginRequest = %v, %v; want created", created, err)
	}
	diff(t, "created record", rec, held)

	again := rec
	again.BodyHash, again.Created = "h2", t0.Add(time.Minute)
	held, created, err = ks.BeginRequest(ctx(t), again, t0.Add(time.Minute))
	if err != nil || created {
		t.Fatalf("second BeginRequest = %v, %v; want the first record held", created, err)
	}
	diff(t, "held record", rec, held)

	resp := keyrec.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"id":"c1"}`)}
	if err := ks.FinishRequest(ctx(t), rec.ID, resp); err != nil {
		t.Fatalf("FinishRequest: %v", err)
	}
	// The first response finished is kept.
	if err := ks.FinishRequest(ctx(t), rec.ID, keyrec.Response{Status: 400, Body: []byte("no")}); err != nil {
		t.Fatalf("second FinishRequest: %v", err)
	}
	done := rec
	done.State, done.Response = keyrec.StateDone, resp
	held, created, err = ks.BeginRequest(ctx(t), again, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("BeginRequest after finish = %v, %v", created, err)
	}
	diff(t, "done record", done, held)

	// At its expiry the record is replaced, whether or not the TTL policy
	// has deleted it yet.
	later := rec
	later.BodyHash, later.Created, later.ExpireAt = "h3", rec.ExpireAt, rec.ExpireAt.Add(keyrec.IdempotencyRetention)
	held, created, err = ks.BeginRequest(ctx(t), later, rec.ExpireAt)
	if err != nil || !created {
		t.Fatalf("BeginRequest at expiry = %v, %v; want created", created, err)
	}
	diff(t, "replacing record", later, held)
	held, _, err = ks.BeginRequest(ctx(t), again, rec.ExpireAt.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "record after replacement", later, held)
}
