package sms

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestMeasure(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	ogonek := func(n int) string { return strings.Repeat("ą", n) }
	const grin = "😀" // U+1F600, a surrogate pair in UTF-16

	tests := []struct {
		name string
		body string
		want Measurement
	}{
		{"empty", "", Measurement{Encoding: GSM7}},
		{"one char", "a", Measurement{GSM7, 1, 1, 1}},
		{"160 GSM fits one segment", a(160), Measurement{GSM7, 160, 160, 1}},
		{"161 GSM needs two", a(161), Measurement{GSM7, 161, 161, 2}},
		{"306 GSM is exactly two parts", a(306), Measurement{GSM7, 306, 306, 2}},
		{"307 GSM needs three", a(307), Measurement{GSM7, 307, 307, 3}},
		{"euro takes two septets", "€", Measurement{GSM7, 1, 2, 1}},
		{"form feed is an extension char", "\f", Measurement{GSM7, 1, 2, 1}},
		{"all extension chars", "^{}\\[~]|€", Measurement{GSM7, 9, 18, 1}},
		{"80 euros fill one segment", strings.Repeat("€", 80), Measurement{GSM7, 80, 160, 1}},
		{"81 euros spill", strings.Repeat("€", 81), Measurement{GSM7, 81, 162, 2}},
		{"159 GSM plus euro overflows single", a(159) + "€", Measurement{GSM7, 160, 161, 2}},
		// 306 septets would fit two parts if the pair could be split; it
		// cannot, so the euro moves to part two and pushes one septet out.
		{"escape pair at part boundary", a(152) + "€" + a(152), Measurement{GSM7, 305, 306, 3}},
		{"escape pair just fits part end", a(151) + "€" + a(153), Measurement{GSM7, 305, 306, 2}},
		{"GSM accents stay GSM-7", "é ñ ü à Ä Ö Ñ Ü É Ç ß", Measurement{GSM7, 21, 21, 1}},
		{"greek capitals stay GSM-7", "ΔΦΓΛΩΠΨΣΘΞ", Measurement{GSM7, 10, 10, 1}},
		{"newline and CR are basic", "a\r\nb", Measurement{GSM7, 4, 4, 1}},
		{"ogonek forces UCS-2", "Dzień dobry, ą", Measurement{UCS2, 14, 14, 1}},
		{"lowercase c cedilla is not GSM", "ç", Measurement{UCS2, 1, 1, 1}},
		{"tab is not GSM", "a\tb", Measurement{UCS2, 3, 3, 1}},
		{"70 UCS-2 fits one segment", ogonek(70), Measurement{UCS2, 70, 70, 1}},
		{"71 UCS-2 needs two", ogonek(71), Measurement{UCS2, 71, 71, 2}},
		{"134 UCS-2 is exactly two parts", ogonek(134), Measurement{UCS2, 134, 134, 2}},
		{"135 UCS-2 needs three", ogonek(135), Measurement{UCS2, 135, 135, 3}},
		{"emoji is two UTF-16 units", grin, Measurement{UCS2, 1, 2, 1}},
		{"emoji makes GSM text UCS-2", "Hello " + grin, Measurement{UCS2, 7, 8, 1}},
		{"35 emoji fill one segment", strings.Repeat(grin, 35), Measurement{UCS2, 35, 70, 1}},
		{"36 emoji spill", strings.Repeat(grin, 36), Measurement{UCS2, 36, 72, 2}},
		// 134 units would fit two parts if the surrogate pair could be split.
		{"surrogate pair at part boundary", ogonek(66) + grin + ogonek(66), Measurement{UCS2, 133, 134, 3}},
		{"surrogate pair just fits part end", ogonek(65) + grin + ogonek(67), Measurement{UCS2, 133, 134, 2}},
		{"invalid UTF-8 counts as replacement char", "a\xffb", Measurement{UCS2, 3, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Measure(tt.body)); diff != "" {
				t.Errorf("Measure(%.20q…) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestCheckBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"empty", "", ""},
		{"at limit", strings.Repeat("a", 1600), ""},
		// 1,600 runes is 3,200 bytes; the limit is on characters, not bytes.
		{"multibyte at limit", strings.Repeat("ą", 1600), ""},
		{"one over", strings.Repeat("a", 1601), "message body is 1,601 characters; the limit is 1,600"},
		{"well over", strings.Repeat("€", 1700), "message body is 1,700 characters; the limit is 1,600"},
		{"five digits", strings.Repeat("a", 12345), "message body is 12,345 characters; the limit is 1,600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBody(tt.body)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckBody() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckBody() = nil, want %q", tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("CheckBody() = %q, want %q", err.Error(), tt.wantErr)
			}
			if !errors.Is(err, ErrBodyTooLong) {
				t.Errorf("errors.Is(%v, ErrBodyTooLong) = false", err)
			}
			var tooLong *BodyTooLongError
			if !errors.As(err, &tooLong) || tooLong.Limit != MaxBodyCharacters {
				t.Errorf("errors.As(%v) = %+v, want Limit %d", err, tooLong, MaxBodyCharacters)
			}
		})
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 1600: "1,600",
		123456: "123,456", 1234567: "1,234,567", -1600: "-1,600",
	} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzMeasure checks Measure against invariants computed independently of its
// packing loop, seeded with edge cases and real texts (realTexts). Without
// -fuzz it runs only the seed corpus.
func FuzzMeasure(f *testing.F) {
	for _, seed := range []string{
		"", "a", "€", "😀", "ą", "\xff", "a\tb",
		strings.Repeat("a", 161), strings.Repeat("€", 81), strings.Repeat("😀", 36),
		strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152),
		strings.Repeat("ą", 66) + "😀" + strings.Repeat("ą", 66),
		strings.Repeat("Text 1 for Billing, ", 20),
	} {
		f.Add(seed)
	}
	for _, seed := range realTexts {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m := Measure(body)

		// GSM-7 exactly when every character is in GSM 03.38.
		gsm := true
		for _, r := range body {
			_, basic := gsm7Basic[r]
			_, ext := gsm7Extension[r]
			gsm = gsm && (basic || ext)
		}
		if (m.Encoding == GSM7) != gsm {
			t.Fatalf("Measure(%q).Encoding = %s; every character GSM 03.38: %v", body, m.Encoding, gsm)
		}
		if (CheckBody(body) != nil) != (m.Characters > MaxBodyCharacters) {
			t.Fatalf("CheckBody of %d characters = %v", m.Characters, CheckBody(body))
		}

		if want := utf8.RuneCountInString(body); m.Characters != want {
			t.Fatalf("Characters = %d, want %d", m.Characters, want)
		}
		if body == "" {
			if m.Units != 0 || m.Segments != 0 {
				t.Fatalf("empty body measured %+v", m)
			}
			return
		}

		var single, perPart int
		switch m.Encoding {
		case GSM7:
			single, perPart = gsm7SingleSegment, gsm7MultipartSegment
			escapes := 0
			for _, r := range body {
				if strings.ContainsRune("\f^{}\\[~]|€", r) {
					escapes++
				}
			}
			if m.Units != m.Characters+escapes {
				t.Fatalf("GSM-7 Units = %d, want %d characters + %d escapes", m.Units, m.Characters, escapes)
			}
		case UCS2:
			single, perPart = ucs2SingleSegment, ucs2MultipartSegment
			if want := len(utf16.Encode([]rune(body))); m.Units != want {
				t.Fatalf("UCS-2 Units = %d, want %d UTF-16 units", m.Units, want)
			}
		default:
			t.Fatalf("unknown encoding %q", m.Encoding)
		}

		if m.Units < m.Characters || m.Units > 2*m.Characters {
			t.Fatalf("Units %d outside [%d, %d]", m.Units, m.Characters, 2*m.Characters)
		}
		if m.Units <= single {
			if m.Segments != 1 {
				t.Fatalf("%d units fit one segment, got %d", m.Units, m.Segments)
			}
		} else {
			// Each part holds at most perPart units and, because a two-unit
			// character is never split, at least perPart-1.
			lo := ceilDiv(m.Units, perPart)
			hi := ceilDiv(m.Units, perPart-1)
			if m.Segments < lo || m.Segments > hi || m.Segments < 2 {
				t.Fatalf("%d units gave %d segments, want in [%d, %d] and ≥ 2", m.Units, m.Segments, lo, hi)
			}
		}

		// Appending a GSM character never changes the encoding and never
		// makes the message cheaper.
		longer := Measure(body + "a")
		if longer.Encoding != m.Encoding || longer.Segments < m.Segments {
			t.Fatalf("appending \"a\": %+v then %+v", m, longer)
		}
	})
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
