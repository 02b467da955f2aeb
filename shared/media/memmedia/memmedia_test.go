package memmedia_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/media/mediatest"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
)

// serve mounts a store's handler the way the dev server does: at /Media/
// under the base URL's path.
func serve(t *testing.T, o memmedia.Options) *memmedia.Store {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o.BaseURL = srv.URL + "/fn/Media"
	s, err := memmedia.New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/fn/Media/", s.Handler())
	return s
}

func TestContract(t *testing.T) {
	mediatest.Run(t, mediatest.Harness{
		New:              func(t *testing.T) media.Bucket { return serve(t, memmedia.Options{}) },
		ChecksSignatures: true,
		HEAD:             true,
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func TestSignedURLLifetime(t *testing.T) {
	clk := &clock{t: time.Now()}
	s := serve(t, memmedia.Options{Now: clk.now})
	ctx := context.Background()
	if _, err := s.Put(ctx, "inbound/x/0", "image/png", strings.NewReader("\x89PNG\r\n\x1a\n"), 100); err != nil {
		t.Fatal(err)
	}
	u, err := s.SignedURL(ctx, "inbound/x/0", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		after time.Duration
		want  int
	}{
		{0, http.StatusOK},
		{14*time.Minute + 59*time.Second, http.StatusOK},
		{15 * time.Minute, http.StatusForbidden},
		{time.Hour, http.StatusForbidden},
	}
	start := clk.now()
	for _, c := range cases {
		clk.set(start.Add(c.after))
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("after %s: %d %s, want %d", c.after, resp.StatusCode, body, c.want)
		}
	}
	for _, ttl := range []time.Duration{0, -time.Second, 8 * 24 * time.Hour} {
		if _, err := s.SignedURL(ctx, "inbound/x/0", ttl); err == nil {
			t.Errorf("SignedURL with ttl %s succeeded", ttl)
		}
	}
}

func TestKeyAndLimits(t *testing.T) {
	ctx := context.Background()
	// Another process (another key) cannot forge this one's URLs.
	a := serve(t, memmedia.Options{Key: []byte("key-a")})
	b := serve(t, memmedia.Options{Key: []byte("key-b")})
	if _, err := a.Put(ctx, "o/1", "image/gif", strings.NewReader("GIF89a"), 10); err != nil {
		t.Fatal(err)
	}
	ub, _ := b.SignedURL(ctx, "o/1", time.Minute)
	ua, _ := a.SignedURL(ctx, "o/1", time.Minute)
	forged := ua[:strings.Index(ua, "?")] + ub[strings.Index(ub, "?"):]
	resp, err := http.Get(forged)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("URL signed with another key: %d, want 403", resp.StatusCode)
	}
	// Served media never run as pages of this origin.
	resp, err = http.Get(ua)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, resp.Header.Get(h), want)
		}
	}

	small := serve(t, memmedia.Options{MaxBytes: 10})
	if _, err := small.Put(ctx, "o/1", "image/gif", strings.NewReader("GIF89a1234"), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := small.Put(ctx, "o/2", "image/gif", strings.NewReader("x"), 100); err == nil {
		t.Error("Put over the store's capacity succeeded")
	}
	if _, err := small.Put(ctx, "o/1", "image/gif", strings.NewReader("GIF89a"), 100); err != nil {
		t.Errorf("replacing an object within capacity: %v", err)
	}
	for _, bad := range []string{"", "/abs", "a//b", "a/../b", "a/./b"} {
		if _, err := small.Put(ctx, bad, "image/gif", strings.NewReader("x"), 100); err == nil {
			t.Errorf("Put %q succeeded", bad)
		}
	}
	if _, err := memmedia.New(memmedia.Options{BaseURL: "not a url"}); err == nil {
		t.Error("New with a bad base URL succeeded")
	}
}
