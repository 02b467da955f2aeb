package chat

import "errors"

// StateError is an action asked of a chat in a state that does not allow
// it (ended, no longer offered, not yet accepted): a conflict for the
// caller, never a failure. Compare with errors.Is against the Err values
// that are StateErrors, or test the kind with IsStateError.
type StateError struct{ msg string }

func (e *StateError) Error() string { return e.msg }

// IsStateError reports whether err is, or wraps, a StateError.
func IsStateError(err error) bool {
	var se *StateError
	return errors.As(err, &se)
}
