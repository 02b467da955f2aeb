package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// The console's Admin area (issue 18), driven in headless Chromium on every
// backend: everything is done through the pages, and checked in the store
// and in what the consumer's phone receives.

// emptyConfig has nothing an operator set up: no number, no queue, no agent.
const emptyConfig = `{"settings": {"channelEnabled": true, "program": {"name": "Support"}, "defaultLanguage": "en"},
	"numbers": [], "queues": [], "teams": [], "agents": []}`

// openAdmin signs an admin in and opens an Admin page.
func openAdmin(t *testing.T, browser context.Context, e *env, page string) *consolePage {
	t.Helper()
	p := openConsoleAs(t, browser, e, "admin", "-")
	p.submitSignIn()
	p.do("open the Admin area",
		chromedp.WaitVisible(chromedp.ID("admin-link")),
		chromedp.Click(chromedp.ID("admin-link")),
		chromedp.WaitVisible(chromedp.ID("admin-view")),
		chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="`+page+`"]`)),
	)
	return p
}

// saveQueue fills the open queue form and saves it; wantSaved waits for the
// page to say so.
func (p *consolePage) saveQueue(id, name, keywords, language string, wantSaved bool) {
	p.t.Helper()
	p.do("open the queue form", chromedp.WaitVisible(chromedp.ID("queue-form")))
	fields := map[string]string{"queue-name": name, "queue-keywords": keywords, "queue-language": language}
	if id != "" {
		fields["queue-id"] = id
	}
	p.fill(fields)
	p.do("save queue "+name, chromedp.Click(chromedp.CSS(`#queue-form button[type=submit]`)))
	if wantSaved {
		waitFor[string](p, "queue "+name+" saved", jsText, "#queue-form .form-status", "Queue "+name+" saved.")
	}
}

// fill sets form controls by id as typing or choosing would, with the
// input and change events the page listens to.
func (p *consolePage) fill(values map[string]string) {
	p.t.Helper()
	b, err := json.Marshal(values)
	if err != nil {
		p.t.Fatal(err)
	}
	missing := pageValue[string](p, "fill the form", `((values) => {
		for (const [id, v] of Object.entries(values)) {
			const el = document.getElementById(id);
			if (!el) return id;
			el.value = v;
			el.dispatchEvent(new Event('input', { bubbles: true }));
			el.dispatchEvent(new Event('change', { bubbles: true }));
		}
		return '';
	})(`+string(b)+`)`)
	if missing != "" {
		p.t.Fatalf("%s: no control #%s", p.who, missing)
	}
}

