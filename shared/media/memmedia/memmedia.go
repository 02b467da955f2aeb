// Package memmedia is the embedded twin of the media bucket: objects kept in
// memory, read through URLs signed with an HMAC that expire like Cloud
// Storage's V4 signed URLs, served by Handler (scripts/dev mounts it at
// /Media/). It is for development and tests, never production: objects die
// with the process.
package memmedia

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/media"
)

// DefaultMaxBytes bounds what a store keeps in memory altogether.
const DefaultMaxBytes = 512 << 20

// MaxTTL is the longest a signed URL may live, as for Cloud Storage V4.
const MaxTTL = 7 * 24 * time.Hour

// Options configure a store.
type Options struct {
	// BaseURL is where Handler is reachable from readers (the console, the
	// carrier): signed URLs are BaseURL + "/" + object name + query. Its
	// path is the prefix Handler strips, e.g. http://localhost:8080/Media.
	BaseURL string
	// Key signs URLs; nil means a random key (URLs die with the process,
	// as the objects do).
	Key []byte
	// MaxBytes bounds the total size kept; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Now is replaceable for tests; nil means time.Now.
	Now func() time.Time
}

// Store keeps media in memory.
type Store struct {
	base   *url.URL
	prefix string
	key    []byte
	max    int64
	now    func() time.Time

	mu      sync.RWMutex
	objects map[string]object
	total   int64
}

type object struct {
	contentType string
	data        []byte
	updated     time.Time
}

var _ media.Bucket = (*Store)(nil)

// New returns an empty store.
func New(o Options) (*Store, error) {
	base, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" {
		return nil, fmt.Errorf("memmedia: base URL %q must be an absolute http(s) URL without a query", o.BaseURL)
	}
	s := &Store{base: base, prefix: base.Path + "/", key: o.Key, max: o.MaxBytes, now: o.Now, objects: map[string]object{}}
	if len(s.key) == 0 {
		s.key = make([]byte, 32)
		_, _ = rand.Read(s.key)
	}
	if s.max <= 0 {
		s.max = DefaultMaxBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "//") ||
		strings.ContainsAny(name, "\x00\r\n") || len(name) > 1024 {
		return fmt.Errorf("memmedia: invalid object name %q", name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("memmedia: invalid object name %q", name)
		}
	}
	return nil
}

// Put stores an object, replacing one of the same name.
func (s *Store) Put(ctx context.Context, name, contentType string, r io.Reader, limit int64) (media.Object, error) {
	if err := checkName(name); err != nil {
		return media.Object{}, err
	}
	var buf bytes.Buffer
	if _, err := media.CopyLimited(&buf, r, limit); err != nil {
		return media.Object{}, fmt.Errorf("memmedia: put %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return media.Object{}, fmt.Errorf("memmedia: put %s: %w", name, err)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := int64(len(s.objects[name].data))
	if s.total-old+int64(buf.Len()) > s.max {
		return media.Object{}, fmt.Errorf("memmedia: put %s: the store holds %d of its %d bytes; restart the dev server to empty it", name, s.total, s.max)
	}
	s.total += int64(buf.Len()) - old
	s.objects[name] = object{contentType: contentType, data: buf.Bytes(), updated: s.now()}
	return media.Object{Name: name, ContentType: contentType, Size: int64(buf.Len())}, nil
}

// Open reads an object.
func (s *Store) Open(ctx context.Context, name string) (io.ReadCloser, media.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, media.Object{}, err
	}
	o, ok := s.get(name)
	if !ok {
		return nil, media.Object{}, fmt.Errorf("memmedia: %s: %w", name, media.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(o.data)), media.Object{Name: name, ContentType: o.contentType, Size: int64(len(o.data))}, nil
}

func (s *Store) get(name string) (object, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[name]
	return o, ok
}

// SignedURL is BaseURL/name?expires=UNIX&signature=HEX, valid until expires.
func (s *Store) SignedURL(_ context.Context, name string, ttl time.Duration) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("memmedia: signed URL lifetime %s must be positive and at most %s", ttl, MaxTTL)
	}
	expires := s.now().Add(ttl).Unix()
	u := *s.base
	u.Path = s.prefix + name
	u.RawPath = ""
	u.RawQuery = url.Values{
		"expires":   {strconv.FormatInt(expires, 10)},
		"signature": {s.sign(name, expires)},
	}.Encode()
	return u.String(), nil
}

func (s *Store) sign(name string, expires int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("GET\n" + name + "\n" + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// ErrSignature is why Handler refuses a URL.
var ErrSignature = errors.New("the URL's signature is invalid")

// Verify checks a signed URL's path (decoded, with the base path) and query
// and returns the object name it grants.
func (s *Store) Verify(path string, q url.Values) (string, error) {
	name, ok := strings.CutPrefix(path, s.prefix)
	if !ok || checkName(name) != nil {
		return "", fmt.Errorf("%w: no object name under %s", ErrSignature, s.prefix)
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return "", fmt.Errorf("%w: expires is missing", ErrSignature)
	}
	want := s.sign(name, expires)
	if !hmac.Equal([]byte(q.Get("signature")), []byte(want)) {
		return "", ErrSignature
	}
	if s.now().Unix() >= expires {
		return "", fmt.Errorf("the URL expired at %s", time.Unix(expires, 0).UTC().Format(time.RFC3339))
	}
	return name, nil
}

// Handler serves signed URLs (GET and HEAD, with ranges): 403 when the
// signature is wrong or expired, 404 when the object is gone.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, err := s.Verify(r.URL.Path, r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		o, ok := s.get(name)
		if !ok {
			http.Error(w, "no such object", http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", o.contentType)
		// Media are consumers' files: never let a browser run them as a
		// page of this origin.
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cache-Control", "private, max-age=900")
		http.ServeContent(w, r, "", o.updated, bytes.NewReader(o.data))
	})
}

// Len is the number of objects stored (for tests).
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.objects)
}
