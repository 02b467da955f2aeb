// Package gcs keeps MMS media in a Cloud Storage bucket (MEDIA_BUCKET) and
// hands out V4 signed URLs for reading them.
//
// Signing: on Google Cloud the runtime service account has no private key,
// so URLs are signed through the IAM Credentials API (signBlob) as that
// account, found on the metadata server (or GoogleAccessID). The account
// needs roles/iam.serviceAccountTokenCreator on itself, and read access to
// the bucket for the URLs to work. With PrivateKey set (tests, a key file)
// URLs are signed locally. Against an emulator (STORAGE_EMULATOR_HOST), which
// does not check signatures, a throwaway key signs them unless a key or an
// account to sign as is given.
package gcs

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/compute/metadata"
	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	iamcredentials "google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"

	"github.com/smsdesk/smsdesk/shared/media"
)

// SignTimeout bounds one signBlob call.
const SignTimeout = 10 * time.Second

// Options configure the store.
type Options struct {
	Bucket string
	// EmulatorHost is a Cloud Storage emulator's host:port or URL; "" reads
	// STORAGE_EMULATOR_HOST. Set, the client talks to it without
	// credentials and signed URLs point at it.
	EmulatorHost string
	// GoogleAccessID is the service account URLs are signed as; "" means
	// the runtime's (metadata server).
	GoogleAccessID string
	// PrivateKey is GoogleAccessID's PEM private key, to sign locally
	// instead of through IAM.
	PrivateKey []byte
	// CacheControl is set on stored objects; "" means private, 15 minutes
	// (a signed URL's lifetime for the console).
	CacheControl string
	// ClientOptions are passed to the storage client, IAMOptions to the IAM
	// Credentials client that signs URLs.
	ClientOptions []option.ClientOption
	IAMOptions    []option.ClientOption
}

// Store is a media bucket.
type Store struct {
	client       *storage.Client
	bucket       *storage.BucketHandle
	name         string
	insecure     bool // the emulator speaks http
	cacheControl string

	accessID   string
	privateKey []byte
	iamOptions []option.ClientOption

	// Set up on the first URL signed through IAM.
	setup    sync.Once
	iam      *iamcredentials.Service
	signAs   string
	setupErr error
}

var _ media.Bucket = (*Store)(nil)

// New connects to the bucket. It does not call Cloud Storage: a missing
// bucket or permission shows on the first Put.
func New(ctx context.Context, o Options) (*Store, error) {
	if o.Bucket == "" {
		return nil, errors.New("gcs: bucket name is empty")
	}
	s := &Store{name: o.Bucket, accessID: o.GoogleAccessID, privateKey: o.PrivateKey, cacheControl: o.CacheControl}
	if s.cacheControl == "" {
		s.cacheControl = "private, max-age=900"
	}
	if len(o.PrivateKey) > 0 && o.GoogleAccessID == "" {
		return nil, errors.New("gcs: a private key needs the GoogleAccessID (service account email) it belongs to")
	}
	opts := append([]option.ClientOption(nil), o.ClientOptions...)
	host := o.EmulatorHost
	if host == "" {
		host = os.Getenv("STORAGE_EMULATOR_HOST")
	}
	if host != "" {
		endpoint := host
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint
		}
		s.insecure = strings.HasPrefix(endpoint, "http://")
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(endpoint, "/")+"/storage/v1/"), option.WithoutAuthentication())
		if len(s.privateKey) == 0 && s.accessID == "" {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return nil, fmt.Errorf("gcs: emulator signing key: %w", err)
			}
			s.privateKey = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
			s.accessID = "smsdesk-emulator@localhost.iam.gserviceaccount.com"
		}
	}
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs: storage client: %w", err)
	}
	s.client, s.bucket = client, client.Bucket(o.Bucket)
	s.iamOptions = o.IAMOptions
	return s, nil
}

// Close releases the client.
func (s *Store) Close() error { return s.client.Close() }

// Bucket is the bucket's name.
func (s *Store) Bucket() string { return s.name }

// chunkSize buffers a whole object of up to limit+1 bytes before the upload
// starts, so an object that turns out too large is abandoned before any
// byte is sent, and a failed request can be retried. It is a multiple of
// 256 KiB, as resumable uploads require.
func chunkSize(limit int64) int {
	const unit = 256 << 10
	return int((limit/unit + 1) * unit)
}

