// Package mediatest is the contract every media.Bucket passes: the Cloud
// Storage adapter (against fake-gcs-server) and the in-memory twin run the
// same cases.
package mediatest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/smsdesk/smsdesk/shared/media"
)

// Harness tells the suite how to reach a store.
type Harness struct {
	// New returns an empty store.
	New func(t *testing.T) media.Bucket
	// Client fetches signed URLs; nil means http.DefaultClient.
	Client *http.Client
	// ChecksSignatures is false for backends whose signed URLs are not
	// verified by the server that serves them (fake-gcs-server): the tamper
	// and expiry cases are then checked elsewhere.
	ChecksSignatures bool
	// HEAD is true when signed URLs answer HEAD requests too.
	HEAD bool
}

// Run runs the contract.
func Run(t *testing.T, h Harness) {
	if h.Client == nil {
		h.Client = http.DefaultClient
	}
	ctx := context.Background()
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("j"), 3000)...)

	t.Run("put and open", func(t *testing.T) {
		cases := []struct {
			name, object, contentType string
			data                      []byte
			limit                     int64
		}{
			{"jpeg", "inbound/twilio_MM1/0", "image/jpeg", jpeg, media.MaxMediaBytes},
			{"exactly the limit", "inbound/twilio_MM1/1", "application/pdf", bytes.Repeat([]byte("p"), 1000), 1000},
			{"empty", "outbound/chat-1/empty", "text/vcard", nil, 10},
			{"name with spaces and unicode", "outbound/chat 1/ünïcode", "image/png", []byte("\x89PNG\r\n\x1a\nrest"), 100},
		}
		s := h.New(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				obj, err := s.Put(ctx, c.object, c.contentType, bytes.NewReader(c.data), c.limit)
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				if obj.Name != c.object || obj.Size != int64(len(c.data)) || obj.ContentType != c.contentType {
					t.Errorf("Put = %+v, want name %s size %d type %s", obj, c.object, len(c.data), c.contentType)
				}
				got, gotObj := open(t, s, c.object)
				if !bytes.Equal(got, c.data) {
					t.Errorf("Open read %d bytes, want %d", len(got), len(c.data))
				}
				if gotObj.Size != int64(len(c.data)) || gotObj.ContentType != c.contentType {
					t.Errorf("Open object = %+v", gotObj)
				}
			})
		}
	})

	t.Run("put replaces", func(t *testing.T) {
		s := h.New(t)
		put(t, s, "inbound/x/0", "image/gif", []byte("GIF89a first"))
		put(t, s, "inbound/x/0", "image/png", []byte("second"))
		got, obj := open(t, s, "inbound/x/0")
		if string(got) != "second" || obj.ContentType != "image/png" {
			t.Errorf("after replacing: %q %+v", got, obj)
		}
	})

	t.Run("refused puts store nothing", func(t *testing.T) {
		cases := []struct {
			name    string
			r       io.Reader
			limit   int64
			tooBig  bool
			readErr bool
		}{
			{name: "one byte over the limit", r: bytes.NewReader(make([]byte, 1001)), limit: 1000, tooBig: true},
			{name: "far over the limit", r: io.LimitReader(zeros{}, 6<<20), limit: media.MaxMediaBytes, tooBig: true},
			{name: "source fails", r: io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(errors.New("connection reset"))), limit: 1000, readErr: true},
		}
		s := h.New(t)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				name := "refused/" + strconv.Itoa(i)
				_, err := s.Put(ctx, name, "image/jpeg", c.r, c.limit)
				if err == nil {
					t.Fatal("Put succeeded")
				}
				if got := errors.Is(err, media.ErrTooLarge); got != c.tooBig {
					t.Errorf("Put error %v: ErrMediaTooLarge = %v, want %v", err, got, c.tooBig)
				}
				if c.readErr && !strings.Contains(err.Error(), "connection reset") {
					t.Errorf("Put error %v does not name the read failure", err)
				}
				if _, _, err := s.Open(ctx, name); !errors.Is(err, media.ErrNotFound) {
					t.Errorf("Open after a refused Put: %v, want ErrNotFound", err)
				}
			})
		}
	})

	t.Run("open missing", func(t *testing.T) {
		s := h.New(t)
		if _, _, err := s.Open(ctx, "inbound/nothing/0"); !errors.Is(err, media.ErrNotFound) {
			t.Errorf("Open = %v, want ErrNotFound", err)
		}
	})

	t.Run("signed URL serves the bytes", func(t *testing.T) {
		s := h.New(t)
		objects := map[string][]byte{
			"inbound/twilio_MMabc/0": jpeg,
			"outbound/chat 9/ü":      []byte("GIF89a..."),
		}
		for name, data := range objects {
			ct := http.DetectContentType(data)
			put(t, s, name, ct, data)
			u, err := s.SignedURL(ctx, name, 15*time.Minute)
			if err != nil {
				t.Fatalf("SignedURL: %v", err)
			}
			resp := get(t, h.Client, http.MethodGet, u)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Fatalf("GET %s: %d, %d bytes (want %d): %.200s", u, resp.StatusCode, len(body), len(data), body)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, ct) {
				t.Errorf("GET Content-Type %q, want %q", got, ct)
			}
			if h.HEAD {
				resp := get(t, h.Client, http.MethodHead, u)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) ||
					resp.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
					t.Errorf("HEAD %s: %d %v", u, resp.StatusCode, resp.Header)
				}
			}
		}
	})

	if h.ChecksSignatures {
		t.Run("signed URL refuses tampering", func(t *testing.T) {
			s := h.New(t)
			put(t, s, "inbound/a/0", "image/jpeg", jpeg)
			put(t, s, "inbound/b/0", "image/jpeg", jpeg)
			u, err := s.SignedURL(ctx, "inbound/a/0", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			cases := map[string]string{
				"other object":    strings.Replace(u, "inbound/a/0", "inbound/b/0", 1),
				"longer lifetime": bumpExpiry(u),
				"no signature":    u[:strings.Index(u, "?")],
			}
			for name, bad := range cases {
				resp := get(t, h.Client, http.MethodGet, bad)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s: GET %s = %d, want 403", name, bad, resp.StatusCode)
				}
			}
		})
	}
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func put(t *testing.T, s media.Bucket, name, ct string, data []byte) {
	t.Helper()
	if _, err := s.Put(context.Background(), name, ct, bytes.NewReader(data), media.MaxMediaBytes); err != nil {
		t.Fatalf("Put %s: %v", name, err)
	}
}

func open(t *testing.T, s media.Bucket, name string) ([]byte, media.Object) {
	t.Helper()
	rc, obj, err := s.Open(context.Background(), name)
	if err != nil {
		t.Fatalf("Open %s: %v", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return data, obj
}

func get(t *testing.T, c *http.Client, method, u string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp
}

// bumpExpiry changes the expiry parameter of a memmedia-style URL.
func bumpExpiry(u string) string {
	i := strings.Index(u, "expires=")
	if i < 0 {
		return u + "&expires=9999999999"
	}
	j := i + len("expires=")
	k := j
	for k < len(u) && u[k] >= '0' && u[k] <= '9' {
		k++
	}
	n, _ := strconv.ParseInt(u[j:k], 10, 64)
	return u[:j] + strconv.FormatInt(n+3600, 10) + u[k:]
}
