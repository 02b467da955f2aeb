package e2e

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// TestConsoleMonitoring drives the monitoring pages in headless Chromium on
// every backend: a new waiting chat appears on Monitoring > Chats within
// 2 s of being queued, the Queues page counts it, the CSV download of the
// chats table has exactly the open chats, a supervisor transfers a chat to
// another queue and ends one from the page, the report pages show the
// ended chat, and an agent's own statistics page shows their figures.
func TestConsoleMonitoring(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, b context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		active := activeChat(t, e, "+14155550381", "1", "ana")
		moved := activeChat(t, e, "+14155550383", "1", "ana")
		if err := e.setStatus("ana", chat.AgentAway); err != nil {
			t.Fatal(err)
		}

		sup := openConsoleAs(t, b, e, "supervisor", "-")
		sup.submitSignIn()
		sup.do("open Monitoring",
			chromedp.WaitVisible(chromedp.ID("monitor-link")),
			chromedp.Click(chromedp.ID("monitor-link")),
			chromedp.WaitVisible(chromedp.ID("stats-view")),
		)
		waitFor[string](sup, "Ana away on the Agents page", `() => {
			const tr = document.querySelector('#monitor-agents tr[data-agent="ana"]');
			return tr && tr.dataset.status === 'away' && tr.textContent.includes('2 / 3') ? tr.textContent : '';
		}`)
		consoletest.Screenshot(t, sup.ctx, "monitor-agents")
		// The supervisor sets Ben's status from the Agents page.
		pageValue[bool](sup, "set Ben offline", `(() => {
			const sel = document.querySelector('#monitor-agents tr[data-agent="ben"] select.monitor-status');
			sel.focus(); sel.value = 'offline'; sel.dispatchEvent(new Event('change')); sel.blur();
			return true;
		})()`)
		testenv.WaitFor(t, waitLimit, "Ben offline in the store", func() bool { return e.agent("ben").Status == chat.AgentOffline })
		waitFor[string](sup, "Ben offline on the Agents page", `() => {
			const tr = document.querySelector('#monitor-agents tr[data-agent="ben"]');
			return tr && tr.dataset.status === 'offline' ? tr.textContent : '';
		}`)
		sup.do("open the Chats page", chromedp.Click(chromedp.CSS(`.stats-nav a[href="#monitor/chats"]`)), chromedp.WaitVisible(chromedp.ID("mf-group")))
		waitFor[bool](sup, "the chats table", `() => !!document.querySelector('#monitor-chats')`)

		// A consumer's chat waits (nobody is available); it is on the page
		// within 2 s of being queued.
		e.say("+14155550382", numberEN, "Hello")
		waiting := e.say("+14155550382", numberEN, "1").ChatID
		c := e.waitChat(waiting, "queued", func(c chat.Chat) bool { return c.Status == chat.StatusQueued })
		shownAt := waitFor[float64](sup, "the waiting chat on the Chats page", `(id) => {
			const tr = document.querySelector('#monitor-chats tr[data-chat="' + CSS.escape(id) + '"]');
			return tr && tr.dataset.state === 'waiting' ? Date.now() : 0;
		}`, waiting)
		lag := time.UnixMilli(int64(shownAt)).Sub(c.QueuedAt)
		t.Logf("the waiting chat was on the monitoring page %v after it was queued", lag)
		if lag > 2*time.Second {
			t.Errorf("the waiting chat showed %v after it was queued, want within 2 s", lag)
		}
		row := pageValue[string](sup, "the row", `document.querySelector('#monitor-chats tr[data-chat="`+waiting+`"]').textContent`)
		for _, want := range []string{"English > Billing", "not answered yet", "SMS", "+14155550382"} {
			if !strings.Contains(row, want) {
				t.Errorf("waiting chat's row %q lacks %q", row, want)
			}
		}
		consoletest.Screenshot(t, sup.ctx, "monitor-chats")

		// The CSV of the chats table: the three open chats, each once.
		dir := t.TempDir()
		if _, err := chromedp.CallBrowser(sup.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, BrowserContextID: chromedp.FromContext(sup.ctx).BrowserContextID,
		}); err != nil {
			t.Fatalf("allow downloads: %v", err)
		}
		sup.do("download the CSV", chromedp.Click(chromedp.CSS(`#stats-view .csv-download`)))
		var file string
		testenv.WaitFor(t, waitLimit, "the CSV downloaded", func() bool {
			m, _ := filepath.Glob(filepath.Join(dir, "monitor-chats-*.csv"))
			if len(m) == 1 {
				file = m[0]
			}
			return file != ""
		})
		var rows [][]string
		testenv.WaitFor(t, waitLimit, "the CSV complete", func() bool {
			f, err := os.Open(file)
			if err != nil {
				return false
			}
			defer f.Close()
			rows, err = csv.NewReader(f).ReadAll()
			return err == nil && len(rows) > 0
		})
		got := map[string]string{}
		for _, r := range rows[1:] {
			got[r[0]] = strings.Join([]string{r[1], r[2], r[4], r[5], r[8]}, "|")
		}
		want := map[string]string{
			active:  "active|SMS|English > Billing|+14155550381|Ana García",
			moved:   "active|SMS|English > Billing|+14155550383|Ana García",
			waiting: "waiting|SMS|English > Billing|+14155550382|",
		}
		if rows[0][0] != "chat_id" || len(rows) != 4 || got[active] != want[active] || got[moved] != want[moved] || got[waiting] != want[waiting] {
			t.Errorf("CSV rows %q, want the header and %v", rows, want)
		}

		// The Queues page counts the waiting chat; EWT says no agent.
		sup.do("open the Queues page", chromedp.Click(chromedp.CSS(`.stats-nav a[href="#monitor/queues"]`)))
		q := waitFor[string](sup, "Billing's counts", `() => {
			const tr = document.querySelector('#monitor-queues tr[data-queue="en-billing"]');
			if (!tr) return '';
			const v = (c) => tr.querySelector('[data-col="' + c + '"]').textContent;
			return v('waiting') === '1' && v('active') === '2' ? v('waiting') + '|' + v('active') + '|' + v('ewt') : '';
		}`)
		if !strings.HasSuffix(q, "|no agent available") {
			t.Errorf("Billing on the Queues page %q, want its estimated wait to say no agent is available", q)
		}
		consoletest.Screenshot(t, sup.ctx, "monitor-queues")

		// The supervisor ends Ana's chat from the Chats page.
		sup.do("show the ongoing chats",
			chromedp.Click(chromedp.CSS(`.stats-nav a[href="#monitor/chats"]`)),
			chromedp.WaitVisible(chromedp.ID("mf-group")),
			chromedp.SetValue(chromedp.ID("mf-group"), "ongoing"),
		)
		pageValue[bool](sup, "confirm ending", `(() => { window.confirm = () => true; document.querySelector('#mf-group').dispatchEvent(new Event('change')); return true; })()`)
		// Ana's other chat goes to Technical support from the page, where
		// nobody is available: the page asks, and the supervisor confirms.
		waitFor[bool](sup, "transfer to Technical support", `(id) => {
			window.confirm = () => true;
			const sel = document.querySelector('#monitor-chats tr[data-chat="' + CSS.escape(id) + '"] select');
			if (!sel) return false;
			sel.value = 'q:en-tech';
			sel.dispatchEvent(new Event('change'));
			return true;
		}`, moved)
		e.waitChat(moved, "transferred to Technical support", func(c chat.Chat) bool { return c.QueueID == "en-tech" && c.Status == chat.StatusQueued })
		sup.do("end the chat", chromedp.Click(chromedp.CSS(`#monitor-chats tr[data-chat="`+active+`"] button.danger`)))
		e.waitChat(active, "ended by the supervisor", func(c chat.Chat) bool { return c.Status == chat.StatusEnded })
		waitFor[bool](sup, "the ended chat off the ongoing list", `(id) => !document.querySelector('#monitor-chats tr[data-chat="' + CSS.escape(id) + '"]')`, active)

		// Ana's statistics page: her ended chat beside the billing team's
		// average, once ChatStats counted it.
		testenv.WaitFor(t, waitLimit, "the ended chat counted", func() bool {
			var r agentapi.StatsReport
			code, _ := e.agentAPI(principalOf("ana"), "GET", "/stats?by=agent&from="+stats.Day(e.chat(active).EndedAt, time.UTC), nil, &r)
			return code == 200 && len(r.Rows) == 1 && r.Rows[0].Answered == 1
		})

		// The reports: the chat report by agent has Ana's chat, the history
		// finds it and the charts are drawn.
		day := stats.Day(e.chat(active).EndedAt, time.UTC)
		sup.do("open the chat report",
			chromedp.Click(chromedp.ID("reports-link")),
			chromedp.WaitVisible(chromedp.ID("report-form")),
		)
		sup.fill(map[string]string{"rf-from": day, "rf-to": day, "rf-by": "agent"})
		sup.do("show it", chromedp.Click(chromedp.CSS(`#report-form button[type=submit]`)))
		anaRow := waitFor[string](sup, "Ana's row", `() => {
			const tr = document.querySelector('#report-chat tr[data-key="ana"]');
			return tr ? Array.from(tr.children, (td) => td.textContent).join('|') : '';
		}`)
		if !strings.HasPrefix(anaRow, "Ana García|1|1|1|100.0 %") {
			t.Errorf("chat report row %q, want Ana with 1 chat, 1 offer, 1 answered, 100 %%", anaRow)
		}
		consoletest.Screenshot(t, sup.ctx, "report-chat")
		sup.do("open the history", chromedp.Click(chromedp.CSS(`.stats-nav a[href="#reports/history"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.stats-nav a[href="#reports/history"][aria-current="page"]`)))
		sup.fill(map[string]string{"rf-from": day, "rf-to": day, "rf-consumer": "+14155550381"})
		sup.do("search", chromedp.Click(chromedp.CSS(`#report-form button[type=submit]`)))
		waitFor[bool](sup, "the chat in the history with its transcript link", `(id) => {
			const tr = document.querySelector('#report-history tr[data-chat="' + CSS.escape(id) + '"]');
			return !!tr && tr.querySelector('a').getAttribute('href') === '#chat/' + id && tr.textContent.includes('SMS');
		}`, active)
		consoletest.Screenshot(t, sup.ctx, "report-history")
		sup.do("open the charts", chromedp.Click(chromedp.CSS(`.stats-nav a[href="#reports/charts"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.stats-nav a[href="#reports/charts"][aria-current="page"]`)))
		sup.fill(map[string]string{"rf-from": day, "rf-to": day})
		sup.do("draw", chromedp.Click(chromedp.CSS(`#report-form button[type=submit]`)))
		waitFor[bool](sup, "three charts drawn", `() => document.querySelectorAll('.stats-chart[data-drawn="true"] canvas').length === 3`)
		consoletest.Screenshot(t, sup.ctx, "report-charts")
		ana := openConsoleAs(t, b, e, "agent", "ana")
		ana.submitSignIn()
		ana.do("open My statistics", chromedp.WaitVisible(chromedp.ID("stats-link")), chromedp.Click(chromedp.ID("stats-link")))
		answered := waitFor[string](ana, "today's answered chats", `() => {
			const tr = document.querySelector('#my-stats-today tr[data-figure="answered"]');
			return tr && tr.children[1].textContent === '1' ? Array.from(tr.children, (td) => td.textContent).join('|') : '';
		}`)
		if answered != "Chats answered|1|0.5" {
			t.Errorf("today's row %q, want Ana's 1 beside the billing team's average 0.5 (1 chat over 2 members)", answered)
		}
		if unnamed := pageValue[[]string](ana, "unnamed controls", jsUnnamed); len(unnamed) > 0 {
			t.Errorf("controls without an accessible name on My statistics: %v", unnamed)
		}
		consoletest.Screenshot(t, ana.ctx, "my-statistics")
		if links := pageValue[bool](ana, "monitoring link", `!document.getElementById('monitor-link').hidden`); links {
			t.Error("an agent is shown the Monitoring link")
		}
	})
}

