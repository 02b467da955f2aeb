// Package canned holds what agents' prepared replies (chat.Canned) do:
// which chats a reply fits, its validation, and rendering its placeholders
// for the chat it is sent in.
package canned

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// Placeholders are the placeholders a canned message may use.
var Placeholders = []string{chat.PlaceholderAgent, chat.PlaceholderConsumerFirstName, chat.PlaceholderQueue}

// MaxTitle bounds a canned message's title, which the console shows
// in a picker.
const MaxTitle = 100

var placeholderPattern = regexp.MustCompile(`@\{([A-Za-z0-9_]+)\}`)

// VarsFor are the placeholder values of a canned reply sent by agent in
// a chat waiting in or held for queue. consumerFirstName may be empty.
func VarsFor(agent chat.Agent, queue chat.Queue, consumerFirstName string) chat.Vars {
	return chat.Vars{
		chat.PlaceholderAgent:             chat.FirstName(agent.Name),
		chat.PlaceholderQueue:             queue.Name,
		chat.PlaceholderConsumerFirstName: chat.FirstName(consumerFirstName),
	}
}

// Fits reports whether the canned message is meant for a chat in a
// language and a queue of tree (its own or an ancestor's queue listed).
func Fits(c chat.Canned, lang, queueID string, tree *chat.Tree) bool {
	if c.Language != "" && !strings.EqualFold(c.Language, lang) {
		return false
	}
	if len(c.QueueIDs) == 0 {
		return true
	}
	if tree == nil {
		return slices.Contains(c.QueueIDs, queueID)
	}
	for _, q := range tree.Ancestry(queueID) {
		if slices.Contains(c.QueueIDs, q.ID) {
			return true
		}
	}
	return false
}

// Validate checks a canned message on its own: its id, a title and a body,
// a body within the carrier limit whose placeholders are all known, a
// language code, and queue ids that knownQueue accepts (nil accepts every
// id). chat.Problems are named by the JSON member.
func Validate(c chat.Canned, knownQueue func(id string) bool) error {
	var p chat.Problems
	if !chat.IDPattern.MatchString(c.ID) {
		p.Add("id", "%q is not a valid id (letters, digits, '-', '_', '.'; up to 100)", c.ID)
	}
	switch title := strings.TrimSpace(c.Title); {
	case title == "":
		p.Add("title", "a canned message needs a title")
	case utf8.RuneCountInString(title) > MaxTitle:
		p.Add("title", "is %d characters; the limit is %d", utf8.RuneCountInString(title), MaxTitle)
	}
	if strings.TrimSpace(c.Body) == "" {
		p.Add("body", "a canned message needs a body")
	} else if err := sms.CheckBody(c.Body); err != nil {
		p.Add("body", "%v", err)
	}
	for _, m := range placeholderPattern.FindAllStringSubmatch(c.Body, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			p.Add("body", "unknown placeholder %s; use @{%s}", m[0], strings.Join(Placeholders, "}, @{"))
		}
	}
	if c.Language != "" && !chat.LanguagePattern.MatchString(c.Language) {
		p.Add("language", "%q is not a language code such as en or es", c.Language)
	}
	seen := map[string]bool{}
	for i, q := range c.QueueIDs {
		field := fmt.Sprintf("queueIds[%d]", i)
		switch {
		case seen[q]:
			p.Add(field, "queue %q is listed twice", q)
		case knownQueue != nil && !knownQueue(q):
			p.Add(field, "unknown queue %q", q)
		}
		seen[q] = true
	}
	return p.Err()
}

// Render fills a canned message's placeholders with vars. A placeholder
// whose value is empty (the consumer's first name before a CRM knows it)
// is left out together with the gap it leaves: "Hi @{CONSUMER_FIRST_NAME},
// thanks" becomes "Hi, thanks", "Hello @{CONSUMER_FIRST_NAME}!" becomes
// "Hello!", "Thanks @{CONSUMER_FIRST_NAME} for waiting" becomes "Thanks for
// waiting", and a line that starts with it ("@{CONSUMER_FIRST_NAME}, your
// order shipped") starts with the next word, capitalised ("Your order
// shipped"). Text the author wrote around other placeholders is kept as it
// is; an unknown placeholder (which Validate refuses) is kept verbatim.
func Render(c chat.Canned, vars chat.Vars) string {
	body := c.Body
	var out string
	rest := 0
	for _, m := range placeholderPattern.FindAllStringSubmatchIndex(body, -1) {
		if m[0] < rest {
			continue // inside text a tidy step already consumed
		}
		out += body[rest:m[0]]
		name, whole := body[m[2]:m[3]], body[m[0]:m[1]]
		rest = m[1]
		if !slices.Contains(Placeholders, name) {
			out += whole
			continue
		}
		if v := strings.TrimSpace(vars[name]); v != "" {
			out += v
			continue
		}
		out, rest = closeGap(out, body, rest)
	}
	return strings.TrimSpace(out + body[rest:])
}

// closeGap removes the gap an empty placeholder leaves between out (the
// text rendered before it) and body[rest:] (the template after it), and
// returns both with the gap closed.
func closeGap(out, body string, rest int) (string, int) {
	trimmed := strings.TrimRight(out, " \t")
	spaceBefore := len(trimmed) < len(out)
	lineStart := trimmed == "" || strings.HasSuffix(trimmed, "\n")
	after := strings.TrimLeft(body[rest:], " \t")
	spaceAfter := len(after) < len(body[rest:])
	rest = len(body) - len(after)
	next, _ := utf8.DecodeRuneInString(after)
	switch {
	case after == "" || next == '\n' || next == '\r':
		return trimmed, rest
	case strings.ContainsRune(",;:.!?", next):
		if !lineStart {
			return trimmed, rest // "Hi ," → "Hi,"
		}
		// "@{X}, your order" at the start of a line: the punctuation only
		// separated the name from the sentence.
		after = strings.TrimLeft(after[1:], " \t")
		return capitalize(trimmed, body, len(body)-len(after))
	case lineStart:
		return capitalize(trimmed, body, rest)
	case spaceBefore || spaceAfter:
		return trimmed + " ", rest
	}
	return trimmed, rest
}

// capitalize upper-cases the letter at body[rest:] that now starts a line,
// appending it to out. A letter whose capital is not GSM-7 while it is
// (à, è, ì, ò, ù) stays as written: one such capital would make the whole
// text UCS-2.
func capitalize(out, body string, rest int) (string, int) {
	r, size := utf8.DecodeRuneInString(body[rest:])
	if size == 0 || !unicode.IsLower(r) {
		return out, rest
	}
	up := unicode.ToUpper(r)
	if sms.Measure(string(r)).Encoding == sms.GSM7 && sms.Measure(string(up)).Encoding != sms.GSM7 {
		return out, rest
	}
	return out + string(up), rest + size
}
