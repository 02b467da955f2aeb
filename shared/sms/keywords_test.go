package sms

import (
	"strings"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	defaults := CustomWords{}
	tests := []struct {
		name   string
		body   string
		custom CustomWords
		want   Command
	}{
		{"STOP", "STOP", defaults, CommandStop},
		{"lowercase stop", "stop", defaults, CommandStop},
		{"stop with space and punctuation", "  Stop!!! \n", defaults, CommandStop},
		{"stop ellipsis", "stop…", defaults, CommandStop},
		{"STOPALL", "StopAll", defaults, CommandStop},
		{"UNSUBSCRIBE", "unsubscribe.", defaults, CommandStop},
		{"CANCEL", "Cancel", defaults, CommandStop},
		{"END", "end", defaults, CommandStop},
		{"QUIT", "QUIT", defaults, CommandStop},
		{"REVOKE", "revoke", defaults, CommandStop},
		{"OPTOUT", "optout", defaults, CommandStop},
		{"OPT OUT with extra space", "opt   out", defaults, CommandStop},
		{"OPT-OUT", "Opt-Out", defaults, CommandStop},
		{"natural stop texting me", "Stop texting me", defaults, CommandStop},
		{"natural stop messaging me", "stop messaging me!", defaults, CommandStop},
		{"natural stop sending me texts", "STOP SENDING ME TEXTS", defaults, CommandStop},
		{"leave me alone", "Leave me alone!!", defaults, CommandStop},
		{"dont text me", "dont text me", defaults, CommandStop},
		{"don't text me ASCII apostrophe", "don't text me", defaults, CommandStop},
		{"don’t text me typographic apostrophe", "Don’t text me.", defaults, CommandStop},
		{"do not text me", "Do not text me", defaults, CommandStop},
		{"do not contact me", "do not contact me", defaults, CommandStop},
		{"remove me", "Remove me", defaults, CommandStop},
		{"remove me from your list", "remove me from your list", defaults, CommandStop},
		{"take me off your list", "Take me off your list.", defaults, CommandStop},
		{"unsubscribe me", "unsubscribe me", defaults, CommandStop},
		{"no more texts", "No more texts", defaults, CommandStop},
		{"no more messages", "no more messages!", defaults, CommandStop},
		{"please stop", "Please stop", defaults, CommandStop},
		{"stop please", "stop please!", defaults, CommandStop},
		{"please stop texting me", "please stop texting me", defaults, CommandStop},
		{"Spanish ALTO", "Alto", defaults, CommandStop},
		{"Spanish ¡ALTO!", "¡ALTO!", defaults, CommandStop},
		{"Spanish PARAR", "parar", defaults, CommandStop},
		{"Spanish BAJA", "BAJA", defaults, CommandStop},
		{"Spanish CANCELAR", "cancelar", defaults, CommandStop},
		{"Spanish with accent", "No me envíes mensajes", defaults, CommandStop},
		{"Spanish without accent", "no me envies mensajes", defaults, CommandStop},
		{"Spanish uppercase accent", "NO ME ENVÍES MENSAJES", defaults, CommandStop},
		{"accent a phone added", "Álto", defaults, CommandStop},
		{"accent on a help word", "AYÚDA", defaults, CommandHelp},
		{"full-width letters", "ＳＴＯＰ", defaults, CommandStop},
		{"decomposed accent", "no me envi\u0301es mensajes", defaults, CommandStop},
		{"custom word typed without its accent", "volvio", CustomWords{Back: []string{"VOLVIÓ"}}, CommandBack},
		{"custom word typed with an accent it lacks", "Menú", CustomWords{Exit: []string{"MENU"}}, CommandExit},

		{"START", "start", defaults, CommandStart},
		{"YES", "Yes!", defaults, CommandStart},
		{"UNSTOP", "UNSTOP", defaults, CommandStart},
		{"HELP", "help?", defaults, CommandHelp},
		{"INFO", "Info", defaults, CommandHelp},
		{"AYUDA", "¿Ayuda?", defaults, CommandHelp},

		{"default BACK", "back", defaults, CommandBack},
		{"default ATRAS", "atras", defaults, CommandBack},
		{"default ATRÁS", "Atrás", defaults, CommandBack},
		{"default EXIT", "EXIT", defaults, CommandExit},
		{"default SALIR", "salir", defaults, CommandExit},
		{"custom back word", "previous", CustomWords{Back: []string{"PREVIOUS"}}, CommandBack},
		{"custom back replaces default", "back", CustomWords{Back: []string{"PREVIOUS"}}, CommandNone},
		{"custom exit only keeps default back", "back", CustomWords{Exit: []string{"bye"}}, CommandBack},
		{"custom exit multiword", "Main  Menu.", CustomWords{Exit: []string{"main menu"}}, CommandExit},
		{"empty slice disables exit", "exit", CustomWords{Exit: []string{}}, CommandNone},
		{"blank custom word matches nothing", "", CustomWords{Back: []string{"  "}}, CommandNone},
		// A misconfigured custom word must never swallow an opt-out.
		{"fixed wins over custom", "stop", CustomWords{Back: []string{"STOP"}}, CommandStop},

		{"empty", "", defaults, CommandNone},
		{"only punctuation", "?!", defaults, CommandNone},
		{"stop inside a sentence", "stop by tomorrow", defaults, CommandNone},
		{"help inside a sentence", "I need help with my bill", defaults, CommandNone},
		{"yes inside a sentence", "yes I can make it", defaults, CommandNone},
		{"end inside a sentence", "the end of the month", defaults, CommandNone},
		{"menu digit", "1", defaults, CommandNone},
		{"please alone", "please", defaults, CommandNone},
		{"please does not extend to help", "please help", defaults, CommandNone},
		{"leading punctuation other than Spanish", "...stop", defaults, CommandNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyCommand(tt.body, tt.custom); got != tt.want {
				t.Errorf("ClassifyCommand(%q, %+v) = %q, want %q", tt.body, tt.custom, got, tt.want)
			}
		})
	}
}

