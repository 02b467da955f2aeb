package crm

import (
	"context"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// MediaSource reads the media smsdesk stored (the MMS media bucket), so
// the consumer's photos and videos reach the CRM as files rather than as
// links that expire.
type MediaSource interface {
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// MaxMediaBytes bounds one medium read for the CRM (MMS media are at most
// a few megabytes; HubSpot takes files far larger).
const MaxMediaBytes = 20 << 20

// medium is a consumer medium to post: its file name in the CRM and where
// it is.
type medium struct {
	name string
	at   time.Time
	m    chat.Media
}

// consumerMedia lists the consumer's media of a chat in order, named
// chat-{id}-photo-{n}.jpg, chat-{id}-video-{n}.mp4 (audio-{n}, file-{n}
// for the rest), n counting from 1 per kind.
func consumerMedia(chatID string, msgs []chat.Message) []medium {
	counts := map[string]int{}
	var out []medium
	for _, msg := range msgs {
		if msg.Author != chat.AuthorConsumer {
			continue
		}
		for _, m := range msg.Media {
			if m.URL == "" && m.Name == "" {
				continue
			}
			kind, ext := mediaKind(m.ContentType)
			counts[kind]++
			out = append(out, medium{name: fmt.Sprintf("chat-%s-%s-%d.%s", chatID, kind, counts[kind], ext), at: msg.CreatedAt, m: m})
		}
	}
	return out
}

func mediaKind(contentType string) (kind, ext string) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/jpeg", "image/jpg":
		return "photo", "jpg"
	case "video/mp4":
		return "video", "mp4"
	}
	major, minor, _ := strings.Cut(mt, "/")
	ext = map[string]string{"png": "png", "gif": "gif", "webp": "webp", "heic": "heic", "bmp": "bmp", "3gpp": "3gp", "quicktime": "mov",
		"mpeg": "mpg", "webm": "webm", "amr": "amr", "ogg": "ogg", "wav": "wav", "pdf": "pdf", "vcard": "vcf", "x-vcard": "vcf"}[minor]
	if ext == "" {
		ext = "bin"
	}
	switch major {
	case "image":
		return "photo", ext
	case "video":
		return "video", ext
	case "audio":
		return "audio", ext
	}
	return "file", ext
}

// mediaNote is the note of one consumer medium; its file is read when it
// is posted (loadMedia), not each time the chat's notes are listed.
func mediaNote(ev chat.Event, k int, md medium) note {
	label := map[string]string{"photo": "Photo", "video": "Video", "audio": "Audio", "file": "File"}[strings.Split(strings.TrimPrefix(md.name, "chat-"+ev.ChatID+"-"), "-")[0]]
	body := fmt.Sprintf("%s the consumer sent in SMS chat %s (%s)", label, ev.ChatID, md.name)
	if !md.at.IsZero() {
		body += " at " + md.at.UTC().Format(time.RFC3339)
	}
	id := fmt.Sprintf("%s#media-%d", ev.ID, k)
	return note{id: id, note: Note{Body: body + "\n\n[smsdesk event " + ev.ID + "]", At: ev.At, Key: id, Event: &ev}, media: &md}
}

// loadMedia fills a media note's file from the bucket; a medium smsdesk
// did not store (media off) keeps the carrier's link in the text, which
// the note says may expire.
func (s *Service) loadMedia(ctx context.Context, n note) (Note, error) {
	out := n.note
	md := n.media
	if md == nil {
		return out, nil
	}
	if !md.m.Stored() || s.Media == nil {
		out.Body += "\nNot stored by smsdesk; the carrier's link, which may expire: " + md.m.URL
		return out, nil
	}
	rc, err := s.Media.Open(ctx, md.m.Name)
	if err != nil {
		return out, fmt.Errorf("read %s for the CRM: %w", md.m.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxMediaBytes+1))
	if err != nil {
		return out, fmt.Errorf("read %s for the CRM: %w", md.m.Name, err)
	}
	if len(data) > MaxMediaBytes {
		out.Body += fmt.Sprintf("\nLarger than %d MB: not attached.", MaxMediaBytes>>20)
		return out, nil
	}
	out.Attachments = []Attachment{{Name: md.name, ContentType: md.m.ContentType, Data: data}}
	return out, nil
}