// TestConsoleNumberPrices: an admin sets a number's carrier prices on the
// Numbers page; they are stored in micro-dollars, shown again on the next
// edit, and a price over a dollar is refused next to its field.
func TestConsoleNumberPrices(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, b context.Context) {
		adm := openAdmin(t, b, e, "numbers")
		edit := func() {
			adm.do("edit the number", chromedp.Click(chromedp.CSS(`button[aria-label="Edit `+numberEN+`"]`)), chromedp.WaitVisible(chromedp.ID("number-sms-price")))
		}
		edit()
		adm.fill(map[string]string{"number-sms-price": "0.0083", "number-mms-price": "0.025"})
		adm.do("save", chromedp.Click(chromedp.CSS(`#number-form button[type=submit]`)))
		waitFor[string](adm, "number saved", jsText, "#number-form .form-status", "saved.")
		n, err := e.store.Number(e.ctx(), numberEN)
		if err != nil {
			t.Fatal(err)
		}
		if n.SMSSegmentMicros != 8300 || n.MMSMicros != 25000 || !n.Enabled || n.EntryQueue != "en" {
			t.Errorf("stored number %+v, want 8300 and 25000 micro-dollars and the rest unchanged", n)
		}
		adm.do("reload the page", chromedp.Click(chromedp.CSS(`.admin-nav a[data-page="numbers"]`)))
		edit()
		if v := pageValue[string](adm, "the SMS price", `document.getElementById('number-sms-price').value`); v != "0.0083" {
			t.Errorf("SMS price shown %q, want 0.0083", v)
		}
		adm.fill(map[string]string{"number-mms-price": "1.5"})
		adm.do("save", chromedp.Click(chromedp.CSS(`#number-form button[type=submit]`)))
		msg := waitFor[string](adm, "the refusal next to the MMS price", `() => {
			const el = document.getElementById('number-mms-price-err');
			return el && !el.hidden ? el.textContent : '';
		}`)
		if !strings.Contains(msg, "micro-dollars") {
			t.Errorf("MMS price refusal %q", msg)
		}
	})
}
