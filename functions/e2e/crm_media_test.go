package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestCRMMediaAsFiles: a consumer's MMS photo in a chat synced to HubSpot
// reaches the contact once as a private file, chat-{id}-photo-1.jpg with
// the photo's bytes, attached to its own note; the transcript is
// chat-{id}.txt. No signed URL is in any note.
func TestCRMMediaAsFiles(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			hs := hubspottest.New(t)
			extra := map[string]string{"HUBSPOT_ACCESS_TOKEN": hubspottest.Token, "HUBSPOT_API_BASE_URL": hs.URL()}
			if backend == "emulators" {
				gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1", Writer: io.Discard})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(gcs.Stop)
				gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "e2e-crm-media"})
				extra["MEDIA_BUCKET"], extra["STORAGE_EMULATOR_HOST"] = "e2e-crm-media", gcs.URL()
			}
			e := newEnv(t, backend, extra)
			const consumer = "+14155550178"
			chatID, agentID := e.assignedChat(consumer)
			me := principalOf(agentID)

			host := newTwilioMedia(t)
			const sid = "MM0000000000000000000000000000c178"
			p := fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s/Media/ME0", accountSID, sid)
			form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {consumer}, "To": {numberEN},
				"Body": {"the meter"}, "NumMedia": {"1"}, "MediaUrl0": {host.add(p, e2eJPEG)}, "MediaContentType0": {"image/jpeg"}}
			if code := e.postSigned(wire.FnTwilioInbound, "", form, authToken, ""); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			e.waitRouted(sid)
			var v crm.View
			testenv.WaitFor(t, waitLimit, "the chat linked", func() bool {
				v = e.crmView(me, chatID)
				return v.State == crm.StateLinked
			})
			if err := e.end(chatID, agentID); err != nil {
				t.Fatal(err)
			}
			testenv.WaitFor(t, waitLimit, "the photo and the transcript posted", func() bool { return len(hs.Notes(v.ContactID)) == 4 })
			files := hs.Files()
			if len(files) != 2 {
				t.Fatalf("files %d, want the photo and the transcript", len(files))
			}
			photo, text := files[0], files[1]
			if photo.Name != "chat-"+chatID+"-photo-1.jpg" || !bytes.Equal(photo.Data, e2eJPEG) || photo.ContentType != "image/jpeg" || photo.Access != "PRIVATE" {
				t.Errorf("photo file %s (%s, %d bytes, %s)", photo.Name, photo.ContentType, len(photo.Data), photo.Access)
			}
			if text.Name != "chat-"+chatID+".txt" || !strings.Contains(string(text.Data), "the meter") {
				t.Errorf("transcript file %s: %q", text.Name, text.Data)
			}
			notes := hs.Notes(v.ContactID)
			if notes[2].Properties["hs_attachment_ids"] != photo.ID || notes[3].Properties["hs_attachment_ids"] != text.ID {
				t.Errorf("attachments %q, %q; want the photo then the transcript", notes[2].Properties["hs_attachment_ids"], notes[3].Properties["hs_attachment_ids"])
			}
			for _, n := range notes {
				if b := n.Properties["hs_note_body"]; strings.Contains(b, "Signature=") || strings.Contains(b, "X-Goog-") || strings.Contains(b, "/Media/") {
					t.Errorf("a note carries a link that expires: %q", b)
				}
			}
		})
	}
}