// addChild opens the form of a new queue under parent.
func (p *consolePage) addChild(parentName string) {
	p.t.Helper()
	p.do("add a queue under "+parentName,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[aria-label="Add a queue under %s"]`, parentName))),
		chromedp.WaitVisible(chromedp.ID("queue-id")))
}

const jsMenuPreview = `(queue, lang) => {
	const el = document.querySelector('#menu-previews-list section[data-queue="' + queue + '"] .sms-preview[data-lang="' + lang + '"]');
	return el ? el.querySelector('.sms-text').textContent + '|' + el.querySelector('.measure').dataset.encoding + '|' + el.querySelector('.measure').dataset.segments : '';
}`

func TestConsoleAdminBuildsATwoLanguageTree(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		const consumer = "+14155550190"
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/config", emptyConfig); code != http.StatusOK {
			t.Fatalf("clear the configuration: %d %s", code, body)
		}
		adm := openAdmin(t, browser, e, "settings")

		// SMS settings: two languages; the opt-in preview follows the form
		// as it is typed, in each language, with its cost.
		adm.do("set the program and languages",
			chromedp.WaitVisible(chromedp.ID("settings-form")),
			chromedp.SetValue(chromedp.ID("set-program-name"), "Support Care"),
			chromedp.SetValue(chromedp.ID("set-languages"), "en, es"),
			chromedp.SendKeys(chromedp.ID("set-languages"), " "),
		)
		optIn := waitFor[string](adm, "the Spanish opt-in preview", `() => {
			const el = document.querySelector('#settings-preview section[data-lang="es"] [data-message="optIn"]');
			return el && el.textContent.includes('Support Care') ? el.textContent : '';
		}`)
		if !strings.Contains(optIn, "segment") {
			t.Errorf("opt-in preview %q does not say its segments", optIn)
		}
		if unnamed := pageValue[[]string](adm, "unnamed controls", jsUnnamed); len(unnamed) > 0 {
			t.Errorf("controls without an accessible name on the settings page: %v", unnamed)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-settings")
		adm.do("save the settings", chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)))
		waitFor[string](adm, "settings saved", jsText, "#settings-form .form-status", "Settings saved.")

		// The queue tree: a language choice on top, a menu in each language.
		adm.do("open the queues", chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="queues"]`)),
			chromedp.WaitVisible(chromedp.ID("queue-add-top")), chromedp.Click(chromedp.ID("queue-add-top")))
		adm.saveQueue("welcome", "Welcome", "", "", true)
		adm.addChild("Welcome")
		adm.saveQueue("english", "English", "1", "en", true)
		adm.addChild("Welcome")
		adm.saveQueue("espanol", "Español", "2", "es", true)
		adm.addChild("English")
		adm.saveQueue("en-billing", "Billing", "", "", true)
		adm.addChild("English")
		adm.saveQueue("en-tech", "Tech", "", "", true)
		adm.addChild("Español")
		// A command word as a keyword: the server's refusal is shown next
		// to the keyword field, and nothing is saved.
		adm.saveQueue("es-billing", "Facturación", "STOP", "", false)
		msg := waitFor[string](adm, "the keyword's error", `() => {
			const e = document.querySelector('#queue-keywords-err');
			return e && !e.hidden ? e.textContent : '';
		}`)
		if !strings.Contains(msg, "STOP") || !strings.Contains(msg, "command") {
			t.Errorf("keyword error %q does not say STOP is a command", msg)
		}
		if invalid := pageValue[string](adm, "aria-invalid", `document.querySelector('#queue-keywords').getAttribute('aria-invalid') || ''`); invalid != "true" {
			t.Errorf("the keyword field is not marked invalid (aria-invalid=%q)", invalid)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-queue-keyword-error")
		if code, _ := e.admin(auth.RoleAdmin, "GET", "/queues/es-billing", ""); code != http.StatusNotFound {
			t.Fatalf("the refused queue was saved (%d)", code)
		}
		adm.saveQueue("", "Facturación", "F", "", true)
		adm.addChild("Español")
		adm.saveQueue("es-tech", "Técnico", "T", "", true)

		// The menu preview is what the server's routing renders.
		_, body := e.admin(auth.RoleAdmin, "GET", "/config", "")
		var c chat.Config
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		tree := chat.NewTree(c.Settings, c.Queues, c.Teams)
		for _, m := range []struct{ queue, lang string }{{"welcome", "en"}, {"welcome", "es"}, {"english", "en"}, {"espanol", "es"}} {
			text := tree.MenuText(m.queue, m.lang)
			cost := sms.Measure(text)
			want := fmt.Sprintf("%s|%s|%d", text, cost.Encoding, cost.Segments)
			if got := waitFor[string](adm, "the "+m.queue+" menu preview in "+m.lang, jsMenuPreview, m.queue, m.lang); got != want {
				t.Errorf("%s menu in %s previewed %q, want %q", m.queue, m.lang, got, want)
			}
		}
		if shown := pageValue[string](adm, "the tree", `document.querySelector('.queue-tree li[data-queue="welcome"] li[data-queue="espanol"] li[data-queue="es-tech"]') ? 'nested' : ''`); shown != "nested" {
			t.Error("the tree does not draw Técnico under Español under Welcome")
		}
		consoletest.Screenshot(t, adm.ctx, "admin-queue-tree")

		// The Spanish waiting message, on the System messages page.
		const waitingES = "Gracias, está en la fila de @{QUEUE}. Le atendemos enseguida."
		adm.do("open the system messages", chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="messages"]`)),
			chromedp.WaitVisible(chromedp.ID("msg-waiting")))
		adm.fill(map[string]string{"msg-language": "es"})
		adm.do("the Spanish boxes", chromedp.WaitVisible(chromedp.CSS(`textarea[data-field="messages.es.waiting"]`)))
		adm.fill(map[string]string{"msg-waiting": waitingES})
		adm.do("save the messages", chromedp.Click(chromedp.CSS(`#messages-form button[type=submit]`)))
		waitFor[string](adm, "messages saved", jsText, "#messages-form .form-status", "Messages saved.")

		// An agent who speaks Spanish, in a team that works Facturación, on
		// the Agents and teams page.
		adm.do("add an agent", chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="agents"]`)),
			chromedp.WaitVisible(chromedp.ID("agent-add")), chromedp.Click(chromedp.ID("agent-add")),
			chromedp.WaitVisible(chromedp.ID("agent-form")))
		adm.fill(map[string]string{"agent-id": "lucia", "agent-name": "Lucía Pérez", "agent-languages": "es", "agent-capacity": "2"})
		adm.do("save the agent", chromedp.Click(chromedp.CSS(`#agent-form button[type=submit]`)))
		waitFor[string](adm, "agent saved", jsText, "#agent-form .form-status", "saved.")
		adm.do("add a team", chromedp.Click(chromedp.ID("team-add")), chromedp.WaitVisible(chromedp.ID("team-form")))
		adm.fill(map[string]string{"team-id": "cobros", "team-name": "Cobros"})
		adm.do("team members and queue", chromedp.Click(chromedp.CSS(`#team-members input[value="lucia"]`)),
			chromedp.Click(chromedp.CSS(`#team-queues input[value="es-billing"]`)),
			chromedp.Click(chromedp.CSS(`#team-form button[type=submit]`)))
		waitFor[string](adm, "team saved", jsText, "#team-form .form-status", "Team Cobros saved.")

		// The number enters the tree; its webhook URL is there to copy.
		adm.do("add the number",
			chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="numbers"]`)),
			chromedp.WaitVisible(chromedp.ID("number-add")),
			chromedp.Click(chromedp.ID("number-add")),
			chromedp.WaitVisible(chromedp.ID("number-form")),
		)
		adm.fill(map[string]string{"number-e164": numberEN, "number-entry": "welcome", "number-type": "long-code", "number-mps": "1"})
		adm.do("save the number", chromedp.Click(chromedp.CSS(`#number-form button[type=submit]`)))
		waitFor[string](adm, "number saved", jsText, "#number-form .form-status", "saved.")
		hook := waitFor[string](adm, "the Twilio webhook", jsText, `#webhooks tr[data-provider="twilio"] code[data-kind="inbound"]`, "TwilioInbound")
		if hook != "https://sms.acme.example/fn/TwilioInbound" {
			t.Errorf("Twilio inbound URL shown %q", hook)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-numbers")

		// A consumer's texts follow the tree built on the pages.
		e.say(consumer, numberEN, "hola")
		if got := e.bodies(consumer); len(got) == 0 || got[len(got)-1] != tree.MenuText("welcome", "en") {
			t.Fatalf("first texts %q, want the welcome menu last", got)
		}
		e.say(consumer, numberEN, "2")
		if got := e.bodies(consumer); got[len(got)-1] != tree.MenuText("espanol", "es") {
			t.Fatalf("after 2: %q, want the Spanish menu", got[len(got)-1])
		}
		rec := e.say(consumer, numberEN, "f")
		if ch := e.chat(rec.ChatID); ch.QueueID != "es-billing" || ch.Language != "es" || ch.Status != chat.StatusQueued {
			t.Fatalf("after F the chat is in %q (%s, %s), want queued in es-billing in es", ch.QueueID, ch.Language, ch.Status)
		}
		// It waits with the message set on the page, for the team's agent.
		if got, want := e.bodies(consumer), "Gracias, está en la fila de Facturación. Le atendemos enseguida."; got[len(got)-1] != want {
			t.Errorf("waiting text %q, want %q", got[len(got)-1], want)
		}
		_, body = e.admin(auth.RoleAdmin, "GET", "/config", "")
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		if agents := chat.NewTree(c.Settings, c.Queues, c.Teams).Agents("es-billing"); len(agents) != 1 || agents[0] != "lucia" {
			t.Errorf("es-billing is worked by %v, want lucia (through team Cobros)", agents)
		}
	})
}

