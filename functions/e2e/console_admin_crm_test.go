package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/webhook/webhooktest"
)

// An admin connects the signed webhook on the CRM connection page: a bad
// URL is refused next to its field and fails the test; the stand-in's URL
// tests connected (the stand-in checked the signed request) and is saved.
func TestConsoleAdminCRMConnection(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			wh := webhooktest.New(t)
			e := newEnv(t, b, map[string]string{"CRM_WEBHOOK_SECRET": webhooktest.Secret})
			adm := openAdmin(t, browser, e, "crm")
			adm.do("the CRM page", chromedp.WaitVisible(chromedp.ID("crm-form")))
			if s := pageValue[string](adm, "the secret's state", `document.querySelector('#crm-webhook-secret').textContent`); !strings.Contains(s, "is set") {
				t.Errorf("the page says %q about the webhook secret", s)
			}
			adm.fill(map[string]string{"crm-adapter": "webhook", "crm-webhook-url": "http://crm.example.com/hook"})
			adm.do("test", chromedp.Click(chromedp.ID("crm-test")))
			waitFor[string](adm, "the failed test", `() => { const p = document.querySelector('#crm-test-report [data-ok="false"]'); return p ? p.textContent : ''; }`)
			adm.do("save", chromedp.Click(chromedp.CSS(`#crm-form button[type=submit]`)))
			msg := waitFor[string](adm, "the URL's error", `() => { const e = document.querySelector('#crm-webhook-url-err'); return e && !e.hidden ? e.textContent : ''; }`)
			if msg == "" {
				t.Fatal("no error next to the URL")
			}
			consoletest.Screenshot(t, adm.ctx, "admin-crm-error")

			adm.fill(map[string]string{"crm-webhook-url": wh.URL(), "crm-contact-url": "https://crm.example.com/c/{id}"})
			adm.do("test", chromedp.Click(chromedp.ID("crm-test")))
			got := waitFor[string](adm, "connected", `() => { const p = document.querySelector('#crm-test-report [data-ok="true"]'); return p ? p.textContent : ''; }`)
			if !strings.Contains(got, "Connected (webhook") {
				t.Errorf("test report %q", got)
			}
			adm.do("save", chromedp.Click(chromedp.CSS(`#crm-form button[type=submit]`)))
			waitFor[string](adm, "saved", jsText, "#crm-form .form-status", "CRM connection saved.")
			consoletest.Screenshot(t, adm.ctx, "admin-crm")
			var conn adminapi.CRMConnection
			if code, body, _ := e.adminJSON("GET", "/crm", nil, nil, &conn); code != 200 {
				t.Fatalf("GET /crm: %d %s", code, body)
			}
			if conn.Effective.Adapter != crm.AdapterWebhook || conn.Settings.WebhookURL != wh.URL() || conn.Settings.WebhookContactURL != "https://crm.example.com/c/{id}" {
				t.Fatalf("saved %+v", conn)
			}
		})
	}
}
