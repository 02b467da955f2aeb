package sender

import (
	"strings"
	"testing"
)

func TestFormOf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Form
	}{
		{"+14155550101", FormE164},
		{"+447700900123", FormE164},
		{"12345", FormShortCode},
		{"898211", FormShortCode},
		{"1234", FormInvalid},
		{"1234567", FormInvalid},
		{"ACME", FormAlphanumeric},
		{"Acme Bank", FormAlphanumeric},
		{"ACME2024", FormAlphanumeric},
		{"ACMEBANKLTD1", FormInvalid}, // 12 characters
		{" ACME", FormInvalid},
		{"ACME-BANK", FormInvalid},
		{"4155550101", FormInvalid},
		{"+0123456789", FormInvalid},
		{"", FormInvalid},
	} {
		if got := FormOf(tc.in); got != tc.want {
			t.Errorf("FormOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got, want := Person(tc.in), tc.want == FormE164; got != want {
			t.Errorf("Person(%q) = %v, want %v", tc.in, got, want)
		}
	}
}

func TestCheckNumber(t *testing.T) {
	const mg = "MG0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name                   string
		address, provider, mss string
		wantField, wantText    string // "" = acceptable
	}{
		{"E.164", "+14155550101", "twilio", "", "", ""},
		{"short code", "898211", "twilio", "", "", ""},
		{"alphanumeric sender id", "ACME", "twilio", "", "", ""},
		{"E.164 through a Messaging Service", "+14155550101", "twilio", mg, "", ""},
		{"upper-case hex SID", "+14155550101", "twilio", "MG0123456789ABCDEF0123456789ABCDEF", "", ""},
		{"national form", "4155550101", "twilio", "", "e164", "not in E.164 form (+14155550101)"},
		{"neither", "ACME-BANK", "twilio", "", "e164", "nor is it a short code"},
		{"SID of another resource", "+14155550101", "twilio", "PN0123456789abcdef0123456789abcdef", "messagingServiceSid", "not a Messaging Service SID"},
		{"SID too short", "+14155550101", "twilio", "MG0123", "messagingServiceSid", "not a Messaging Service SID"},
		{"SID not hex", "+14155550101", "twilio", "MG0123456789abcdef0123456789abcdeg", "messagingServiceSid", "not a Messaging Service SID"},
		{"SID on a Telnyx number", "+14155550101", "telnyx", mg, "messagingServiceSid", "only a Twilio number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckNumber(tc.address, tc.provider, tc.mss)
			if tc.wantField == "" {
				if len(got) != 0 {
					t.Fatalf("problems %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Field != tc.wantField || !strings.Contains(got[0].Problem, tc.wantText) {
				t.Fatalf("problems %+v, want one on %s containing %q", got, tc.wantField, tc.wantText)
			}
		})
	}
}