// Two admins edit the same queue: the second save is refused and says why;
// after Reload it shows the first admin's change and saves.
func TestConsoleAdminConcurrentEditsConflict(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		open := func() *consolePage {
			p := openAdmin(t, browser, e, "queues")
			p.do("open Billing", chromedp.Click(chromedp.CSS(`li[data-queue="en-billing"] > .queue-node .queue-name`)),
				chromedp.WaitVisible(chromedp.ID("queue-form")))
			return p
		}
		first, second := open(), open()
		keywords := pageValue[string](first, "keywords", `document.querySelector('#queue-keywords').value`)
		first.saveQueue("", "Billing and payments", keywords, "", true)

		second.saveQueue("", "Invoices", keywords, "", false)
		got := waitFor[string](second, "the conflict", jsText, "#queue-form .form-error", "Changed by someone else")
		if !strings.Contains(got, "reload") {
			t.Errorf("conflict message %q does not ask to reload", got)
		}
		second.do("the conflict banner", chromedp.WaitVisible(chromedp.ID("admin-conflict")))
		consoletest.Screenshot(t, second.ctx, "admin-conflict")
		if q := e.queue("en-billing"); q.Name != "Billing and payments" {
			t.Fatalf("the stale save overwrote the first: the queue is named %q", q.Name)
		}

		second.do("reload", chromedp.Click(chromedp.ID("admin-reload")),
			chromedp.Click(chromedp.CSS(`li[data-queue="en-billing"] > .queue-node .queue-name`)),
			chromedp.WaitVisible(chromedp.ID("queue-form")))
		if name := waitFor[string](second, "the reloaded name", `() => document.querySelector('#queue-name')?.value === 'Billing and payments' ? 'ok' : ''`); name != "ok" {
			t.Fatal("the reloaded page does not show the first admin's name")
		}
		second.saveQueue("", "Invoices", keywords, "", true)
		if q := e.queue("en-billing"); q.Name != "Invoices" {
			t.Fatalf("after reloading the save did not apply: %q", q.Name)
		}
	})
}

