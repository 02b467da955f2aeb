package builtin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
)

func ptr[T any](v T) *T { return &v }

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", builtin.MaxNameRunes+1)
	for _, tc := range []struct {
		name    string
		edit    builtin.Edit
		replace bool
		want    builtin.Edit
		fields  []string // the fields named, in order; none when valid
	}{
		{"names trimmed", builtin.Edit{FirstName: ptr("  Ana "), LastName: ptr("Ruiz")},
			false, builtin.Edit{FirstName: ptr("Ana"), LastName: ptr("Ruiz")}, nil},
		{"numbers to E.164, labels once each", builtin.Edit{Phones: &[]string{"(415) 555-0123", "+44 20 7183 8750"}, Labels: &[]string{"VIP", " billing ", "vip"}},
			false, builtin.Edit{Phones: &[]string{"+14155550123", "+442071838750"}, Labels: &[]string{"VIP", "billing"}}, nil},
		{"replace empties what is left out", builtin.Edit{Phones: &[]string{"+14155550123"}},
			true, builtin.Edit{FirstName: ptr(""), LastName: ptr(""), Email: ptr(""), Phones: &[]string{"+14155550123"}, Labels: &[]string{}}, nil},
		{"replace needs the numbers", builtin.Edit{FirstName: ptr("Ana")}, true, builtin.Edit{}, []string{"phones"}},
		{"a name too long", builtin.Edit{FirstName: &long}, false, builtin.Edit{}, []string{"firstName"}},
		{"a name over two lines", builtin.Edit{LastName: ptr("Ruiz\nGarcia")}, false, builtin.Edit{}, []string{"lastName"}},
		{"a bad email", builtin.Edit{Email: ptr("ana@example")}, false, builtin.Edit{}, []string{"email"}},
		{"no numbers", builtin.Edit{Phones: &[]string{}}, false, builtin.Edit{}, []string{"phones"}},
		{"a bad and a repeated number", builtin.Edit{Phones: &[]string{"+14155550123", "call me", "415-555-0123"}},
			false, builtin.Edit{}, []string{"phones[1]", "phones[2]"}},
		{"an empty label", builtin.Edit{Labels: &[]string{"ok", " "}}, false, builtin.Edit{}, []string{"labels[1]"}},
		{"an empty note", builtin.Edit{Note: ptr("  ")}, false, builtin.Edit{}, []string{"note"}},
		{"every problem at once", builtin.Edit{FirstName: &long, Email: ptr("x"), Labels: &[]string{""}},
			false, builtin.Edit{}, []string{"firstName", "email", "labels[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := builtin.Validate(tc.edit, tc.replace)
			var ve *chat.ValidationError
			if tc.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Fatalf("cleaned (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.As(err, &ve) {
				t.Fatalf("err %v, want a ValidationError", err)
			}
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
			if diff := cmp.Diff(tc.fields, fields); diff != "" {
				t.Fatalf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdapter(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st := memcontacts.New()
	ids := []string{"k1", "k2", "k3"}
	a := &builtin.Adapter{Store: st, Clock: clock.Clock{Now: func() time.Time { return at }, NewID: func() string { id := ids[0]; ids = ids[1:]; return id }}}

	c, err := a.CreateContact(ctx, crm.Contact{Phone: "+14155550123", Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "k1" || c.Phone != "+14155550123" {
		t.Fatalf("created %+v", c)
	}
	// An agent adds a name and a second number; the sync finds the
	// contact by the second and never overwrites the name.
	svc := &builtin.Service{Store: st, Clock: a.Clock}
	if _, err := svc.Apply(ctx, "k1", "ben", builtin.Edit{FirstName: ptr("Ana"), Phones: &[]string{"+14155550123", "+12125550100"}, Note: ptr("Prefers texts")}, false); err != nil {
		t.Fatal(err)
	}
	found, err := a.FindContactsByPhone(ctx, "+12125550100")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || !crm.SamePhone(found[0].Phone, "+12125550100") || found[0].FirstName != "Ana" {
		t.Fatalf("found %+v", found)
	}
	u, err := a.UpdateContact(ctx, crm.Contact{ID: "k1", FirstName: "Someone", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Contact(ctx, "k1"); u.FirstName != "Ana" || got.FirstName != "Ana" || got.Language != "en" {
		t.Fatalf("after the sync's update: %+v / %+v", u, got)
	}
	// A note posted twice (a crash before the sync recorded it) is kept once.
	n := crm.Note{Body: "Transcript of SMS chat c9 (chat-c9.txt)", At: at, Attachments: []crm.Attachment{{Name: "chat-c9.txt", ContentType: "text/plain", Data: []byte("hello")}}}
	id1, err := a.AddNote(ctx, "k1", n)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := a.AddNote(ctx, "k1", n)
	if err != nil || id1 != id2 {
		t.Fatalf("second post: %s, %v; want %s", id2, err, id1)
	}
	card, err := svc.Card(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if len(card.Notes) != 2 {
		t.Fatalf("notes %+v, want the agent's and the transcript's", card.Notes)
	}
	var tr builtin.Note
	for _, n := range card.Notes {
		if n.By == "" && len(n.Attachments) > 0 {
			tr = n
		}
	}
	if tr.ChatID != "c9" || len(tr.Attachments) != 1 || tr.Attachments[0].Size != 5 {
		t.Fatalf("transcript note %+v", tr)
	}
	// With the sync's key, a retry is recognised even if its body changed.
	keyed := crm.Note{Body: "SMS chat c9 ended", At: at, Key: "c9-4-1"}
	k1, _ := a.AddNote(ctx, "k1", keyed)
	keyed.Body += " (again)"
	if k2, err := a.AddNote(ctx, "k1", keyed); err != nil || k2 != k1 {
		t.Fatalf("keyed retry: %s, %v; want %s", k2, err, k1)
	}
	if err := a.TestConnection(ctx); err != nil {
		t.Fatalf("test connection: %v", err)
	}
	if _, err := a.AddNote(ctx, "gone", n); crm.Retryable(err) {
		t.Fatalf("a note to a deleted contact: %v, want a refusal that is not retried", err)
	}

	// @{CONSUMER_FIRST_NAME}: empty until linked, then the contact's current name.
	links := memlink.New()
	names := builtin.FirstNames{Links: links, Connector: fixed{a}}
	if got, err := names.ConsumerFirstName(ctx, "c9"); err != nil || got != "" {
		t.Fatalf("unlinked: %q, %v", got, err)
	}
	if _, err := links.UpdateLink(ctx, "c9", func(l *crm.Link) error {
		l.State, l.ContactID = crm.StateLinked, "k1"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := names.ConsumerFirstName(ctx, "c9"); err != nil || got != "Ana" {
		t.Fatalf("linked: %q, %v", got, err)
	}
}

// fixed is a crm.Connector that always answers one CRM.
type fixed struct{ c crm.CRM }

func (f fixed) Connection(context.Context) (crm.Connection, error) {
	return crm.Connection{CRM: f.c}, nil
}

// otherCRM stands for HubSpot or the webhook: not the built-in contacts.
type otherCRM struct{ crm.CRM }

func TestFirstNameFromAnotherCRM(t *testing.T) {
	ctx := context.Background()
	links := memlink.New()
	if _, err := links.UpdateLink(ctx, "c1", func(l *crm.Link) error {
		l.State, l.ContactID, l.Contact = crm.StateLinked, "901", &crm.Contact{ID: "901", FirstName: "Ivy"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		conn crm.Connector
		want string
	}{
		{"the name the sync stored", fixed{otherCRM{}}, "Ivy"},
		{"CRM sync off", fixed{nil}, ""},
		{"built-in now, linked under another CRM", fixed{&builtin.Adapter{Store: memcontacts.New()}}, "Ivy"},
	} {
		got, err := builtin.FirstNames{Links: links, Connector: tc.conn}.ConsumerFirstName(ctx, "c1")
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
