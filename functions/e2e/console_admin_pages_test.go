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
