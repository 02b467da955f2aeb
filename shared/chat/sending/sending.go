// Package sending holds the send lifecycle of one outbound message: SendSMS
// claims it (consent checked at that moment, not when the message was
// written), calls the carrier outside any transaction, then records the
// outcome and the carrier's delivery reports. These are the decisions; the
// delivery use case loads, calls them and stores.
package sending

import (
	"errors"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Claim is what a send attempt may do with a message.
type Claim string

const (
	// ClaimGranted: the message is claimed; call the carrier.
	ClaimGranted Claim = "claimed"
	// ClaimBusy: another attempt holds the claim, the previous text of the
	// chat is not done, or (for an opted-out consumer's chat.LastWords) a send
	// claimed before is still in its carrier call; back off and retry.
	ClaimBusy Claim = "busy"
	// ClaimDone: the message was sent or ended before; nothing to do.
	ClaimDone Claim = "already-done"
	// ClaimSuppressed: the message may never be sent (no consent, a body
	// the carriers refuse); it is marked so.
	ClaimSuppressed Claim = "suppressed"
	// ClaimAbandoned: an attempt died holding the claim after perhaps
	// reaching the carrier; never resent, marked failed.
	ClaimAbandoned Claim = "failed"
)

// ClaimInput is what a claim decision reads, all from one transaction.
type ClaimInput struct {
	Message chat.Message
	Consent chat.Consent
	// Previous is the chat's message before this one (nil for the first,
	// one that follows the consumer's text, or when it does not exist).
	Previous *chat.Message
	// BodyError is why the carriers would refuse the body, if they would.
	BodyError error
	// InFlight are the messages of Consent.InFlight(Message.Ref(), Now) as
	// stored now, read only when the message is one of an opted-out
	// consumer's chat.LastWords.
	InFlight []chat.Message
	Now      time.Time
}

// ClaimSend decides a send attempt and returns the message as it must be
// stored (unchanged for ClaimDone and ClaimBusy). A granted claim is
// registered on the consent (chat.Consent.WithClaim) in the same transaction.
func ClaimSend(in ClaimInput) (chat.Message, Claim) {
	m, now := in.Message, in.Now
	switch {
	case m.Send.Done():
		return m, ClaimDone
	case m.Send.State == chat.SendClaimed && now.Sub(m.Send.ClaimedAt) < chat.SendLease:
		return m, ClaimBusy
	case m.Send.State == chat.SendClaimed:
		m.Send.State = chat.SendFailed
		m.Send.Error = "the send attempt stopped before the carrier's answer was recorded; not resent, to never text the consumer twice"
		return m, ClaimAbandoned
	}
	if !chat.MaySend(in.Consent, m) {
		m.Send.State = chat.SendSuppressed
		m.Send.Error = "consumer has not consented to texts"
		if in.Consent.State == chat.ConsentOptedOut {
			m.Send.Error = "consumer opted out"
		}
		return m, ClaimSuppressed
	}
	// Texts of one chat go out in sequence order: a consumer must read the
	// opt-in notice before the menu. The previous one's send enqueues this
	// one when it finishes; until then, wait.
	if p := in.Previous; p != nil && p.Author.Outbound() && !p.Send.Done() {
		return m, ClaimBusy
	}
	// The last texts of an opt-out wait for the sends claimed before it:
	// their carrier call may still be under way, and nothing may reach the
	// phone after the confirmation. Only a claim within its lease can be in
	// a carrier call; one returned to pending was refused by the carrier, and
	// its next claim will find the opt-out and be suppressed.
	if chat.LastWords(in.Consent, m) {
		for _, o := range in.InFlight {
			if o.Send.State == chat.SendClaimed && now.Sub(o.Send.ClaimedAt) < chat.SendLease {
				return m, ClaimBusy
			}
		}
	}
	if in.BodyError != nil {
		m.Send.State, m.Send.Error = chat.SendSuppressed, in.BodyError.Error()
		return m, ClaimSuppressed
	}
	m.Send.State, m.Send.ClaimedAt = chat.SendClaimed, now
	m.Send.Attempts++
	return m, ClaimGranted
}

// MarkSent records that the carrier accepted the message.
func MarkSent(m chat.Message, providerID string, status chat.DeliveryStatus, now time.Time) chat.Message {
	m.Send.State, m.Send.SentAt, m.Send.Error, m.Send.ErrorCode = chat.SendSent, now, "", ""
	m.ProviderMessageID = providerID
	if d, ok := m.Delivery.Advance(status, "", "", now); ok {
		m.Delivery = d
	}
	return m
}

// Taken reports whether a send answer's status says only that the
// carrier took the text (accepted, scheduled, queued), which its reports
// say again: the answer need not be recorded as a report, only as the
// send's outcome.
func Taken(s chat.DeliveryStatus) bool {
	switch s {
	case "", chat.DeliveryAccepted, chat.DeliveryScheduled, chat.DeliveryQueued:
		return true
	}
	return false
}

// MarkFailed records a failed carrier call: a retryable failure returns the
// message to pending for the next attempt, an ambiguous one ends it (never
// resent), a permanent one ends it as failed delivery too.
func MarkFailed(m chat.Message, f chat.SendFailure, now time.Time) chat.Message {
	m.Send.ErrorCode, m.Send.Error = f.Code, f.Message
	switch f.Class {
	case chat.FailRetryable:
		m.Send.State = chat.SendPending
	case chat.FailAmbiguous:
		m.Send.State = chat.SendFailed
		m.Send.Error = "the carrier did not answer (" + f.Message + "); not resent, to never text the consumer twice"
	default:
		m.Send.State = chat.SendFailed
		if d, ok := m.Delivery.Advance(chat.DeliveryFailed, f.Code, f.Message, now); ok {
			m.Delivery = d
		}
	}
	return m
}

// ErrProviderIDMismatch means a delivery report names a message whose
// recorded provider id differs: it is not about this message.
var ErrProviderIDMismatch = errors.New("provider message id does not match the message")

// StatusReport is a carrier's delivery report for one message.
type StatusReport struct {
	ProviderMessageID string
	Status            chat.DeliveryStatus
	ErrorCode         string
	ErrorMessage      string
}

// ApplyReport applies a delivery report. Reports arrive out of order and
// more than once; only one that moves the message forward changes it. A
// report for a message whose send outcome was never recorded (the sender
// crashed after the carrier accepted it) repairs the record to sent.
func ApplyReport(m chat.Message, r StatusReport, now time.Time) (chat.Message, bool, error) {
	if m.ProviderMessageID != "" && m.ProviderMessageID != r.ProviderMessageID {
		return m, false, ErrProviderIDMismatch
	}
	changed := false
	if m.ProviderMessageID == "" {
		m.ProviderMessageID = r.ProviderMessageID
		if m.Send.State != chat.SendSent {
			m.Send.State, m.Send.SentAt, m.Send.Error = chat.SendSent, now, ""
		}
		changed = true
	}
	if d, ok := m.Delivery.Advance(r.Status, r.ErrorCode, r.ErrorMessage, now); ok {
		m.Delivery, changed = d, true
	}
	return m, changed, nil
}
