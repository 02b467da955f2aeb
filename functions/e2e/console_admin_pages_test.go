package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// The Admin pages added after the first four (issue 18): system messages,
// canned messages, agents and teams, import and export. Everything is done
// through the pages and checked in what AdminAPI then holds.

// settings reads the SMS settings from AdminAPI.
func (e *env) settings() chat.Settings {
	e.t.Helper()
	code, body := e.admin(auth.RoleAdmin, "GET", "/settings", "")
	if code != http.StatusOK {
		e.t.Fatalf("GET /settings: %d %s", code, body)
	}
	var s chat.Settings
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// jsMessagePreview is a system message's preview on the page: its text,
// encoding, segments and whether it is flagged.
const jsMessagePreview = `(name, want) => {
	const el = document.querySelector('.msg-kind[data-message="' + name + '"] .msg-preview .sms-preview');
	if (!el || !el.textContent.includes(want)) return '';
	const m = el.querySelector('.measure');
	return el.querySelector('.sms-text').textContent + '|' + m.dataset.encoding + '|' + m.dataset.segments + '|' + (m.classList.contains('warn') ? 'warn' : 'ok');
}`

func TestConsoleAdminSystemMessages(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		adm := openAdmin(t, browser, e, "messages")
		adm.do("the messages page", chromedp.WaitVisible(chromedp.ID("msg-waiting")))

		// Every message kind is listed with its placeholders and the text
		// it inherits.
		vars := pageValue[string](adm, "the waiting message's placeholders", `Array.from(document.querySelectorAll('.msg-kind[data-message="agentAssigned"] .var'), (b) => b.textContent).join(' ')`)
		for _, want := range []string{"@{AGENT}", "@{QUEUE}", "@{PROGRAM}"} {
			if !strings.Contains(vars, want) {
				t.Errorf("agentAssigned lists %q, lacking %s", vars, want)
			}
		}
		if n := pageValue[int](adm, "message kinds", `document.querySelectorAll('.msg-kind').length`); n != len(chat.SystemMessages) {
			t.Errorf("%d message kinds shown, want %d", n, len(chat.SystemMessages))
		}
		inherited := pageValue[string](adm, "inherited", `document.querySelector('.msg-kind[data-message="waiting"] .inherited-text').textContent`)
		if !strings.Contains(inherited, "@{QUEUE}") {
			t.Errorf("the inherited waiting text %q is not the built-in template", inherited)
		}

		// In Spanish: an emoji makes the text UCS-2, which the preview
		// flags, with the sample queue filled in.
		adm.fill(map[string]string{"msg-language": "es"})
		adm.do("the Spanish boxes", chromedp.WaitVisible(chromedp.CSS(`.msg-kind[data-message="waiting"] textarea[data-field="messages.es.waiting"]`)))
		adm.fill(map[string]string{"msg-waiting": "Gracias 😀 está en la fila de @{QUEUE}."})
		got := waitFor[string](adm, "the UCS-2 preview", jsMessagePreview, "waiting", "😀")
		if got != "Gracias 😀 está en la fila de Billing.|UCS-2|1|warn" {
			t.Errorf("preview %q, want the sample queue filled, UCS-2, one segment, flagged", got)
		}
		// Long: two segments, flagged, GSM-7.
		long := strings.Repeat("Gracias por esperar. ", 9) + "@{QUEUE}"
		adm.fill(map[string]string{"msg-waiting": long})
		got = waitFor[string](adm, "the two-segment preview", jsMessagePreview, "waiting", "esperar")
		if !strings.HasSuffix(got, "|GSM-7|2|warn") {
			t.Errorf("preview of a 197-character text %q, want GSM-7, 2 segments, flagged", got)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-system-messages")

		// A placeholder the message is never filled with is refused next
		// to its box, and nothing is saved.
		adm.fill(map[string]string{"msg-waiting": "@{AGENT} le atenderá pronto."})
		adm.do("save", chromedp.Click(chromedp.CSS(`#messages-form button[type=submit]`)))
		msg := waitFor[string](adm, "the placeholder error", `() => {
			const e = document.querySelector('#msg-waiting-err');
			return e && !e.hidden ? e.textContent : '';
		}`)
		if !strings.Contains(msg, "@{AGENT}") || !strings.Contains(msg, "@{QUEUE}") {
			t.Errorf("error %q does not name @{AGENT} and what the message can use", msg)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-system-messages-error")
		if s := e.settings(); s.Messages["es"]["waiting"] != "" {
			t.Fatalf("the refused override was saved: %q", s.Messages["es"]["waiting"])
		}

		const fixed = "Gracias, @{QUEUE} le atenderá pronto."
		adm.fill(map[string]string{"msg-waiting": fixed})
		adm.do("save", chromedp.Click(chromedp.CSS(`#messages-form button[type=submit]`)))
		waitFor[string](adm, "saved", jsText, "#messages-form .form-status", "Messages saved.")
		s := e.settings()
		if s.Messages["es"]["waiting"] != fixed {
			t.Fatalf("settings.messages.es.waiting = %q, want %q", s.Messages["es"]["waiting"], fixed)
		}
		if s.Program.Name == "" || !s.ChannelEnabled {
			t.Errorf("saving the messages changed the rest of the settings: %+v", s)
		}
		// The rendered text is what a chat in that language is sent.
		tree := chat.NewTree(s, nil, nil)
		if got := tree.Text("", "es", chat.MsgWaiting, chat.Vars{"QUEUE": "Billing"}); got != "Gracias, Billing le atenderá pronto." {
			t.Errorf("the domain renders %q", got)
		}

		// One queue's own text: it inherits the settings' until it has one,
		// and the preview names the queue.
		adm.fill(map[string]string{"msg-scope": "es-facturacion"})
		waitFor[string](adm, "the queue's inherited text", jsText, `.msg-kind[data-message="waiting"] .inherited`, "SMS settings")
		adm.fill(map[string]string{"msg-language": "es"})
		adm.do("the queue's Spanish box", chromedp.WaitVisible(chromedp.CSS(`textarea[data-field="messages.es.waiting"]`)))
		if inherited := pageValue[string](adm, "inherited", `document.querySelector('.msg-kind[data-message="waiting"] .inherited-text').textContent`); inherited != fixed {
			t.Errorf("the queue inherits %q, want the settings' %q", inherited, fixed)
		}
		adm.fill(map[string]string{"msg-waiting": "Facturación: @{QUEUE} le responde enseguida."})
		got = waitFor[string](adm, "the queue's preview", jsMessagePreview, "waiting", "enseguida")
		if !strings.HasPrefix(got, "Facturación: Facturación le responde enseguida.|") {
			t.Errorf("queue preview %q", got)
		}
		adm.do("save", chromedp.Click(chromedp.CSS(`#messages-form button[type=submit]`)))
		waitFor[string](adm, "saved", jsText, "#messages-form .form-status", "Messages saved.")
		if q := e.queue("es-facturacion"); q.Messages["es"]["waiting"] != "Facturación: @{QUEUE} le responde enseguida." {
			t.Fatalf("the queue's messages %v", q.Messages)
		}
		if s := e.settings(); s.Messages["es"]["waiting"] != fixed {
			t.Fatalf("saving the queue's text changed the settings': %q", s.Messages["es"]["waiting"])
		}
	})
}

// canned reads the canned messages from AdminAPI.
func (e *env) cannedMessages() []chat.Canned {
	e.t.Helper()
	code, body := e.admin(auth.RoleAdmin, "GET", "/canned", "")
	if code != http.StatusOK {
		e.t.Fatalf("GET /canned: %d %s", code, body)
	}
	var cs []chat.Canned
	if err := json.Unmarshal([]byte(body), &cs); err != nil {
		e.t.Fatal(err)
	}
	return cs
}

func TestConsoleAdminCannedMessages(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		adm := openAdmin(t, browser, e, "canned")
		adm.do("new canned message", chromedp.WaitVisible(chromedp.ID("canned-add")), chromedp.Click(chromedp.ID("canned-add")),
			chromedp.WaitVisible(chromedp.ID("canned-form")))
		adm.fill(map[string]string{"canned-id": "factura", "canned-title": "Factura enviada", "canned-language": "es",
			"canned-body": "Hola @{CONSUMER_FIRST_NAME}, soy @{AGENT} de @{QUEUE}: su factura ya está enviada."})
		adm.do("limit it to Facturación", chromedp.Click(chromedp.CSS(`#canned-queues input[value="es-facturacion"]`)))
		// The preview: with the first name, and without (the gap closed),
		// the queue it is limited to filled in.
		known := waitFor[string](adm, "the preview with a first name", `() => {
			const el = document.querySelectorAll('#canned-preview .canned-case .sms-text');
			return el.length === 2 && el[0].textContent.includes('Facturación') ? el[0].textContent + '|' + el[1].textContent : '';
		}`)
		if known != "Hola Maria, soy Ana de Facturación: su factura ya está enviada.|Hola, soy Ana de Facturación: su factura ya está enviada." {
			t.Errorf("previews %q", known)
		}
		if enc := pageValue[string](adm, "encoding", `document.querySelector('#canned-preview .measure').dataset.encoding`); enc != "UCS-2" {
			t.Errorf("encoding shown %q, want UCS-2 (ó)", enc)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-canned")

		// An unknown placeholder: refused next to the text.
		adm.fill(map[string]string{"canned-body": "Hola @{NOMBRE}"})
		adm.do("save", chromedp.Click(chromedp.CSS(`#canned-form button[type=submit]`)))
		msg := waitFor[string](adm, "the body's error", `() => {
			const e = document.querySelector('#canned-body-err');
			return e && !e.hidden ? e.textContent : '';
		}`)
		if !strings.Contains(msg, "@{NOMBRE}") {
			t.Errorf("body error %q does not name the placeholder", msg)
		}
		if cs := e.cannedMessages(); len(cs) > 0 && slicesContainsID(cs, "factura") {
			t.Fatal("the refused canned message was saved")
		}

		adm.fill(map[string]string{"canned-body": "Hola @{CONSUMER_FIRST_NAME}, su factura ya está enviada."})
		adm.do("save", chromedp.Click(chromedp.CSS(`#canned-form button[type=submit]`)))
		waitFor[string](adm, "saved", jsText, "#canned-form .form-status", "saved.")
		waitFor[string](adm, "listed", jsText, `#canned-table tr[data-canned="factura"]`, "Facturación")
		var got chat.Canned
		for _, c := range e.cannedMessages() {
			if c.ID == "factura" {
				got = c
			}
		}
		if got.Language != "es" || len(got.QueueIDs) != 1 || got.QueueIDs[0] != "es-facturacion" || got.Title != "Factura enviada" {
			t.Fatalf("stored %+v", got)
		}
		// The language filter: an English view does not list it.
		adm.fill(map[string]string{"canned-filter-language": "en"})
		waitFor[bool](adm, "filtered out", jsGone, `#canned-table tr[data-canned="factura"]`)

		// Deleting it.
		adm.do("delete", chromedp.Click(chromedp.ID("canned-delete")))
		waitFor[bool](adm, "deleted", `() => !document.querySelector('#canned-form')`)
		if slicesContainsID(e.cannedMessages(), "factura") {
			t.Fatal("the deleted canned message is still stored")
		}
	})
}

