package chat

import (
	"time"
)

// What the send lifecycle (package chat/sending) shares with the consent
// and the carriers: the claim's lease and how a carrier failure is classed.

// SendLease is how long a claim on a message protects a send attempt. It
// outlasts the carrier call's timeout plus the store writes around it, so a
// claim older than this belongs to an attempt that died.
const SendLease = 2 * time.Minute

// FailureClass says what a failed carrier call means for the message.
type FailureClass int

const (
	// FailRetryable: the carrier did not take the message; sending again
	// is safe.
	FailRetryable FailureClass = iota
	// FailPermanent: the carrier refused the message for good.
	FailPermanent
	// FailAmbiguous: the request may have reached the carrier and no answer
	// came back; sending again could text the consumer twice.
	FailAmbiguous
)

// SendFailure is a classified carrier failure as the message records it.
type SendFailure struct {
	Class   FailureClass
	Code    string
	Message string
	// OptedOut: the carrier says the consumer opted out at the carrier.
	OptedOut bool
}
