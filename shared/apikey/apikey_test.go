package apikey_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// t0 is 300 ms into a second, so the time left in it is known.
var t0 = time.Date(2026, 11, 25, 14, 0, 0, 300_000_000, time.UTC)

// fakeClock is a clock tests move; safe for concurrent readers.
type fakeClock struct{ now atomic.Pointer[time.Time] }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.set(t)
	return c
}
func (c *fakeClock) set(t time.Time)     { c.now.Store(&t) }
func (c *fakeClock) add(d time.Duration) { c.set(c.now.Load().Add(d)) }
func (c *fakeClock) clock() clock.Clock {
	return clock.Clock{Now: func() time.Time { return *c.now.Load() }}
}
func newService(st apikey.Store, c *fakeClock) *apikey.Service {
	return &apikey.Service{Store: st, Clock: c.clock()}
}

func validKey() apikey.Key {
	return apikey.Key{Name: "CRM", Numbers: []string{"+14155550101"}, Scopes: []apikey.Scope{apikey.ScopeSession}}
}

func create(t *testing.T, s *apikey.Service, k apikey.Key) (apikey.Key, string) {
	t.Helper()
	k, secret, err := s.Create(context.Background(), k)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return k, secret
}

func TestCreate(t *testing.T) {
	c := newClock(t0)
	st := memstore.New()
	s := newService(st, c)
	k, secret := create(t, s, apikey.Key{Name: " CRM ", Numbers: []string{"(415) 555-0101", "+14155550102"},
		Scopes: []apikey.Scope{apikey.ScopeSessionless, apikey.ScopeSession}, CreatedBy: "admin-1"})
	if !strings.HasPrefix(k.ID, "key_") || len(k.ID) != 20 {
		t.Errorf("id %q, want key_ and 16 characters", k.ID)
	}
	if !strings.HasPrefix(secret, "sk_"+k.ID+"_") || len(secret) < len("sk_"+k.ID+"_")+32 {
		t.Errorf("secret %q, want sk_<id>_ and at least 32 random characters", secret)
	}
	stored, err := st.APIKey(context.Background(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Hash, secret) || strings.Contains(stored.Hash, secret[len(secret)-32:]) || !strings.HasPrefix(stored.Hash, "sha256:") {
		t.Errorf("stored hash %q must be a SHA-256 digest, not the secret", stored.Hash)
	}
	want := apikey.Key{ID: k.ID, Name: "CRM", Numbers: []string{"+14155550101", "+14155550102"},
		Scopes: []apikey.Scope{apikey.ScopeSessionless, apikey.ScopeSession}, RatePerSecond: 10,
		Hash: stored.Hash, CreatedAt: t0, CreatedBy: "admin-1"}
	if d := cmp.Diff(want, stored); d != "" {
		t.Errorf("stored key (-want +got):\n%s", d)
	}
	_, secret2 := create(t, s, validKey())
	if secret2 == secret {
		t.Error("two keys got the same secret")
	}
}

func TestCreateRefusesBadFields(t *testing.T) {
	long := strings.Repeat("x", 101)
	for _, tc := range []struct {
		name   string
		edit   func(*apikey.Key)
		fields []string
	}{
		{"no name", func(k *apikey.Key) { k.Name = "  " }, []string{"name"}},
		{"long name", func(k *apikey.Key) { k.Name = long }, []string{"name"}},
		{"no numbers", func(k *apikey.Key) { k.Numbers = nil }, []string{"numbers"}},
		{"bad number", func(k *apikey.Key) { k.Numbers = []string{"+14155550101", "call me"} }, []string{"numbers[1]"}},
		{"number twice", func(k *apikey.Key) { k.Numbers = []string{"+14155550101", "4155550101"} }, []string{"numbers[1]"}},
		{"no scopes", func(k *apikey.Key) { k.Scopes = nil }, []string{"scopes"}},
		{"unknown scope", func(k *apikey.Key) { k.Scopes = []apikey.Scope{"admin"} }, []string{"scopes[0]"}},
		{"scope twice", func(k *apikey.Key) { k.Scopes = []apikey.Scope{"session", "session"} }, []string{"scopes[1]"}},
		{"negative rate", func(k *apikey.Key) { k.RatePerSecond = -1 }, []string{"ratePerSecond"}},
		{"rate too high", func(k *apikey.Key) { k.RatePerSecond = apikey.MaxRatePerSecond + 1 }, []string{"ratePerSecond"}},
		{"several", func(k *apikey.Key) { k.Name = ""; k.Scopes = nil }, []string{"name", "scopes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			s := newService(st, newClock(t0))
			k := validKey()
			tc.edit(&k)
			_, secret, err := s.Create(context.Background(), k)
			var ve *chat.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Create = %v, want a *chat.ValidationError", err)
			}
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
			if d := cmp.Diff(tc.fields, fields); d != "" {
				t.Errorf("problem fields (-want +got):\n%s\n%v", d, ve)
			}
			if secret != "" {
				t.Errorf("a refused key got a secret")
			}
			if ks, _ := st.APIKeys(context.Background()); len(ks) != 0 {
				t.Errorf("a refused key was stored: %v", ks)
			}
		})
	}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestAuthenticate(t *testing.T) {
	st := memstore.New()
	s := newService(st, newClock(t0))
	k, secret := create(t, s, validKey())
	revoked, revokedSecret := create(t, s, validKey())
	if err := s.Revoke(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	wrongSecret := secret[:len(secret)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(secret, "a")]
	for _, tc := range []struct {
		name    string
		headers []string
		want    error // nil: authenticated as k
	}{
		{"bearer", []string{"Bearer " + secret}, nil},
		{"bearer, scheme in lower case", []string{"bearer " + secret}, nil},
		{"basic with a username", []string{basic("acme", secret)}, nil},
		{"basic without a username", []string{basic("", secret)}, nil},
		{"no header", nil, apikey.ErrNoCredentials},
		{"wrong scheme", []string{"Token " + secret}, apikey.ErrUnauthenticated},
		{"bearer without a key", []string{"Bearer "}, apikey.ErrUnauthenticated},
		{"basic, key as username", []string{basic(secret, "")}, apikey.ErrUnauthenticated},
		{"basic, not base64", []string{"Basic %%%"}, apikey.ErrUnauthenticated},
		{"basic, no colon", []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(secret))}, apikey.ErrUnauthenticated},
		{"not an API key", []string{"Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"}, apikey.ErrUnauthenticated},
		{"unknown key", []string{"Bearer sk_key_aaaaaaaaaaaaaaaa_" + strings.Repeat("a", 32)}, apikey.ErrUnauthenticated},
		{"wrong secret", []string{"Bearer " + wrongSecret}, apikey.ErrUnauthenticated},
		{"revoked", []string{"Bearer " + revokedSecret}, apikey.ErrUnauthenticated},
		{"two headers", []string{"Bearer " + secret, "Bearer " + secret}, apikey.ErrUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/sms", nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := s.Authenticate(context.Background(), r)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("Authenticate = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if got.ID != k.ID {
				t.Errorf("authenticated as %s, want %s", got.ID, k.ID)
			}
		})
	}
}

