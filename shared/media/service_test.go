package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

const (
	mediaSID   = "AC0123456789abcdef0123456789abcdef"
	mediaToken = "0123456789abcdef0123456789abcdef"
)

// mediaHost stands in for Twilio's media host: media behind HTTP basic
// auth with the account's SID and token, counted per path.
type mediaHost struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	auths map[string][]string // Authorization headers seen, per path
	files map[string]mediaFile
}

type mediaFile struct {
	contentType string
	data        []byte
	// failFirst answers this many requests 500 before serving the file.
	failFirst int
	// noAuth serves the file without checking credentials.
	noAuth bool
	// chunked hides the length (no Content-Length), as a streamed answer.
	chunked bool
	// redirect sends the client elsewhere, as Twilio does to its CDN.
	redirect string
}

func newMediaHost(t *testing.T) *mediaHost {
	h := &mediaHost{hits: map[string]int{}, auths: map[string][]string{}, files: map[string]mediaFile{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *mediaHost) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	n := h.hits[r.URL.Path]
	h.auths[r.URL.Path] = append(h.auths[r.URL.Path], r.Header.Get("Authorization"))
	f, ok := h.files[r.URL.Path]
	h.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if user, pass, _ := r.BasicAuth(); !f.noAuth && (user != mediaSID || pass != mediaToken) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		http.Error(w, "authenticate", http.StatusUnauthorized)
		return
	}
	if f.redirect != "" {
		http.Redirect(w, r, f.redirect, http.StatusTemporaryRedirect)
		return
	}
	if n <= f.failFirst {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	if f.chunked {
		w.WriteHeader(http.StatusOK)
		for off := 0; off < len(f.data); off += 1 << 20 {
			_, _ = w.Write(f.data[off:min(off+1<<20, len(f.data))])
			w.(http.Flusher).Flush()
		}
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
	_, _ = w.Write(f.data)
}

func (h *mediaHost) add(path string, f mediaFile) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[path] = f
	return h.URL + path
}

func (h *mediaHost) hitsOf(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

func (h *mediaHost) authsOf(path string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.auths[path]...)
}

var (
	jpegBytes = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}, bytes.Repeat([]byte{7}, 20000)...)
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 3000)...)
	gifBytes  = append([]byte("GIF89a"), bytes.Repeat([]byte{1}, 500)...)
)

type mediaApp struct {
	app   *media.Service
	store *memstore.Store
	media *memmedia.Store
	srv   *httptest.Server // serves media's signed URLs
}

func newMediaApp(t *testing.T, twilioHosts ...string) *mediaApp {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mm, err := memmedia.New(memmedia.Options{BaseURL: srv.URL + "/Media"})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/Media/", mm.Handler())
	st := memstore.New()
	if len(twilioHosts) == 0 {
		twilioHosts = []string{"127.0.0.1"}
	}
	// The stand-ins listen on loopback, which only this explicit
	// allowance lets a download reach; "localhost" is their CDN.
	a := &media.Service{Store: st, Bucket: mm, AllowLoopback: true, Access: map[string]carrier.MediaAccess{
		twilio.Name: {Username: mediaSID, Password: mediaToken, Hosts: twilioHosts, RedirectHosts: []string{"localhost"}},
	}}
	return &mediaApp{app: a, store: st, media: mm, srv: srv}
}

func (m *mediaApp) fetch(t *testing.T, u string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body, resp.Header.Get("Content-Type")
}

func inboundWith(id string, ms ...chat.Media) chat.Inbound {
	return chat.Inbound{ID: "twilio_" + id, Provider: "twilio", ProviderMessageID: id, Number: "+14155550101",
		Consumer: "+14155550142", Body: "photos", Media: ms, ReceivedAt: time.Now().UTC()}
}

