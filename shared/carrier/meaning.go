package carrier

// Meaning is what a provider's error code means, in words the agent reads
// and in what it makes us do. Each provider maps its own codes onto these
// (a code table in its package); the sentences are provider-neutral, so
// the agent reads the same sentence whichever carrier the number is on.
type Meaning struct {
	// Sentence is what the agent is shown as the send or delivery error.
	Sentence string
	// Class is what retrying a send refused with this code would do.
	Class                                        ErrorClass
	OptedOut, Unregistered, Undeliverable, Alert bool
}

// The meanings the providers' codes map onto.
var (
	Unreachable = Meaning{Class: Retryable,
		Sentence: "The consumer's phone could not be reached (switched off or out of coverage). Try again later."}
	UnknownNumber = Meaning{Class: Permanent, Undeliverable: true,
		Sentence: "The consumer's number is unknown to its carrier or no longer in service, so it cannot receive texts. Texts to it will not be sent again."}
	Landline = Meaning{Class: Permanent, Undeliverable: true,
		Sentence: "The consumer's number is a landline or its carrier cannot receive texts. Texts to it will not be sent again."}
	NotATextingNumber = Meaning{Class: Permanent, Undeliverable: true,
		Sentence: "The consumer's number cannot receive texts (not a valid mobile number, or a landline). Texts to it will not be sent again."}
	Spam = Meaning{Class: Permanent, Alert: true,
		Sentence: "The carrier blocked this text as spam, and it will not be delivered. Review the wording and the number's registration before sending more."}
	SpamForNow = Meaning{Class: Retryable, Alert: true,
		Sentence: "The carrier's spam filter held this text back for now. Sending less often may let it through later."}
	TollFreeUnverified = Meaning{Class: Permanent, Alert: true,
		Sentence: "This business number is a toll-free number that is not verified, so carriers block its texts. An administrator must complete toll-free verification."}
	UnregisteredCampaign = Meaning{Class: Permanent, Unregistered: true, Alert: true,
		Sentence: "This business number has no registered 10DLC campaign, so US carriers block its texts. An administrator must register the campaign."}
	OptedOut = Meaning{Class: Permanent, OptedOut: true,
		Sentence: "The consumer opted out at their carrier (replied STOP). They can be texted again only after they reply START."}
	InvalidNumber = Meaning{Class: Permanent,
		Sentence: "The consumer's number is not a valid phone number."}
)

// Explain fills an error with what m says of it: the sentence (the
// provider's own words move to Detail), the class and the flags.
func (m Meaning) Explain(e *Error) {
	if e.Detail == "" && e.Message != m.Sentence {
		e.Detail = e.Message
	}
	e.Message, e.Class = m.Sentence, m.Class
	e.OptedOut, e.Unregistered, e.Undeliverable, e.Alert = m.OptedOut, m.Unregistered, m.Undeliverable, m.Alert
}

// ExplainStatus fills a delivery report with what m says of its error.
func (m Meaning) ExplainStatus(st *Status) {
	st.ErrorMessage = m.Sentence
	st.OptedOut, st.Unregistered, st.Undeliverable, st.Alert = m.OptedOut, m.Unregistered, m.Undeliverable, m.Alert
}
