// Package sms holds the pure, I/O-free rules of the SMS channel: how long a
// body is on the wire (encoding and segments), phone-number normalization to
// E.164, and the command words consumers text (STOP, HELP, ...).
package sms

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Encoding is the character set a carrier uses to send a body.
type Encoding string

const (
	// GSM7 is the GSM 03.38 default alphabet, packed in 7-bit septets.
	GSM7 Encoding = "GSM-7"
	// UCS2 is used as soon as one character is outside GSM 03.38; carriers
	// send it as UTF-16, so astral characters (most emoji) take two units.
	UCS2 Encoding = "UCS-2"
)

// Per-segment capacities. A multipart message loses room in every part to the
// 6-byte user data header (UDH) that tells the handset how to reassemble it.
const (
	gsm7SingleSegment    = 160
	gsm7MultipartSegment = 153
	ucs2SingleSegment    = 70
	ucs2MultipartSegment = 67
)

// MaxBodyCharacters is the longest body we accept. Twilio rejects longer ones
// and carriers concatenate at most about ten segments reliably.
const MaxBodyCharacters = 1600

// ErrBodyTooLong matches (with errors.Is) every error CheckBody returns.
var ErrBodyTooLong = errors.New("message body too long")

// BodyTooLongError reports a body over MaxBodyCharacters. Its message is meant
// to be shown to the agent or API caller as it is.
type BodyTooLongError struct {
	Characters int
	Limit      int
}

func (e *BodyTooLongError) Error() string {
	return "message body is " + groupThousands(e.Characters) +
		" characters; the limit is " + groupThousands(e.Limit)
}

// Is lets callers test for ErrBodyTooLong without knowing the concrete type.
func (e *BodyTooLongError) Is(target error) bool { return target == ErrBodyTooLong }

// Measurement is what a body costs on the wire. It is stored with every
// outbound message and shown to agents before they send.
type Measurement struct {
	Encoding Encoding `json:"encoding"`
	// Characters counts runes, the unit people and the 1,600 limit use.
	Characters int `json:"characters"`
	// Units counts septets for GSM-7 (extension characters take two) and
	// UTF-16 code units for UCS-2 (surrogate pairs take two).
	Units int `json:"units"`
	// Segments is the number of SMS parts a carrier bills for.
	Segments int `json:"segments"`
}

// Measure computes the encoding and segment count a carrier will use for body.
// Invalid UTF-8 bytes are counted as U+FFFD, which is what a provider's JSON
// or form encoding turns them into before sending.
func Measure(body string) Measurement {
	if body == "" {
		return Measurement{Encoding: GSM7}
	}
	m := Measurement{Characters: utf8.RuneCountInString(body)}
	if isGSM7(body) {
		m.Encoding = GSM7
		m.Units, m.Segments = pack(body, gsm7Units, gsm7SingleSegment, gsm7MultipartSegment)
	} else {
		m.Encoding = UCS2
		m.Units, m.Segments = pack(body, utf16Units, ucs2SingleSegment, ucs2MultipartSegment)
	}
	return m
}

// CheckBody rejects bodies over MaxBodyCharacters before any send is tried,
// so the caller gets a clear error instead of a provider error code.
func CheckBody(body string) error {
	n := utf8.RuneCountInString(body)
	if n > MaxBodyCharacters {
		return &BodyTooLongError{Characters: n, Limit: MaxBodyCharacters}
	}
	return nil
}

// pack counts units and segments. A rune's units are never split across two
// parts (handsets and carriers move a whole escape sequence or surrogate pair
// to the next part), so a part may hold one unit less than perPart.
func pack(body string, unitsOf func(rune) int, single, perPart int) (units, segments int) {
	for _, r := range body {
		units += unitsOf(r)
	}
	if units <= single {
		return units, 1
	}
	segments, used := 1, 0
	for _, r := range body {
		u := unitsOf(r)
		if used+u > perPart {
			segments++
			used = 0
		}
		used += u
	}
	return units, segments
}

func gsm7Units(r rune) int {
	if _, ok := gsm7Extension[r]; ok {
		return 2
	}
	return 1
}

func utf16Units(r rune) int {
	// Ranging over a string yields only valid scalar values (invalid bytes
	// become U+FFFD), so anything outside the BMP is exactly a surrogate pair.
	if r >= 0x10000 {
		return 2
	}
	return 1
}

func isGSM7(body string) bool {
	for _, r := range body {
		if _, ok := gsm7Basic[r]; ok {
			continue
		}
		if _, ok := gsm7Extension[r]; ok {
			continue
		}
		return false
	}
	return true
}

// gsm7Basic is the GSM 03.38 default alphabet except ESC (0x1B), which is not
// a character a person can type but the prefix of the extension table.
var gsm7Basic = runeSet(
	"@£$¥èéùìòÇ\nØø\rÅå" +
		"Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ" +
		" !\"#¤%&'()*+,-./" +
		"0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNO" +
		"PQRSTUVWXYZÄÖÑÜ§" +
		"¿abcdefghijklmno" +
		"pqrstuvwxyzäöñüà")

// gsm7Extension holds the characters sent as ESC plus a second septet.
var gsm7Extension = runeSet("\f^{}\\[~]|€")

func runeSet(s string) map[rune]struct{} {
	m := make(map[rune]struct{}, len(s))
	for _, r := range s {
		m[r] = struct{}{}
	}
	return m
}

// groupThousands formats n as 1,600 rather than 1600 so limits read naturally
// in user-facing errors.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return neg + s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	lead := len(s) % 3
	if lead == 0 {
		lead = 3
	}
	out = append(out, s[:lead]...)
	for i := lead; i < len(s); i += 3 {
		out = append(out, ',')
		out = append(out, s[i:i+3]...)
	}
	return neg + string(out)
}
