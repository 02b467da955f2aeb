package agentapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/store"
)

// mediaFormOverhead is what a multipart body may carry besides the file:
// boundaries, part headers, a file name.
const mediaFormOverhead = 64 << 10

// mediaFileField is the multipart field holding the image.
const mediaFileField = "file"

// MediaRoute is the method and path UploadMedia serves, without the
// /AgentAPI prefix, as a net/http ServeMux pattern has them; the handler
// reads the chat id from the {id} wildcard.
func MediaRoute() (method, path string) { return http.MethodPost, "/chats/{id}/media" }

// MediaUploadResponse is what UploadMedia answers (201).
type MediaUploadResponse struct {
	Media chat.Media `json:"media"`
}

// UploadMedia stores an image an agent attaches to a reply: POST
// /AgentAPI/chats/{id}/media with multipart/form-data, the image in the
// field "file". It answers 201 {"media": {"name", "contentType", "size",
// "url"}} (url: a short-lived signed URL to preview it); the agent then
// sends a reply whose media list has that name. Refusals
// name the limit: 400 (no file, empty file, not multipart), 413 (over
// 5 MB), 415 (not JPEG, PNG or GIF, judged from the bytes), 404 (no such
// chat), 503 (media storage off).
//
// It authenticates nobody: mount it behind the AgentAPI's guard and the
// check that the agent may act on the chat.
func UploadMedia(svc *media.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		chatID := r.PathValue("id")
		if chatID == "" {
			writeMediaError(w, http.StatusNotFound, "no chat id in the path; POST /AgentAPI/chats/{id}/media")
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			writeMediaError(w, http.StatusUnsupportedMediaType,
				`send multipart/form-data with the image in the field "file"`)
			return
		}
		if r.ContentLength > media.MaxMediaBytes+mediaFormOverhead {
			writeMediaError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("the upload is %s, over the %s limit of one MMS medium", media.FormatBytes(r.ContentLength), media.FormatBytes(media.MaxMediaBytes)))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, media.MaxMediaBytes+mediaFormOverhead)
		mr, err := r.MultipartReader()
		if err != nil {
			writeMediaError(w, http.StatusBadRequest, "malformed multipart body: "+err.Error())
			return
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				writeMediaError(w, http.StatusBadRequest, `the multipart body has no field "file"`)
				return
			}
			if err != nil {
				answerMediaError(w, r, err)
				return
			}
			if part.FormName() != mediaFileField {
				_ = part.Close()
				continue
			}
			m, err := svc.UploadMedia(r.Context(), chatID, part)
			_ = part.Close()
			if err != nil {
				answerMediaError(w, r, err)
				return
			}
			// A signed URL lets the console preview the attachment; the reply
			// names it by Name only.
			if signed, err := svc.SignMedia(r.Context(), m); err == nil {
				m = signed
			} else {
				logging.From(r.Context()).WithError(err).Warn("uploaded media could not be signed for preview")
			}
			httpapi.WriteJSON(w, http.StatusCreated, MediaUploadResponse{Media: m})
			return
		}
	}
}

func answerMediaError(w http.ResponseWriter, r *http.Request, err error) {
	var me *media.Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		writeMediaError(w, httpapi.MediaStatus(me), me.Message)
	case errors.As(err, &tooBig):
		writeMediaError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the upload is larger than the %s limit of one MMS medium", media.FormatBytes(media.MaxMediaBytes)))
	case errors.Is(err, store.ErrNotFound):
		writeMediaError(w, http.StatusNotFound, "no such chat")
	default:
		logging.From(r.Context()).WithError(err).Error("media upload failed")
		writeMediaError(w, http.StatusInternalServerError, "the image could not be stored; try again")
	}
}

// writeMediaError answers an ErrorBody without problems: the upload is a
// file, not a document with fields.
func writeMediaError(w http.ResponseWriter, status int, msg string) {
	httpapi.WriteError(w, status, msg, nil)
}