// TestCopyInboundMedia: an MMS with three images, one over 5 MB, one of a
// refused type and one whose first download fails. The first delivery
// fails (Pub/Sub redelivers); the second completes without downloading
// again what the first copied; a third stores nothing new.
func TestCopyInboundMedia(t *testing.T) {
	host := newMediaHost(t)
	m := newMediaApp(t)
	base := "/2010-04-01/Accounts/" + mediaSID + "/Messages/MM1/Media/"
	big := append(append([]byte(nil), jpegBytes...), make([]byte, 5<<20)...)
	sent := []chat.Media{
		{URL: host.add(base+"ME0", mediaFile{contentType: "image/jpeg", data: jpegBytes}), ContentType: "image/jpeg"},
		{URL: host.add(base+"ME1", mediaFile{contentType: "image/png", data: pngBytes}), ContentType: "image/png"},
		{URL: host.add(base+"ME2", mediaFile{contentType: "image/gif", data: gifBytes}), ContentType: "image/gif"},
		{URL: host.add(base+"ME3", mediaFile{contentType: "image/jpeg", data: big}), ContentType: "image/jpeg"},
		{URL: host.add(base+"ME4", mediaFile{contentType: "application/zip", data: []byte("PK\x03\x04")}), ContentType: "application/zip"},
		{URL: host.add(base+"ME5", mediaFile{contentType: "video/mp4", data: []byte("....ftypmp42"), failFirst: 1}), ContentType: "video/mp4"},
		{URL: host.add(base+"ME6", mediaFile{contentType: "image/jpeg", data: big, chunked: true}), ContentType: "image/jpeg"},
	}
	in := inboundWith("MM1", sent...)
	ctx := context.Background()

	_, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, 1), in)
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("first delivery: err = %v, want the 500 named", err)
	}
	got, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, 2), in)
	if err != nil {
		t.Fatalf("second delivery: %v", err)
	}
	name := func(i int) string { return fmt.Sprintf("inbound/twilio_MM1/%d", i) }
	want := []chat.Media{
		{URL: sent[0].URL, ContentType: "image/jpeg", Name: name(0), Size: int64(len(jpegBytes))},
		{URL: sent[1].URL, ContentType: "image/png", Name: name(1), Size: int64(len(pngBytes))},
		{URL: sent[2].URL, ContentType: "image/gif", Name: name(2), Size: int64(len(gifBytes))},
		{URL: sent[3].URL, ContentType: "image/jpeg", Error: "blocked: 5.02 MB is over the 5 MB limit"},
		{URL: sent[4].URL, ContentType: "application/zip", Error: "blocked: content type application/zip is not accepted (accepted: " + media.InboundMediaTypes + ")"},
		{URL: sent[5].URL, ContentType: "video/mp4", Name: name(5), Size: 12},
		{URL: sent[6].URL, ContentType: "image/jpeg", Error: "blocked: larger than the 5 MB limit"},
	}
	if diff := cmp.Diff(want, got.Media); diff != "" {
		t.Errorf("media after the second delivery (-want +got):\n%s", diff)
	}
	if !cmp.Equal(in.Media, sent) {
		t.Error("CopyInboundMedia changed the caller's media slice")
	}
	for i, wantHits := range map[int]int{0: 1, 1: 1, 2: 1, 3: 2, 4: 0, 5: 2} {
		if h := host.hitsOf(base + fmt.Sprintf("ME%d", i)); h != wantHits {
			t.Errorf("ME%d downloaded %d times, want %d", i, h, wantHits)
		}
	}
	for i, data := range map[int][]byte{0: jpegBytes, 1: pngBytes, 2: gifBytes} {
		signed, err := m.app.SignMedia(ctx, got.Media[i])
		if err != nil {
			t.Fatal(err)
		}
		body, ct := m.fetch(t, signed.URL)
		if !bytes.Equal(body, data) || ct != got.Media[i].ContentType {
			t.Errorf("medium %d through its signed URL: %d bytes %s", i, len(body), ct)
		}
	}

	// A redelivery (say routing failed after the copy) overwrites nothing
	// new and downloads only what was never stored.
	again, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, 3), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, again.Media); diff != "" {
		t.Errorf("media after a redelivery (-want +got):\n%s", diff)
	}
	if n := m.media.Len(); n != 4 {
		t.Errorf("%d objects stored, want 4", n)
	}
	if h := host.hitsOf(base + "ME0"); h != 1 {
		t.Errorf("ME0 downloaded %d times after a redelivery, want 1", h)
	}

	// Once routed, a redelivery does not look at the media at all.
	if err := m.store.CreateInbound(ctx, store.InboundRecord{Message: in, Routed: true, ExpireAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	routed, err := m.app.CopyInboundMedia(ctx, in)
	if err != nil || !cmp.Equal(routed, in) {
		t.Errorf("routed message: %v, media %+v", err, routed.Media)
	}
	if h := host.hitsOf(base + "ME3"); h != 3 {
		t.Errorf("ME3 downloaded %d times, want 3 (none after routing)", h)
	}
}

// TestCopyInboundMediaGivesUp: a download that keeps failing blocks the
// message until the MediaAttempts-th delivery (or MediaGiveUpAfter), then
// the medium is kept as the carrier's URL with the error.
func TestCopyInboundMediaGivesUp(t *testing.T) {
	host := newMediaHost(t)
	m := newMediaApp(t)
	down := host.add("/down", mediaFile{contentType: "image/jpeg", data: jpegBytes, failFirst: 1000})
	ok := host.add("/ok", mediaFile{contentType: "image/png", data: pngBytes})
	ctx := context.Background()
	cases := []struct {
		name    string
		attempt int
		age     time.Duration
		wantErr bool
	}{
		{"first attempt", 1, 0, true},
		{"attempt before the last", media.MediaAttempts - 1, 0, true},
		{"attempt MediaAttempts", media.MediaAttempts, 0, false},
		{"no attempt count, recent", 0, time.Minute, true},
		{"no attempt count, old", 0, media.MediaGiveUpAfter, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := inboundWith("MMgive", chat.Media{URL: down, ContentType: "image/jpeg"}, chat.Media{URL: ok, ContentType: "image/png"})
			in.ReceivedAt = time.Now().Add(-c.age)
			got, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, c.attempt), in)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if g := got.Media[0]; g.Stored() || g.URL != down || !strings.HasPrefix(g.Error, "download failed: ") || !strings.Contains(g.Error, "500") {
				t.Errorf("failing medium = %+v, want the carrier URL kept with the 500", g)
			}
			if !got.Media[1].Stored() {
				t.Errorf("good medium not stored: %+v", got.Media[1])
			}
		})
	}
}

