package tasks

import "fmt"

// MaxNameLen is the longest task id Cloud Tasks accepts.
const MaxNameLen = 500

// ValidateName checks that name can be a Cloud Tasks task id: 1 to 500
// ASCII letters, digits, hyphens or underscores. Both adapters apply it, so
// a name that only the production service would reject fails in tests too.
// Callers derive names from ids that may hold other characters (E.164 '+',
// Firestore ids) and must encode them, for example as hex.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("tasks: task name is empty")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("tasks: task name %.20q... is %d characters, more than %d", name, len(name), MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("tasks: task name %q has %q at %d; only letters, digits, '-' and '_' are allowed", name, c, i)
		}
	}
	return nil
}
