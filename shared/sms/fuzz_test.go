package sms

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// realTexts are bodies consumers and agents send, the seeds of both fuzz
// targets: commands as people type them, menu replies, sentences that only
// look like commands, Spanish, emoji, and bytes that are not UTF-8.
var realTexts = []string{
	"STOP", "stop", "  Stop!!! \n", "stop…", "StopAll", "opt   out", "Don’t text me.",
	"please stop texting me", "stop please!", "Leave me alone!!", "¡ALTO!", "No me envíes mensajes",
	"no me envi\u0301es mensajes", "NO MÁS MENSAJES", "ＳＴＯＰ", "START", "Yes!", "help?", "¿Ayuda?",
	"back", "Atrás", "atras", "EXIT", "salir", "1", " 2. ", "móvil", "Telefonía móvil", "FACTURACION",
	"stop by tomorrow", "I need help with my bill", "the end of the month", "yes I can make it",
	"Hi, my order is late", "It is order 1234", "Hola, ¿me pueden ayudar con mi factura?",
	"Thanks 👍", "😀😀😀", "Ok\r\nthanks", "€50 [ref] {x}", "a\xffb", "", "?!", "...stop",
	"please", "please help", "İSTANBUL", "ß", "ǅemal", "Ⅻ", "ﬁne", "Ｍóvil",
	// Letters whose cases do not pair up one to one. A scan of every rune
	// for the fuzz target's case property found them ("ınfo" was no command
	// while its upper case "INFO" was HELP); 20 s of fuzzing did not.
	"ınfo", "ͅx", "ςtop",
}

// FuzzClassifyCommand checks the command matcher's promises on any body and
// any configured BACK word: normalising is stable, only the normalised form
// matters (so case, accents, surrounding space and trailing punctuation do
// not), the fixed commands win over a configured word, a configured word
// answers to itself, and the hint word a menu names answers to its command.
func FuzzClassifyCommand(f *testing.F) {
	for i, body := range realTexts {
		f.Add(body, realTexts[(i+7)%len(realTexts)])
	}
	f.Fuzz(func(t *testing.T, body, back string) {
		norm := normalizeCommand(body)
		if again := normalizeCommand(norm); again != norm {
			t.Fatalf("normalizeCommand is not stable: %q → %q → %q", body, norm, again)
		}
		if !utf8.ValidString(body) {
			return // the carriers never deliver invalid UTF-8; only stability matters
		}
		def := ClassifyCommand(body, CustomWords{})
		for _, variant := range []string{norm, strings.ToUpper(body), strings.ToLower(body), "  " + body + " !?"} {
			if got := ClassifyCommand(variant, CustomWords{}); got != def {
				t.Fatalf("ClassifyCommand(%q) = %q but ClassifyCommand(%q) = %q", body, def, variant, got)
			}
		}
		custom := CustomWords{Back: []string{back}}
		got := ClassifyCommand(body, custom)
		switch def {
		case CommandStop, CommandStart, CommandHelp:
			if got != def {
				t.Fatalf("BACK word %q turned the fixed %s command %q into %q", back, def, body, got)
			}
		}
		if normalizeCommand(back) != "" {
			switch own := ClassifyCommand(back, custom); own {
			case CommandBack, CommandStop, CommandStart, CommandHelp:
			default:
				t.Fatalf("BACK word %q does not answer to itself: %q", back, own)
			}
		}
		if hint := HintWord(CommandBack, custom.Back, "es"); hint != "" && !IsReservedWord(back) {
			if own := ClassifyCommand(hint, custom); own != CommandBack && own != CommandStop {
				t.Fatalf("hint %q for BACK word %q classifies as %q", hint, back, own)
			}
		}
	})
}

// FuzzNormalizeNumber checks E.164 normalisation on any input: it never
// panics, what it returns is E.164 or a short code, normalising that again
// returns it unchanged, and every failure matches ErrInvalidNumber.
func FuzzNormalizeNumber(f *testing.F) {
	for _, seed := range []string{
		"+14155550100", "(415) 555-0100", "415.555.0100", "1-415-555-0100", "+44 20 7946 0958", "020 7946 0958",
		"12345", "123456", "", "+", "0", "+0123456789", "+1 415 555 0100 ext. 5", "tel:+14155550100",
		"+1415555010０", "٤١٥٥٥٥٠١٠٠", "+99999999999999999", "\xff+1415", "+52 1 55 1234 5678",
	} {
		f.Add(seed, "US")
		f.Add(seed, "MX")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := NormalizeNumber(raw, region)
		if err != nil {
			if !errors.Is(err, ErrInvalidNumber) {
				t.Fatalf("NormalizeNumber(%q, %q): %v does not match ErrInvalidNumber", raw, region, err)
			}
			return
		}
		if !isE164Syntax(got) && !isShortCode(got) {
			t.Fatalf("NormalizeNumber(%q, %q) = %q, neither E.164 nor a short code", raw, region, got)
		}
		if again, err := NormalizeNumber(got, region); err != nil || again != got {
			t.Fatalf("NormalizeNumber(%q) = %q, then %q, %v", raw, got, again, err)
		}
	})
}
