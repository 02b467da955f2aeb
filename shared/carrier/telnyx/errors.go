package telnyx

import (
	"maps"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// meanings are the Telnyx error codes ("Messaging Error Code Reference",
// developers.telnyx.com/docs/messaging/messages/error-codes; "API Error
// Codes" for 1xxxx) the agent is told about in a sentence: the same
// sentences as Twilio's equivalents.
var meanings = map[string]carrier.Meaning{
	"40001":          carrier.NotATextingNumber,    // Not routable: a landline or non-routable number
	"40002":          carrier.SpamForNow,           // Blocked as spam (temporary)
	"40003":          carrier.Spam,                 // Blocked as spam (permanent)
	"40006":          carrier.Unreachable,          // Recipient unavailable: the recipient's carrier is down
	CodeUnregistered: carrier.UnregisteredCampaign, // 40010 Not 10DLC registered
	"40012":          carrier.InvalidNumber,        // Invalid destination number
	"10002":          carrier.InvalidNumber,        // Invalid phone number
	CodeOptedOut:     carrier.OptedOut,             // 40300 Blocked due to STOP message
}

// Explain returns what a Telnyx error code means, if this product explains
// it.
func Explain(code string) (carrier.Meaning, bool) {
	m, ok := meanings[code]
	return m, ok
}

// Meanings returns Telnyx's explained codes (a copy), for the carrier
// table.
func Meanings() map[string]carrier.Meaning { return maps.Clone(meanings) }
