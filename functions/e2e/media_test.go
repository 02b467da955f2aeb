package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// twilioMedia stands in for Twilio's media URLs: files behind HTTP basic
// auth with the account SID and auth token, each download counted.
type twilioMedia struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func newTwilioMedia(t *testing.T) *twilioMedia {
	m := &twilioMedia{files: map[string][]byte{}, hits: map[string]int{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != accountSID || p != authToken {
			http.Error(w, "authenticate", http.StatusUnauthorized)
			return
		}
		m.mu.Lock()
		data, ok := m.files[r.URL.Path]
		m.hits[r.URL.Path]++
		m.mu.Unlock()
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

func (m *twilioMedia) add(path string, data []byte) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[path] = data
	return m.URL + path
}

func (m *twilioMedia) downloads(path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[path]
}

// mediaEnv is a deployment with the media store on: the embedded twin, or
// on the emulators a bucket on fake-gcs-server (a GCS emulator in this
// process) found through STORAGE_EMULATOR_HOST and MEDIA_BUCKET.
func mediaEnv(t *testing.T, backend string) *env {
	extra := map[string]string{}
	if backend == "emulators" {
		gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{
			Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1", Writer: io.Discard,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(gcs.Stop)
		const bucket = "e2e-smsdesk-media"
		gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
		extra["MEDIA_BUCKET"] = bucket
		extra["STORAGE_EMULATOR_HOST"] = gcs.URL()
	}
	e := newEnv(t, backend, extra)
	if e.media.Bucket == nil {
		t.Fatal("the deployment has no media store")
	}
	return e
}

// fetchSigned GETs a signed media URL. The embedded store's URLs name the
// public base URL (a production-like address nothing listens on); they are
// served here by the store's own handler, as the dev server serves them.
func (e *env) fetchSigned(u string) ([]byte, http.Header) {
	e.t.Helper()
	target := u
	if mm, ok := e.media.Bucket.(*memmedia.Store); ok {
		srv := httptest.NewServer(mm.Handler())
		defer srv.Close()
		pu, err := url.Parse(u)
		if err != nil {
			e.t.Fatal(err)
		}
		target = srv.URL + pu.RequestURI()
	}
	resp, err := http.Get(target)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body, resp.Header
}

var (
	e2eJPEG = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte("jpeg"), 40000)...)
	e2ePNG  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("png."), 3000)...)
	e2eGIF  = append([]byte("GIF89a"), bytes.Repeat([]byte("gif."), 500)...)
)

// TestMMSMediaReachTheAgent: a consumer's MMS with three images, through
// the signed webhook, becomes a chat message whose three media are copied
// into the bucket (once, even when the carrier delivers the webhook again)
// and read back through short-lived signed URLs.
func TestMMSMediaReachTheAgent(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := mediaEnv(t, backend)
			host := newTwilioMedia(t)
			const sid = "MM0123456789abcdef0123456789abcdef"
			files := [][]byte{e2eJPEG, e2ePNG, e2eGIF}
			types := []string{"image/jpeg", "image/png", "image/gif"}
			form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {"+14155550177"}, "To": {numberEN},
				"Body": {"my router's lights"}, "NumMedia": {"3"}}
			var paths []string
			for i, data := range files {
				p := fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s/Media/ME%d", accountSID, sid, i)
				paths = append(paths, p)
				form.Set("MediaUrl"+strconv.Itoa(i), host.add(p, data))
				form.Set("MediaContentType"+strconv.Itoa(i), types[i])
			}
			if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			rec := e.waitRouted(sid)
			// Twilio retries the webhook: nothing is downloaded or stored again.
			if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
				t.Fatalf("repeated webhook answered %d", code)
			}
			testenv.WaitFor(t, waitLimit, "the repeated delivery handled", func() bool {
				return e.calls.OK(wire.FnRouteInbound) >= 2 && e.calls.idle(wire.FnRouteInbound)
			})

			var msg chat.Message
			for _, m := range e.transcript(rec.ChatID) {
				if m.InboundID == "twilio_"+sid {
					msg = m
				}
			}
			if len(msg.Media) != 3 {
				t.Fatalf("message has %d media, want 3: %+v", len(msg.Media), msg.Media)
			}
			for i, md := range msg.Media {
				want := chat.Media{URL: form.Get("MediaUrl" + strconv.Itoa(i)), ContentType: types[i],
					Name: fmt.Sprintf("inbound/twilio_%s/%d", sid, i), Size: int64(len(files[i]))}
				if md != want {
					t.Errorf("medium %d = %+v\nwant %+v", i, md, want)
				}
				if n := host.downloads(paths[i]); n != 1 {
					t.Errorf("medium %d downloaded %d times, want once", i, n)
				}
				signed, err := e.media.SignMedia(e.ctx(), md)
				if err != nil {
					t.Fatal(err)
				}
				if signed.URL == md.URL || signed.Name != md.Name {
					t.Errorf("SignMedia gave %+v", signed)
				}
				body, h := e.fetchSigned(signed.URL)
				if !bytes.Equal(body, files[i]) || !strings.HasPrefix(h.Get("Content-Type"), types[i]) {
					t.Errorf("medium %d through its signed URL: %d bytes of %s, want %d of %s", i, len(body), h.Get("Content-Type"), len(files[i]), types[i])
				}
			}
		})
	}
}

