// Package search indexes a chat for the console's search and keeps its
// inbox preview. Every change that writes messages passes the chat through
// Index (conversation's write), which keeps on the chat document the
// latest consumer or agent text (the inbox's preview), how many texts the
// consumer sent (the inbox's unread count), and a bounded array of search
// tokens: the consumer's number in the forms people type and the prefixes
// of the words of the chat's texts. A search is then one Firestore
// array-contains query per visibility bound (store: SearchChats), never a
// scan of chats or messages.
package search

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Limits of the index: a chat document stays far below Firestore's 1 MiB
// and its index entries below 40,000.
const (
	// MaxTokens bounds a chat's tokens; the oldest words go first.
	MaxTokens = 600
	// MinPrefix and MaxPrefix bound the word prefixes indexed: a search
	// needs at least MinPrefix characters and reads at most MaxPrefix.
	MinPrefix = 3
	MaxPrefix = 12
	// MaxPreview bounds the preview, in characters.
	MaxPreview = 120
)

// Index updates c's preview, inbound count and tokens with msgs, the
// messages a change adds.
func Index(c *chat.Chat, msgs []chat.Message) {
	tokens := c.SearchTokens
	if len(tokens) == 0 {
		tokens = NumberTokens(c.Consumer)
	}
	for _, m := range msgs {
		if m.Author != chat.AuthorConsumer && m.Author != chat.AuthorAgent {
			continue // system texts are the same in every chat
		}
		if m.Author == chat.AuthorConsumer {
			c.Inbound++
		}
		body := strings.TrimSpace(m.Body)
		if body == "" && len(m.Media) > 0 {
			body = "[image]"
		}
		if body == "" {
			continue
		}
		c.LastBody, c.LastAuthor, c.LastAt = clip(body, MaxPreview), m.Author, m.CreatedAt
		for _, w := range Words(m.Body) {
			for _, p := range prefixes(w) {
				if !slices.Contains(tokens, p) {
					tokens = append(tokens, p)
				}
			}
		}
	}
	if over := len(tokens) - MaxTokens; over > 0 {
		// The number's tokens stay; the oldest words make room.
		keep := len(NumberTokens(c.Consumer))
		tokens = slices.Delete(tokens, keep, min(keep+over, len(tokens)))
	}
	c.SearchTokens = tokens
}

// NumberTokens are the forms a consumer's number is searched by: every
// digit, and the last 4, 7 and 10 digits.
func NumberTokens(e164 string) []string {
	d := digits(e164)
	if d == "" {
		return nil
	}
	out := []string{d}
	for _, n := range []int{10, 7, 4} {
		if len(d) > n && !slices.Contains(out, d[len(d)-n:]) {
			out = append(out, d[len(d)-n:])
		}
	}
	return out
}

// Query is what a typed search looks for: the token to query (the longest
// term, the most selective) and every term a result must also contain.
// ok is false when nothing searchable was typed (a word shorter than
// MinPrefix, fewer than 4 digits).
func Query(text string) (token string, terms []string, ok bool) {
	if d := digits(text); len(d) >= 4 && strings.Trim(text, "0123456789 +()-.") == "" {
		// A number ("+1 415 555 0181", "0181"): its digits, as indexed
		// (NumberTokens: all of them, or the last 4, 7 or 10).
		return d, []string{d}, true
	}
	for _, w := range Words(text) {
		if len([]rune(w)) < MinPrefix {
			continue
		}
		if r := []rune(w); len(r) > MaxPrefix {
			w = string(r[:MaxPrefix])
		}
		if !slices.Contains(terms, w) {
			terms = append(terms, w)
		}
	}
	if len(terms) == 0 {
		return "", nil, false
	}
	token = slices.MaxFunc(terms, func(a, b string) int { return len([]rune(a)) - len([]rune(b)) })
	return token, terms, true
}

// Matches reports whether a chat's tokens hold every term.
func Matches(c chat.Chat, terms []string) bool {
	for _, t := range terms {
		if !slices.Contains(c.SearchTokens, t) {
			return false
		}
	}
	return true
}

// Words are the words of a text, lowercase and without accents
// ("Reembolsó" → "reembolso").
func Words(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Fields(b.String())
}

func prefixes(w string) []string {
	r := []rune(w)
	if len(r) < MinPrefix {
		return nil
	}
	var out []string
	for n := MinPrefix; n <= len(r) && n <= MaxPrefix; n++ {
		out = append(out, string(r[:n]))
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
