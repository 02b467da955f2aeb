package csat

import (
	"testing"
	"time"
)

func TestRating(t *testing.T) {
	tests := []struct {
		body string
		want int
		ok   bool
	}{
		{"5", 5, true}, {" 1 ", 1, true}, {"4!", 4, true}, {"3.", 3, true}, {"4/5", 4, true}, {"2 stars", 2, true},
		{"3 estrellas", 3, true}, {"5 out of 5", 5, true},
		{"0", 0, false}, {"6", 0, false}, {"10", 0, false}, {"45", 0, false}, {"", 0, false},
		{"1 more question", 0, false}, {"my order 12345", 0, false}, {"five", 0, false},
	}
	for _, tc := range tests {
		got, ok := Rating(tc.body)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Rating(%q) = %d %v, want %d %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDecide(t *testing.T) {
	sent := time.Date(2027, 1, 5, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		state  string
		sentAt time.Time
		after  time.Duration
		window time.Duration
		body   string
		want   Step
		rating int
	}{
		{"a rating in time", Sent, sent, time.Hour, 0, "4", Rate, 4},
		{"a rating on the last minute of the default window", Sent, sent, 24 * time.Hour, 0, "5", Rate, 5},
		{"too late", Sent, sent, 24*time.Hour + time.Second, 0, "5", Route, 0},
		{"a shorter window", Sent, sent, 2 * time.Hour, time.Hour, "5", Route, 0},
		{"not a rating", Sent, sent, time.Hour, 0, "I have another question", Route, 0},
		{"the comment after the rating", Rated, sent, 2 * time.Hour, 0, "Ana was great", Comment, 0},
		{"a comment too late", Rated, sent, 25 * time.Hour, 0, "Ana was great", Route, 0},
		{"after the comment", Done, sent, 3 * time.Hour, 0, "4", Route, 0},
		{"no survey", "", time.Time{}, time.Hour, 0, "4", Route, 0},
	}
	for _, tc := range tests {
		got, r := Decide(tc.state, tc.sentAt, tc.sentAt.Add(tc.after), tc.window, tc.body)
		if got != tc.want || r != tc.rating {
			t.Errorf("%s: %v %d, want %v %d", tc.name, got, r, tc.want, tc.rating)
		}
	}
}
