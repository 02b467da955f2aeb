package bandwidth

import (
	"maps"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// meanings are the Bandwidth message-failed error codes (Messaging API v2
// "Error Codes", dev.bandwidth.com/docs/messaging/errors) the agent is
// told about in a sentence: the same sentences as Twilio's equivalents.
// Bandwidth's send errors carry a type, not a code, so these come in
// status callbacks only.
var meanings = map[string]carrier.Meaning{
	"4702":       carrier.Unreachable,        // destination-subscriber-unavailable (handset off, unreachable)
	"4720":       carrier.NotATextingNumber,  // invalid-destination-address: not in the numbering plan, or a landline
	"4770":       carrier.Spam,               // destination-spam-detected
	"4795":       carrier.TollFreeUnverified, // tfn-not-verified
	"4303":       carrier.InvalidNumber,      // malformed-invalid-to-number
	CodeOptedOut: carrier.OptedOut,           // 4775 destination-rejected-due-to-user-opt-out
}

// Explain returns what a Bandwidth error code means, if this product
// explains it.
func Explain(code string) (carrier.Meaning, bool) {
	m, ok := meanings[code]
	return m, ok
}

// Meanings returns Bandwidth's explained codes (a copy), for the carrier
// table.
func Meanings() map[string]carrier.Meaning { return maps.Clone(meanings) }
