package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat/transcript"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// admin calls AdminAPI as a principal ("" for no token).
func (e *env) admin(role auth.Role, method, path, body string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.urls.Function(wire.FnAdminAPI)+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		p := auth.Principal{UID: "u-" + string(role), Role: role}
		if role == auth.RoleAgent {
			p.AgentID = "ana"
		}
		token, err := e.dev.Mint(p, time.Minute)
		if err != nil {
			e.t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminChangesTakeEffectForTheNextMessage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550180"
		e.say(consumer, numberEN, "hi")
		// Rename Billing and give it another keyword; the very next menu shows it.
		code, body := e.admin(auth.RoleAdmin, "GET", "/queues/en-billing", "")
		if code != http.StatusOK {
			t.Fatalf("GET queue: %d %s", code, body)
		}
		var q chat.Queue
		if err := json.Unmarshal([]byte(body), &q); err != nil {
			t.Fatal(err)
		}
		q.Name, q.Keywords = "Payments", []string{"P", "1"}
		b, _ := json.Marshal(q)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en-billing", string(b)); code != http.StatusOK {
			t.Fatalf("PUT queue: %d %s", code, body)
		}
		rec := e.say(consumer, numberEN, "back")
		bodies := e.bodies(consumer)
		if last := bodies[len(bodies)-1]; !strings.Contains(last, "Text P for Payments, Text 2 for Technical support") {
			t.Errorf("menu after the change: %q", last)
		}
		e.say(consumer, numberEN, "p")
		if c := e.chat(rec.ChatID); c.QueueID != "en-billing" {
			t.Errorf("keyword P chose %s", c.QueueID)
		}

		// An invalid change is refused with the field named, and nothing changes.
		q.Keywords = []string{"STOP"}
		b, _ = json.Marshal(q)
		code, body = e.admin(auth.RoleAdmin, "PUT", "/queues/en-billing", string(b))
		if code != http.StatusBadRequest || !strings.Contains(body, `"field":"queues[en-billing].keywords[0]"`) {
			t.Errorf("STOP keyword: %d %s", code, body)
		}

		// The transcript, as JSON and as text; only admins may read it here.
		code, body = e.admin(auth.RoleAdmin, "GET", "/chats/"+rec.ChatID, "")
		var tr transcript.Transcript
		if code != http.StatusOK || json.Unmarshal([]byte(body), &tr) != nil || len(tr.Messages) != len(e.transcript(rec.ChatID)) {
			t.Errorf("GET chat: %d, %d messages", code, len(tr.Messages))
		}
		code, body = e.admin(auth.RoleAdmin, "GET", "/chats/"+rec.ChatID+"/transcript.txt", "")
		if code != http.StatusOK || !strings.Contains(body, "consumer (command): back") || !strings.Contains(body, "system (menu): Please text a number") {
			t.Errorf("text export: %d\n%s", code, body)
		}
		for _, tc := range []struct {
			role auth.Role
			want int
		}{{"", http.StatusUnauthorized}, {auth.RoleAgent, http.StatusForbidden}, {auth.RoleSupervisor, http.StatusForbidden}} {
			if code, body := e.admin(tc.role, "GET", "/chats/"+rec.ChatID, ""); code != tc.want {
				t.Errorf("GET chat as %q: %d %s, want %d", tc.role, code, body, tc.want)
			}
		}
	})
}
