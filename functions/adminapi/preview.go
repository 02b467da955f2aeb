package adminapi

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/texts"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// Previews: what a consumer receives, rendered by the code that sends it
// (chat.Tree.MenuText, the system messages), so the admin pages cannot show
// one text while routing sends another.

// MenuPreview answers GET /queues/{id}/preview: what a consumer who reaches
// the queue is sent.
type MenuPreview struct {
	QueueID string `json:"queueId"`
	// Kind is "menu" (two or more visible children: the consumer is asked
	// to choose), "pass-through" (one: routing goes on to it, sending
	// nothing) or "leaf" (none: the chat waits for an agent).
	Kind string `json:"kind"`
	// Language is the language the queue or an ancestor sets for chats
	// entering it; "" when the number's language holds.
	Language string `json:"language,omitempty"`
	// Options are the menu's choices in menu order.
	Options []MenuChoice `json:"options"`
	// Texts are the menu as sent, one per language: the one asked for
	// (lang), else the queue's language, else every configured language.
	// Empty unless Kind is "menu".
	Texts []PreviewText `json:"texts"`
}

// MenuChoice is one option of a menu.
type MenuChoice struct {
	// Key is what the menu tells the consumer to text.
	Key     string `json:"key"`
	QueueID string `json:"queueId"`
	Name    string `json:"name"`
}

// PreviewText is one text as sent, with what it costs on the wire.
type PreviewText struct {
	Language string `json:"language"`
	// Message names the system message (settings previews).
	Message string `json:"message,omitempty"`
	Text    string `json:"text"`
	// Encoding is GSM-7 or UCS-2 (a character outside GSM 03.38).
	Encoding string `json:"encoding"`
	// Characters, Units and Segments are as sms.Measure counts them:
	// code points, septets or UTF-16 units, and the parts a carrier bills.
	Characters int `json:"characters"`
	Units      int `json:"units"`
	Segments   int `json:"segments"`
	// Template is the system message before its placeholders are filled,
	// Source where it comes from ("settings" when the settings override
	// it, else "built-in"), and Builtin the built-in text of the language
	// (English when the language has none), what an override replaces.
	// Settings previews only.
	Template string `json:"template,omitempty"`
	Source   string `json:"source,omitempty"`
	Builtin  string `json:"builtin,omitempty"`
	// Case says which sample chat a canned message preview is rendered for.
	Case string `json:"case,omitempty"`
	// Inherited is the template the message would have without the
	// override being edited (the settings' or a parent queue's, else the
	// built-in one), and InheritedFrom says whose: "built-in", "settings"
	// or "queue <id>". Message previews only.
	Inherited     string `json:"inherited,omitempty"`
	InheritedFrom string `json:"inheritedFrom,omitempty"`
}

func measured(lang, msg, text string) PreviewText {
	m := sms.Measure(text)
	return PreviewText{Language: lang, Message: msg, Text: text,
		Encoding: string(m.Encoding), Characters: m.Characters, Units: m.Units, Segments: m.Segments}
}

