// Package sender is the domain's rule for the address a business texts
// from: an E.164 number, a short code (5 or 6 digits, which has no E.164
// form) or an alphanumeric sender id (one-way, where carriers allow it),
// and the Twilio Messaging Service a number may send through. A consumer
// is always an E.164 number: a text from a short code or an alphanumeric
// sender is a carrier's or a business's system message, not a person.
package sender

import (
	"fmt"
	"strings"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Form is the kind of address a sender id is.
type Form string

// The forms of a sender id.
const (
	FormE164         Form = "e164"
	FormShortCode    Form = "short-code"
	FormAlphanumeric Form = "alphanumeric"
	FormInvalid      Form = ""
)

// FormOf says which kind of address s is, by its syntax alone: "+" and 8
// to 15 digits, 5 or 6 digits, or 1 to 11 letters, digits and spaces with
// at least one letter (Twilio's and the GSM operators' rule for
// alphanumeric sender ids).
func FormOf(s string) Form {
	switch {
	case isE164(s):
		return FormE164
	case (len(s) == 5 || len(s) == 6) && digits(s):
		return FormShortCode
	case isAlphanumeric(s):
		return FormAlphanumeric
	}
	return FormInvalid
}

// Person reports whether s is an address a person texts from: E.164. A
// short code or an alphanumeric sender id is a business's or a carrier's.
func Person(s string) bool { return FormOf(s) == FormE164 }

// Problem is one field of a business number that is not acceptable.
type Problem struct {
	Field, Problem string
}

// CheckNumber returns what is wrong with a business number's address and
// its Messaging Service: the address must be E.164 (written as E.164), a
// short code or an alphanumeric sender id; a Messaging Service SID is
// "MG" and 32 hex digits, and only Twilio numbers have one.
func CheckNumber(address, provider, messagingServiceSID string) []Problem {
	var out []Problem
	switch FormOf(address) {
	case FormE164:
		if e, err := sms.NormalizeNumber(address, sms.DefaultRegion); err != nil {
			out = append(out, Problem{"e164", err.Error()})
		} else if e != address {
			out = append(out, Problem{"e164", fmt.Sprintf("%q is not in E.164 form (%s)", address, e)})
		}
	case FormShortCode, FormAlphanumeric:
	default:
		e, err := sms.NormalizeNumber(address, sms.DefaultRegion)
		problem := fmt.Sprintf("%q is not in E.164 form (%s)", address, e)
		if err != nil {
			problem = fmt.Sprintf("%v; nor is it a short code (5 or 6 digits) or an alphanumeric sender id (1 to 11 letters, digits and spaces)", err)
		}
		out = append(out, Problem{"e164", problem})
	}
	if messagingServiceSID != "" {
		if err := CheckMessagingServiceSID(messagingServiceSID); err != nil {
			out = append(out, Problem{"messagingServiceSid", err.Error()})
		} else if provider != "twilio" {
			out = append(out, Problem{"messagingServiceSid", fmt.Sprintf("only a Twilio number sends through a Messaging Service; this number's provider is %q", provider)})
		}
	}
	return out
}

// CheckMessagingServiceSID checks the form of a Twilio Messaging Service
// SID: "MG" followed by 32 hexadecimal digits.
func CheckMessagingServiceSID(sid string) error {
	if len(sid) != 34 || !strings.HasPrefix(sid, "MG") || !hex(sid[2:]) {
		return fmt.Errorf("%q is not a Messaging Service SID (MG and 32 hexadecimal digits)", sid)
	}
	return nil
}

func isE164(s string) bool {
	return len(s) >= 9 && len(s) <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' && digits(s[1:])
}

func isAlphanumeric(s string) bool {
	if len(s) == 0 || len(s) > 11 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == ' ':
		default:
			return false
		}
	}
	return letter
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func hex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
