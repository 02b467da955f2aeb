package agentapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func mediaTestApp(t *testing.T) (*media.Service, *memmedia.Store) {
	t.Helper()
	mm, err := memmedia.New(memmedia.Options{BaseURL: "http://localhost/Media"})
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	a := &media.Service{Store: st, Bucket: mm}
	c := chat.Chat{ID: "chat-1", Status: chat.StatusActive, NextSeq: 1}
	if err := st.RunTx(context.Background(), func(tx store.Tx) error { tx.PutChat(c); return nil }); err != nil {
		t.Fatal(err)
	}
	return a, mm
}

type mediaPart struct{ field, filename, contentType string }

// multipartBody builds a form with the given parts, each holding data.
func multipartBody(t *testing.T, data []byte, parts ...mediaPart) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="` + p.field + `"; filename="` + p.filename + `"`}
		if p.contentType != "" {
			h["Content-Type"] = []string{p.contentType}
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

func TestUploadMedia(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{3}, 1000)...)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte{4}, 2000)...)
	over := append(append([]byte(nil), png...), make([]byte, 5<<20)...)
	file := mediaPart{"file", "photo.png", "image/png"}

	cases := []struct {
		name        string
		method      string
		chatID      string
		body        func() (io.Reader, string)
		contentLen  int64
		wantStatus  int
		wantType    string
		wantMessage string
	}{
		{name: "png", chatID: "chat-1", body: form(t, png, file), wantStatus: 201, wantType: "image/png"},
		{name: "jpeg declared as something else", chatID: "chat-1", body: form(t, jpeg, mediaPart{"file", "x.bin", "application/octet-stream"}), wantStatus: 201, wantType: "image/jpeg"},
		{name: "other fields first", chatID: "chat-1", body: form(t, jpeg, mediaPart{"caption", "", ""}, file), wantStatus: 201, wantType: "image/jpeg"},
		{name: "over 5 MB", chatID: "chat-1", body: form(t, over, file), wantStatus: 413, wantMessage: "5 MB"},
		{name: "declared far over 5 MB", chatID: "chat-1", body: form(t, png, file), contentLen: 50 << 20, wantStatus: 413, wantMessage: "5 MB"},
		{name: "pdf", chatID: "chat-1", body: form(t, []byte("%PDF-1.4 hello"), mediaPart{"file", "a.pdf", "application/pdf"}), wantStatus: 415, wantMessage: "image/jpeg, image/png, image/gif"},
		{name: "svg", chatID: "chat-1", body: form(t, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), mediaPart{"file", "a.svg", "image/svg+xml"}), wantStatus: 415},
		{name: "empty file", chatID: "chat-1", body: form(t, nil, file), wantStatus: 400, wantMessage: "empty"},
		{name: "no file field", chatID: "chat-1", body: form(t, png, mediaPart{"image", "a.png", "image/png"}), wantStatus: 400, wantMessage: `"file"`},
		{name: "not multipart", chatID: "chat-1", body: func() (io.Reader, string) { return bytes.NewReader(png), "image/png" }, wantStatus: 415, wantMessage: "multipart/form-data"},
		{name: "unknown chat", chatID: "chat-404", body: form(t, png, file), wantStatus: 404},
		{name: "GET", method: http.MethodGet, chatID: "chat-1", body: form(t, png, file), wantStatus: 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, mm := mediaTestApp(t)
			method, path := MediaRoute()
			mux := http.NewServeMux()
			mux.Handle("/chats/{id}/media", UploadMedia(a))
			if c.method == "" {
				c.method = method
			}
			body, ct := c.body()
			req := httptest.NewRequest(c.method, strings.Replace(path, "{id}", c.chatID, 1), body)
			req.Header.Set("Content-Type", ct)
			if c.contentLen != 0 {
				req.ContentLength = c.contentLen
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != c.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.wantStatus, rec.Body)
			}
			if c.wantStatus != 201 {
				if mm.Len() != 0 {
					t.Errorf("a refused upload stored %d objects", mm.Len())
				}
				if c.wantStatus != 405 {
					var e struct{ Error string }
					if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, c.wantMessage) {
						t.Errorf("error body %s, want JSON naming %q", rec.Body, c.wantMessage)
					}
				}
				return
			}
			var resp MediaUploadResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			m := resp.Media
			if !strings.HasPrefix(m.Name, "outbound/chat-1/") || m.ContentType != c.wantType || m.Size == 0 ||
				!strings.HasPrefix(m.URL, "http://localhost/Media/"+m.Name+"?") {
				t.Errorf("response %s", rec.Body)
			}
			if _, obj, err := mm.Open(context.Background(), m.Name); err != nil || obj.Size != m.Size {
				t.Errorf("stored object: %+v %v", obj, err)
			}
		})
	}
}

func form(t *testing.T, data []byte, parts ...mediaPart) func() (io.Reader, string) {
	return func() (io.Reader, string) { return multipartBody(t, data, parts...) }
}