func (s *server) previewMenu(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Config(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	tree := chat.NewTree(c.Settings, c.Queues, c.Teams)
	if _, ok := tree.Queue(id); !ok {
		httpapi.WriteError(w, http.StatusNotFound, "queue "+id+" does not exist", []chat.FieldError{{Field: "id", Message: "no such queue"}})
		return
	}
	out := MenuPreview{QueueID: id, Language: tree.Language(id), Options: []MenuChoice{}, Texts: []PreviewText{}}
	menu := tree.Menu(id)
	for _, o := range menu {
		out.Options = append(out.Options, MenuChoice{Key: o.Key, QueueID: o.Queue.ID, Name: o.Queue.Name})
	}
	switch len(menu) {
	case 0:
		out.Kind = "leaf"
	case 1:
		out.Kind = "pass-through"
	default:
		out.Kind = "menu"
		langs := languages(c.Settings)
		switch lang := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("lang"))); {
		case lang != "":
			langs = []string{lang}
		case out.Language != "":
			langs = []string{out.Language}
		}
		for _, lang := range langs {
			out.Texts = append(out.Texts, measured(lang, "", tree.MenuText(id, lang)))
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// SettingsPreview answers POST /settings/preview: every system message in
// every language of the settings posted (saved or not), with sample values
// for the chat's own placeholders.
type SettingsPreview struct {
	Texts []PreviewText `json:"texts"`
	// Samples are the values the placeholders were given.
	Samples map[string]string `json:"samples"`
	// Kinds are the system messages with what each is for and the
	// placeholders it is filled with.
	Kinds []admin.MessageKind `json:"kinds"`
}

// previewSamples stand in for a chat's own values.
var previewSamples = chat.Vars{
	"AGENT": "Ana", "QUEUE": "Billing", "KEY": "1", "CHOICE": "9", "NEXT_REOPEN_HOUR": "Monday 9:00 AM",
}

func (s *server) previewSettings(w http.ResponseWriter, r *http.Request) {
	var in chat.Settings
	if !bodies.Decode(w, r, "Settings", &in) {
		return
	}
	tree := chat.NewTree(in, nil, nil)
	out := SettingsPreview{Texts: []PreviewText{}, Samples: map[string]string{}, Kinds: admin.MessageKinds()}
	for k, v := range previewSamples {
		out.Samples[k] = v
	}
	for _, lang := range languages(in) {
		vars := chat.Vars{"BACK": in.BackWordIn(lang), "EXIT": in.ExitWordIn(lang)}
		for k, v := range previewSamples {
			vars[k] = v
		}
		for _, m := range chat.SystemMessages {
			t := measured(lang, string(m), tree.Text("", lang, m, vars))
			t.Builtin = cmp.Or(texts.Builtin(lang, string(m)), texts.Builtin("en", string(m)))
			t.Template, t.Source = t.Builtin, "built-in"
			t.Inherited, t.InheritedFrom = t.Builtin, "built-in"
			if o := in.Messages[lang][string(m)]; o != "" {
				t.Template, t.Source = o, "settings"
			}
			out.Texts = append(out.Texts, t)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// languages are the settings' languages, the default first.
func languages(st chat.Settings) []string {
	var out []string
	for _, l := range append([]string{st.DefaultLanguage}, st.Languages...) {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{"en"}
	}
	return out
}

// previewQueueMessages answers POST /queues/{id}/messages/preview: every
// system message as a chat in the queue posted (saved or not) would get it,
// its own overrides first, then its parents', the settings' and the
// built-in texts, with what it would inherit without its own.
func (s *server) previewQueueMessages(w http.ResponseWriter, r *http.Request) {
	var in chat.Queue
	if !bodies.Decode(w, r, "Queue", &in) {
		return
	}
	if !matchID(w, "id", r.PathValue("id"), &in.ID, nil) {
		return
	}
	c, err := s.app.Config(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	queues := slices.DeleteFunc(slices.Clone(c.Queues), func(q chat.Queue) bool { return q.ID == in.ID })
	queues = append(queues, in)
	tree := chat.NewTree(c.Settings, queues, c.Teams)
	byID := map[string]chat.Queue{}
	for _, q := range queues {
		byID[q.ID] = q
	}
	out := SettingsPreview{Texts: []PreviewText{}, Samples: map[string]string{}, Kinds: admin.MessageKinds()}
	for k, v := range previewSamples {
		out.Samples[k] = v
	}
	out.Samples["QUEUE"] = cmp.Or(in.Name, in.ID)
	for _, lang := range languages(c.Settings) {
		vars := chat.Vars{"BACK": c.Settings.BackWordIn(lang), "EXIT": c.Settings.ExitWordIn(lang)}
		for k, v := range out.Samples {
			vars[k] = v
		}
		for _, m := range chat.SystemMessages {
			t := measured(lang, string(m), tree.Text(in.ID, lang, m, vars))
			t.Builtin = cmp.Or(texts.Builtin(lang, string(m)), texts.Builtin("en", string(m)))
			t.Inherited, t.InheritedFrom = inheritedTemplate(c.Settings, byID, in.ParentID, lang, string(m), t.Builtin)
			t.Template, t.Source = t.Inherited, "inherited"
			if o := in.Messages[lang][string(m)]; o != "" {
				t.Template, t.Source = o, "queue"
			}
			out.Texts = append(out.Texts, t)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// inheritedTemplate is the template a queue under parent inherits, and
// from whom: the nearest ancestor overriding it, the settings, the
// built-in text (as chat.Tree.Text looks them up).
func inheritedTemplate(st chat.Settings, queues map[string]chat.Queue, parent, lang, msg, builtin string) (string, string) {
	lang = strings.ToLower(lang)
	for id, seen := parent, map[string]bool{}; id != "" && !seen[id]; {
		seen[id] = true
		q, ok := queues[id]
		if !ok {
			break
		}
		if o := q.Messages[lang][msg]; o != "" {
			return o, "queue " + q.ID
		}
		id = q.ParentID
	}
	if o := st.Messages[lang][msg]; o != "" {
		return o, "settings"
	}
	return builtin, "built-in"
}
