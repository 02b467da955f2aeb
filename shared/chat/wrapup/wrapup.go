// Package wrapup decides a chat's wrap-up code: the codes a queue offers
// (its own list, else its nearest ancestor's), whether one is required
// (the queue's setting, else its nearest ancestor's, else not), and
// whether a code an agent picked may close the chat.
package wrapup

import (
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Policy is a queue's effective wrap-up policy.
type Policy struct {
	Codes    []string `json:"codes"`
	Required bool     `json:"required"`
}

// Of is the policy of a queue in the tree.
func Of(tree *chat.Tree, queueID string) Policy {
	p := Policy{Codes: []string{}}
	codesSet, reqSet := false, false
	id := queueID
	for i := 0; i < 64 && id != "" && (!codesSet || !reqSet); i++ {
		q, ok := tree.Queue(id)
		if !ok {
			break
		}
		if !codesSet && len(q.WrapUpCodes) > 0 {
			p.Codes, codesSet = slices.Clone(q.WrapUpCodes), true
		}
		if !reqSet && q.WrapUpRequired != nil {
			p.Required, reqSet = *q.WrapUpRequired, true
		}
		id = q.ParentID
	}
	// A requirement with nothing to choose from could never be met.
	p.Required = p.Required && len(p.Codes) > 0
	return p
}

// Check refuses a code the policy does not list, and no code where one is
// required; the error names the request's wrapUpCode.
func (p Policy) Check(code string) error {
	switch {
	case code == "" && p.Required:
		return invalid("this queue requires a wrap-up code to end the chat: one of %q", p.Codes)
	case code != "" && !slices.Contains(p.Codes, code):
		if len(p.Codes) == 0 {
			return invalid("%q: this queue has no wrap-up codes", code)
		}
		return invalid("%q is not one of this queue's wrap-up codes %q", code, p.Codes)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return &chat.ValidationError{Problems: []chat.FieldError{{Field: "wrapUpCode", Message: fmt.Sprintf(format, args...)}}}
}