// TestMediaDownloadCredentials: the account's credentials go to Twilio's
// host only, never to another host, not even through a redirect; a URL
// naming the CDN directly is not fetched at all.
func TestMediaDownloadCredentials(t *testing.T) {
	twilio := newMediaHost(t)
	cdn := newMediaHost(t)
	m := newMediaApp(t) // credentials for 127.0.0.1
	cdnURL := strings.Replace(cdn.add("/cdn/ME0", mediaFile{contentType: "image/gif", data: gifBytes, noAuth: true}), "127.0.0.1", "localhost", 1)
	elsewhere := strings.Replace(cdn.add("/other/ME1", mediaFile{contentType: "image/png", data: pngBytes}), "127.0.0.1", "localhost", 1)
	in := inboundWith("MMcred",
		chat.Media{URL: twilio.add("/Media/ME0", mediaFile{contentType: "image/gif", redirect: cdnURL}), ContentType: "image/gif"},
		chat.Media{URL: elsewhere, ContentType: "image/png"},
	)
	got, err := m.app.CopyInboundMedia(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if a := twilio.authsOf("/Media/ME0"); len(a) != 1 || !strings.HasPrefix(a[0], "Basic ") {
		t.Errorf("Twilio's host got Authorization %q, want basic credentials", a)
	}
	for _, p := range []string{"/cdn/ME0", "/other/ME1"} {
		for _, a := range cdn.authsOf(p) {
			if a != "" {
				t.Errorf("%s on another host got credentials %q", p, a)
			}
		}
	}
	if !got.Media[0].Stored() || got.Media[0].Size != int64(len(gifBytes)) {
		t.Errorf("redirected medium = %+v, want it stored", got.Media[0])
	}
	if g := got.Media[1]; g.Stored() || g.Error != "blocked: localhost is not one of twilio's media hosts" {
		t.Errorf("medium on a redirect-only host = %+v, want kept as a reference, blocked", g)
	}
	if n := cdn.hitsOf("/other/ME1"); n != 0 {
		t.Errorf("a media URL on a redirect-only host was requested %d times", n)
	}
}

func TestCopyInboundMediaEdges(t *testing.T) {
	host := newMediaHost(t)
	ctx := context.Background()

	t.Run("feature off keeps carrier URLs", func(t *testing.T) {
		a := &media.Service{Store: memstore.New()}
		in := inboundWith("MMoff", chat.Media{URL: host.add("/x", mediaFile{contentType: "image/png", data: pngBytes}), ContentType: "image/png"})
		got, err := a.CopyInboundMedia(ctx, in)
		if err != nil || !cmp.Equal(got, in) || host.hitsOf("/x") != 0 {
			t.Errorf("got %+v, %v", got.Media, err)
		}
	})
	t.Run("more than ten media", func(t *testing.T) {
		m := newMediaApp(t)
		var many []chat.Media
		for i := range 11 {
			many = append(many, chat.Media{URL: host.add(fmt.Sprintf("/many/%d", i), mediaFile{contentType: "image/gif", data: gifBytes}), ContentType: "image/gif"})
		}
		got, err := m.app.CopyInboundMedia(ctx, inboundWith("MMmany", many...))
		if err != nil {
			t.Fatal(err)
		}
		for i, md := range got.Media {
			if stored := md.Stored(); stored != (i < 10) {
				t.Errorf("medium %d stored = %v (%+v)", i, stored, md)
			}
		}
		if !strings.Contains(got.Media[10].Error, "more than 10 media") {
			t.Errorf("11th medium error %q", got.Media[10].Error)
		}
	})
	t.Run("type from the bytes when the carrier gives none", func(t *testing.T) {
		m := newMediaApp(t)
		cases := []struct {
			name, served string
			data         []byte
			wantType     string
			wantStored   bool
		}{
			{"png served as octet-stream", "application/octet-stream", pngBytes, "image/png", true},
			{"declared by the response only", "image/gif; charset=binary", gifBytes, "image/gif", true},
			{"html", "text/html; charset=utf-8", []byte("<html><script>alert(1)</script>"), "text/html", false},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				u := host.add(fmt.Sprintf("/sniff/%d", i), mediaFile{contentType: c.served, data: c.data})
				got, err := m.app.CopyInboundMedia(ctx, inboundWith(fmt.Sprintf("MMsniff%d", i), chat.Media{URL: u}))
				if err != nil {
					t.Fatal(err)
				}
				md := got.Media[0]
				if md.Stored() != c.wantStored || (c.wantStored && md.ContentType != c.wantType) || (!c.wantStored && !strings.Contains(md.Error, c.wantType)) {
					t.Errorf("got %+v, want type %s stored %v", md, c.wantType, c.wantStored)
				}
			})
		}
	})
	t.Run("odd inbound ids make safe object names", func(t *testing.T) {
		m := newMediaApp(t)
		in := inboundWith("x", chat.Media{URL: host.add("/odd", mediaFile{contentType: "image/png", data: pngBytes}), ContentType: "image/png"})
		in.ID = "twilio_../../etc/passwd"
		got, err := m.app.CopyInboundMedia(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if n := got.Media[0].Name; strings.Contains(n, "..") || strings.Count(n, "/") != 2 {
			t.Errorf("object name %q", n)
		}
	})
}

