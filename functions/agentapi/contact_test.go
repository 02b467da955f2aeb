package agentapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// newContactsAPI is newAPI with the built-in contacts as the CRM: Ana's
// consumer (+14155550171) is contact k1, linked to held-ana; the
// consumer of transfer-pending has no contact yet.
func newContactsAPI(t *testing.T) (*api, *memcontacts.Store) {
	t.Helper()
	ctx := context.Background()
	x := newAPI(t)
	set := jobs.Compose(jobs.Clients{Store: x.store, Bus: discardBus{}, Tasks: discardTasks{},
		URLs: wire.URLs{Public: "https://x.example", Internal: "https://x.example"}})
	a := agentapi.FromSet(set)
	contacts, links := memcontacts.New(), memlink.New()
	a.CRM = &crm.Service{CRM: &builtin.Adapter{Store: contacts}, Links: links, Chats: x.store, Bus: discardBus{}}
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	if err := contacts.CreateContact(ctx, builtin.Contact{ID: "k1", FirstName: "Ana", LastName: "Ruiz",
		Phones: []string{"+14155550171"}, Labels: []string{"vip"}, CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	// A contact of a consumer none of Ana's chats is with.
	if err := contacts.CreateContact(ctx, builtin.Contact{ID: "k9", FirstName: "Zed", Phones: []string{"+13125550199"}, CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := links.UpdateLink(ctx, "held-ana", func(l *crm.Link) error {
		l.State, l.ContactID, l.Consumer = crm.StateLinked, "k1", "+14155550171"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	x.h = agentapi.New(a, auth.NewGuard(x.dev), agentapi.AllowOrigins(consoleOrigin))
	return x, contacts
}

func TestContactPanel(t *testing.T) {
	x, _ := newContactsAPI(t)
	var p agentapi.ContactPanel
	decode(t, x.do("ana", "GET", "/chats/held-ana/contact", ""), &p)
	if p.Source != agentapi.SourceBuiltin || p.Consumer != "+14155550171" || p.Contact == nil || p.Contact.Name != "Ana Ruiz" ||
		!slices.Equal(p.Contact.Labels, []string{"vip"}) || p.CRM.State != crm.StateLinked {
		t.Fatalf("panel %+v", p)
	}
	var ids []string
	for _, c := range p.PastChats {
		ids = append(ids, c.ID)
	}
	for _, want := range []string{"held-ana", "ended-ana", "offered-ana"} {
		if !slices.Contains(ids, want) {
			t.Errorf("past chats %v lack %s", ids, want)
		}
	}
	// Not linked yet: the consumer's number and history, no contact.
	p = agentapi.ContactPanel{}
	decode(t, x.do("ana", "GET", "/chats/transfer-pending/contact", ""), &p)
	if p.Contact != nil || p.Consumer != "+14155550172" || p.CRM.State != "pending" || len(p.PastChats) != 1 {
		t.Fatalf("unlinked panel %+v", p)
	}
	if rec := x.do("carla", "GET", "/chats/held-ana/contact", ""); rec.Code != http.StatusForbidden {
		t.Fatalf("carla: %d %s", rec.Code, rec.Body)
	}
	// Without a CRM, the panel still has the number and the history.
	p = agentapi.ContactPanel{}
	decode(t, newAPI(t).do("ana", "GET", "/chats/held-ana/contact", ""), &p)
	if p.Source != agentapi.SourceNone || p.CRM.Enabled || p.Contact != nil || len(p.PastChats) != 3 {
		t.Fatalf("panel without a CRM %+v", p)
	}
}

func TestEditContact(t *testing.T) {
	tests := []struct {
		name, caller, method, path, body string
		want                             int
		wantField                        string
		check                            func(t *testing.T, c builtin.Contact)
	}{
		{"the agent renames the contact", "ana", "PATCH", "/contacts/k1", `{"firstName":" Anita "}`, 200, "", func(t *testing.T, c builtin.Contact) {
			if c.FirstName != "Anita" || c.LastName != "Ruiz" || c.UpdatedBy != "ana" {
				t.Errorf("contact %+v", c)
			}
		}},
		{"numbers, labels and a note", "ana", "PATCH", "/contacts/k1", `{"phones":["+14155550171","(212) 555-0100"],"labels":["vip","late payer"],"note":"Prefers texts after 5pm"}`, 200, "", func(t *testing.T, c builtin.Contact) {
			if !slices.Equal(c.Phones, []string{"+14155550171", "+12125550100"}) || !slices.Equal(c.Labels, []string{"vip", "late payer"}) {
				t.Errorf("contact %+v", c)
			}
		}},
		{"a replace empties the rest", "supervisor", "PUT", "/contacts/k1", `{"phones":["+14155550171"],"firstName":"Ana"}`, 200, "", func(t *testing.T, c builtin.Contact) {
			if c.FirstName != "Ana" || c.LastName != "" || len(c.Labels) != 0 || c.UpdatedBy != "u-sup" {
				t.Errorf("contact %+v", c)
			}
		}},
		{"an agent who sees no chat of the consumer", "carla", "PATCH", "/contacts/k1", `{"firstName":"X"}`, 403, "", unchanged},
		{"a contact none of Ana's chats is with", "ana", "PATCH", "/contacts/k9", `{"firstName":"X"}`, 403, "", nil},
		{"a bad email", "ana", "PATCH", "/contacts/k1", `{"email":"ana@"}`, 400, "email", unchanged},
		{"a bad number", "ana", "PATCH", "/contacts/k1", `{"phones":["+14155550171","ring me"]}`, 400, "phones[1]", unchanged},
		{"no numbers", "ana", "PATCH", "/contacts/k1", `{"phones":[]}`, 400, "phones", unchanged},
		{"a replace without numbers", "ana", "PUT", "/contacts/k1", `{"firstName":"Ana"}`, 400, "phones", unchanged},
		{"a label too long", "ana", "PATCH", "/contacts/k1", `{"labels":["` + strings.Repeat("x", 41) + `"]}`, 400, "labels[0]", unchanged},
		{"a name of the wrong type", "ana", "PATCH", "/contacts/k1", `{"firstName":5}`, 400, "firstName", unchanged},
		{"an unknown member", "ana", "PATCH", "/contacts/k1", `{"nickname":"A"}`, 400, "nickname", unchanged},
		{"an unknown contact", "supervisor", "PATCH", "/contacts/nobody", `{"firstName":"X"}`, 404, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, contacts := newContactsAPI(t)
			rec := x.do(tc.caller, tc.method, tc.path, tc.body)
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.wantField != "" {
				var e agentapi.ErrorBody
				_ = json.Unmarshal(rec.Body.Bytes(), &e)
				if !slices.ContainsFunc(e.Problems, func(p chat.FieldError) bool { return p.Field == tc.wantField }) {
					t.Errorf("%q, problems %+v do not name %s", e.Error, e.Problems, tc.wantField)
				}
			}
			if tc.check != nil {
				c, err := contacts.Contact(context.Background(), "k1")
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, c)
			}
		})
	}
	t.Run("the note is on the timeline and in the panel", func(t *testing.T) {
		x, _ := newContactsAPI(t)
		var card builtin.Card
		decode(t, x.do("ana", "PATCH", "/contacts/k1", `{"note":"Called about the refund"}`), &card)
		var p agentapi.ContactPanel
		decode(t, x.do("ana", "GET", "/chats/held-ana/contact", ""), &p)
		if len(card.Notes) != 1 || p.Contact == nil || len(p.Contact.Notes) != 1 || p.Contact.Notes[0].Body != "Called about the refund" || p.Contact.Notes[0].By != "ana" {
			t.Fatalf("card %+v, panel %+v", card, p.Contact)
		}
	})
}

func unchanged(t *testing.T, c builtin.Contact) {
	if c.FirstName != "Ana" || !slices.Equal(c.Phones, []string{"+14155550171"}) || c.Email != "" || !slices.Equal(c.Labels, []string{"vip"}) || c.UpdatedBy != "" {
		t.Errorf("a refused edit changed the contact: %+v", c)
	}
}