// TestAgentSendsAnImage: an agent uploads an image to a chat (the AgentAPI
// media route), replies with it, and the carrier is given a signed URL
// valid for an hour that serves the image.
func TestAgentSendsAnImage(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := mediaEnv(t, backend)
			const consumer = "+14155550178"
			rec := e.say(consumer, numberEN, "Hello")
			e.say(consumer, numberEN, "2") // Technical support: Ben answers automatically
			c := e.waitChat(rec.ChatID, "active with ben", func(c chat.Chat) bool { return c.Status == chat.StatusActive && c.AgentID == "ben" })

			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "label.png")
			_, _ = fw.Write(e2ePNG)
			_ = mw.Close()
			mux := http.NewServeMux()
			method, path := agentapi.MediaRoute()
			mux.Handle(method+" "+path, agentapi.UploadMedia(e.media))
			req := httptest.NewRequest(http.MethodPost, "/chats/"+c.ID+"/media", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				t.Fatalf("upload: %d %s", w.Code, w.Body)
			}
			var up agentapi.MediaUploadResponse
			if err := json.Unmarshal(w.Body.Bytes(), &up); err != nil {
				t.Fatal(err)
			}

			media, err := e.media.CheckOutboundMedia(e.ctx(), c.ID, []chat.Media{{Name: up.Media.Name}})
			if err != nil {
				t.Fatal(err)
			}
			before := len(e.twilio.SentTo(consumer))
			if _, err := e.conv.Reply(e.ctx(), access.Viewer{UID: "ben", AgentID: "ben"}, c.ID, conversation.ReplyInput{
				Body: "Here is the label to print", Media: media, RequestID: "req-image",
			}); err != nil {
				t.Fatal(err)
			}
			sent := e.waitSent(consumer, before+1)[before]
			if sent.Body != "Here is the label to print" || len(sent.MediaURLs) != 1 {
				t.Fatalf("carrier got %q with media %v", sent.Body, sent.MediaURLs)
			}
			u, err := url.Parse(sent.MediaURLs[0])
			if err != nil {
				t.Fatal(err)
			}
			life := signedLifetime(t, u)
			if life < 59*time.Minute || life > 61*time.Minute {
				t.Errorf("the carrier's URL lives %s, want an hour", life)
			}
			got, h := e.fetchSigned(sent.MediaURLs[0])
			if !bytes.Equal(got, e2ePNG) || !strings.HasPrefix(h.Get("Content-Type"), "image/png") {
				t.Errorf("the carrier's URL serves %d bytes of %s", len(got), h.Get("Content-Type"))
			}
		})
	}
}

// signedLifetime reads how long a signed URL is valid from its query: a
// Cloud Storage V4 URL (X-Goog-Date, X-Goog-Expires) or the embedded
// store's (expires).
func signedLifetime(t *testing.T, u *url.URL) time.Duration {
	t.Helper()
	q := u.Query()
	if s := q.Get("X-Goog-Expires"); s != "" {
		n, _ := strconv.Atoi(s)
		return time.Duration(n) * time.Second
	}
	n, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		t.Fatalf("no lifetime in %s", u)
	}
	return time.Until(time.Unix(n, 0))
}
