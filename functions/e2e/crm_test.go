package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// forEachBackendCRM is forEachBackend with CRM sync to a HubSpot stand-in.
func forEachBackendCRM(t *testing.T, fn func(t *testing.T, e *env, hs *hubspottest.Server), extraEnv ...map[string]string) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			hs := hubspottest.New(t)
			e := newEnv(t, b, append([]map[string]string{{
				"HUBSPOT_ACCESS_TOKEN": hubspottest.Token, "HUBSPOT_API_BASE_URL": hs.URL(), "HUBSPOT_PORTAL_ID": "4242",
			}}, extraEnv...)...)
			fn(t, e, hs)
		})
	}
}

// assignedChat is a consumer's Billing chat held by an agent (accepted if
// it was offered); it returns the chat id and the agent.
func (e *env) assignedChat(consumer string) (string, string) {
	e.t.Helper()
	e.say(consumer, numberEN, "Hi")
	chatID := e.say(consumer, numberEN, "1").ChatID
	c := e.waitChat(chatID, "offered or assigned", func(c chat.Chat) bool {
		return c.Status == chat.StatusActive || (c.Offer != nil && c.Offer.AgentID != "")
	})
	if c.Status != chat.StatusActive {
		if err := e.accept(chatID, c.Offer.AgentID); err != nil {
			e.t.Fatal(err)
		}
		c = e.chat(chatID)
	}
	return chatID, c.AgentID
}

// crmView is GET /AgentAPI/chats/{id}/crm as the agent.
func (e *env) crmView(p *auth.Principal, chatID string) crm.View {
	e.t.Helper()
	var v crm.View
	e.mustAgentAPI(p, http.StatusOK, "GET", "/chats/"+chatID+"/crm", nil, &v)
	return v
}

func principalOf(agentID string) *auth.Principal {
	return &auth.Principal{UID: "u-" + agentID, Email: agentID + "@acme.example", Role: auth.RoleAgent, AgentID: agentID}
}

// noteBodies are the contact's notes' bodies, oldest first.
func noteBodies(hs *hubspottest.Server, contactID string) []string {
	var out []string
	for _, n := range hs.Notes(contactID) {
		out = append(out, n.Properties["hs_note_body"])
	}
	return out
}