func TestSignMedia(t *testing.T) {
	m := newMediaApp(t)
	ctx := context.Background()
	if _, err := m.media.Put(ctx, "inbound/a/0", "image/png", bytes.NewReader(pngBytes), media.MaxMediaBytes); err != nil {
		t.Fatal(err)
	}
	stored := chat.Media{URL: "https://api.twilio.com/x", ContentType: "image/png", Name: "inbound/a/0", Size: int64(len(pngBytes))}
	signed, err := m.app.SignMedia(ctx, stored)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(signed.URL)
	if !strings.HasPrefix(signed.URL, m.srv.URL+"/Media/inbound/a/0?") || u.Query().Get("signature") == "" {
		t.Errorf("signed URL %q", signed.URL)
	}
	exp := u.Query().Get("expires")
	if want := time.Now().Add(media.AgentMediaTTL).Unix(); exp < fmt.Sprint(want-5) || exp > fmt.Sprint(want+5) {
		t.Errorf("expires %s, want about %d (15 minutes)", exp, want)
	}
	if body, _ := m.fetch(t, signed.URL); !bytes.Equal(body, pngBytes) {
		t.Error("signed URL serves other bytes")
	}
	if again, _ := m.app.SignMedia(ctx, stored); again.URL != signed.URL {
		t.Error("a second read got a new URL; URLs with most of their lifetime left are reused")
	}
	ref := chat.Media{URL: "https://api.twilio.com/y", ContentType: "application/zip", Error: "blocked: …"}
	if got, err := m.app.SignMedia(ctx, ref); err != nil || got != ref {
		t.Errorf("unstored medium: %+v %v", got, err)
	}
	off := &media.Service{}
	if _, err := off.SignMedia(ctx, stored); err == nil {
		t.Error("SignMedia without a media store succeeded")
	}
}

