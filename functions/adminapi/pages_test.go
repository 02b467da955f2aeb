package adminapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/admin"
)

// The routes the admin pages added: the import's diff and its revision,
// canned messages, the settings preview's catalog, and the account routes
// on a deployment without Identity Platform.

func TestImportDiffAnswersTheRevisionItComparedAgainst(t *testing.T) {
	e := newEnv(t)
	changed := strings.Replace(fixture, `"name": "Tech"`, `"name": "Technical support"`, 1)
	rec := e.do("POST", "/AdminAPI/config/diff", changed)
	if rec.Code != http.StatusOK {
		t.Fatalf("diff: %d %s", rec.Code, rec.Body)
	}
	var p admin.ImportPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Path != "queues[c].name" || string(p.Changes[0].After) != `"Technical support"` || len(p.Problems) != 0 {
		t.Fatalf("diff %+v", p)
	}
	rev := rec.Header().Get("ETag")
	if rev == "" || rev != e.do("GET", "/AdminAPI/config", "").Header().Get("ETag") {
		t.Fatalf("diff ETag %q is not the configuration's", rev)
	}
	if got := e.queueName("c"); got != "Tech" {
		t.Fatalf("the diff wrote: queue c is %q", got)
	}

	// Someone changes the configuration after the diff: the import made
	// against it is refused; diffed again, it applies.
	if rec := e.do("PUT", "/AdminAPI/queues/b", `{"parentId": "a", "name": "Returns", "order": 1, "agents": ["ben"]}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	if rec := e.doIfMatch("PUT", "/AdminAPI/config", changed, rev); rec.Code != http.StatusConflict {
		t.Fatalf("import over a stale diff: %d %s, want 409", rec.Code, rec.Body)
	}
	again := e.do("POST", "/AdminAPI/config/diff", changed)
	if !strings.Contains(again.Body.String(), `"queues[b].name"`) {
		t.Errorf("the second diff does not show the other change being undone: %s", again.Body)
	}
	if rec := e.doIfMatch("PUT", "/AdminAPI/config", changed, again.Header().Get("ETag")); rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	if c, b := e.queueName("c"), e.queueName("b"); c != "Technical support" || b != "Refunds" {
		t.Fatalf("after the import: %q, %q", c, b)
	}

	// A document with problems: listed, by queue id, and nothing written.
	bad := strings.Replace(fixture, `"keywords": ["2"]`, `"keywords": ["STOP"]`, 1)
	rec = e.do("POST", "/AdminAPI/config/diff", bad)
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("diff of a bad document: %d %s", rec.Code, rec.Body)
	}
	if len(p.Problems) == 0 || p.Problems[0].Field != "queues[c].keywords[0]" {
		t.Fatalf("problems %+v", p.Problems)
	}
}

func (e *env) queueName(id string) string {
	for _, q := range e.config().Queues {
		if q.ID == id {
			return q.Name
		}
	}
	return ""
}

func TestCannedRoutes(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, method, path, body string
		want                     int
		wantField                string
	}{
		{"create", "PUT", "/AdminAPI/canned/refund", `{"title": "Refund sent", "language": "en", "body": "Hi @{CONSUMER_FIRST_NAME}, @{AGENT} here: your refund is on its way.", "queueIds": ["b"]}`, 200, ""},
		{"an unknown placeholder", "PUT", "/AdminAPI/canned/x", `{"title": "X", "body": "Hi @{NAME}"}`, 400, "body"},
		{"an unknown queue", "PUT", "/AdminAPI/canned/x", `{"title": "X", "body": "Hi", "queueIds": ["nope"]}`, 400, "queueIds[0]"},
		{"no title", "PUT", "/AdminAPI/canned/x", `{"title": "", "body": "Hi"}`, 400, "title"},
		{"the path names another", "PUT", "/AdminAPI/canned/x", `{"id": "y", "title": "X", "body": "Hi"}`, 400, "id"},
		{"delete", "DELETE", "/AdminAPI/canned/refund", "", 204, ""},
		{"delete again", "DELETE", "/AdminAPI/canned/refund", "", 404, ""},
	}
	for _, tc := range cases {
		rec := e.do(tc.method, tc.path, tc.body)
		if rec.Code != tc.want {
			t.Fatalf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.want)
		}
		if tc.wantField != "" {
			if b := decodeError(t, rec); len(b.Problems) == 0 || b.Problems[0].Field != tc.wantField {
				t.Errorf("%s: problems %+v, want %s", tc.name, b.Problems, tc.wantField)
			}
		}
		if tc.name == "create" {
			if got := e.do("GET", "/AdminAPI/canned", ""); !strings.Contains(got.Body.String(), `"refund"`) || got.Header().Get("ETag") != rec.Header().Get("ETag") {
				t.Fatalf("list %s (ETag %s, the save answered %s)", got.Body, got.Header().Get("ETag"), rec.Header().Get("ETag"))
			}
		}
	}

	rec := e.do("POST", "/AdminAPI/canned/preview", `{"title": "T", "body": "Hi @{CONSUMER_FIRST_NAME}, @{AGENT} on @{QUEUE}.", "queueIds": ["b"]}`)
	var p adminapi.CannedPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	if len(p.Texts) != 2 || p.Texts[0].Text != "Hi Maria, Ana on Refunds." || p.Texts[1].Text != "Hi, Ana on Refunds." || p.Texts[0].Segments != 1 {
		t.Fatalf("preview %+v", p.Texts)
	}
}

func TestSettingsPreviewListsEveryMessageWithItsTemplate(t *testing.T) {
	e := newEnv(t)
	rec := e.do("POST", "/AdminAPI/settings/preview", `{"channelEnabled": true, "program": {"name": "Acme"}, "defaultLanguage": "en", "languages": ["en", "es"],
		"messages": {"es": {"waiting": "Espere 😀, @{QUEUE}"}}}`)
	var p adminapi.SettingsPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	if len(p.Kinds) == 0 {
		t.Fatal("no message kinds")
	}
	for _, tx := range p.Texts {
		if tx.Message != "waiting" {
			continue
		}
		switch tx.Language {
		case "es":
			if tx.Source != "settings" || tx.Template != "Espere 😀, @{QUEUE}" || tx.Text != "Espere 😀, Billing" || tx.Encoding != "UCS-2" || !strings.Contains(tx.Builtin, "@{QUEUE}") {
				t.Errorf("es waiting %+v", tx)
			}
		case "en":
			if tx.Source != "built-in" || tx.Template != tx.Builtin || strings.Contains(tx.Text, "@{") {
				t.Errorf("en waiting %+v", tx)
			}
		}
	}
}

func TestAccountRoutesWithoutIdentityPlatform(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/AdminAPI/agents/ana/invite", "/AdminAPI/agents/ana/password-reset"} {
		body := ""
		if strings.HasSuffix(path, "invite") {
			body = `{"role": "agent"}`
		}
		if rec := e.do("POST", path, body); rec.Code != http.StatusNotImplemented {
			t.Errorf("%s: %d %s, want 501", path, rec.Code, rec.Body)
		}
	}
	if rec := e.do("POST", "/AdminAPI/agents/ana/invite", `{}`); rec.Code != http.StatusBadRequest {
		t.Errorf("invite without a role: %d %s, want 400", rec.Code, rec.Body)
	}
	// Deactivating still takes the agent offline.
	rec := e.do("POST", "/AdminAPI/agents/ana/deactivate", "")
	var out adminapi.AgentActivity
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("deactivate: %d %s", rec.Code, rec.Body)
	}
	if out.Agent.Status != "offline" || out.Account != nil {
		t.Fatalf("deactivated %+v", out)
	}
	if rec := e.do("POST", "/AdminAPI/agents/nobody/deactivate", ""); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown agent: %d", rec.Code)
	}
}

// A queue's message preview: its own override, else its parent's, else the
// settings', else the built-in text, each saying whose.
func TestQueueMessagesPreviewInherits(t *testing.T) {
	e := newEnv(t)
	if rec := e.do("PUT", "/AdminAPI/queues/a", `{"parentId": "en", "name": "Billing", "order": 1, "keywords": ["1"], "teams": ["t1"],
		"messages": {"en": {"waiting": "Billing: hold on for @{QUEUE}."}}}`); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	cases := []struct {
		name, body         string
		msg, wantSource    string
		wantFrom, wantText string
	}{
		{"the parent's", `{"parentId": "a", "name": "Refunds", "order": 1, "agents": ["ben"]}`, "waiting", "inherited", "queue a", "Billing: hold on for Refunds."},
		{"its own", `{"parentId": "a", "name": "Refunds", "order": 1, "agents": ["ben"], "messages": {"en": {"waiting": "Refunds take a day."}}}`, "waiting", "queue", "queue a", "Refunds take a day."},
		{"the built-in", `{"parentId": "a", "name": "Refunds", "order": 1, "agents": ["ben"]}`, "chatEnded", "inherited", "built-in", "This chat has ended. Text us any time to start a new one."},
	}
	for _, tc := range cases {
		rec := e.do("POST", "/AdminAPI/queues/b/messages/preview", tc.body)
		var p adminapi.SettingsPreview
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		found := false
		for _, tx := range p.Texts {
			if tx.Language == "en" && tx.Message == tc.msg {
				found = true
				if tx.Source != tc.wantSource || tx.InheritedFrom != tc.wantFrom || tx.Text != tc.wantText {
					t.Errorf("%s: %+v", tc.name, tx)
				}
			}
		}
		if !found {
			t.Errorf("%s: no en %s text", tc.name, tc.msg)
		}
	}
	if got := e.queueName("b"); got != "Refunds" {
		t.Fatalf("the preview wrote: %q", got)
	}
}
