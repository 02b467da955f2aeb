package e2e

import (
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
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// forEachBackendContacts is forEachBackend with CRM sync to the built-in
// contacts, as scripts/dev runs.
func forEachBackendContacts(t *testing.T, fn func(t *testing.T, e *env, contacts builtin.Store)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b, map[string]string{"CRM_ADAPTER": "builtin"})
			contacts, err := crmenv.Contacts(e.ctx(), e.penv)
			if err != nil || contacts == nil {
				t.Fatalf("built-in contacts: %v, %v", contacts, err)
			}
			fn(t, e, contacts)
		})
	}
}

// contactPanel is GET /AgentAPI/chats/{id}/contact.
func (e *env) contactPanel(p *auth.Principal, chatID string) agentapi.ContactPanel {
	e.t.Helper()
	var v agentapi.ContactPanel
	e.mustAgentAPI(p, http.StatusOK, "GET", "/chats/"+chatID+"/contact", nil, &v)
	return v
}

func addContact(t *testing.T, e *env, contacts builtin.Store, c builtin.Contact) {
	t.Helper()
	c.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	c.UpdatedAt, c.Labels = c.CreatedAt, []string{}
	if err := contacts.CreateContact(e.ctx(), c); err != nil {
		t.Fatal(err)
	}
}

