package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// telnyxMediaHost serves media as Telnyx's media links do: without
// credentials. A request that carries any is refused, since no credential
// may go to a media host of Telnyx's.
type telnyxMediaHost struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	hits     map[string]int
	withAuth int
}

func newTelnyxMediaHost(t *testing.T) *telnyxMediaHost {
	m := &telnyxMediaHost{files: map[string][]byte{}, hits: map[string]int{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		defer m.mu.Unlock()
		if r.Header.Get("Authorization") != "" {
			m.withAuth++
			http.Error(w, "no credentials expected", http.StatusBadRequest)
			return
		}
		m.hits[r.URL.Path]++
		data, ok := m.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", http.DetectContentType(data))
		_, _ = w.Write(data)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *telnyxMediaHost) add(path string, data []byte) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[path] = data
	return m.URL + path
}

// TestTelnyxMMSMediaReachTheAgent: an MMS through Telnyx with two pictures
// and the SMIL layout part a handset adds: the pictures are copied into
// the media bucket once each, downloaded without credentials, and the SMIL
// part is neither shown nor fetched.
func TestTelnyxMMSMediaReachTheAgent(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			extra := map[string]string{}
			if backend == "emulators" {
				gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{
					Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1", Writer: io.Discard,
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(gcs.Stop)
				const bucket = "e2e-smsdesk-telnyx-media"
				gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
				extra["MEDIA_BUCKET"], extra["STORAGE_EMULATOR_HOST"] = bucket, gcs.URL()
			}
			e := newTelnyxEnv(t, backend, extra)
			host := newTelnyxMediaHost(t)
			const id = "8ff5352d-0238-48f6-8d45-4bbd3a2f9169"
			jpg := host.add("/"+id+"/IMG_0001.jpg", e2eJPEG)
			png := host.add("/"+id+"/IMG_0002.png", e2ePNG)
			smil := host.add("/"+id+"/smil.smil", []byte("<smil><body><par><img src=\"IMG_0001.jpg\"/></par></body></smil>"))
			ev := event(telnyx.EventReceived, "c1d9f2a0-3b4e-4c5d-8e6f-7a8b9c0d1e2f", map[string]any{
				"record_type": "message", "direction": "inbound", "id": id, "type": "MMS",
				"from": map[string]any{"phone_number": "+14155550178"},
				"to":   []map[string]any{{"phone_number": numberEN, "status": "delivered"}},
				"text": "my router's lights",
				"media": []map[string]any{
					{"url": jpg, "content_type": "image/jpeg", "size": len(e2eJPEG)},
					{"url": smil, "content_type": "application/smil", "size": 64},
					{"url": png, "content_type": "image/png", "size": len(e2ePNG)},
				},
				"encoding": "GSM-7", "parts": 1, "errors": []any{},
			})
			if code := e.post(wire.FnTelnyxInbound, "", ev); code != http.StatusOK {
				t.Fatalf("TelnyxInbound answered %d", code)
			}
			var msg chat.Message
			testenv.WaitFor(t, waitLimit, "the MMS routed with its media stored", func() bool {
				for _, m := range e.transcript(e.waitTelnyxRouted(id).ChatID) {
					if m.InboundID == telnyx.Name+"_"+id {
						msg = m
					}
				}
				return len(msg.Media) == 2 && msg.Media[0].Stored() && msg.Media[1].Stored()
			})
			for i, want := range []struct {
				url, contentType string
				data             []byte
			}{{jpg, "image/jpeg", e2eJPEG}, {png, "image/png", e2ePNG}} {
				md := msg.Media[i]
				if md.URL != want.url || md.ContentType != want.contentType || md.Size != int64(len(want.data)) ||
					md.Name != fmt.Sprintf("inbound/telnyx_%s/%d", id, i) {
					t.Errorf("medium %d = %+v", i, md)
				}
				signed, err := e.media.SignMedia(e.ctx(), md)
				if err != nil {
					t.Fatal(err)
				}
				body, h := e.fetchSigned(signed.URL)
				if !bytes.Equal(body, want.data) || !strings.HasPrefix(h.Get("Content-Type"), want.contentType) {
					t.Errorf("medium %d through its signed URL: %d bytes of %s", i, len(body), h.Get("Content-Type"))
				}
			}
			host.mu.Lock()
			defer host.mu.Unlock()
			if host.withAuth != 0 || host.hits["/"+id+"/IMG_0001.jpg"] != 1 || host.hits["/"+id+"/IMG_0002.png"] != 1 || host.hits["/"+id+"/smil.smil"] != 0 {
				t.Errorf("media host saw %d requests with credentials, downloads %v; want each picture once, no SMIL, no credentials", host.withAuth, host.hits)
			}
		})
	}
}