func TestUploadAndCheckOutboundMedia(t *testing.T) {
	m := newMediaApp(t)
	ctx := context.Background()
	c := chat.Chat{ID: "chat-1", Number: "+14155550101", Consumer: "+14155550142", Provider: "twilio", Status: chat.StatusActive, NextSeq: 1}
	if err := m.store.RunTx(ctx, func(tx store.Tx) error { tx.PutChat(c); return nil }); err != nil {
		t.Fatal(err)
	}
	threeMB := append(append([]byte(nil), jpegBytes...), make([]byte, 3<<20)...)
	cases := []struct {
		name     string
		chatID   string
		data     []byte
		wantType string
		wantKind media.ErrorKind // 0: stored
		notFound bool
	}{
		{"jpeg", "chat-1", jpegBytes, "image/jpeg", 0, false},
		{"png", "chat-1", pngBytes, "image/png", 0, false},
		{"gif", "chat-1", gifBytes, "image/gif", 0, false},
		{"exactly 5 MB", "chat-1", append(append([]byte(nil), pngBytes...), make([]byte, 5<<20-len(pngBytes))...), "image/png", 0, false},
		{"one byte over 5 MB", "chat-1", append(append([]byte(nil), pngBytes...), make([]byte, 5<<20-len(pngBytes)+1)...), "", media.TooLarge, false},
		{"pdf", "chat-1", []byte("%PDF-1.7 ..."), "", media.UnsupportedType, false},
		{"html", "chat-1", []byte("<html><body>hi</body></html>"), "", media.UnsupportedType, false},
		{"empty", "chat-1", nil, "", media.Invalid, false},
		{"unknown chat", "chat-404", pngBytes, "", 0, true},
	}
	uploaded := map[string]chat.Media{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md, err := m.app.UploadMedia(ctx, tc.chatID, bytes.NewReader(tc.data))
			var me *media.Error
			switch {
			case tc.notFound:
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
			case tc.wantKind != 0:
				if !errors.As(err, &me) || me.Kind != tc.wantKind {
					t.Fatalf("err = %v, want kind %d", err, tc.wantKind)
				}
				if tc.wantKind == media.TooLarge && !strings.Contains(me.Message, "5 MB") ||
					tc.wantKind == media.UnsupportedType && !strings.Contains(me.Message, media.OutboundMediaTypes) {
					t.Errorf("message %q does not name the limit", me.Message)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(md.Name, "outbound/chat-1/") || md.ContentType != tc.wantType || md.Size != int64(len(tc.data)) || md.URL != "" {
					t.Errorf("uploaded %+v", md)
				}
				uploaded[tc.name] = md
			}
		})
	}
	if m.media.Len() != 4 {
		t.Errorf("%d objects stored, want the 4 accepted uploads", m.media.Len())
	}

	big, err := m.app.UploadMedia(ctx, "chat-1", bytes.NewReader(threeMB))
	if err != nil {
		t.Fatal(err)
	}
	other := chat.Chat{ID: "chat-2", Status: chat.StatusActive, NextSeq: 1}
	if err := m.store.RunTx(ctx, func(tx store.Tx) error { tx.PutChat(other); return nil }); err != nil {
		t.Fatal(err)
	}
	foreign, err := m.app.UploadMedia(ctx, "chat-2", bytes.NewReader(gifBytes))
	if err != nil {
		t.Fatal(err)
	}
	jpeg, png := uploaded["jpeg"], uploaded["png"]
	checks := []struct {
		name     string
		media    []chat.Media
		want     []chat.Media
		wantKind media.ErrorKind
	}{
		{"none", nil, nil, 0},
		{"sizes and types come from the bucket", []chat.Media{{Name: jpeg.Name, ContentType: "image/gif", Size: 1}, {Name: png.Name}},
			[]chat.Media{jpeg, png}, 0},
		{"total over 5 MB", []chat.Media{big, big}, nil, media.TooLarge},
		{"another chat's upload", []chat.Media{foreign}, nil, media.Invalid},
		{"not an upload", []chat.Media{{Name: "inbound/twilio_MM1/0"}}, nil, media.Invalid},
		{"a URL instead of a name", []chat.Media{{URL: "https://evil.example/x.png"}}, nil, media.Invalid},
		{"missing object", []chat.Media{{Name: "outbound/chat-1/gone"}}, nil, media.Invalid},
		{"eleven media", func() []chat.Media {
			var ms []chat.Media
			for range 11 {
				ms = append(ms, jpeg)
			}
			return ms
		}(), nil, media.Invalid},
	}
	for _, c := range checks {
		t.Run("check "+c.name, func(t *testing.T) {
			got, err := m.app.CheckOutboundMedia(ctx, "chat-1", c.media)
			if c.wantKind != 0 {
				var me *media.Error
				if !errors.As(err, &me) || me.Kind != c.wantKind {
					t.Fatalf("err = %v, want kind %d", err, c.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	off := &media.Service{Store: m.store}
	var me *media.Error
	if _, err := off.UploadMedia(ctx, "chat-1", bytes.NewReader(pngBytes)); !errors.As(err, &me) || me.Kind != media.Off {
		t.Errorf("upload with media off: %v, want 503", err)
	}
}
