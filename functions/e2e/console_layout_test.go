package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// jsLayout measures the panes and the composer in the viewport.
const jsLayout = `(() => {
	const r = (sel) => {
		const el = document.querySelector(sel);
		if (!el || el.closest('[hidden]') || getComputedStyle(el).display === 'none') return null;
		const b = el.getBoundingClientRect();
		return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, width: b.width, height: b.height };
	};
	const tr = document.querySelector('#transcript');
	const last = tr && tr.lastElementChild ? tr.lastElementChild.getBoundingClientRect() : null;
	return {
		vw: innerWidth, vh: innerHeight,
		pageScrolls: document.scrollingElement.scrollHeight > innerHeight + 1,
		pageWide: document.scrollingElement.scrollWidth > innerWidth + 1,
		inbox: r('#inbox'), main: r('#main'), contact: r('#contact-pane'),
		composer: r('#composer'), reply: r('#reply'), send: r('#send'), back: r('#back-to-inbox'),
		transcriptScrolls: tr ? tr.scrollHeight > tr.clientHeight + 1 : false,
		lastBottom: last ? last.bottom : 0, transcriptBottom: tr ? tr.getBoundingClientRect().bottom : 0,
	};
})()`

type box struct{ Top, Bottom, Left, Right, Width, Height float64 }

type layout struct {
	VW, VH                       float64
	PageScrolls, PageWide        bool
	Inbox, Main, Contact         *box
	Composer, Reply, Send        *box
	Back                         *box
	TranscriptScrolls            bool
	LastBottom, TranscriptBottom float64
}

func (l layout) inView(b *box) bool {
	return b != nil && b.Top >= 0 && b.Bottom <= l.VH+0.5 && b.Left >= 0 && b.Right <= l.VW+0.5
}

// TestConsoleLayout: from 1280 px the console is three fixed panes (inbox,
// conversation, contact pane) and after a long transcript the composer is
// still on screen while the transcript scrolls and the page does not; on a
// phone (390 px) it is one column: the inbox, or the open chat with a way
// back and the composer at the bottom of the screen. Screenshots of both.
func TestConsoleLayout(t *testing.T) {
	forEachConsoleBackend(t, func(t *testing.T, e *env, browser context.Context) {
		e.editAgent("ben", func(a *chat.Agent) { a.Status = chat.AgentAway })
		const consumer = "+14155550191"
		chatID := activeChat(t, e, consumer, "1", "ana")
		// A long transcript: 14 texts of four lines each.
		var last string
		for i := range 14 {
			last = fmt.Sprintf("Line one of text %d\nline two\nline three\nline four, the end of %d", i, i)
			e.say(consumer, numberEN, last)
		}
		ana := openConsoleAs(t, browser, e, "agent", "ana")
		ana.submitSignIn()

		sizes := []struct {
			name          string
			width, height int64
		}{
			{"wide-1280", 1280, 800},
			{"wide-1600", 1600, 900},
			{"phone-390", 390, 844},
		}
		for _, sz := range sizes {
			ana.do("resize to "+sz.name,
				chromedp.EmulateViewport(sz.width, sz.height),
				chromedp.Navigate(e.server.URL+"/Console/#chat/"+chatID),
				chromedp.WaitVisible(chromedp.ID("conversation")),
			)
			waitFor[string](ana, "the last text", jsText, "#transcript", strings.SplitN(last, "\n", 2)[0])
			l := pageValue[layout](ana, "layout", jsLayout)
			consoletest.ViewportScreenshot(t, ana.ctx, sz.name)
			phone := sz.width <= 600
			if !phone {
				if l.PageScrolls {
					t.Errorf("%s: the page scrolls; the panes should", sz.name)
				}
				if l.Inbox == nil || l.Main == nil || l.Inbox.Right > l.Main.Left+0.5 {
					t.Errorf("%s: inbox %+v and conversation %+v are not side by side", sz.name, l.Inbox, l.Main)
				}
				if l.Contact != nil && l.Contact.Left < l.Main.Right-0.5 {
					t.Errorf("%s: the contact pane %+v is not right of the conversation %+v", sz.name, l.Contact, l.Main)
				}
				if !l.TranscriptScrolls {
					t.Errorf("%s: the transcript does not scroll with 14 long texts", sz.name)
				}
				if l.LastBottom > l.TranscriptBottom+1 {
					t.Errorf("%s: the newest text (bottom %.0f) is below the transcript's end (%.0f)", sz.name, l.LastBottom, l.TranscriptBottom)
				}
			} else {
				if l.Inbox != nil {
					t.Errorf("%s: the inbox %+v is shown beside an open chat", sz.name, l.Inbox)
				}
				if !l.inView(l.Back) {
					t.Errorf("%s: no way back to the inbox in view: %+v", sz.name, l.Back)
				}
			}
			if l.PageWide {
				t.Errorf("%s: the page is wider than the screen", sz.name)
			}
			for name, b := range map[string]*box{"composer": l.Composer, "reply box": l.Reply, "send button": l.Send} {
				if !l.inView(b) {
					t.Errorf("%s: the %s is not in the viewport (%.0f×%.0f): %+v", sz.name, name, l.VW, l.VH, b)
				}
			}
			if phone {
				ana.do("back to the inbox",
					chromedp.Click(chromedp.ID("back-to-inbox")),
					chromedp.WaitVisible(chromedp.ID("inbox")),
				)
				consoletest.ViewportScreenshot(t, ana.ctx, sz.name+"-inbox")
				if l := pageValue[layout](ana, "inbox layout", jsLayout); l.PageWide || l.Inbox == nil || l.Inbox.Width > float64(sz.width)+0.5 {
					t.Errorf("%s: the inbox does not fit the screen: %+v", sz.name, l.Inbox)
				}
			}
		}
	})
}
