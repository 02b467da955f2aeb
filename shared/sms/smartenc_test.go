package sms

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestSmartEncodingTablesMatchTheConsole: the composer's tables
// (functions/console/static/smartenc.js) are these, entry for entry and in
// order, so the button's preview is what a system message would get.
func TestSmartEncodingTablesMatchTheConsole(t *testing.T) {
	src, err := os.ReadFile("../../functions/console/static/smartenc.js")
	if err != nil {
		t.Fatal(err)
	}
	tables := []struct {
		name string
		goes []replacement
	}{
		{"LOOKALIKES", lookalikes[:]},
		{"TRANSLITERATIONS", transliterations[:]},
	}
	for _, tb := range tables {
		m := regexp.MustCompile(`(?s)export const ` + tb.name + ` = \[\n(.*?)\n\];`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("smartenc.js has no %s table", tb.name)
		}
		var js [][2]string
		body := strings.TrimSuffix(strings.TrimSpace(string(m[1])), ",")
		if err := json.Unmarshal([]byte("["+body+"]"), &js); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		if len(js) != len(tb.goes) {
			t.Errorf("%s: %d entries in smartenc.js, %d in smartenc.go", tb.name, len(js), len(tb.goes))
		}
		for i := range min(len(js), len(tb.goes)) {
			if want := [2]string{string(tb.goes[i].from), tb.goes[i].to}; js[i] != want {
				t.Errorf("%s[%d]: smartenc.js has %q, smartenc.go %q", tb.name, i, js[i], want)
			}
		}
	}
}

func TestSmartEncode(t *testing.T) {
	long := strings.Repeat("Your order ships today. ", 7) + "We’re on it"
	tests := []struct {
		name, in string
		mode     SmartMode
		want     string
	}{
		{"off", "It’s “fine”…", SmartOff, "It’s “fine”…"},
		{"quotes, dashes, ellipsis", "It’s “fine” – really—ok…", SmartLookalikes, `It's "fine" - really-ok...`},
		{"spaces", "10\u00a0am\u202fsharp\u200b!", SmartLookalikes, "10 am sharp!"},
		{"accents kept", "¿Qué tal? Está “listo”", SmartLookalikes, `¿Qué tal? Está "listo"`},
		{"accents transliterated", "¿Qué tal? Está “listo”", SmartTransliterate, `¿Qué tal? Esta "listo"`},
		{"GSM-7 letters stay", "Ñandú à l’été", SmartTransliterate, "Ñandu à l'été"},
		{"backtick", "plain `text`", SmartLookalikes, "plain 'text'"},
		{"already GSM-7: untouched", "plain text, é ñ ü", SmartTransliterate, "plain text, é ñ ü"},
		{"emoji stay", "Thanks 😀 “ok”", SmartLookalikes, `Thanks 😀 "ok"`},
		{"long", long, SmartLookalikes, strings.ReplaceAll(long, "’", "'")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SmartEncode(tc.in, tc.mode); got != tc.want {
				t.Errorf("SmartEncode(%q, %q) = %q, want %q", tc.in, tc.mode, got, tc.want)
			}
		})
	}
	if b, a := Measure(long), Measure(SmartEncode(long, SmartLookalikes)); b.Segments != 3 || a.Segments != 2 || a.Encoding != GSM7 {
		t.Errorf("the long text: %d segments (%s) → %d (%s), want 3 UCS-2 → 2 GSM-7", b.Segments, b.Encoding, a.Segments, a.Encoding)
	}
}

func TestSmartEncodingTablesAreGSM7(t *testing.T) {
	for _, tb := range [][]replacement{lookalikes[:], transliterations[:]} {
		seen := map[rune]bool{}
		for _, x := range tb {
			if seen[x.from] {
				t.Errorf("%q twice", x.from)
			}
			seen[x.from] = true
			if Measure(string(x.from)).Encoding == GSM7 {
				t.Errorf("%q is GSM-7 already: it must not be replaced", x.from)
			}
			if x.to != "" && Measure(x.to).Encoding != GSM7 {
				t.Errorf("%q → %q: the replacement is not GSM-7", x.from, x.to)
			}
		}
	}
}
