package chat

import "time"

// SendState is how far our side got in handing a message to the carrier.
// It is separate from Delivery (what the carrier later reports) because the
// send path must know whether a carrier call may already have happened, to
// never text a consumer twice.
type SendState string

const (
	SendPending    SendState = "pending"    // not handed to a carrier yet
	SendClaimed    SendState = "claimed"    // a SendSMS attempt is calling the carrier
	SendSent       SendState = "sent"       // the carrier accepted it
	SendFailed     SendState = "failed"     // permanently refused, or outcome unknown
	SendSuppressed SendState = "suppressed" // never sent: no consent, or refused before sending
)

// Send records our side of sending one outbound message.
type Send struct {
	State     SendState `firestore:"state" json:"state"`
	Attempts  int       `firestore:"attempts" json:"attempts"`
	ClaimedAt time.Time `firestore:"claimedAt,omitempty" json:"claimedAt,omitzero"`
	SentAt    time.Time `firestore:"sentAt,omitempty" json:"sentAt,omitzero"`
	ErrorCode string    `firestore:"errorCode,omitempty" json:"errorCode,omitempty"`
	Error     string    `firestore:"error,omitempty" json:"error,omitempty"`
	// NotBefore holds the send until then (quiet hours, a paced slot).
	NotBefore time.Time `firestore:"notBefore,omitempty" json:"notBefore,omitzero"`
	// SlotLane and SlotUntil are the send slot reserved on the sender's
	// pace: the carrier call must start in [NotBefore, SlotUntil).
	SlotLane  int       `firestore:"slotLane,omitempty" json:"slotLane,omitempty"`
	SlotUntil time.Time `firestore:"slotUntil,omitempty" json:"slotUntil,omitzero"`
}

// Done reports whether no further send attempt may happen.
func (s Send) Done() bool {
	return s.State == SendSent || s.State == SendFailed || s.State == SendSuppressed
}

// DeliveryStatus is the carrier's word on a message, normalised to the
// Twilio vocabulary (the other providers map onto it).
type DeliveryStatus string

const (
	DeliveryAccepted    DeliveryStatus = "accepted"
	DeliveryScheduled   DeliveryStatus = "scheduled"
	DeliveryQueued      DeliveryStatus = "queued"
	DeliverySending     DeliveryStatus = "sending"
	DeliverySent        DeliveryStatus = "sent"
	DeliveryDelivered   DeliveryStatus = "delivered"
	DeliveryUndelivered DeliveryStatus = "undelivered"
	DeliveryFailed      DeliveryStatus = "failed"
	DeliveryCanceled    DeliveryStatus = "canceled"
	DeliveryRead        DeliveryStatus = "read"
)

// rank orders statuses along a message's life. Callbacks arrive out of order
// and twice; a status only replaces one of lower rank, so a late "sent" never
// overwrites "delivered". The terminal outcomes share a rank: the first
// terminal word the carrier sends stands.
func (s DeliveryStatus) rank() int {
	switch s {
	case DeliveryAccepted, DeliveryScheduled:
		return 1
	case DeliveryQueued:
		return 2
	case DeliverySending:
		return 3
	case DeliverySent:
		return 4
	case DeliveryDelivered, DeliveryUndelivered, DeliveryFailed, DeliveryCanceled:
		return 5
	case DeliveryRead:
		return 6
	}
	return 0
}

// Known reports whether s is a status this product understands.
func (s DeliveryStatus) Known() bool { return s.rank() > 0 }

// Delivery is the latest carrier status of an outbound message.
type Delivery struct {
	Status       DeliveryStatus `firestore:"status,omitempty" json:"status,omitempty"`
	ErrorCode    string         `firestore:"errorCode,omitempty" json:"errorCode,omitempty"`
	ErrorMessage string         `firestore:"errorMessage,omitempty" json:"errorMessage,omitempty"`
	UpdatedAt    time.Time      `firestore:"updatedAt,omitempty" json:"updatedAt,omitzero"`
	Token        string         `firestore:"token,omitempty" json:"-"` // the idempotency token of the report applied last
}

// Advance returns the delivery after a carrier report and whether it changed.
// A report of equal or lower rank changes nothing (duplicates and late
// arrivals), except that a terminal failure keeps the first error code.
func (d Delivery) Advance(status DeliveryStatus, errorCode, errorMessage string, at time.Time) (Delivery, bool) {
	if !status.Known() || status.rank() <= d.Status.rank() {
		return d, false
	}
	next := Delivery{Status: status, ErrorCode: errorCode, ErrorMessage: errorMessage, UpdatedAt: at}
	if status == DeliveryRead {
		// "read" follows delivered; keep nothing of an earlier error since a
		// read message was delivered.
		next.ErrorCode, next.ErrorMessage = "", ""
	}
	return next, true
}
