package media

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/smsdesk/smsdesk/shared/store"
)

// ErrNotFound is what a Bucket's Open returns (wrapped) for a missing
// object: the store's, so callers test one error for "no such thing".
var ErrNotFound = store.ErrNotFound

// ErrTooLarge is what a Bucket returns when a Put reads more than
// its limit.
var ErrTooLarge = errors.New("media larger than the limit")

// Object describes a stored medium.
type Object struct {
	Name        string
	ContentType string
	Size        int64
}

// Bucket keeps MMS media: a private Cloud Storage bucket in production,
// an in-memory twin for scripts/dev. Object names are chosen by the app
// (inbound/{inboundID}/{index}, outbound/{chatID}/{random}); writing a name
// again replaces the object, so a retried copy stores one object.
type Bucket interface {
	// Put stores what r yields under name. It reads at most limit bytes: a
	// longer r fails with ErrTooLarge and stores nothing. The returned
	// object has the size that was stored.
	Put(ctx context.Context, name, contentType string, r io.Reader, limit int64) (Object, error)
	// Open reads an object; ErrNotFound (wrapped) when there is none. The
	// caller closes the reader.
	Open(ctx context.Context, name string) (io.ReadCloser, Object, error)
	// SignedURL is a URL that reads the object with GET, without
	// credentials, until ttl has passed. It does not check that the object
	// exists.
	SignedURL(ctx context.Context, name string, ttl time.Duration) (string, error)
}
