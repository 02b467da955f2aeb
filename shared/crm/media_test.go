package crm_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
)

type bucket map[string]string

func (b bucket) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	data, ok := b[name]
	if !ok {
		return nil, errors.New("no object " + name)
	}
	return io.NopCloser(strings.NewReader(data)), nil
}

// TestMediaNotes: each consumer medium is a note with its file, named by
// kind and rank, uploaded once to HubSpot's Files API; a medium smsdesk
// did not store keeps the carrier's link, said to expire; the agent's
// media are not the consumer's.
func TestMediaNotes(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	msgs := []chat.Message{
		{ChatID: "c1", Seq: 1, Author: chat.AuthorConsumer, Body: "my meter", CreatedAt: at, Media: []chat.Media{
			{Name: "inbound/m1/0", ContentType: "image/jpeg", URL: "https://api.twilio.com/m1/0"},
			{Name: "inbound/m1/1", ContentType: "image/png", URL: "https://api.twilio.com/m1/1"},
		}},
		{ChatID: "c1", Seq: 2, Author: chat.AuthorAgent, AgentID: "a1", Body: "thanks", CreatedAt: at.Add(time.Minute), Media: []chat.Media{
			{Name: "outbound/c1/x", ContentType: "image/jpeg"},
		}},
		{ChatID: "c1", Seq: 3, Author: chat.AuthorConsumer, CreatedAt: at.Add(2 * time.Minute), Media: []chat.Media{
			{Name: "inbound/m3/0", ContentType: "video/mp4", URL: "https://api.twilio.com/m3/0"},
			{ContentType: "image/jpeg", URL: "https://api.twilio.com/m3/1"}, // not stored
		}},
	}
	hs := hubspottest.New(t)
	contact := hs.AddContact(map[string]string{"phone": consumer})
	links := memlink.New()
	svc := &crm.Service{CRM: hubspot.New(hs.URL(), hubspottest.Token, ""), Links: links,
		Chats: fakeChats{chats: map[string]chat.Chat{"c1": {ID: "c1", Consumer: consumer, CreatedAt: at}}, msgs: map[string][]chat.Message{"c1": msgs}},
		Media: bucket{"inbound/m1/0": "JPEG-1", "inbound/m1/1": "PNG-2", "inbound/m3/0": "MP4-3"}}
	ctx := context.Background()
	for _, ev := range []chat.Event{
		{ID: "c1-2-1", Type: chat.EventChatAssigned, ChatID: "c1", Consumer: consumer, AgentID: "a1", StartType: chat.StartManual},
		{ID: "c1-9-1", Type: chat.EventChatEnded, ChatID: "c1", Consumer: consumer, AgentID: "a1", At: at.Add(5 * time.Minute), EndReason: "agent"},
	} {
		for attempt := 1; attempt <= 2; attempt++ { // each delivered twice
			if err := svc.Apply(ctx, ev, attempt); err != nil {
				t.Fatal(err)
			}
		}
	}
	var files []string
	for _, f := range hs.Files() {
		files = append(files, f.Name+"="+string(f.Data))
	}
	want := []string{"chat-c1-photo-1.jpg=JPEG-1", "chat-c1-photo-2.png=PNG-2", "chat-c1-video-1.mp4=MP4-3"}
	if len(files) != 4 || strings.Join(files[:3], " ") != strings.Join(want, " ") || !strings.HasPrefix(files[3], "chat-c1.txt=") {
		t.Fatalf("files %q, want %q and the transcript", files, want)
	}
	notes := hs.Notes(contact)
	if len(notes) != 7 { // assigned, summary, 4 media, transcript
		t.Fatalf("%d notes, want 7", len(notes))
	}
	unstored := notes[5].Properties["hs_note_body"]
	if !strings.Contains(unstored, "chat-c1-photo-3.jpg") || !strings.Contains(unstored, "may expire: https://api.twilio.com/m3/1") || notes[5].Properties["hs_attachment_ids"] != "" {
		t.Errorf("the unstored medium's note %q", unstored)
	}
	if !strings.Contains(notes[2].Properties["hs_note_body"], "Photo the consumer sent in SMS chat c1 (chat-c1-photo-1.jpg)") {
		t.Errorf("first media note %q", notes[2].Properties["hs_note_body"])
	}
}