func TestRevokeUnknownIsNotFound(t *testing.T) {
	s := newService(memstore.New(), newClock(t0))
	if err := s.Revoke(context.Background(), "key_nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Revoke(unknown) = %v, want store.ErrNotFound", err)
	}
}

func TestPepper(t *testing.T) {
	st := memstore.New()
	plain := newService(st, newClock(t0))
	old, oldSecret := create(t, plain, validKey())
	peppered := &apikey.Service{Store: st, Clock: plain.Clock, Pepper: []byte("pepper")}
	k, secret := create(t, peppered, validKey())
	stored, _ := st.APIKey(context.Background(), k.ID)
	if !strings.HasPrefix(stored.Hash, "hmac-sha256:") {
		t.Errorf("hash with a pepper = %q, want hmac-sha256:", stored.Hash)
	}
	for _, tc := range []struct {
		name   string
		s      *apikey.Service
		secret string
		want   string // "" refused
	}{
		{"peppered key, pepper configured", peppered, secret, k.ID},
		{"key made before the pepper", peppered, oldSecret, old.ID},
		{"peppered key, pepper removed", plain, secret, ""},
		{"peppered key, another pepper", &apikey.Service{Store: st, Pepper: []byte("other")}, secret, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tc.secret)
			got, err := tc.s.Authenticate(context.Background(), r)
			switch {
			case tc.want == "" && !errors.Is(err, apikey.ErrUnauthenticated):
				t.Errorf("Authenticate = %v, want ErrUnauthenticated", err)
			case tc.want != "" && (err != nil || got.ID != tc.want):
				t.Errorf("Authenticate = %s, %v; want %s", got.ID, err, tc.want)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	k := apikey.Key{Numbers: []string{"+14155550101"}, Scopes: []apikey.Scope{apikey.ScopeSessionless}}
	revoked := k
	revoked.RevokedAt = t0
	for _, tc := range []struct {
		name   string
		k      apikey.Key
		scope  apikey.Scope
		number string
		want   bool
	}{
		{"its number and scope", k, apikey.ScopeSessionless, "+14155550101", true},
		{"its number written nationally", k, apikey.ScopeSessionless, "(415) 555-0101", true},
		{"another number", k, apikey.ScopeSessionless, "+14155550102", false},
		{"another scope", k, apikey.ScopeSession, "+14155550101", false},
		{"revoked", revoked, apikey.ScopeSessionless, "+14155550101", false},
	} {
		if got := tc.k.Allows(tc.scope, tc.number); got != tc.want {
			t.Errorf("%s: Allows = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAllowIsExactUnderConcurrency sends 50 requests at once from two
// services (two function instances) on one store: exactly RatePerSecond
// pass in a second, the rest are told when the next second starts.
func TestAllowIsExactUnderConcurrency(t *testing.T) {
	for _, rate := range []int{1, 3, 10} {
		t.Run(fmt.Sprintf("rate %d", rate), func(t *testing.T) {
			c := newClock(t0)
			st := memstore.New()
			instances := []*apikey.Service{newService(st, c), newService(st, c)}
			k := validKey()
			k.RatePerSecond = rate
			k, _ = create(t, instances[0], k)
			burst := func() (allowed int, waits []time.Duration) {
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i := range 50 {
					wg.Go(func() {
						ok, wait, err := instances[i%2].Allow(context.Background(), k)
						if err != nil {
							t.Errorf("Allow: %v", err)
							return
						}
						mu.Lock()
						defer mu.Unlock()
						if ok {
							allowed++
						} else {
							waits = append(waits, wait)
						}
					})
				}
				wg.Wait()
				return allowed, waits
			}
			for second := range 3 {
				allowed, waits := burst()
				if allowed != rate {
					t.Errorf("second %d: %d allowed, want %d", second, allowed, rate)
				}
				for _, w := range waits {
					if w != 700*time.Millisecond {
						t.Errorf("second %d: retry after %v, want 700ms (the rest of the second)", second, w)
						break
					}
				}
				c.add(time.Second)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{0, 1}, {time.Microsecond, 1}, {700 * time.Millisecond, 1}, {time.Second, 1},
		{time.Second + time.Millisecond, 2},
	} {
		if got := apikey.RetryAfter(tc.d); got != tc.want {
			t.Errorf("RetryAfter(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestIdempotency(t *testing.T) {
	ctx := context.Background()
	resp := apikey.Response{Status: 200, ContentType: "application/json", Body: []byte(`{"id":"chat-1"}`)}
	type step struct {
		advance time.Duration
		keyID   string
		idem    string
		body    string
		finish  bool // Finish with resp after a nil Begin
		want    *apikey.Response
		wantErr error
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"replay of a finished request", []step{
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{advance: time.Hour, keyID: "k1", idem: "a", body: "b1", want: &resp},
		}},
		{"another body is a mismatch", []step{
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{keyID: "k1", idem: "a", body: "b2", wantErr: apikey.ErrIdempotencyMismatch},
		}},
		{"another body while in progress is a mismatch", []step{
			{keyID: "k1", idem: "a", body: "b1"},
			{keyID: "k1", idem: "a", body: "b2", wantErr: apikey.ErrIdempotencyMismatch},
		}},
		{"same body while in progress runs again", []step{
			{keyID: "k1", idem: "a", body: "b1"},
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{keyID: "k1", idem: "a", body: "b1", want: &resp},
		}},
		{"another API key has its own records", []step{
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{keyID: "k2", idem: "a", body: "b2"},
		}},
		{"replayed until 24 h", []step{
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{advance: 24*time.Hour - time.Microsecond, keyID: "k1", idem: "a", body: "b1", want: &resp},
		}},
		{"expired after 24 h", []step{
			{keyID: "k1", idem: "a", body: "b1", finish: true},
			{advance: 24 * time.Hour, keyID: "k1", idem: "a", body: "b2"},
			{keyID: "k1", idem: "a", body: "b1", wantErr: apikey.ErrIdempotencyMismatch},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock(t0)
			s := newService(memstore.New(), c)
			for i, st := range tc.steps {
				c.add(st.advance)
				got, err := s.Begin(ctx, st.keyID, st.idem, []byte(st.body))
				if !errors.Is(err, st.wantErr) {
					t.Fatalf("step %d: Begin error %v, want %v", i, err, st.wantErr)
				}
				if d := cmp.Diff(st.want, got); d != "" {
					t.Fatalf("step %d: Begin (-want +got):\n%s", i, d)
				}
				if st.finish {
					if err := s.Finish(ctx, st.keyID, st.idem, resp); err != nil {
						t.Fatalf("step %d: Finish: %v", i, err)
					}
				}
			}
		})
	}
}

func TestValidateIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{"a", true}, {"order-42 retry #1", true}, {strings.Repeat("k", 255), true},
		{"", false}, {strings.Repeat("k", 256), false}, {"tab\there", false}, {"café", false}, {"nl\n", false},
	} {
		err := apikey.ValidateIdempotencyKey(tc.v)
		var ve *chat.ValidationError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q: %v, want valid", tc.v, err)
		case !tc.ok && (!errors.As(err, &ve) || ve.Problems[0].Field != "Idempotency-Key"):
			t.Errorf("%q: %v, want a problem naming Idempotency-Key", tc.v, err)
		}
	}
}