// TestCRMSyncCreatesAndPosts: a consumer unknown to HubSpot chats with an
// agent; CRMSync creates one contact (after a 429), posts the assignment,
// the end and the transcript once each, and a redelivered event posts
// nothing more.
func TestCRMSyncCreatesAndPosts(t *testing.T) {
	forEachBackendCRM(t, func(t *testing.T, e *env, hs *hubspottest.Server) {
		const consumer = "+14155550161"
		hs.FailNext(1, http.StatusTooManyRequests, 1) // the first call, the search, is refused once
		chatID, agentID := e.assignedChat(consumer)
		me := principalOf(agentID)

		var v crm.View
		testenv.WaitFor(t, waitLimit, "the chat linked to a new contact", func() bool {
			v = e.crmView(me, chatID)
			return v.State == crm.StateLinked
		})
		contacts := hs.Contacts()
		if len(contacts) != 1 || contacts[v.ContactID]["phone"] != consumer {
			t.Fatalf("contacts %v, want one with phone %s linked (%s)", contacts, consumer, v.ContactID)
		}
		if !v.Enabled || v.Contact == nil || v.Contact.URL != "https://app.hubspot.com/contacts/4242/record/0-1/"+v.ContactID || v.SyncPending {
			t.Fatalf("panel %+v", v)
		}
		if err := e.end(chatID, agentID); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, waitLimit, "the end and the transcript posted", func() bool { return len(hs.Notes(v.ContactID)) == 3 })
		notes := noteBodies(hs, v.ContactID)
		for i, want := range []string{"SMS chat " + chatID + " connected to agent " + agentID, "SMS chat " + chatID + " ended", "chat-" + chatID + ".txt"} {
			if !strings.Contains(notes[i], want) {
				t.Errorf("note %d = %q, want %q", i, notes[i], want)
			}
		}
		if !strings.Contains(notes[0], "Queue: ") {
			t.Errorf("the assignment's note lacks the queue: %q", notes[0])
		}
		// The transcript is a private file uploaded through the Files API
		// and attached to its note.
		files := hs.Files()
		if len(files) != 1 || files[0].Name != "chat-"+chatID+".txt" || files[0].Access != "PRIVATE" || !strings.Contains(string(files[0].Data), "Hi") ||
			hs.Notes(v.ContactID)[2].Properties["hs_attachment_ids"] != files[0].ID {
			t.Errorf("transcript file %+v: want chat-%s.txt with the texts, attached to the last note", files, chatID)
		}
		var limited int
		for _, r := range hs.Requests() {
			if r.Status == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited != 1 {
			t.Errorf("%d requests answered 429, want the one retried", limited)
		}
		// What a chat costs in HubSpot calls (the 429's retry aside): the
		// search, the create, the assignment's and the end's notes, the
		// transcript's upload and its note.
		calls := map[string]int{}
		for _, r := range hs.Requests() {
			if r.Status != http.StatusTooManyRequests {
				calls[r.Method+" "+r.Path]++
			}
		}
		t.Logf("HubSpot calls for the chat: %v", calls)
		want := map[string]int{"POST /crm/v3/objects/contacts/search": 1, "POST /crm/v3/objects/contacts": 1, "POST /crm/v3/objects/notes": 3, "POST /files/v3/files": 1}
		if fmt.Sprint(calls) != fmt.Sprint(want) {
			t.Errorf("HubSpot calls %v, want %v", calls, want)
		}

		// Pub/Sub delivers the assignment again: nothing more is posted.
		svc, err := crmenv.Service(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		l, err := svc.Links.Link(e.ctx(), chatID)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := wire.EventMessage(chat.Event{ID: l.Posted[0], Type: chat.EventChatAssigned, ChatID: chatID, Consumer: consumer, Number: numberEN, AgentID: agentID, StartType: chat.StartManual})
		if err != nil {
			t.Fatal(err)
		}
		b, err := busenv.Bus(e.ctx(), e.penv)
		if err != nil {
			t.Fatal(err)
		}
		before := e.calls.OK(wire.FnCRMSync)
		if err := b.Publish(e.ctx(), wire.TopicChatEvents, msg); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, waitLimit, "the redelivery acked", func() bool { return e.calls.OK(wire.FnCRMSync) > before })
		if n := len(hs.Notes(v.ContactID)); n != 3 || len(hs.Contacts()) != 1 {
			t.Fatalf("after the redelivery: %d notes, %d contacts; want 3 and 1", n, len(hs.Contacts()))
		}
	})
}

// TestCRMSyncSeveralMatchesWaitForThePick: two contacts have the
// consumer's number; the chat's events wait until the agent picks one
// through AgentAPI, then go to that contact only.
func TestCRMSyncSeveralMatchesWaitForThePick(t *testing.T) {
	forEachBackendCRM(t, func(t *testing.T, e *env, hs *hubspottest.Server) {
		const consumer = "+14155550162"
		ana := hs.AddContact(map[string]string{"firstname": "Ana", "lastname": "Ruiz", "phone": "(415) 555-0162"})
		bo := hs.AddContact(map[string]string{"firstname": "Bo", "mobilephone": "+1 415-555-0162"})
		hs.AddContact(map[string]string{"firstname": "Cy", "phone": "(415) 555-0163"})
		chatID, agentID := e.assignedChat(consumer)
		me := principalOf(agentID)

		var v crm.View
		testenv.WaitFor(t, waitLimit, "the candidates offered", func() bool {
			v = e.crmView(me, chatID)
			return v.State == crm.StateChoosing
		})
		var ids []string
		for _, c := range v.Candidates {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []string{ana, bo}) || v.Candidates[0].Name != "Ana Ruiz" {
			t.Fatalf("candidates %+v, want Ana and Bo", v.Candidates)
		}
		if err := e.end(chatID, agentID); err != nil {
			t.Fatal(err)
		}
		// Nothing is posted before the pick; a stranger is refused.
		e.mustAgentAPI(me, http.StatusBadRequest, "POST", "/chats/"+chatID+"/crm", map[string]any{"contactId": "999"}, nil)
		if n := len(hs.Notes(ana)) + len(hs.Notes(bo)); n != 0 {
			t.Fatalf("%d notes before the pick", n)
		}
		e.mustAgentAPI(me, http.StatusOK, "POST", "/chats/"+chatID+"/crm", map[string]any{"contactId": bo}, nil)
		testenv.WaitFor(t, waitLimit, "the pick applied", func() bool {
			v = e.crmView(me, chatID)
			return v.State == crm.StateLinked && len(hs.Notes(bo)) == 4
		})
		notes := noteBodies(hs, bo)
		for i, want := range []string{"connected to agent", "ended", "chat-" + chatID + ".txt", "linked SMS chat " + chatID + " to this contact"} {
			if !strings.Contains(notes[i], want) {
				t.Errorf("note %d = %q, want %q", i, notes[i], want)
			}
		}
		if v.ContactID != bo || len(hs.Notes(ana)) != 0 || len(hs.Contacts()) != 3 {
			t.Fatalf("linked %s, Ana has %d notes, %d contacts", v.ContactID, len(hs.Notes(ana)), len(hs.Contacts()))
		}
		e.mustAgentAPI(me, http.StatusConflict, "POST", "/chats/"+chatID+"/crm", map[string]any{"create": true}, nil)
	})
}

