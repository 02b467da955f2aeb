package sms

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		region  string
		want    string
		wantErr bool
	}{
		{"E.164 fast path", "+14155550100", "US", "+14155550100", false},
		{"E.164 ignores region", "+14155550100", "GB", "+14155550100", false},
		{"E.164 surrounding space", " +14155550100\n", "US", "+14155550100", false},
		{"US national format", "(415) 555-0100", "US", "+14155550100", false},
		{"US with dashes", "415-555-0100", "US", "+14155550100", false},
		{"US with leading 1", "14155550100", "US", "+14155550100", false},
		{"UK formatted international", "+44 20 7946 0958", "US", "+442079460958", false},
		{"UK national with region", "020 7946 0958", "GB", "+442079460958", false},
		{"five-digit short code", "12345", "US", "12345", false},
		{"six-digit short code", "898211", "US", "898211", false},
		{"garbage", "not a number", "US", "", true},
		{"empty", "", "US", "", true},
		{"blank", "   ", "US", "", true},
		{"too short for fast path and invalid", "+1415", "US", "", true},
		{"invalid US area code", "(015) 555-0100", "US", "", true},
		{"national without region", "(415) 555-0100", "", "", true},
		{"plus zero is not E.164", "+04155550100", "US", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeNumber(tt.raw, tt.region)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NormalizeNumber(%q, %q) = %q, want error", tt.raw, tt.region, got)
				}
				if !errors.Is(err, ErrInvalidNumber) {
					t.Errorf("error %v does not match ErrInvalidNumber", err)
				}
				// Logs and API responses must say which input was rejected.
				if !strings.Contains(err.Error(), `"`+tt.raw+`"`) {
					t.Errorf("error %q does not name the input %q", err, tt.raw)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeNumber(%q, %q) error: %v", tt.raw, tt.region, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeNumber(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
			}
		})
	}
}

func TestIsE164Syntax(t *testing.T) {
	tests := map[string]bool{
		"+14155550100":      true,
		"+12345678":         true, // 8 digits, the shortest accepted
		"+123456789012345":  true, // 15 digits, the E.164 maximum
		"+1234567":          false,
		"+1234567890123456": false,
		"+04155550100":      false,
		"14155550100":       false,
		"+1415555010a":      false,
		"+1 4155550100":     false,
		"+":                 false,
		"":                  false,
	}
	for in, want := range tests {
		if got := isE164Syntax(in); got != want {
			t.Errorf("isE164Syntax(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestIsUSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+14155550100", true},
		{"+16135550123", true}, // Ottawa: NANP, same carrier rules
		{"+442079460958", false},
		{"+10155550100", false}, // area codes never start with 0
		{"+1415555010", false},
		{"+141555501000", false},
		{"4155550100", false},
		{"12345", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsUSNumber(tt.in); got != tt.want {
			t.Errorf("IsUSNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The fast path exists because the parser dominates receive cost; compare
// the two on the same input to keep that visible.
func BenchmarkNormalizeNumber(b *testing.B) {
	b.Run("fast path E.164", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NormalizeNumber("+14155550100", "US"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parser same E.164", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseValid("+14155550100", "US"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parser national format", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NormalizeNumber("(415) 555-0100", "US"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
