package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
)

const consumer = "+14155550123"

func newClient(t *testing.T) (*hubspot.Client, *hubspottest.Server) {
	hs := hubspottest.New(t)
	return hubspot.New(hs.URL(), hubspottest.Token, "4242"), hs
}

func TestFindContactsByPhone(t *testing.T) {
	ctx := context.Background()
	c, hs := newClient(t)
	ana := hs.AddContact(map[string]string{"firstname": "Ana", "phone": "(415) 555-0123"})
	bo := hs.AddContact(map[string]string{"firstname": "Bo", "mobilephone": "+1 415-555-0123"})
	hs.AddContact(map[string]string{"firstname": "Cy", "phone": "(415) 555-0124"})
	got, err := c.FindContactsByPhone(ctx, consumer)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ct := range got {
		ids = append(ids, ct.ID)
	}
	if !slices.Equal(ids, []string{ana, bo}) || got[0].FirstName != "Ana" || got[1].MobilePhone != "+1 415-555-0123" {
		t.Fatalf("found %+v, want Ana (phone) and Bo (mobilephone)", got)
	}
	reqs := hs.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/crm/v3/objects/contacts/search" {
		t.Fatalf("requests = %+v", reqs)
	}
	var body struct {
		FilterGroups []struct {
			Filters []struct {
				PropertyName, Operator string
				Values                 []string
			}
		}
	}
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	var props []string
	for _, g := range body.FilterGroups {
		props = append(props, g.Filters[0].PropertyName)
		if g.Filters[0].Operator != "IN" || !slices.Equal(g.Filters[0].Values, crm.PhoneFormats(consumer)) {
			t.Errorf("filter %+v, want IN every format", g.Filters[0])
		}
	}
	if !slices.Equal(props, []string{"phone", "mobilephone"}) {
		t.Errorf("filter groups on %v, want phone OR mobilephone", props)
	}
}

