// Package langdetect tells the language of a consumer's first text, so a
// number without a fixed language can skip its language menu. It wraps
// lingua-go, restricted to the deployment's languages, with the rules that
// keep a guess from deciding: short texts ("hi", "1", "ok") never decide,
// and neither does a confidence below the threshold. It implements
// chat.LanguageDetector; only RouteInbound links it (lingua embeds its
// models, see the README's "Measured").
package langdetect

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Rules a text must meet to decide.
const (
	// MinLetters and MinWords: below either, a text is too short to tell
	// ("hola", "help me", "1").
	MinLetters = 12
	MinWords   = 3
	// MinConfidence is the detector's relative confidence (among the
	// configured languages) a decision needs.
	MinConfidence = 0.80
)

// Detector is chat.LanguageDetector. Its zero value is ready; a lingua
// detector is built once per set of languages and kept (building one reads
// its models, about a second).
type Detector struct {
	mu    sync.Mutex
	built map[string]lingua.LanguageDetector
}

// New returns a Detector.
func New() *Detector { return &Detector{} }

var _ chat.LanguageDetector = (*Detector)(nil)

// Detect implements chat.LanguageDetector: the language of text among
// langs (ISO 639-1 codes), its confidence, and whether it decides.
func (d *Detector) Detect(text string, langs []string) (string, float64, bool) {
	if !LongEnough(text) {
		return "", 0, false
	}
	known := map[lingua.Language]string{}
	for _, l := range langs {
		if lang := lingua.GetLanguageFromIsoCode639_1(lingua.GetIsoCode639_1FromValue(strings.ToUpper(primary(l)))); lang != lingua.Unknown {
			known[lang] = l
		}
	}
	if len(known) < 2 {
		return "", 0, false
	}
	det := d.detector(known)
	values := det.ComputeLanguageConfidenceValues(text)
	if len(values) == 0 {
		return "", 0, false
	}
	best := values[0]
	return known[best.Language()], best.Value(), best.Value() >= MinConfidence
}

func (d *Detector) detector(known map[lingua.Language]string) lingua.LanguageDetector {
	var list []lingua.Language
	for l := range known {
		list = append(list, l)
	}
	slices.Sort(list)
	key := ""
	for _, l := range list {
		key += l.String() + ","
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if det, ok := d.built[key]; ok {
		return det
	}
	det := lingua.NewLanguageDetectorBuilder().FromLanguages(list...).WithPreloadedLanguageModels().Build()
	if d.built == nil {
		d.built = map[string]lingua.LanguageDetector{}
	}
	d.built[key] = det
	return det
}

// LongEnough reports whether a text is long enough to decide: at least
// MinWords words and MinLetters letters.
func LongEnough(text string) bool {
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= MinLetters && len(strings.Fields(text)) >= MinWords
}

func primary(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
