package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/platform/crmenv"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// TestConsoleContactPanel: with the built-in contacts, two of which have
// the consumer's number, Ana accepts the chat in the console, sees the
// panel ask which contact it is, picks one, and then edits its name (a bad
// email first, refused under its field) and adds a note; the panel and the
// store show each change. On both backends, with screenshots.
func TestConsoleContactPanel(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, backend, map[string]string{"CRM_ADAPTER": "builtin"})
			contacts, err := crmenv.Contacts(e.ctx(), e.penv)
			if err != nil {
				t.Fatal(err)
			}
			testConsoleContactPanel(t, e, contacts, browser)
		})
	}
}

func testConsoleContactPanel(t *testing.T, e *env, contacts builtin.Store, browser context.Context) {
	const consumer = "+14155550191"
	addContact(t, e, contacts, builtin.Contact{ID: "gil", FirstName: "Gil", LastName: "Moreno", Phones: []string{consumer}})
	addContact(t, e, contacts, builtin.Contact{ID: "hal", FirstName: "Hal", Phones: []string{"+12125550191", consumer}})
	e.editAgent("ana", func(a *chat.Agent) { a.AutoAnswer = false; a.LastAssignedAt = time.Now().Add(-time.Hour) })
	e.editAgent("ben", func(a *chat.Agent) { a.LastAssignedAt = time.Now() })

	ana := openConsole(t, browser, e, "ana")
	e.say(consumer, numberEN, "Hi, about my order")
	chatID := e.say(consumer, numberEN, "1").ChatID
	waitFor[int64](ana, "the offer", jsOfferShownAt, chatID)
	ana.do("accept the offer",
		chromedp.Click(chromedp.CSS(`#offered-list li[data-key="`+chatID+`"] button[data-action=accept]`)),
		chromedp.WaitVisible(chromedp.ID("contact-pane")),
	)
	// The panel is the right third of a 1280 px window.
	if x := pageValue[float64](ana, "the panel's position", `document.querySelector('#contact-pane').getBoundingClientRect().left`); x < 1280*0.6 {
		t.Errorf("the contact panel starts at x=%v, want it in the right third", x)
	}

	// CRMSync finds both contacts; the panel asks which one it is.
	waitFor[string](ana, "the pick", jsText, "#crm-pick legend", "Several contacts have this number")
	waitFor[string](ana, "Hal among the candidates", jsText, "#crm-pick", "Hal")
	consoletest.Screenshot(t, ana.ctx, "several-matches")
	ana.do("pick Hal",
		chromedp.Click(chromedp.CSS(`#crm-pick input[value="hal"]`)),
		chromedp.Click(chromedp.ID("crm-pick-submit")),
	)
	waitFor[string](ana, "Hal linked", jsText, "#contact-name", "Hal")
	svc, err := crmenv.Service(e.ctx(), e.penv)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := svc.Links.Link(e.ctx(), chatID); err != nil || l.State != crm.StateLinked || l.ContactID != "hal" {
		t.Fatalf("link %+v, %v; want Hal", l, err)
	}
	waitFor[string](ana, "both numbers", jsText, ".contact-phones", "+12125550191")
	waitFor[string](ana, "this chat among the past chats", jsText, "#contact-past-list", "This chat")

	// A bad email is refused under its field; nothing is stored.
	ana.do("edit with a bad email",
		chromedp.Click(chromedp.ID("contact-edit")),
		chromedp.WaitVisible(chromedp.ID("contact-form")),
		chromedp.SetValue(chromedp.ID("contact-first"), "Halvard"),
		chromedp.SetValue(chromedp.ID("contact-email"), "hal@"),
		chromedp.Click(chromedp.ID("contact-save")),
	)
	waitFor[string](ana, "the email's problem", jsText, "#contact-email-error", "not an email address")
	if c, _ := contacts.Contact(e.ctx(), "hal"); c.FirstName != "Hal" {
		t.Fatalf("a refused edit stored %+v", c)
	}
	consoletest.Screenshot(t, ana.ctx, "bad-email")
	ana.do("fix the email and save",
		chromedp.SetValue(chromedp.ID("contact-email"), "hal@example.com"),
		chromedp.SetValue(chromedp.ID("contact-labels-input"), "vip, wholesale"),
		chromedp.Click(chromedp.ID("contact-save")),
	)
	waitFor[string](ana, "the new name", jsText, "#contact-name", "Halvard")
	waitFor[string](ana, "the labels", jsText, "#contact-labels", "wholesale")
	var c builtin.Contact
	testenv.WaitFor(t, waitLimit, "the edit stored", func() bool {
		c, _ = contacts.Contact(e.ctx(), "hal")
		return c.FirstName == "Halvard"
	})
	if c.Email != "hal@example.com" || len(c.Labels) != 2 || c.UpdatedBy != "ana" {
		t.Fatalf("stored %+v", c)
	}

	ana.do("add a note",
		chromedp.SetValue(chromedp.ID("contact-note"), "Wants the invoice by email"),
		chromedp.Click(chromedp.ID("contact-note-add")),
	)
	waitFor[string](ana, "the note", jsText, "#contact-note-list", "Wants the invoice by email")
	if bad := pageValue[[]string](ana, "unnamed controls", jsUnnamed); len(bad) > 0 {
		t.Errorf("controls without an accessible name: %q", bad)
	}
	consoletest.Screenshot(t, ana.ctx, "contact-edited")
}

