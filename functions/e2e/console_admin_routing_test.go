package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Issue 19's settings on the Admin pages: a queue's business hours, survey,
// returning consumer and smart encoding, and a number's conversation
// window, set in headless Chromium and checked in the configuration
// AdminAPI serves.

// jsFieldError is the error shown under a control, empty while hidden.
const jsFieldError = `(id) => {
	const e = document.getElementById(id + '-err');
	return e && !e.hidden ? e.textContent : '';
}`

func TestConsoleAdminRouting(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		adm := openAdmin(t, browser, e, "queues")
		adm.do("open Billing", chromedp.Click(chromedp.CSS(`li[data-queue="en-billing"] > .queue-node .queue-name`)),
			chromedp.WaitVisible(chromedp.ID("queue-hours-zone")))
		before := e.queue("en-billing")
		if before.Hours != nil || before.Survey != nil || before.Returning != nil || before.SmartEncoding != "" {
			t.Fatalf("en-billing starts with routing settings: %+v", before)
		}
		if hint := pageValue[string](adm, "the survey hint", `document.getElementById('queue-survey-hint').textContent`); !strings.Contains(hint, "inherited") {
			t.Errorf("unset survey hint %q does not say it is inherited", hint)
		}

		// Tuesday's window ends before it starts: the server's refusal
		// (queues[en-billing].hours.week.tue[0]) is shown under Tuesday.
		adm.fill(map[string]string{
			"queue-hours-zone": "America/New_York", "queue-hours-mon": "08:00-17:00", "queue-hours-tue": "17:00-08:00",
			"queue-hours-holidays": "2026-12-25, 2027-01-01", "queue-hours-when-closed": "wait", "queue-hours-in-menu": "mark",
		})
		adm.do("save the bad hours", chromedp.Click(chromedp.CSS(`#queue-form button[type=submit]`)))
		msg := waitFor[string](adm, "Tuesday's error", jsFieldError, "queue-hours-tue")
		if !strings.Contains(msg, "HH:MM-HH:MM") || !strings.Contains(msg, "17:00-08:00") {
			t.Errorf("Tuesday's error %q does not explain the window", msg)
		}
		if invalid := pageValue[string](adm, "aria-invalid", `document.getElementById('queue-hours-tue').getAttribute('aria-invalid') || ''`); invalid != "true" {
			t.Errorf("Tuesday is not marked invalid (aria-invalid=%q)", invalid)
		}
		if other := pageValue[string](adm, "Monday's error", "("+jsFieldError+")('queue-hours-mon')"); other != "" {
			t.Errorf("Monday shows an error too: %q", other)
		}
		consoletest.Screenshot(t, adm.ctx, "admin-queue-hours-error")
		if q := e.queue("en-billing"); q.Hours != nil {
			t.Fatalf("the refused hours were saved: %+v", q.Hours)
		}

		// Fixed, with the survey, the returning consumer and smart encoding.
		adm.fill(map[string]string{
			"queue-hours-tue": "08:00-12:00, 13:00-17:00",
			"queue-survey":    "on", "queue-survey-window": "60",
			"queue-returning": "on", "queue-returning-window": "120", "queue-returning-reserve": "45",
			"queue-smart-encoding": "transliterate",
		})
		adm.do("save the hours", chromedp.Click(chromedp.CSS(`#queue-form button[type=submit]`)))
		waitFor[string](adm, "queue saved", jsText, "#queue-form .form-status", "saved.")

		// A number's conversation window, on the Numbers page.
		adm.do("edit the number",
			chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="numbers"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Edit `+numberEN+`"]`)),
			chromedp.Click(chromedp.CSS(`button[aria-label="Edit `+numberEN+`"]`)),
			chromedp.WaitVisible(chromedp.ID("number-conversation-window")))
		adm.fill(map[string]string{"number-conversation-window": "30"})
		adm.do("save the number", chromedp.Click(chromedp.CSS(`#number-form button[type=submit]`)))
		waitFor[string](adm, "number saved", jsText, "#number-form .form-status", "saved.")

		code, body := e.admin(auth.RoleAdmin, "GET", "/config", "")
		if code != http.StatusOK {
			t.Fatalf("GET /config: %d %s", code, body)
		}
		var c chat.Config
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		q := c.Queues[indexQueue(c, "en-billing")]
		wantHours := &chat.Hours{
			TimeZone: "America/New_York",
			Week:     map[string][]string{"mon": {"08:00-17:00"}, "tue": {"08:00-12:00", "13:00-17:00"}},
			Holidays: []string{"2026-12-25", "2027-01-01"}, WhenClosed: chat.ClosedWait, InMenu: chat.MenuMark,
		}
		for _, tc := range []struct {
			name      string
			got, want any
		}{
			{"hours", q.Hours, wantHours},
			{"survey", q.Survey, &chat.Survey{Enabled: true, WindowMinutes: 60}},
			{"returning", q.Returning, &chat.Returning{Enabled: true, WindowMinutes: 120, ReserveSeconds: 45}},
			{"smartEncoding", q.SmartEncoding, "transliterate"},
			{"name unchanged", q.Name, before.Name},
			{"agents unchanged", q.Agents, before.Agents},
		} {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("queue %s = %+v, want %+v", tc.name, tc.got, tc.want)
			}
		}
		var n *chat.Number
		for i := range c.Numbers {
			if c.Numbers[i].E164 == numberEN {
				n = &c.Numbers[i]
			}
		}
		if n == nil {
			t.Fatalf("number %s is gone", numberEN)
		}
		if n.ConversationWindowMinutes != 30 || n.InCall {
			t.Errorf("number conversation window %d, in-call %v; want 30, false", n.ConversationWindowMinutes, n.InCall)
		}
	})
}
