package gcs_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"

	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/media/gcs"
	"github.com/smsdesk/smsdesk/shared/media/mediatest"
)

const (
	bucket   = "acme-smsdesk-media"
	signerSA = "media-signer@acme-smsdesk.iam.gserviceaccount.com"
)

// fakeGCS runs fake-gcs-server in this process on a loopback port, as a
// GCS emulator, with the media bucket created.
func fakeGCS(t *testing.T) *fakestorage.Server {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1",
		// Signed URLs name the emulator's host; serve the XML API there.
		PublicHost: "127.0.0.1",
		Writer:     io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	return srv
}

func testKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func newStore(t *testing.T, o gcs.Options) *gcs.Store {
	t.Helper()
	s, err := gcs.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestContract runs the media store contract against fake-gcs-server, found
// through STORAGE_EMULATOR_HOST as the adapter finds an emulator in dev.
func TestContract(t *testing.T) {
	srv := fakeGCS(t)
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
	_, pemKey := testKey(t)
	n := 0
	mediatest.Run(t, mediatest.Harness{
		New: func(t *testing.T) media.Bucket {
			// A bucket per case keeps the cases apart.
			n++
			name := bucket + "-" + strconv.Itoa(n)
			srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
			return newStore(t, gcs.Options{Bucket: name, GoogleAccessID: signerSA, PrivateKey: pemKey})
		},
		// fake-gcs-server serves signed URLs without checking signatures:
		// TestSignedURLIsValidV4 checks them against the key.
		ChecksSignatures: false,
		HEAD:             true,
	})
}

// TestSignedURLIsValidV4 checks that the URLs are V4 signed URLs for the
// right object, lifetime and account, with a signature the account's
// public key verifies: signed locally with a key, and through the IAM
// Credentials API's signBlob as production does.
func TestSignedURLIsValidV4(t *testing.T) {
	srv := fakeGCS(t)
	key, pemKey := testKey(t)
	iam, calls := fakeIAM(t, key)

	cases := []struct {
		name      string
		opts      gcs.Options
		wantCalls int64
	}{
		{"private key", gcs.Options{GoogleAccessID: signerSA, PrivateKey: pemKey}, 0},
		{"IAM signBlob", gcs.Options{GoogleAccessID: signerSA,
			IAMOptions: []option.ClientOption{option.WithEndpoint(iam.URL), option.WithoutAuthentication()}}, 1},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls.Store(0)
			o := c.opts
			o.Bucket, o.EmulatorHost = bucket, srv.URL()
			s := newStore(t, o)
			const object = "inbound/twilio_MM5a/3"
			data := []byte("GIF89a one small gif")
			if _, err := s.Put(ctx, object, "image/gif", strings.NewReader(string(data)), media.MaxMediaBytes); err != nil {
				t.Fatal(err)
			}
			u, err := s.SignedURL(ctx, object, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got := calls.Load(); got != c.wantCalls {
				t.Errorf("signBlob calls = %d, want %d", got, c.wantCalls)
			}
			verifyV4(t, u, &key.PublicKey, "/"+bucket+"/"+object, 900)

			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != string(data) {
				t.Errorf("GET signed URL: %d %q", resp.StatusCode, body)
			}
		})
	}
}

func TestIAMErrors(t *testing.T) {
	srv := fakeGCS(t)
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.signBlob' denied","status":"PERMISSION_DENIED"}}`)
	}))
	t.Cleanup(iam.Close)
	s := newStore(t, gcs.Options{Bucket: bucket, EmulatorHost: srv.URL(), GoogleAccessID: signerSA,
		IAMOptions: []option.ClientOption{option.WithEndpoint(iam.URL), option.WithoutAuthentication()}})
	_, err := s.SignedURL(context.Background(), "inbound/x/0", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "serviceAccountTokenCreator") || !strings.Contains(err.Error(), "signBlob") {
		t.Errorf("SignedURL error = %v, want it to name the missing role and the denied permission", err)
	}
	if _, err := gcs.New(context.Background(), gcs.Options{Bucket: bucket, PrivateKey: []byte("k")}); err == nil {
		t.Error("New with a key and no account succeeded")
	}
	if _, err := gcs.New(context.Background(), gcs.Options{}); err == nil {
		t.Error("New without a bucket succeeded")
	}
}

// fakeIAM stands in for iamcredentials.googleapis.com: signBlob signs with
// key, as Google does with the service account's managed key.
func fakeIAM(t *testing.T, key *rsa.PrivateKey) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := "/v1/projects/-/serviceAccounts/" + signerSA + ":signBlob"
		if r.Method != http.MethodPost || r.URL.Path != want {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		calls.Add(1)
		var req struct{ Payload string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		payload, err := base64.StdEncoding.DecodeString(req.Payload)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(payload)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"keyId": "k1", "signedBlob": base64.StdEncoding.EncodeToString(sig)})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// verifyV4 checks a signed URL by Cloud Storage's V4 rules
// (cloud.google.com/storage/docs/access-control/signing-urls-manually):
// the canonical request is rebuilt from the URL and the signature checked
// with the signer's public key.
func verifyV4(t *testing.T, raw string, pub *rsa.PublicKey, wantPath string, wantExpires int) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != wantPath {
		t.Errorf("path %q, want %q", u.Path, wantPath)
	}
	if got := q.Get("X-Goog-Algorithm"); got != "GOOG4-RSA-SHA256" {
		t.Errorf("X-Goog-Algorithm %q", got)
	}
	if got := q.Get("X-Goog-Expires"); got != strconv.Itoa(wantExpires) {
		t.Errorf("X-Goog-Expires %q, want %d", got, wantExpires)
	}
	cred := q.Get("X-Goog-Credential")
	account, scope, _ := strings.Cut(cred, "/")
	if account != signerSA {
		t.Errorf("signed as %q, want %q", account, signerSA)
	}
	date := q.Get("X-Goog-Date")
	if !strings.HasPrefix(scope, date[:8]+"/auto/storage/goog4_request") {
		t.Errorf("credential scope %q does not match date %q", scope, date)
	}
	if q.Get("X-Goog-SignedHeaders") != "host" {
		t.Errorf("signed headers %q, want host only (a browser or carrier sends no other)", q.Get("X-Goog-SignedHeaders"))
	}
	sig, err := hex.DecodeString(q.Get("X-Goog-Signature"))
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	q.Del("X-Goog-Signature")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, strings.ReplaceAll(url.QueryEscape(k), "+", "%20")+"="+strings.ReplaceAll(url.QueryEscape(q.Get(k)), "+", "%20"))
	}
	canonical := strings.Join([]string{
		http.MethodGet,
		u.EscapedPath(),
		strings.Join(parts, "&"),
		"host:" + u.Hostname() + "\n",
		"host",
		"UNSIGNED-PAYLOAD",
	}, "\n")
	digest := sha256.Sum256([]byte(canonical))
	toSign := fmt.Sprintf("GOOG4-RSA-SHA256\n%s\n%s\n%s", date, scope, hex.EncodeToString(digest[:]))
	sum := sha256.Sum256([]byte(toSign))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify with the signer's public key: %v", err)
	}
}
