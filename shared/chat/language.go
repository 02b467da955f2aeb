package chat

import "github.com/smsdesk/smsdesk/shared/sms"

// LanguageDetector tells the language of a text among langs, with its
// confidence and whether that decides (shared/chat/langdetect, which only
// RouteInbound links: its models are large).
type LanguageDetector interface {
	Detect(text string, langs []string) (lang string, confidence float64, ok bool)
}

// EventLanguageDetected records a first text's detected language: Detected,
// Confidence, and Decided when the chat skipped its language menu.
const EventLanguageDetected EventType = "chat.language"

// detectLanguage skips the language menu of a number without a fixed
// language whose entry queue has one child per language, when the first
// text (not a command, not a menu reply) tells its language confidently.
func (ch *Change) detectLanguage(d LanguageDetector, n Number, cmd sms.Command, body string) {
	c := &ch.Chat
	if d == nil || n.Language != "" || cmd != sms.CommandNone || c.QueueID != n.EntryQueue {
		return
	}
	opts := ch.Tree.Menu(c.QueueID)
	byLang := map[string]Queue{}
	var langs []string
	for _, o := range opts {
		l := o.Queue.Language
		if l == "" || byLang[l].ID != "" {
			return // not a language menu
		}
		byLang[l], langs = o.Queue, append(langs, l)
	}
	if _, chosen := Choose(opts, body); chosen || len(langs) < 2 {
		return
	}
	lang, confidence, ok := d.Detect(body, langs)
	if ok {
		c.QueueID, c.Language = byLang[lang].ID, lang
	}
	ch.event(EventLanguageDetected, Transfer{})
	ev := &ch.Events[len(ch.Events)-1]
	ev.Detected, ev.Confidence, ev.Decided = lang, confidence, ok
	ch.Chat.Unpublished[len(ch.Chat.Unpublished)-1] = *ev
}