func TestEveryListedWordClassifies(t *testing.T) {
	for _, group := range []struct {
		words []string
		want  Command
	}{
		{StopWords(), CommandStop},
		{StartWords(), CommandStart},
		{HelpWords(), CommandHelp},
		{DefaultBackWords(), CommandBack},
		{DefaultExitWords(), CommandExit},
	} {
		if len(group.words) == 0 {
			t.Fatalf("no words listed for %q", group.want)
		}
		for _, w := range group.words {
			if got := ClassifyCommand(w, CustomWords{}); got != group.want {
				t.Errorf("ClassifyCommand(%q) = %q, want %q", w, got, group.want)
			}
		}
	}
}

func TestIsReservedWord(t *testing.T) {
	tests := map[string]bool{
		"STOP":           true,
		" stop ":         true,
		"Unsubscribe":    true,
		"opt-out":        true,
		"leave me alone": true,
		"Start":          true,
		"yes":            true,
		"HELP":           true,
		"info":           true,
		"ayuda":          true,
		"alto":           true,
		// BACK and EXIT are configurable, so AdminAPI checks them against the
		// configured words, not against this fixed list.
		"back":     false,
		"exit":     false,
		"Billing":  false,
		"1":        false,
		"stopping": false,
		"":         false,
	}
	for word, want := range tests {
		if got := IsReservedWord(word); got != want {
			t.Errorf("IsReservedWord(%q) = %v, want %v", word, got, want)
		}
	}
}

func TestWordListsAreCopies(t *testing.T) {
	words := StopWords()
	words[0] = "mutated"
	if StopWords()[0] == "mutated" {
		t.Fatal("StopWords returned the package's own slice")
	}
	back := DefaultBackWords()
	back[0] = "mutated"
	if ClassifyCommand("back", CustomWords{}) != CommandBack {
		t.Fatal("mutating DefaultBackWords changed classification")
	}
}

func TestNormalizeWordFoldsAccentsAndCase(t *testing.T) {
	tests := []struct{ a, b string }{
		{"móvil", "MOVIL"},
		{"Telefonía móvil", "TELEFONIA MOVIL"},
		{"Facturación", "facturacion"},
		{"ESPAÑOL", "espanol"},
		{"Ｍóvil", "movil"},
		{"  Atrás! ", "atras"},
	}
	for _, tt := range tests {
		if a, b := NormalizeWord(tt.a), NormalizeWord(tt.b); a != b {
			t.Errorf("NormalizeWord(%q) = %q, NormalizeWord(%q) = %q; want equal", tt.a, a, tt.b, b)
		}
	}
	if NormalizeWord("1") == NormalizeWord("2") || NormalizeWord("Internet") == NormalizeWord("Movil") {
		t.Error("folding merged different words")
	}
}

func TestHintWord(t *testing.T) {
	tests := []struct {
		name  string
		cmd   Command
		words []string
		lang  string
		want  string
	}{
		{"English back", CommandBack, nil, "en", "BACK"},
		{"Spanish back, the GSM-7 spelling", CommandBack, nil, "es", "ATRAS"},
		{"English exit", CommandExit, nil, "en", "EXIT"},
		{"Spanish exit", CommandExit, nil, "ES", "SALIR"},
		{"a language without words names the first", CommandExit, nil, "fr", "EXIT"},
		{"custom words keep the Spanish one for Spanish", CommandBack, []string{"previous", "atrás"}, "es", "ATRÁS"},
		{"custom words without a Spanish one", CommandBack, []string{"previous"}, "es", "PREVIOUS"},
		{"custom words for English", CommandExit, []string{"salir", "exit"}, "en", "EXIT"},
		{"blank words are skipped", CommandExit, []string{" ", "bye"}, "en", "BYE"},
		{"disabled command", CommandBack, []string{}, "es", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HintWord(tt.cmd, tt.words, tt.lang)
			if got != tt.want {
				t.Errorf("HintWord(%s, %q, %s) = %q, want %q", tt.cmd, tt.words, tt.lang, got, tt.want)
			}
			if got != "" && ClassifyCommand(got, CustomWords{Back: orNil(tt.cmd == CommandBack, tt.words), Exit: orNil(tt.cmd == CommandExit, tt.words)}) != tt.cmd {
				t.Errorf("the hint names %q, which does not answer to %s", got, tt.cmd)
			}
		})
	}
	for cmd, langs := range hintWords {
		for lang, words := range langs {
			for _, w := range words {
				if ClassifyCommand(w, CustomWords{}) != cmd {
					t.Errorf("%s hint word %q is not a default %s word", lang, w, cmd)
				}
			}
		}
	}
}

func orNil(ok bool, words []string) []string {
	if ok {
		return words
	}
	return nil
}

// TestEveryRuneFoldsLikeItsCases checks, for every rune up to the end of
// the supplementary ideographic plane, that a word matches the same with
// the rune upper- or lower-cased: the case property FuzzClassifyCommand
// checks on random bodies, exhaustively for one letter.
func TestEveryRuneFoldsLikeItsCases(t *testing.T) {
	bad := 0
	for r := rune(0); r < 0x30000; r++ {
		s := string(r) + "x"
		want := normalizeCommand(s)
		for _, v := range []string{strings.ToUpper(s), strings.ToLower(s)} {
			if got := normalizeCommand(v); got != want && bad < 10 {
				bad++
				t.Errorf("%U: %q normalizes to %q, its case variant %q to %q", r, s, want, v, got)
			}
		}
	}
}
