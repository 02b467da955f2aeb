package e2e

import (
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestLanguageDetectionSkipsTheLanguageMenu(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// One number for both languages: its entry queue "Main" has one child
		// per language (English, Español), and the number fixes none.
		if code, body := e.admin("admin", "PUT", "/queues/main", `{"name":"Main","order":0}`); code != 200 {
			t.Fatalf("PUT main: %d %s", code, body)
		}
		putJSON(e, "/queues/en", func(q *chat.Queue) { q.ParentID = "main" })
		putJSON(e, "/queues/es", func(q *chat.Queue) { q.ParentID = "main" })
		putJSON(e, "/numbers/"+numberEN, func(n *chat.Number) { n.Language, n.EntryQueue = "", "main" })

		tests := []struct {
			name     string
			consumer string
			text     string
			wantLang string
			wantMenu string // the last text the consumer got
			decided  bool
			detected bool // an event records the detection
		}{
			{"Spanish", "+14155550901", "hola, mi internet no funciona desde ayer", "es", "Envíe 1 para Facturación, Envíe 2 para Soporte técnico", true, true},
			{"English", "+14155550902", "my bill is wrong this month, can someone check", "en", "Text 1 for Billing, Text 2 for Technical support", true, true},
			{"a short text", "+14155550903", "hola", "en", "Text 1 for English, Text 2 for Español", false, true},
			{"a number (a menu choice, not a message)", "+14155550904", "2", "en", "Text 1 for English, Text 2 for Español", false, false},
			{"a command", "+14155550905", "HELP", "en", "Text 1 for English, Text 2 for Español", false, false},
		}
		for _, tc := range tests {
			rec := e.say(tc.consumer, numberEN, tc.text)
			c := e.chat(rec.ChatID)
			if got := last(e.bodies(tc.consumer)); c.Language != tc.wantLang || !strings.Contains(got, tc.wantMenu) {
				t.Errorf("%s: language %s, last text %q; want %s, %q", tc.name, c.Language, got, tc.wantLang, tc.wantMenu)
			}
			if first := e.bodies(tc.consumer)[0]; tc.decided && tc.wantLang == "es" && !strings.Contains(first, "Gracias por escribirnos") {
				t.Errorf("%s: the opt-in notice is not in Spanish: %q", tc.name, first)
			}
			var ev *chat.Event
			for i := range c.Unpublished {
				if c.Unpublished[i].Type == chat.EventLanguageDetected {
					ev = &c.Unpublished[i]
				}
			}
			switch {
			case !tc.detected && ev != nil:
				t.Errorf("%s: a detection was recorded: %+v", tc.name, ev)
			case tc.detected && ev == nil:
				t.Errorf("%s: no chat.language event in %+v", tc.name, c.Unpublished)
			case tc.detected && (ev.Decided != tc.decided || (tc.decided && (ev.Detected != tc.wantLang || ev.Confidence < 0.8))):
				t.Errorf("%s: event %+v, want decided %v", tc.name, ev, tc.decided)
			}
		}
	})
}
