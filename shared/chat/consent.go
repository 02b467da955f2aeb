package chat

import (
	"sort"
	"time"
)

// ConsentState is a consumer's current consent for one business number.
type ConsentState string

const (
	ConsentUnknown  ConsentState = ""
	ConsentOptedIn  ConsentState = "opted-in"
	ConsentOptedOut ConsentState = "opted-out"
)

// ConsentSource says how consent changed, for the ledger that proves it.
type ConsentSource string

const (
	SourceFirstMessage ConsentSource = "consumer-first-message" // consumer texted us first
	SourceKeyword      ConsentSource = "keyword"                // STOP/START family
	SourceCarrier      ConsentSource = "carrier"                // carrier reported the consumer opted out (e.g. Twilio 21610)
)

// Consent is the current consent of a consumer for a business number. The
// history is the append-only ledger of ConsentEvents.
type Consent struct {
	Number    string        `firestore:"number" json:"number"`
	Consumer  string        `firestore:"consumer" json:"consumer"`
	State     ConsentState  `firestore:"state" json:"state"`
	Source    ConsentSource `firestore:"source" json:"source"`
	Keyword   string        `firestore:"keyword,omitempty" json:"keyword,omitempty"`
	UpdatedAt time.Time     `firestore:"updatedAt" json:"updatedAt"`
	// OptOutConfirmation is the one message an opted-out consumer may still
	// receive: the confirmation of this opt-out.
	OptOutConfirmation *Ref `firestore:"optOutConfirmation,omitempty" json:"optOutConfirmation,omitempty"`
}

// ConsentAction is what a ledger entry did.
type ConsentAction string

const (
	ActionOptIn  ConsentAction = "opt-in"
	ActionOptOut ConsentAction = "opt-out"
)

// ConsentEvent is one entry of the consent ledger. Its ID is derived from the
// delivery that caused it, so a retried write lands on the same entry.
type ConsentEvent struct {
	ID        string        `firestore:"id" json:"id"`
	Action    ConsentAction `firestore:"action" json:"action"`
	Source    ConsentSource `firestore:"source" json:"source"`
	Keyword   string        `firestore:"keyword,omitempty" json:"keyword,omitempty"`
	InboundID string        `firestore:"inboundId,omitempty" json:"inboundId,omitempty"`
	ChatID    string        `firestore:"chatId,omitempty" json:"chatId,omitempty"`
	Detail    string        `firestore:"detail,omitempty" json:"detail,omitempty"`
	At        time.Time     `firestore:"at" json:"at"`
}

// MaySend decides whether a message may go to the consumer now. It is
// checked at send time, not when the message was written, so an opt-out
// that arrives in between wins.
func MaySend(c Consent, m Message) bool {
	switch c.State {
	case ConsentOptedOut:
		return m.Kind == KindOptOutConfirm && c.OptOutConfirmation != nil && *c.OptOutConfirmation == m.Ref()
	case ConsentOptedIn:
		return true
	}
	// Unknown consent: only the opt-in notice, which answers the consumer's own text.
	return m.Kind == KindOptIn
}

// RevokeByCarrier records that the carrier refused a send because the
// consumer opted out at the carrier (they texted STOP to another of our
// numbers on a pool, or at the carrier level).
func RevokeByCarrier(c Consent, number, consumer, eventID, code string, now time.Time) (Consent, ConsentEvent, bool) {
	if c.State == ConsentOptedOut {
		return c, ConsentEvent{}, false
	}
	next := Consent{Number: number, Consumer: consumer, State: ConsentOptedOut, Source: SourceCarrier, UpdatedAt: now}
	ev := ConsentEvent{ID: eventID, Action: ActionOptOut, Source: SourceCarrier, Detail: "carrier error " + code, At: now}
	return next, ev, true
}

// SortLedger orders consent events as the ledger reads: by time, then id
// for events of the same instant. Every store returns the ledger this way.
func SortLedger(evs []ConsentEvent) {
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].At.Equal(evs[j].At) {
			return evs[i].At.Before(evs[j].At)
		}
		return evs[i].ID < evs[j].ID
	})
}
