package twilio

import (
	"maps"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// meanings are the Twilio error codes (twilio.com/docs/api/errors) the
// agent is told about in a sentence, and what each makes us do. A code
// Twilio reports in a status callback (30003 and up) or as the answer to a
// send (21xxx, and 30034 since 10DLC enforcement) is explained the same
// way wherever it comes from.
var meanings = map[string]carrier.Meaning{
	"30003":      carrier.Unreachable,          // Unreachable destination handset
	"30005":      carrier.UnknownNumber,        // Unknown destination handset
	"30006":      carrier.Landline,             // Landline or unreachable carrier
	"30007":      carrier.Spam,                 // Message filtered (carrier violation)
	"30032":      carrier.TollFreeUnverified,   // Toll-Free Number Has Not Been Verified
	"30034":      carrier.UnregisteredCampaign, // Message from an Unregistered Number
	CodeOptedOut: carrier.OptedOut,             // 21610 Attempt to send to unsubscribed recipient
	"21211":      carrier.InvalidNumber,        // Invalid 'To' Phone Number
	"21614":      carrier.NotATextingNumber,    // 'To' number is not a valid mobile number
}

// Explain returns what a Twilio error code means, if Twilio's table is
// one this product explains.
func Explain(code string) (carrier.Meaning, bool) {
	m, ok := meanings[code]
	return m, ok
}

// Meanings returns Twilio's explained codes (a copy), for the carrier
// table.
func Meanings() map[string]carrier.Meaning { return maps.Clone(meanings) }
