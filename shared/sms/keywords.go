package sms

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Command is an SMS command recognised in a consumer's text.
type Command string

const (
	CommandNone  Command = ""
	CommandStop  Command = "stop"
	CommandStart Command = "start"
	CommandHelp  Command = "help"
	CommandBack  Command = "back"
	CommandExit  Command = "exit"
)

// CustomWords are the configurable navigation words from settings/sms.
// A nil slice means the defaults (DefaultBackWords, DefaultExitWords); an
// empty non-nil slice disables that command.
type CustomWords struct {
	Back []string
	Exit []string
}

// The fixed command words. CTIA lists the STOP keywords; FCC 24-24 makes any
// reasonable opt-out request binding, so common natural-language phrasings and
// the Spanish equivalents carriers honour are included. Entries are written as
// people type them; matching goes through normalizeCommand.
var (
	stopWords = []string{
		"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
		"REVOKE", "OPTOUT", "OPT OUT", "OPT-OUT",
		"stop texting me", "stop texting", "stop messaging me", "stop messaging",
		"stop sending me texts", "stop sending me messages", "stop sending texts",
		"stop sending messages", "stop contacting me", "stop text", "stop texts",
		"leave me alone",
		"dont text me", "don't text me", "do not text me",
		"dont message me", "don't message me", "do not message me",
		"dont contact me", "don't contact me", "do not contact me",
		"remove me", "remove me from your list", "remove me from this list",
		"remove me from the list", "remove my number",
		"take me off", "take me off your list", "take me off this list",
		"take me off the list",
		"unsubscribe me", "no more texts", "no more messages",
		"ALTO", "PARAR", "BAJA", "CANCELAR", "DETENER",
		"no me envíes mensajes", "no me envies mensajes",
		"no me envíen mensajes", "no me envien mensajes",
		"no más mensajes", "no mas mensajes",
	}
	startWords = []string{"START", "YES", "UNSTOP"}
	helpWords  = []string{"HELP", "INFO", "AYUDA"}

	defaultBackWords = []string{"BACK", "ATRAS", "ATRÁS"}
	defaultExitWords = []string{"EXIT", "SALIR"}

	// hintWords are the default navigation words by language, the first of
	// each the one a hint names (ATRAS rather than ATRÁS: Á is not GSM-7,
	// and one letter would make the whole text UCS-2). Every one is also a
	// default word, answered in any language.
	hintWords = map[Command]map[string][]string{
		CommandBack: {"en": {"BACK"}, "es": {"ATRAS", "ATRÁS"}},
		CommandExit: {"en": {"EXIT"}, "es": {"SALIR"}},
	}
)

// fixedCommands maps a normalized body to its command. Built once; read-only.
var fixedCommands = func() map[string]Command {
	m := make(map[string]Command)
	for _, group := range []struct {
		words []string
		cmd   Command
	}{{stopWords, CommandStop}, {startWords, CommandStart}, {helpWords, CommandHelp}} {
		for _, w := range group.words {
			m[normalizeCommand(w)] = group.cmd
		}
	}
	return m
}()

// StopWords returns the opt-out keywords and phrases (a copy).
func StopWords() []string { return slices.Clone(stopWords) }

// StartWords returns the opt-in keywords (a copy).
func StartWords() []string { return slices.Clone(startWords) }

// HelpWords returns the help keywords (a copy).
func HelpWords() []string { return slices.Clone(helpWords) }

// DefaultBackWords returns the BACK words used when CustomWords.Back is nil.
func DefaultBackWords() []string { return slices.Clone(defaultBackWords) }

// DefaultExitWords returns the EXIT words used when CustomWords.Exit is nil.
func DefaultExitWords() []string { return slices.Clone(defaultExitWords) }