func slicesContainsID(cs []chat.Canned, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// An admin exports the configuration, edits it, and imports it: the page
// lists every changed path before anything is saved, refuses a document
// with problems, applies the import over the revision it showed (a change
// made in between is refused) and the configuration then is the document.
func TestConsoleAdminImportWithDiff(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		adm := openAdmin(t, browser, e, "transfer")
		adm.do("the export", chromedp.WaitVisible(chromedp.ID("export-link")))
		waitFor[bool](adm, "the export ready", `() => document.querySelector('#export-link').dataset.ready === 'true'`)
		exported := pageValue[string](adm, "the exported document", `document.querySelector("#export-text").value`)
		var doc chat.Config
		if err := json.Unmarshal([]byte(exported), &doc); err != nil {
			t.Fatalf("the export is not a configuration: %v", err)
		}
		if len(doc.Queues) == 0 || len(doc.Agents) == 0 {
			t.Fatalf("the export lacks queues or agents: %d, %d", len(doc.Queues), len(doc.Agents))
		}
		importDoc := func(c chat.Config) {
			b, err := json.MarshalIndent(c, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			adm.fill(map[string]string{"import-text": string(b)})
			adm.do("show the changes", chromedp.Click(chromedp.CSS(`#import-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("import-summary")))
		}
		queue := func(c *chat.Config, id string) *chat.Queue {
			for i := range c.Queues {
				if c.Queues[i].ID == id {
					return &c.Queues[i]
				}
			}
			t.Fatalf("no queue %s", id)
			return nil
		}

		// A document the validation refuses: its problems, no apply.
		bad := doc
		bad.Queues = append([]chat.Queue(nil), doc.Queues...)
		queue(&bad, "en-billing").Keywords = []string{"STOP"}
		importDoc(bad)
		problem := waitFor[string](adm, "the problems", jsText, "#import-problems", "STOP")
		if !strings.Contains(problem, "queues[en-billing].keywords[0]") {
			t.Errorf("problems %q do not name the keyword by queue id", problem)
		}
		if disabled := pageValue[bool](adm, "apply", `document.querySelector('#import-apply').disabled`); !disabled {
			t.Error("an import with problems can be applied")
		}

		// A good one: renamed, added and changed paths, listed.
		good := doc
		good.Queues = append([]chat.Queue(nil), doc.Queues...)
		queue(&good, "en-billing").Name = "Billing and payments"
		good.Queues = append(good.Queues, chat.Queue{ID: "en-returns", ParentID: "en", Name: "Returns", Order: 9, Keywords: []string{"RETURNS"}})
		good.Settings.Timeouts.QueueMinutes = 45
		importDoc(good)
		paths := waitFor[[]string](adm, "the changed paths", `() => {
			const rows = document.querySelectorAll('#import-diff tbody tr');
			return rows.length ? Array.from(rows, (r) => r.dataset.op + ' ' + r.dataset.path) : null;
		}`)
		want := []string{"changed queues[en-billing].name", "added queues[en-returns]", "changed settings.timeouts.queueMinutes"}
		for _, w := range want {
			if !slicesContains(paths, w) {
				t.Errorf("the diff %v lacks %q", paths, w)
			}
		}
		if len(paths) != len(want) {
			t.Errorf("the diff lists %d changes %v, want %d", len(paths), paths, len(want))
		}
		consoletest.Screenshot(t, adm.ctx, "admin-import-diff")
		if q := e.queue("en-billing"); q.Name != "Billing" {
			t.Fatalf("showing the diff changed the queue: %q", q.Name)
		}

		// Someone else changes the configuration after the diff was shown:
		// applying is refused.
		other := e.queue("en-tech")
		other.Name = "Tech support"
		b, _ := json.Marshal(other)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en-tech", string(b)); code != http.StatusOK {
			t.Fatalf("the other change: %d %s", code, body)
		}
		adm.do("apply", chromedp.Click(chromedp.ID("import-apply")))
		waitFor[string](adm, "the conflict", jsText, "#import-error", "Changed by someone else")
		if q := e.queue("en-billing"); q.Name != "Billing" {
			t.Fatal("the stale import was applied")
		}

		// Shown again (now also undoing the other change) and applied.
		importDoc(good)
		waitFor[string](adm, "the other change in the diff", jsText, "#import-diff", "queues[en-tech].name")
		adm.do("apply", chromedp.Click(chromedp.ID("import-apply")))
		waitFor[string](adm, "imported", jsText, "#import-status", "Imported: 4 changes applied.")
		s := e.settings()
		if q := e.queue("en-billing"); q.Name != "Billing and payments" || s.Timeouts.QueueMinutes != 45 || e.queue("en-returns").Name != "Returns" || e.queue("en-tech").Name != doc.Queues[indexQueue(doc, "en-tech")].Name {
			t.Fatalf("after the import: en-billing %q, queue timeout %d", q.Name, s.Timeouts.QueueMinutes)
		}
	})
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func indexQueue(c chat.Config, id string) int {
	for i, q := range c.Queues {
		if q.ID == id {
			return i
		}
	}
	return -1
}
