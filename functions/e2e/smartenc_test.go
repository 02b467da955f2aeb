package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// TestSmartEncodedSystemMessages: with a queue's smartEncoding on, its
// system messages reach the carrier with GSM-7 look-alikes (one segment
// instead of a UCS-2 one for a curly apostrophe); off, as written; an
// unknown mode is refused naming the field and changes nothing.
func TestSmartEncodedSystemMessages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// Nobody takes the chats: each waits and gets the waiting message.
		for _, id := range []string{"ana", "ben"} {
			e.editAgent(id, func(a *chat.Agent) { a.Status = chat.AgentAway })
		}
		const waiting = "We’re on it — an agent will answer you soon…"
		cases := []struct {
			name, mode, consumer string
			code                 int
			want                 string // the waiting text the carrier gets
		}{
			{"off", "", "+14155550301", http.StatusOK, waiting},
			{"lookalikes", "lookalikes", "+14155550302", http.StatusOK, "We're on it - an agent will answer you soon..."},
			{"unknown mode", "smart", "", http.StatusBadRequest, ""},
		}
		for _, tc := range cases {
			q := e.queue("en-billing")
			q.Messages = map[string]map[string]string{"en": {string(chat.MsgWaiting): waiting}}
			q.SmartEncoding = tc.mode
			b, _ := json.Marshal(q)
			code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en-billing", string(b))
			if code != tc.code {
				t.Fatalf("%s: PUT queue answered %d %s, want %d", tc.name, code, body, tc.code)
			}
			if code != http.StatusOK {
				if !strings.Contains(body, `queues[en-billing].smartEncoding`) {
					t.Errorf("%s: the refusal %s does not name smartEncoding", tc.name, body)
				}
				if got := e.queue("en-billing").SmartEncoding; got != "lookalikes" {
					t.Errorf("%s: the refused change was stored: %q", tc.name, got)
				}
				continue
			}
			e.say(tc.consumer, numberEN, "Hello")
			e.say(tc.consumer, numberEN, "1")
			found := false
			for _, s := range e.waitSent(tc.consumer, 3) {
				if strings.HasPrefix(s.Body, "We") {
					found = true
					if s.Body != tc.want {
						t.Errorf("%s: the carrier got %q, want %q", tc.name, s.Body, tc.want)
					}
				}
			}
			if !found {
				t.Errorf("%s: no waiting message among %v", tc.name, e.bodies(tc.consumer))
			}
		}
	})
}