func noteTexts(t *testing.T, e *env, contacts builtin.Store, id string) []string {
	t.Helper()
	notes, err := contacts.Notes(e.ctx(), id, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range slices.Backward(notes) {
		out = append(out, n.Body)
	}
	return out
}

// CRMSync over the built-in contacts with each of the reference
// product's three cases, end to end from the consumer's text.

// TestBuiltinContactsNoneFound: no contact has the number; one is created
// and the chat's assignment, end and transcript are posted to it once.
func TestBuiltinContactsNoneFound(t *testing.T) {
	forEachBackendContacts(t, func(t *testing.T, e *env, contacts builtin.Store) {
		{
			const consumer = "+14155550181"
			chatID, agentID := e.assignedChat(consumer)
			me := principalOf(agentID)
			var p agentapi.ContactPanel
			testenv.WaitFor(t, waitLimit, "the chat linked to a new contact", func() bool {
				p = e.contactPanel(me, chatID)
				return p.Contact != nil
			})
			if p.Source != agentapi.SourceBuiltin || !slices.Equal(p.Contact.Phones, []string{consumer}) || p.Contact.Name != "" ||
				p.CRM.State != crm.StateLinked || p.CRM.SyncPending || len(p.PastChats) != 1 || p.PastChats[0].ID != chatID {
				t.Fatalf("panel %+v", p)
			}
			found, err := contacts.ContactsByPhone(e.ctx(), consumer, 10)
			if err != nil || len(found) != 1 || found[0].Language != "en" {
				t.Fatalf("contacts with %s: %+v, %v", consumer, found, err)
			}
			if err := e.end(chatID, agentID); err != nil {
				t.Fatal(err)
			}
			testenv.WaitFor(t, waitLimit, "the end and the transcript posted", func() bool {
				return len(noteTexts(t, e, contacts, p.Contact.ID)) == 3
			})
			notes := noteTexts(t, e, contacts, p.Contact.ID)
			for i, want := range []string{"SMS chat " + chatID + " connected to agent " + agentID, "SMS chat " + chatID + " ended", "chat-" + chatID + ".txt"} {
				if !strings.Contains(notes[i], want) {
					t.Errorf("note %d = %q, want %q", i, notes[i], want)
				}
			}
			p = e.contactPanel(me, chatID)
			if n := p.Contact.Notes[0]; n.ChatID != chatID || len(n.Attachments) != 1 || n.Attachments[0].Name != "chat-"+chatID+".txt" || n.Attachments[0].Size == 0 {
				t.Errorf("the transcript note %+v", n)
			}
		}
	})
}

// TestBuiltinContactsOneFound: one contact has the number (its second):
// the chat is linked to it and nothing is created.
func TestBuiltinContactsOneFound(t *testing.T) {
	forEachBackendContacts(t, func(t *testing.T, e *env, contacts builtin.Store) {
		{
			const consumer = "+14155550182"
			addContact(t, e, contacts, builtin.Contact{ID: "dee", FirstName: "Dee", LastName: "Lopez", Phones: []string{"+12125550182", consumer}})
			chatID, agentID := e.assignedChat(consumer)
			me := principalOf(agentID)
			var p agentapi.ContactPanel
			testenv.WaitFor(t, waitLimit, "the chat linked to Dee", func() bool {
				p = e.contactPanel(me, chatID)
				return p.Contact != nil
			})
			if p.Contact.Name != "Dee Lopez" || p.CRM.ContactID != "dee" {
				t.Fatalf("panel %+v", p)
			}
			if found, _ := contacts.ContactsByPhone(e.ctx(), consumer, 10); len(found) != 1 {
				t.Fatalf("%d contacts with %s, want Dee only", len(found), consumer)
			}
			testenv.WaitFor(t, waitLimit, "the assignment posted to Dee", func() bool {
				return len(noteTexts(t, e, contacts, p.Contact.ID)) == 1
			})

			// @{CONSUMER_FIRST_NAME} renders the linked contact's name, and
			// an agent's edit of it at once.
			e.mustAgentAPI(&supervisor, http.StatusOK, "PUT", "/canned/hi-name", map[string]any{"title": "Hi", "body": "Hi @{CONSUMER_FIRST_NAME}, this is @{AGENT}."}, nil)
			canned := func() string {
				var cs []chat.Canned
				e.mustAgentAPI(me, http.StatusOK, "GET", "/chats/"+chatID+"/canned", nil, &cs)
				for _, c := range cs {
					if c.ID == "hi-name" {
						return c.Body
					}
				}
				return ""
			}
			if got := canned(); !strings.HasPrefix(got, "Hi Dee, this is ") {
				t.Fatalf("canned %q, want it to greet Dee", got)
			}
			e.mustAgentAPI(me, http.StatusOK, "PATCH", "/contacts/dee", map[string]any{"firstName": "Deborah"}, nil)
			if got := canned(); !strings.HasPrefix(got, "Hi Deborah, this is ") {
				t.Fatalf("canned after the edit %q", got)
			}
		}
	})
}

// TestBuiltinContactsSeveralFound: two contacts have the number; the
// chat's events wait for the agent's pick through AgentAPI and then go to
// the picked contact only.
func TestBuiltinContactsSeveralFound(t *testing.T) {
	forEachBackendContacts(t, func(t *testing.T, e *env, contacts builtin.Store) {
		{
			const consumer = "+14155550183"
			addContact(t, e, contacts, builtin.Contact{ID: "eve", FirstName: "Eve", Phones: []string{consumer}})
			addContact(t, e, contacts, builtin.Contact{ID: "fay", FirstName: "Fay", Phones: []string{consumer}})
			chatID, agentID := e.assignedChat(consumer)
			me := principalOf(agentID)
			var p agentapi.ContactPanel
			testenv.WaitFor(t, waitLimit, "the candidates offered", func() bool {
				p = e.contactPanel(me, chatID)
				return p.CRM.State == crm.StateChoosing
			})
			var names []string
			for _, c := range p.CRM.Candidates {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, []string{"Eve", "Fay"}) || p.Contact != nil {
				t.Fatalf("candidates %v, contact %+v", names, p.Contact)
			}
			if err := e.end(chatID, agentID); err != nil {
				t.Fatal(err)
			}
			if n := len(noteTexts(t, e, contacts, "eve")) + len(noteTexts(t, e, contacts, "fay")); n != 0 {
				t.Fatalf("%d notes before the pick", n)
			}
			e.mustAgentAPI(me, http.StatusOK, "POST", "/chats/"+chatID+"/crm", map[string]any{"contactId": "fay"}, nil)
			testenv.WaitFor(t, waitLimit, "the pick applied", func() bool {
				p = e.contactPanel(me, chatID)
				return p.Contact != nil && len(noteTexts(t, e, contacts, "fay")) == 4
			})
			notes := noteTexts(t, e, contacts, "fay")
			if !strings.Contains(notes[3], "linked SMS chat "+chatID+" to this contact") || p.Contact.Name != "Fay" {
				t.Fatalf("notes %q, panel %+v", notes, p.Contact)
			}
			if n := len(noteTexts(t, e, contacts, "eve")); n != 0 {
				t.Fatalf("Eve got %d notes", n)
			}
		}
	})
}

// TestBuiltinContactsChosenInAdminAPI: a deployment with no CRM in its
// environment; an admin picks the built-in contacts in AdminAPI and the
// next chat gets a contact, shown and editable in the panel.
func TestBuiltinContactsChosenInAdminAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550184"
		if p := e.contactPanel(&supervisor, e.say(consumer, numberEN, "Hi").ChatID); p.Source != agentapi.SourceNone {
			t.Fatalf("before: source %q, want none", p.Source)
		}
		e.putCRM(crm.Settings{Adapter: crm.AdapterBuiltin})
		chatID, agentID := e.assignedChat(consumer)
		me := principalOf(agentID)
		var p agentapi.ContactPanel
		testenv.WaitFor(t, waitLimit, "the chat linked to a new built-in contact", func() bool {
			p = e.contactPanel(me, chatID)
			return p.Contact != nil
		})
		if p.Source != agentapi.SourceBuiltin || !slices.Equal(p.Contact.Phones, []string{consumer}) {
			t.Fatalf("panel %+v", p)
		}
		var card builtin.Card
		e.mustAgentAPI(me, http.StatusOK, "PATCH", "/contacts/"+p.Contact.ID, map[string]any{"firstName": "Jo", "labels": []string{"new"}}, &card)
		if card.Name != "Jo" || !slices.Equal(card.Labels, []string{"new"}) {
			t.Fatalf("edited %+v", card)
		}
	})
}
