package sms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalidNumber matches (with errors.Is) every error NormalizeNumber returns.
var ErrInvalidNumber = errors.New("invalid phone number")

// NormalizeNumber returns raw as an E.164 number ("+14155550100"), or as a
// short code ("12345") when raw is one. defaultRegion (ISO 3166-1 alpha-2,
// e.g. "US") is used for numbers written without a country code.
//
// Carriers already send well-formed E.164, and full parsing is about a third
// of a mature gateway's receive cost, so a string that is syntactically E.164
// is returned without consulting the numbering plan. Everything else goes
// through libphonenumber and must be a valid number.
func NormalizeNumber(raw, defaultRegion string) (string, error) {
	s := strings.TrimSpace(raw)
	if isE164Syntax(s) || isShortCode(s) {
		return s, nil
	}
	n, err := parseValid(s, defaultRegion)
	if err != nil {
		return "", fmt.Errorf("normalize phone number %q (region %q): %w", raw, defaultRegion, err)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// IsUSNumber reports whether e164 is a valid North American Numbering Plan
// number (+1). NANP covers the US, Canada and several Caribbean countries,
// which share US carrier rules (10DLC, quiet hours) in practice.
func IsUSNumber(e164 string) bool {
	// Cheap syntactic gate: "+1" and ten digits, before the parser.
	if len(e164) != 12 || !strings.HasPrefix(e164, "+1") || !isE164Syntax(e164) {
		return false
	}
	n, err := phonenumbers.Parse(e164, "US")
	return err == nil && n.GetCountryCode() == 1 && phonenumbers.IsValidNumber(n)
}

func parseValid(s, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidNumber)
	}
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNumber, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return nil, fmt.Errorf("%w: not a valid number in the numbering plan", ErrInvalidNumber)
	}
	return n, nil
}

// isE164Syntax reports "+" followed by 8 to 15 digits, the first non-zero.
// E.164 allows 15 digits; fewer than 8 is never a real subscriber number.
func isE164Syntax(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	return allDigits(s[2:])
}

// isShortCode reports 5 or 6 bare digits, the form in which Twilio reports
// short codes (they have no E.164 representation).
func isShortCode(s string) bool {
	return (len(s) == 5 || len(s) == 6) && allDigits(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DefaultRegion is the region of numbers written without a country code.
const DefaultRegion = "US"

// NormalizeE164 returns a number in E.164 (or short-code) form, read in
// DefaultRegion when it has no country code. A number it cannot read is
// returned as given, for validation to report against its field.
func NormalizeE164(raw string) string {
	if e, err := NormalizeNumber(raw, DefaultRegion); err == nil {
		return e
	}
	return raw
}