// ClassifyCommand matches the whole body, never a word inside it, so "stop by
// tomorrow" or "I need help with my bill" reach the agent as text. Fixed
// commands win over custom words: a misconfigured BACK word must not be able
// to swallow an opt-out.
func ClassifyCommand(body string, custom CustomWords) Command {
	norm := normalizeCommand(body)
	if norm == "" {
		return CommandNone
	}
	if cmd, ok := fixedCommands[norm]; ok {
		return cmd
	}
	// A polite "please stop" or "stop please" is still an opt-out. Only STOP
	// gets this leniency: it is the one command the law says to honour
	// however it is phrased.
	if core, ok := stripPlease(norm); ok && fixedCommands[core] == CommandStop {
		return CommandStop
	}
	if matchesAny(norm, orDefault(custom.Back, defaultBackWords)) {
		return CommandBack
	}
	if matchesAny(norm, orDefault(custom.Exit, defaultExitWords)) {
		return CommandExit
	}
	return CommandNone
}

// IsReservedWord reports whether word is a fixed STOP, START or HELP command,
// compared the way ClassifyCommand compares bodies. AdminAPI uses it to reject
// queue names and menu keywords that consumers could never select.
func IsReservedWord(word string) bool {
	_, ok := fixedCommands[normalizeCommand(word)]
	return ok
}

// HintWord is the word a message in lang tells the consumer to text for a
// navigation command (CommandBack or CommandExit), out of the words that
// answer to it (words; nil means the defaults): the first that is a word of
// that language, else the first; "" when none answers to it. A Spanish menu
// says ATRAS and SALIR, an English one BACK and EXIT.
func HintWord(cmd Command, words []string, lang string) string {
	if words == nil {
		switch cmd {
		case CommandBack:
			words = defaultBackWords
		case CommandExit:
			words = defaultExitWords
		}
	}
	for _, local := range hintWords[cmd][strings.ToLower(lang)] {
		for _, w := range words {
			if n := normalizeCommand(w); n != "" && n == normalizeCommand(local) {
				return strings.ToUpper(strings.TrimSpace(w))
			}
		}
	}
	for _, w := range words {
		if normalizeCommand(w) != "" {
			return strings.ToUpper(strings.TrimSpace(w))
		}
	}
	return ""
}

func orDefault(words, def []string) []string {
	if words == nil {
		return def
	}
	return words
}

func matchesAny(norm string, words []string) bool {
	for _, w := range words {
		if n := normalizeCommand(w); n != "" && n == norm {
			return true
		}
	}
	return false
}

func stripPlease(norm string) (string, bool) {
	if s, ok := strings.CutPrefix(norm, "please "); ok {
		return s, true
	}
	if s, ok := strings.CutSuffix(norm, " please"); ok {
		return s, true
	}
	return "", false
}

// normalizeCommand folds case, accents and compatibility forms ("móvil",
// "MOVIL" and full-width "ＭＯＶＩＬ" are one word: phones add accents, or
// leave them out, as they please), turns typographic apostrophes (which
// phone keyboards insert) into ASCII, drops trailing punctuation and
// surrounding space, and collapses inner whitespace to one space.
func normalizeCommand(s string) string {
	s = fold(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2019', '\u2018', '\u02bc', '`', '\u00b4':
			return '\''
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".!?,;:…¡¿", r)
	})
	// Spanish opens with inverted marks ("¡ALTO!"), so drop those in front too.
	return strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '¡' || r == '¿'
	})
}

// fold folds case and strips accents: compatibility decomposition (NFKD)
// splits "ó" into "o" and a combining mark, which is dropped. A letter's
// case is folded as the lower case of its upper case, before the
// decomposition and again after it, so that a body and its upper- or
// lower-cased self fold alike even for letters whose cases do not pair up
// one to one (ı, ς, the combining iota).
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	s = norm.NFKD.String(strings.Map(foldCase, s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return foldCase(r)
	}, s)
}

func foldCase(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NormalizeWord is how bodies and configured words are compared: case- and
// accent-folded, trimmed of punctuation and extra space. Menu keywords match
// through it too, so "móvil" chooses the keyword MOVIL.
func NormalizeWord(s string) string { return normalizeCommand(s) }
