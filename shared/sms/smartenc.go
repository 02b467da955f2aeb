package sms

import "strings"

// Smart encoding replaces characters outside GSM 03.38 that only look
// special (typographic punctuation a phone or a word processor puts in)
// with their GSM-7 look-alikes, so a text is not sent as UCS-2 (70
// characters a part instead of 160) for a curly quote. Accented letters are
// kept unless transliteration is asked for: "á" is a different letter to a
// Spanish reader, a "’" is not.
//
// The console's composer applies the same tables (functions/console/static/
// smartenc.js); a test checks that both are identical.

// SmartMode says what smart encoding does.
type SmartMode string

const (
	SmartOff           SmartMode = ""
	SmartLookalikes    SmartMode = "lookalikes"    // punctuation and spaces only
	SmartTransliterate SmartMode = "transliterate" // and accented letters outside GSM-7
)

// Valid reports whether m is a known mode.
func (m SmartMode) Valid() bool {
	return m == SmartOff || m == SmartLookalikes || m == SmartTransliterate
}

// replacement is one character and what replaces it. The tables are
// constant data (no package initialisation: TwilioInbound links this
// package).
type replacement struct {
	from rune
	to   string
}

var lookalikes = [...]replacement{
	{'\u2026', "..."}, // … horizontal ellipsis
	{'\u2018', "'"},   // ‘
	{'\u2019', "'"},   // ’
	{'\u201A', "'"},   // ‚
	{'\u201B', "'"},   // ‛
	{'\u2032', "'"},   // ′ prime
	{'\u00B4', "'"},   // ´ acute accent
	{'\u0060', "'"},   // ` grave accent (not in GSM-7)
	{'\u201C', "\""},  // “
	{'\u201D', "\""},  // ”
	{'\u201E', "\""},  // „
	{'\u201F', "\""},  // ‟
	{'\u2033', "\""},  // ″ double prime
	{'\u00AB', "\""},  // «
	{'\u00BB', "\""},  // »
	{'\u2039', "'"},   // ‹
	{'\u203A', "'"},   // ›
	{'\u2010', "-"},   // ‐ hyphen
	{'\u2011', "-"},   // ‑ non-breaking hyphen
	{'\u2012', "-"},   // ‒ figure dash
	{'\u2013', "-"},   // – en dash
	{'\u2014', "-"},   // — em dash
	{'\u2015', "-"},   // ― horizontal bar
	{'\u2212', "-"},   // − minus sign
	{'\u00A0', " "},   // no-break space
	{'\u2002', " "},   // en space
	{'\u2003', " "},   // em space
	{'\u2007', " "},   // figure space
	{'\u2008', " "},   // punctuation space
	{'\u2009', " "},   // thin space
	{'\u200A', " "},   // hair space
	{'\u202F', " "},   // narrow no-break space
	{'\u200B', ""},    // zero-width space
	{'\u2060', ""},    // word joiner
	{'\uFEFF', ""},    // zero-width no-break space (BOM)
	{'\u00AD', ""},    // soft hyphen
	{'\u2022', "*"},   // • bullet
	{'\u00B7', "."},   // · middle dot
	{'\u2122', "TM"},  // ™
	{'\u00A9', "(C)"}, // ©
	{'\u00AE', "(R)"}, // ®
}

// transliterations are the accented letters outside GSM-7 as their base
// letter (those GSM-7 has, such as é, ñ, ü, à, stay).
var transliterations = [...]replacement{
	{'á', "a"}, {'â', "a"}, {'ã', "a"}, {'ā', "a"}, {'ą', "a"},
	{'Á', "A"}, {'Â', "A"}, {'Ã', "A"}, {'À', "A"}, {'Ā', "A"}, {'Ą', "A"},
	{'ç', "c"}, {'ć', "c"}, {'č', "c"}, {'Ć', "C"}, {'Č', "C"},
	{'ê', "e"}, {'ë', "e"}, {'ē', "e"}, {'ę', "e"}, {'ě', "e"},
	{'Ê', "E"}, {'Ë', "E"}, {'È', "E"}, {'Ē', "E"}, {'Ę', "E"}, {'Ě', "E"},
	{'í', "i"}, {'î', "i"}, {'ï', "i"}, {'ī', "i"},
	{'Í', "I"}, {'Î', "I"}, {'Ï', "I"}, {'Ì', "I"}, {'Ī', "I"},
	{'ł', "l"}, {'Ł', "L"}, {'ń', "n"}, {'ň', "n"}, {'Ń', "N"}, {'Ň', "N"},
	{'ó', "o"}, {'ô', "o"}, {'õ', "o"}, {'ō', "o"}, {'ő', "o"},
	{'Ó', "O"}, {'Ô', "O"}, {'Õ', "O"}, {'Ò', "O"}, {'Ō', "O"}, {'Ő', "O"},
	{'ř', "r"}, {'Ř', "R"}, {'ś', "s"}, {'š', "s"}, {'Ś', "S"}, {'Š', "S"},
	{'ú', "u"}, {'û', "u"}, {'ū', "u"}, {'ů', "u"}, {'ű', "u"},
	{'Ú', "U"}, {'Û', "U"}, {'Ù', "U"}, {'Ū', "U"}, {'Ů', "U"}, {'Ű', "U"},
	{'ý', "y"}, {'ÿ', "y"}, {'Ý', "Y"}, {'ź', "z"}, {'ż', "z"}, {'ž', "z"}, {'Ź', "Z"}, {'Ż', "Z"}, {'Ž', "Z"},
}

func lookup(table []replacement, r rune) (string, bool) {
	for _, x := range table {
		if x.from == r {
			return x.to, true
		}
	}
	return "", false
}

// SmartEncode applies mode to body. A body that is already GSM-7 comes back
// unchanged, so a message is never altered for nothing.
func SmartEncode(body string, mode SmartMode) string {
	if mode == SmartOff || Measure(body).Encoding == GSM7 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for _, r := range body {
		if to, ok := lookup(lookalikes[:], r); ok {
			b.WriteString(to)
			continue
		}
		if mode == SmartTransliterate {
			if to, ok := lookup(transliterations[:], r); ok {
				b.WriteString(to)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