// Put uploads an object, replacing one of the same name. The upload is
// retried on transient errors: names are chosen so rewriting is harmless.
func (s *Store) Put(ctx context.Context, name, contentType string, r io.Reader, limit int64) (media.Object, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := s.bucket.Object(name).Retryer(storage.WithPolicy(storage.RetryAlways)).NewWriter(ctx)
	w.ContentType = contentType
	w.CacheControl = s.cacheControl
	w.ChunkSize = chunkSize(limit)
	if _, err := media.CopyLimited(w, r, limit); err != nil {
		cancel() // abandons the upload: nothing is stored
		_ = w.Close()
		return media.Object{}, fmt.Errorf("gcs: put %s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return media.Object{}, fmt.Errorf("gcs: put gs://%s/%s: %w", s.name, name, err)
	}
	attrs := w.Attrs()
	return media.Object{Name: name, ContentType: attrs.ContentType, Size: attrs.Size}, nil
}

// Open reads an object.
func (s *Store) Open(ctx context.Context, name string) (io.ReadCloser, media.Object, error) {
	rd, err := s.bucket.Object(name).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil, media.Object{}, fmt.Errorf("gcs: gs://%s/%s: %w", s.name, name, media.ErrNotFound)
	}
	if err != nil {
		return nil, media.Object{}, fmt.Errorf("gcs: open gs://%s/%s: %w", s.name, name, err)
	}
	return rd, media.Object{Name: name, ContentType: rd.Attrs.ContentType, Size: rd.Attrs.Size}, nil
}

// SignedURL is a V4 signed GET URL for the object, valid for ttl (at most
// 7 days).
func (s *Store) SignedURL(ctx context.Context, name string, ttl time.Duration) (string, error) {
	opts := &storage.SignedURLOptions{
		Scheme: storage.SigningSchemeV4,
		Method: http.MethodGet,
		// The library counts X-Goog-Expires in whole seconds from its own
		// clock reading, a moment later: half a second of slack makes it ttl.
		Expires:  time.Now().Add(ttl + 500*time.Millisecond),
		Insecure: s.insecure,
	}
	switch {
	case len(s.privateKey) > 0:
		opts.GoogleAccessID, opts.PrivateKey = s.accessID, s.privateKey
	default:
		id, err := s.signer(ctx)
		if err != nil {
			return "", err
		}
		opts.GoogleAccessID = id
		opts.SignBytes = func(b []byte) ([]byte, error) { return s.signBlob(ctx, id, b) }
	}
	u, err := s.bucket.SignedURL(name, opts)
	if err != nil {
		return "", fmt.Errorf("gcs: sign gs://%s/%s: %w", s.name, name, err)
	}
	return u, nil
}

// signer sets up signing through IAM on first use and returns the service
// account URLs are signed as: GoogleAccessID, or the runtime's default
// account from the metadata server.
func (s *Store) signer(ctx context.Context) (string, error) {
	s.setup.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SignTimeout)
		defer cancel()
		s.signAs = s.accessID
		if s.signAs == "" {
			if !metadata.OnGCEWithContext(ctx) {
				s.setupErr = errors.New("gcs: cannot sign URLs: not on Google Cloud (no metadata server) and no service account to sign as")
				return
			}
			email, err := metadata.EmailWithContext(ctx, "default")
			if err != nil {
				s.setupErr = fmt.Errorf("gcs: cannot sign URLs: runtime service account: %w", err)
				return
			}
			s.signAs = email
		}
		// The client keeps this context for refreshing its tokens: no deadline.
		iam, err := iamcredentials.NewService(context.WithoutCancel(ctx), s.iamOptions...)
		if err != nil {
			s.setupErr = fmt.Errorf("gcs: cannot sign URLs: IAM credentials client: %w", err)
			return
		}
		s.iam = iam
	})
	return s.signAs, s.setupErr
}

// signBlob signs with the service account's Google-managed key through the
// IAM Credentials API, retrying briefly on rate limits and server errors.
func (s *Store) signBlob(ctx context.Context, account string, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, SignTimeout)
	defer cancel()
	req := &iamcredentials.SignBlobRequest{Payload: base64.StdEncoding.EncodeToString(payload)}
	resource := "projects/-/serviceAccounts/" + account
	var lastErr error
	for attempt, wait := 0, 100*time.Millisecond; attempt < 3; attempt, wait = attempt+1, wait*4 {
		resp, err := s.iam.Projects.ServiceAccounts.SignBlob(resource, req).Context(ctx).Do()
		if err == nil {
			return base64.StdEncoding.DecodeString(resp.SignedBlob)
		}
		lastErr = err
		var ge *googleapi.Error
		if !errors.As(err, &ge) || (ge.Code != http.StatusTooManyRequests && ge.Code < 500) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sign as %s: %w", account, ctx.Err())
		case <-time.After(wait):
		}
	}
	return nil, fmt.Errorf("sign as %s (needs roles/iam.serviceAccountTokenCreator on itself): %w", account, lastErr)
}
