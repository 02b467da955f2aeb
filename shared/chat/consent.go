package chat

import (
	"slices"
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
	// SourceBusiness: the business attested consent when it texted first
	// (the ledger's Detail names the API key or agent).
	SourceBusiness ConsentSource = "business"
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
	// HelpReply is the answer to an opted-out consumer's latest HELP, which
	// carriers expect answered: besides the confirmation, the one text an
	// opted-out consumer may receive.
	HelpReply *Ref `firestore:"helpReply,omitempty" json:"helpReply,omitempty"`
	// Sending lists the sends to this consumer on this number claimed within
	// the last SendLease: each claim registers here, in the transaction that
	// reads this document for the consent check anyway, so the last texts of
	// an opt-out can wait for the sends already on their way.
	Sending []SendClaim `firestore:"sending,omitempty" json:"sending,omitempty"`
	// SessionlessAt is when a text without a session last went out; a
	// reply soon after is answered, not routed. SessionlessAnswered: once.
	SessionlessAt       time.Time `firestore:"sessionlessAt,omitempty" json:"sessionlessAt,omitzero"`
	SessionlessAnswered bool      `firestore:"sessionlessAnswered,omitempty" json:"sessionlessAnswered,omitempty"`
	Undeliverable       string    `firestore:"undeliverable,omitempty" json:"undeliverable,omitempty"` // why the carrier said the number cannot receive texts
}

// SendClaim is one send registered on the consent it was checked against.
type SendClaim struct {
	Ref       Ref       `firestore:"ref" json:"ref"`
	ClaimedAt time.Time `firestore:"claimedAt" json:"claimedAt"`
}

// WithClaim registers a granted claim of ref, dropping the claims whose
// lease ran out (their attempt finished or died), an earlier claim of the
// same message, and the claims of seen messages that are done (the claim
// read them anyway), which keeps the list at about one entry per chat. It
// never changes c's own list, which a store may share.
func (c Consent) WithClaim(ref Ref, now time.Time, seen ...Message) Consent {
	next := make([]SendClaim, 0, len(c.Sending)+1)
	for _, sc := range c.Sending {
		done := slices.ContainsFunc(seen, func(m Message) bool { return m.Ref() == sc.Ref && m.Send.Done() })
		if sc.Ref != ref && now.Sub(sc.ClaimedAt) < SendLease && !done {
			next = append(next, sc)
		}
	}
	c.Sending = append(next, SendClaim{Ref: ref, ClaimedAt: now})
	return c
}

// InFlight are the sends registered on c, other than ref, whose claim may
// still be in its carrier call at now.
func (c Consent) InFlight(ref Ref, now time.Time) []Ref {
	var out []Ref
	for _, sc := range c.Sending {
		if sc.Ref != ref && now.Sub(sc.ClaimedAt) < SendLease {
			out = append(out, sc.Ref)
		}
	}
	return out
}

// LastWords reports whether m is one of the texts an opted-out consumer may
// still receive (the confirmation of the opt-out, the answer to a HELP).
// Such a text goes out only after every send claimed before it finished:
// nothing may reach the phone after "You are unsubscribed", and a send
// claimed before the STOP may still be in its carrier call.
func LastWords(c Consent, m Message) bool {
	return c.State == ConsentOptedOut && MaySend(c, m)
}

// ConsentAction is what a ledger entry did.
type ConsentAction string

const (
	ActionOptIn  ConsentAction = "opt-in"
	ActionOptOut ConsentAction = "opt-out"
	// ActionHelp: an opted-out consumer's HELP was answered, the one text
	// besides the confirmation they may receive.
	ActionHelp ConsentAction = "help-answered"
	// ActionProactive: a text the business sent first, with its legal
	// basis in Detail.
	ActionProactive ConsentAction = "proactive-send"
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
		switch m.Kind {
		case KindOptOutConfirm:
			return c.OptOutConfirmation != nil && *c.OptOutConfirmation == m.Ref()
		case KindHelp:
			return c.HelpReply != nil && *c.HelpReply == m.Ref()
		}
		return false
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
	// The sends on their way stay registered: a later HELP's answer waits
	// for them.
	next := Consent{Number: number, Consumer: consumer, State: ConsentOptedOut, Source: SourceCarrier, UpdatedAt: now, Sending: c.Sending}
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
