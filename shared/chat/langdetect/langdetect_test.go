package langdetect

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// firstTexts are the first texts of testdata/<lang>.txt: consumers' first
// messages to a support number, written for this test (one a line).
func firstTexts(t *testing.T, lang string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + lang + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// TestAccuracyOnFirstTexts measures the detector on at least 200 first
// texts per language, restricted to the demo's languages (en, es): how
// many it decides correctly, wrongly, and how many fall back to the menu.
// A wrong decision costs the consumer a conversation in the wrong
// language; a fallback costs one menu. The bounds keep both rare.
func TestAccuracyOnFirstTexts(t *testing.T) {
	d := New()
	langs := []string{"en", "es"}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| language | texts | decided right | decided wrong | fell back to the menu | accuracy of decisions |\n|---|---|---|---|---|---|\n")
	for _, want := range langs {
		texts := firstTexts(t, want)
		if len(texts) < 200 {
			t.Fatalf("%s: %d texts, want at least 200", want, len(texts))
		}
		right, wrong, fallback := 0, 0, 0
		for _, text := range texts {
			got, conf, ok := d.Detect(text, langs)
			switch {
			case !ok:
				fallback++
			case got == want:
				right++
			default:
				wrong++
				t.Logf("%s text decided %s (%.2f): %q", want, got, conf, text)
			}
		}
		n := len(texts)
		acc := float64(right) / float64(max(1, right+wrong))
		fmt.Fprintf(&table, "| %s | %d | %d (%.1f%%) | %d (%.1f%%) | %d (%.1f%%) | %.1f%% |\n", want, n,
			right, 100*float64(right)/float64(n), wrong, 100*float64(wrong)/float64(n), fallback, 100*float64(fallback)/float64(n), 100*acc)
		if acc < 0.98 {
			t.Errorf("%s: %.1f%% of decisions right, want at least 98%%", want, 100*acc)
		}
		if share := float64(fallback) / float64(n); share > 0.20 {
			t.Errorf("%s: %.1f%% fell back to the menu, want at most 20%%", want, 100*share)
		}
	}
	t.Log(table.String())
}

func TestShortTextsNeverDecide(t *testing.T) {
	d := New()
	for _, text := range []string{"hi", "1", "2", "ok", "hola", "sí", "yes", "help me", "Hola!!", "buenas", "hello there", "gracias", "😀😀😀", "   ", "ES", "English", "Español"} {
		if lang, conf, ok := d.Detect(text, []string{"en", "es"}); ok {
			t.Errorf("%q decided %s (%.2f)", text, lang, conf)
		}
	}
	// One language configured leaves nothing to choose between.
	if _, _, ok := d.Detect("my internet has been down since this morning", []string{"en"}); ok {
		t.Error("a one-language deployment decided")
	}
}
