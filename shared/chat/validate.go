package chat

import (
	"fmt"
	"regexp"
	"strings"
)

// Config is a whole channel configuration: what AdminAPI edits piece by
// piece, and the JSON shape operators import.
type Config struct {
	Settings Settings `json:"settings"`
	Numbers  []Number `json:"numbers"`
	Queues   []Queue  `json:"queues"`
	Teams    []Team   `json:"teams,omitempty"`
	Agents   []Agent  `json:"agents"`
}

// Tree indexes the configuration's queues.
func (c Config) Tree() *Tree { return NewTree(c.Settings, c.Queues, c.Teams) }

// FieldError is one problem with a configuration, naming the field the way
// the JSON document spells it so an operator can find it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem found, not just the first, so one
// round trip fixes a document.
type ValidationError struct {
	Problems []FieldError `json:"problems"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// Providers a number may use.
var Providers = []string{"twilio", "telnyx", "bandwidth"}

// CampaignStatuses are the 10DLC campaign states carriers report.
var CampaignStatuses = []string{"", "pending", "verified", "rejected", "suspended", "expired", "unregistered"}

var (
	IDPattern       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
	LanguagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	// LabelPattern is a chat label, as Chatwoot's: lowercase, no spaces.
	LabelPattern = regexp.MustCompile(`^[\p{Ll}\p{Nd}][\p{Ll}\p{Nd}_-]{0,31}$`)
)

// validateList checks a configured list's items and that none repeats.
// Problems collects the problems of a document, each naming its field;
// Err is nil when there are none.
type Problems struct{ List []FieldError }

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	p.List = append(p.List, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is the ValidationError listing every problem, or nil.
func (p *Problems) Err() error {
	if len(p.List) == 0 {
		return nil
	}
	return &ValidationError{Problems: p.List}
}
