// Package csat reads a consumer's answer to the satisfaction survey texted
// after a finished chat: whether a reply is a rating, and what a reply does
// at each step of the survey. It has no dependencies (no regexp either): the
// webhook functions link package chat, which calls it, and must not pay for
// its initialisation.
package csat

import (
	"strings"
	"time"
	"unicode"
)

// DefaultWindow is how long after the survey a reply counts as its answer.
const DefaultWindow = 24 * time.Hour

// States of a chat's survey.
const (
	Sent  = "sent"  // asked, no answer yet
	Rated = "rated" // a rating came; the next text within the window is a comment
	Done  = "done"  // rated and commented, or answered with something else
)

// Step is what one consumer text does to a surveyed chat.
type Step int

const (
	// Route: not about the survey (no survey pending, too late, or not a
	// rating): the text starts a new chat as usual.
	Route Step = iota
	// Rate: the text is the rating; thank the consumer once.
	Rate
	// Comment: the text after the rating is the free-text comment.
	Comment
)

// Decide says what body does to a chat whose survey is in state, sent at
// sentAt, arriving at now.
func Decide(state string, sentAt, now time.Time, window time.Duration, body string) (Step, int) {
	if window <= 0 {
		window = DefaultWindow
	}
	if sentAt.IsZero() || now.Sub(sentAt) > window {
		return Route, 0
	}
	switch state {
	case Sent:
		if r, ok := Rating(body); ok {
			return Rate, r
		}
	case Rated:
		if strings.TrimSpace(body) != "" {
			return Comment, 0
		}
	}
	return Route, 0
}

// Rating reads a reply of 1 to 5: "4", " 5 ", "5!", "4/5", "4 stars",
// "3 estrellas". Anything else (a sentence with a number in it, "10", "0")
// is not a rating, so a consumer writing about something else is routed.
func Rating(body string) (int, bool) {
	s := strings.ToLower(strings.TrimSpace(body))
	if s == "" || s[0] < '1' || s[0] > '5' {
		return 0, false
	}
	r := int(s[0] - '0')
	rest := strings.TrimFunc(s[1:], func(c rune) bool { return unicode.IsSpace(c) || c == '.' || c == '!' })
	switch rest {
	case "", "/5", "/ 5", "star", "stars", "estrella", "estrellas", "de 5", "of 5", "out of 5":
		return r, true
	}
	return 0, false
}