// TestConsoleContactPanelHubSpot: with HubSpot as the CRM, its refusal of
// the lookup parks the chat's events and the panel says "CRM sync
// pending"; once an operator replays the chat the panel names the HubSpot
// contact and links to it in HubSpot.
func TestConsoleContactPanelHubSpot(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			hs := hubspottest.New(t)
			e := newEnv(t, backend, map[string]string{
				"HUBSPOT_ACCESS_TOKEN": hubspottest.Token, "HUBSPOT_API_BASE_URL": hs.URL(), "HUBSPOT_PORTAL_ID": "4242",
			})
			const consumer = "+14155550192"
			id := hs.AddContact(map[string]string{"firstname": "Ivy", "lastname": "Chen", "phone": "(415) 555-0192"})
			hs.FailNext(1, http.StatusBadRequest, 0) // the search: refused, not retried, so the event is parked
			e.editAgent("ana", func(a *chat.Agent) { a.AutoAnswer = false; a.LastAssignedAt = time.Now().Add(-time.Hour) })
			e.editAgent("ben", func(a *chat.Agent) { a.LastAssignedAt = time.Now() })

			ana := openConsole(t, browser, e, "ana")
			e.say(consumer, numberEN, "Hello")
			chatID := e.say(consumer, numberEN, "1").ChatID
			waitFor[int64](ana, "the offer", jsOfferShownAt, chatID)
			ana.do("accept the offer",
				chromedp.Click(chromedp.CSS(`#offered-list li[data-key="`+chatID+`"] button[data-action=accept]`)),
				chromedp.WaitVisible(chromedp.ID("contact-pane")),
			)
			waitFor[string](ana, "CRM sync pending", jsText, "#crm-pending", "CRM sync pending")
			waitFor[string](ana, "the consumer's number meanwhile", jsText, "#contact-name", consumer)
			consoletest.Screenshot(t, ana.ctx, "sync-pending")

			svc, err := crmenv.Service(e.ctx(), e.penv)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Replay(e.ctx(), chatID); err != nil {
				t.Fatal(err)
			}
			// The panel reads again when the chat is opened again.
			ana.do("reopen the chat", chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID))
			waitFor[string](ana, "Ivy linked", jsText, "#contact-name", "Ivy Chen")
			href := pageValue[string](ana, "the CRM link", `document.querySelector('#crm-link')?.href || ''`)
			if want := "https://app.hubspot.com/contacts/4242/record/0-1/" + id; href != want {
				t.Fatalf("CRM link %q, want %q", href, want)
			}
			if n := pageValue[int](ana, "pending shown", `document.querySelectorAll('#crm-pending').length`); n != 0 {
				t.Fatalf("CRM sync pending still shown after the replay")
			}
			consoletest.Screenshot(t, ana.ctx, "hubspot-linked")
		})
	}
}