func TestCreateUpdateAndNote(t *testing.T) {
	ctx := context.Background()
	c, hs := newClient(t)
	created, err := c.CreateContact(ctx, crm.Contact{Phone: consumer, Language: "es-MX"})
	if err != nil {
		t.Fatal(err)
	}
	if p := hs.Contacts()[created.ID]; p["phone"] != consumer || p["hs_language"] != "es" {
		t.Fatalf("created contact %v, want phone and hs_language es", p)
	}
	if _, err := c.UpdateContact(ctx, crm.Contact{ID: created.ID, Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if p := hs.Contacts()[created.ID]; p["hs_language"] != "en" {
		t.Fatalf("after the update %v", p)
	}
	n := len(hs.Requests())
	if _, err := c.UpdateContact(ctx, crm.Contact{ID: created.ID, Language: "tlh"}); err != nil || len(hs.Requests()) != n {
		t.Fatalf("an update with nothing HubSpot takes: %v, %d requests (want none)", err, len(hs.Requests())-n)
	}
	at := time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)
	id, err := c.AddNote(ctx, created.ID, crm.Note{Body: "chat c1 <ended>\nAgent: a1", At: at, Event: &chat.Event{ChatID: "c1"},
		Attachments: []crm.Attachment{
			{Name: "chat-c1.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("[15:00] consumer: hi & bye")},
			{Name: "chat-c1-photo-1.jpg", ContentType: "image/jpeg", Data: []byte("\xff\xd8\xff\xe0 a jpeg")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	notes := hs.Notes(created.ID)
	if len(notes) != 1 || notes[0].ID != id {
		t.Fatalf("notes = %+v, want the one posted (%s)", notes, id)
	}
	p := notes[0].Properties
	if p["hs_timestamp"] != "2026-05-01T15:00:00Z" {
		t.Errorf("hs_timestamp = %q", p["hs_timestamp"])
	}
	for _, want := range []string{"<p>chat c1 &lt;ended&gt;</p><p>Agent: a1</p>", "Attached: chat-c1.txt", "Attached: chat-c1-photo-1.jpg"} {
		if !strings.Contains(p["hs_note_body"], want) {
			t.Errorf("hs_note_body %q lacks %q", p["hs_note_body"], want)
		}
	}
	// The files went through the Files API, private, and are the note's
	// attachments.
	files := hs.Files()
	if len(files) != 2 || p["hs_attachment_ids"] != files[0].ID+";"+files[1].ID {
		t.Fatalf("files %+v, hs_attachment_ids %q", files, p["hs_attachment_ids"])
	}
	for i, want := range []struct{ name, ct, data string }{
		{"chat-c1.txt", "text/plain; charset=utf-8", "[15:00] consumer: hi & bye"},
		{"chat-c1-photo-1.jpg", "image/jpeg", "\xff\xd8\xff\xe0 a jpeg"},
	} {
		f := files[i]
		if f.Name != want.name || f.ContentType != want.ct || string(f.Data) != want.data || f.Access != "PRIVATE" || f.Folder != "/smsdesk/chats/c1" {
			t.Errorf("file %d = %+v, want %s (%s) in /smsdesk/chats/c1, private", i, f, want.name, want.ct)
		}
	}
	if got := c.ContactURL(created.ID); got != "https://app.hubspot.com/contacts/4242/record/0-1/"+created.ID {
		t.Errorf("ContactURL = %q", got)
	}
	if got := hubspot.New("", "t", "").ContactURL("1"); got != "" {
		t.Errorf("ContactURL without a portal = %q, want none", got)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		status     int
		retryAfter int
		token      string
		retryable  bool
		wantAfter  time.Duration
		wantMsg    string
	}{
		{"429 is retried after Retry-After", 429, 3, hubspottest.Token, true, 3 * time.Second, "secondly limit"},
		{"500 is retried", 500, 0, hubspottest.Token, true, 0, "internal error"},
		{"a bad token is refused for good", 0, 0, "pat-wrong", false, 0, "Authentication credentials not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := hubspottest.New(t)
			c := hubspot.New(hs.URL(), tc.token, "")
			if tc.status != 0 {
				hs.FailNext(1, tc.status, tc.retryAfter)
			}
			_, err := c.FindContactsByPhone(ctx, consumer)
			var ce *crm.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *crm.Error", err)
			}
			if ce.Retryable != tc.retryable || ce.RetryAfter != tc.wantAfter || !strings.Contains(ce.Message, tc.wantMsg) {
				t.Fatalf("err = %+v, want retryable %v after %s with %q", ce, tc.retryable, tc.wantAfter, tc.wantMsg)
			}
			if tc.status != 0 {
				if _, err := c.FindContactsByPhone(ctx, consumer); err != nil {
					t.Fatalf("after the fault: %v", err)
				}
			}
		})
	}
	t.Run("unreachable is retried", func(t *testing.T) {
		_, err := hubspot.New("http://127.0.0.1:1", "t", "").FindContactsByPhone(ctx, consumer)
		if !crm.Retryable(err) {
			t.Fatalf("err = %v, want retryable", err)
		}
	})
}

// TestTestConnection: each way a HubSpot connection fails is reported in
// words an admin can act on.
func TestTestConnection(t *testing.T) {
	hs := hubspottest.New(t)
	tests := []struct {
		name   string
		client *hubspot.Client
		scopes []string
		want   []string // substrings of the error; none: it works
	}{
		{"works", hubspot.New(hs.URL(), hubspottest.Token, ""), hubspottest.AllScopes, nil},
		{"bad token", hubspot.New(hs.URL(), "pat-na1-wrong", ""), hubspottest.AllScopes, []string{"HTTP 401", "Authentication credentials not found"}},
		{"no read scope", hubspot.New(hs.URL(), hubspottest.Token, ""), []string{"crm.objects.contacts.write"},
			[]string{"HTTP 403", "hasn't been granted all required scopes", "MISSING_SCOPES", "required scopes: crm.objects.contacts.read"}},
		{"no write scope", hubspot.New(hs.URL(), hubspottest.Token, ""), []string{"crm.objects.contacts.read"},
			[]string{"HTTP 403", "lacks the scope crm.objects.contacts.write"}},
		{"no files scope", hubspot.New(hs.URL(), hubspottest.Token, ""), []string{"crm.objects.contacts.read", "crm.objects.contacts.write"},
			[]string{"HTTP 403", "lacks the scope files"}},
		{"unreachable", hubspot.New("http://127.0.0.1:1", hubspottest.Token, ""), hubspottest.AllScopes, []string{"unreachable", "connection refused"}},
		{"bad URL", hubspot.New("api.hubapi.com", hubspottest.Token, ""), hubspottest.AllScopes, []string{"bad API URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs.SetScopes(tc.scopes...)
			err := tc.client.TestConnection(context.Background())
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("TestConnection worked, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestFindNote: a note posted with a key is found by it on its contact
// only.
func TestFindNote(t *testing.T) {
	ctx := context.Background()
	c, hs := newClient(t)
	ana := hs.AddContact(map[string]string{"phone": consumer})
	bo := hs.AddContact(map[string]string{"phone": "+14155550124"})
	id, err := c.AddNote(ctx, ana, crm.Note{Key: "c1-2-1", Body: "assigned [smsdesk event c1-2-1]"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		contact, key, want string
	}{{ana, "c1-2-1", id}, {ana, "c1-2-2", ""}, {bo, "c1-2-1", ""}, {ana, "c1-2-1#summary", ""}} {
		got, err := c.FindNote(ctx, tc.contact, tc.key)
		if err != nil || got != tc.want {
			t.Errorf("FindNote(%s, %s) = %q, %v; want %q", tc.contact, tc.key, got, err, tc.want)
		}
	}
}
