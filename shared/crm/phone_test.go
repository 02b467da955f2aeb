package crm_test

import (
	"slices"
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm"
)

func TestPhoneFormats(t *testing.T) {
	tests := []struct {
		e164 string
		want []string
	}{
		{"+14155550123", []string{"+14155550123", "14155550123", "4155550123", "(415) 555-0123", "+1 415-555-0123",
			"415-555-0123", "+1 415 555 0123", "+1 (415) 555-0123", "415.555.0123"}},
		{"+447911123456", []string{"+447911123456", "447911123456", "7911123456", "07911 123456", "+44 7911 123456", "7911-123456"}},
		{"+999123", []string{"+999123", "999123"}},
	}
	for _, tc := range tests {
		t.Run(tc.e164, func(t *testing.T) {
			got := crm.PhoneFormats(tc.e164)
			if got[0] != tc.e164 {
				t.Errorf("first format %q, want the E.164 itself", got[0])
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("PhoneFormats(%s) = %q lacks %q", tc.e164, got, w)
				}
			}
			seen := map[string]bool{}
			for _, f := range got {
				if seen[f] {
					t.Errorf("%q listed twice", f)
				}
				seen[f] = true
			}
		})
	}
}

func TestSamePhone(t *testing.T) {
	tests := []struct {
		stored, e164 string
		want         bool
	}{
		{"+14155550123", "+14155550123", true},
		{"(415) 555-0123", "+14155550123", true},
		{"415.555.0123", "+14155550123", true},
		{"1 415 555 0123", "+14155550123", true},
		{"14155550123", "+14155550123", true},
		{"+1 415-555-0124", "+14155550123", false},
		{"", "+14155550123", false},
		{"07911 123456", "+447911123456", true},
		{"+44 7911 123456", "+447911123456", true},
		{"7911 123456", "+14155550123", false},
	}
	for _, tc := range tests {
		if got := crm.SamePhone(tc.stored, tc.e164); got != tc.want {
			t.Errorf("SamePhone(%q, %q) = %v, want %v", tc.stored, tc.e164, got, tc.want)
		}
	}
}