// TestCRMSyncOutboundChat: an agent texts a consumer first; once the text
// is sent the consumer's HubSpot contact (stored with a national number)
// is updated and linked, and the send is posted to it once.
func TestCRMSyncOutboundChat(t *testing.T) {
	forEachBackendCRM(t, func(t *testing.T, e *env, hs *hubspottest.Server) {
		e.outboundReady(10)
		const consumer = "+12125550163"
		id := hs.AddContact(map[string]string{"firstname": "Dee", "phone": "(212) 555-0163"})
		var started struct {
			Chat chat.Chat `json:"chat"`
		}
		req := map[string]any{"number": numberEN, "consumer": consumer, "body": "Hi, this is Ana about your order.", "requestId": "crm-o-1"}
		e.mustAgentAPI(&anaAgent, http.StatusCreated, "POST", "/outbound", req, &started)
		chatID := started.Chat.ID
		e.waitSent(consumer, 2) // the disclosure and the text, both proactive
		var v crm.View
		testenv.WaitFor(t, waitLimit, "the outbound chat linked", func() bool {
			v = e.crmView(&anaAgent, chatID)
			return v.State == crm.StateLinked && len(hs.Notes(id)) > 0
		})
		if v.ContactID != id || v.Contact.Name != "Dee" || len(hs.Contacts()) != 1 {
			t.Fatalf("linked %+v, contacts %v; want Dee updated, none created", v, hs.Contacts())
		}
		e.settleChat(chatID)
		testenv.WaitFor(t, waitLimit, "CRMSync idle", func() bool { return e.calls.idle(wire.FnCRMSync) })
		var sent int
		for _, body := range noteBodies(hs, id) {
			if strings.Contains(body, "Outbound SMS chat "+chatID+": first text sent") {
				sent++
			}
		}
		if sent != 1 {
			t.Fatalf("notes %q, want the outbound send posted once", noteBodies(hs, id))
		}
	})
}

// TestCRMSyncWaitsForTheConsumersTexts: with CRM_MIN_CONSUMER_TEXTS=3 the
// record waits past the assignment (the consumer sent two texts) and is
// created at the chat's next event once the third came.
func TestCRMSyncWaitsForTheConsumersTexts(t *testing.T) {
	forEachBackendCRM(t, func(t *testing.T, e *env, hs *hubspottest.Server) {
		const consumer = "+14155550164"
		chatID, agentID := e.assignedChat(consumer)
		me := principalOf(agentID)
		testenv.WaitFor(t, waitLimit, "CRMSync took the assignment", func() bool {
			return e.calls.OK(wire.FnCRMSync) > 0 && e.calls.idle(wire.FnCRMSync)
		})
		if v := e.crmView(me, chatID); v.State != "pending" || len(hs.Requests()) != 0 {
			t.Fatalf("after two texts: panel %+v, %d HubSpot requests; want none", v, len(hs.Requests()))
		}
		e.say(consumer, numberEN, "My bill is wrong")
		if err := e.end(chatID, agentID); err != nil {
			t.Fatal(err)
		}
		var v crm.View
		testenv.WaitFor(t, waitLimit, "the record created at the end", func() bool {
			v = e.crmView(me, chatID)
			return v.State == crm.StateLinked && len(hs.Notes(v.ContactID)) == 3
		})
		if notes := noteBodies(hs, v.ContactID); !strings.Contains(notes[0], "connected to agent") || !strings.Contains(notes[2], "chat-"+chatID+".txt") {
			t.Fatalf("notes %q", notes)
		}
		if files := hs.Files(); len(files) != 1 || !strings.Contains(string(files[0].Data), "My bill is wrong") {
			t.Fatalf("transcript files %+v", files)
		}
	}, map[string]string{"CRM_MIN_CONSUMER_TEXTS": "3"})
}