// An API key's secret is shown once, with a copy button, and never again.
func TestConsoleAdminAPIKeySecretShownOnce(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		adm := openAdmin(t, browser, e, "keys")
		adm.do("create a key",
			chromedp.WaitVisible(chromedp.ID("key-form")),
		)
		adm.fill(map[string]string{"key-name": "CRM reminders"})
		adm.do("create the key",
			chromedp.Click(chromedp.CSS(`#key-numbers input[value="`+numberEN+`"]`)),
			chromedp.Click(chromedp.CSS(`#key-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.ID("key-secret-value")),
		)
		secret := pageValue[string](adm, "the secret", `document.querySelector('#key-secret-value').textContent`)
		if len(secret) < 20 {
			t.Fatalf("secret shown %q", secret)
		}
		if copyName := pageValue[string](adm, "copy button", `document.querySelector('#key-secret button').getAttribute('aria-label')`); copyName != "Copy secret" {
			t.Errorf("copy button named %q", copyName)
		}
		waitFor[string](adm, "the key listed", jsText, "#keys-table", "CRM reminders")
		consoletest.Screenshot(t, adm.ctx, "admin-api-key-secret")
		if _, list := e.admin(auth.RoleAdmin, "GET", "/apiKeys", ""); strings.Contains(list, secret) {
			t.Fatal("GET /apiKeys answers the secret")
		}

		adm.do("dismiss the secret", chromedp.Click(chromedp.ID("key-secret-done")))
		adm.do("reload the page", chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="numbers"]`)),
			chromedp.WaitVisible(chromedp.ID("number-add")),
			chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="keys"]`)))
		waitFor[string](adm, "the key listed again", jsText, "#keys-table", "CRM reminders")
		if shown := pageValue[bool](adm, "the secret gone", fmt.Sprintf(`document.body.innerHTML.includes(%q)`, secret)); shown {
			t.Fatal("the secret is still on the page after it was dismissed")
		}

		adm.do("revoke", chromedp.Click(chromedp.CSS(`#keys-table button[aria-label="Revoke CRM reminders"]`)),
			chromedp.Click(chromedp.CSS(`#keys-table .danger`)))
		waitFor[string](adm, "revoked", jsText, "#keys-table .key-state", "Revoked")
	})
}

// queue reads a queue from AdminAPI.
func (e *env) queue(id string) chat.Queue {
	e.t.Helper()
	code, body := e.admin(auth.RoleAdmin, "GET", "/queues/"+id, "")
	if code != http.StatusOK {
		e.t.Fatalf("GET queue %s: %d %s", id, code, body)
	}
	var q chat.Queue
	if err := json.Unmarshal([]byte(body), &q); err != nil {
		e.t.Fatal(err)
	}
	return q
}
