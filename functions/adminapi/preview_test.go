package adminapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// twoLanguages is a tree choosing the language first: the root asks in
// every language, each language's menu in its own.
const twoLanguages = `{
  "settings": {"channelEnabled": true, "program": {"name": "Acme"}, "defaultLanguage": "en", "languages": ["en", "es"]},
  "numbers": [{"e164": "+14155550101", "provider": "twilio", "entryQueue": "root", "enabled": true}],
  "queues": [
    {"id": "root", "name": "Welcome"},
    {"id": "en", "parentId": "root", "name": "English", "order": 1, "keywords": ["1"], "language": "en"},
    {"id": "es", "parentId": "root", "name": "Español", "order": 2, "keywords": ["2"], "language": "es"},
    {"id": "en-billing", "parentId": "en", "name": "Billing", "order": 1},
    {"id": "en-tech", "parentId": "en", "name": "Tech", "order": 2, "hidden": true},
    {"id": "es-billing", "parentId": "es", "name": "Facturación", "order": 1, "keywords": ["F"]},
    {"id": "es-tech", "parentId": "es", "name": "Técnico", "order": 2, "keywords": ["T"]}
  ],
  "teams": [], "agents": []
}`

func decodePreview(t *testing.T, rec *httptest.ResponseRecorder) adminapi.MenuPreview {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	var p adminapi.MenuPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The preview is what routing sends: chat.Tree.MenuText on the stored
// tree, in the languages a consumer there can have, measured as the
// carrier counts it.
func TestMenuPreviewIsWhatRoutingSends(t *testing.T) {
	e := newEnv(t)
	if rec := e.do("PUT", "/AdminAPI/config", twoLanguages); rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	c := e.config()
	tree := chat.NewTree(c.Settings, c.Queues, c.Teams)
	text := func(lang, queue, want string) adminapi.PreviewText {
		got := tree.MenuText(queue, lang)
		if !strings.Contains(got, want) {
			t.Fatalf("MenuText(%s, %s) = %q, lacks %q: the fixture is not what the test thinks", queue, lang, got, want)
		}
		m := sms.Measure(got)
		return adminapi.PreviewText{Language: lang, Text: got, Encoding: string(m.Encoding), Characters: m.Characters, Units: m.Units, Segments: m.Segments}
	}
	tests := []struct {
		name, path string
		want       adminapi.MenuPreview
	}{
		{"the root asks in every language", "/AdminAPI/queues/root/preview", adminapi.MenuPreview{
			QueueID: "root", Kind: "menu",
			Options: []adminapi.MenuChoice{{Key: "1", QueueID: "en", Name: "English"}, {Key: "2", QueueID: "es", Name: "Español"}},
			Texts:   []adminapi.PreviewText{text("en", "root", "English"), text("es", "root", "Español")},
		}},
		{"one language asked for", "/AdminAPI/queues/root/preview?lang=ES", adminapi.MenuPreview{
			QueueID: "root", Kind: "menu",
			Options: []adminapi.MenuChoice{{Key: "1", QueueID: "en", Name: "English"}, {Key: "2", QueueID: "es", Name: "Español"}},
			Texts:   []adminapi.PreviewText{text("es", "root", "Español")},
		}},
		{"a queue setting its language is previewed in it", "/AdminAPI/queues/es/preview", adminapi.MenuPreview{
			QueueID: "es", Kind: "menu", Language: "es",
			Options: []adminapi.MenuChoice{{Key: "F", QueueID: "es-billing", Name: "Facturación"}, {Key: "T", QueueID: "es-tech", Name: "Técnico"}},
			Texts:   []adminapi.PreviewText{text("es", "es", "Facturación")},
		}},
		{"a hidden child leaves one: routing passes through", "/AdminAPI/queues/en/preview", adminapi.MenuPreview{
			QueueID: "en", Kind: "pass-through", Language: "en",
			Options: []adminapi.MenuChoice{{Key: "1", QueueID: "en-billing", Name: "Billing"}},
			Texts:   []adminapi.PreviewText{},
		}},
		{"a leaf sends no menu", "/AdminAPI/queues/es-tech/preview", adminapi.MenuPreview{
			QueueID: "es-tech", Kind: "leaf", Language: "es", Options: []adminapi.MenuChoice{}, Texts: []adminapi.PreviewText{},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodePreview(t, e.do("GET", tc.path, ""))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
		})
	}
	// "ó" is outside GSM 03.38: the page must be able to say the menu costs
	// UCS-2, while "ñ" and "é" are GSM-7.
	if got := decodePreview(t, e.do("GET", "/AdminAPI/queues/es/preview", "")); got.Texts[0].Encoding != string(sms.UCS2) {
		t.Errorf("the menu naming Facturación is %s, want UCS-2", got.Texts[0].Encoding)
	}
	if got := decodePreview(t, e.do("GET", "/AdminAPI/queues/root/preview?lang=en", "")); got.Texts[0].Encoding != string(sms.GSM7) {
		t.Errorf("the root menu naming Español is %s, want GSM-7", got.Texts[0].Encoding)
	}
	if rec := e.do("GET", "/AdminAPI/queues/nope/preview", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown queue: %d %s, want 404", rec.Code, rec.Body)
	}
}

// The settings preview renders the posted (unsaved) settings' messages in
// each of their languages and saves nothing.
func TestSettingsPreviewRendersUnsavedSettings(t *testing.T) {
	e := newEnv(t)
	before := e.config()
	body := `{"channelEnabled": true, "program": {"name": "Zeta Care", "frequency": "2 msgs/week", "helpContact": "zeta.example/help"},
		"defaultLanguage": "en", "languages": ["en", "es"]}`
	rec := e.do("POST", "/AdminAPI/settings/preview", body)
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	var p adminapi.SettingsPreview
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	var st chat.Settings
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, tx := range p.Texts {
		found[tx.Language+"/"+tx.Message] = true
		if tx.Message == string(chat.MsgOptIn) {
			if want := st.Text(tx.Language, chat.MsgOptIn); tx.Text != want {
				t.Errorf("%s opt-in %q, want %q", tx.Language, tx.Text, want)
			}
			if m := sms.Measure(tx.Text); tx.Segments != m.Segments || tx.Encoding != string(m.Encoding) {
				t.Errorf("%s opt-in measured %s/%d, want %s/%d", tx.Language, tx.Encoding, tx.Segments, m.Encoding, m.Segments)
			}
		}
		if strings.Contains(tx.Text, "@{AGENT}") || strings.Contains(tx.Text, "@{PROGRAM}") {
			t.Errorf("%s %s leaves a placeholder: %q", tx.Language, tx.Message, tx.Text)
		}
	}
	for _, lang := range []string{"en", "es"} {
		for _, m := range chat.SystemMessages {
			if !found[lang+"/"+string(m)] {
				t.Errorf("no %s preview of %s", lang, m)
			}
		}
	}
	if diff := cmp.Diff(before, e.config()); diff != "" {
		t.Errorf("the preview changed the configuration:\n%s", diff)
	}
	if rec := e.do("POST", "/AdminAPI/settings/preview", `{"channelEnabled": true, "colour": "red"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown member: %d, want 400", rec.Code)
	}
}
