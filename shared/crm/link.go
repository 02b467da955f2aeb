package crm

import (
	"context"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// State is where a chat's CRM sync stands.
type State string

const (
	// StateNew: no contact looked up yet (the chat was not assigned, or
	// its outbound text not sent); events wait in Held.
	StateNew State = ""
	// StateChoosing: several contacts match; events wait in Held until the
	// agent picks one or asks for a new one.
	StateChoosing State = "choosing"
	// StateLinked: ContactID is the chat's contact; events are posted.
	StateLinked State = "linked"
)

// ChoiceCreate is the Choice that asks for a new contact.
const ChoiceCreate = "create"

// Link is a chat's CRM sync state, crm/{chatId}.
type Link struct {
	ChatID    string   `firestore:"chatId" json:"chatId"`
	Consumer  string   `firestore:"consumer" json:"consumer"`
	State     State    `firestore:"state" json:"state"`
	ContactID string   `firestore:"crmContactId,omitempty" json:"crmContactId,omitempty"`
	Contact   *Contact `firestore:"contact,omitempty" json:"contact,omitempty"`
	// Candidates are the contacts the agent picks from (StateChoosing).
	Candidates []Contact `firestore:"candidates,omitempty" json:"candidates,omitempty"`
	// Choice is the agent's pick: a candidate's id or ChoiceCreate, made
	// by ChosenBy; CRMSync applies it.
	Choice   string `firestore:"choice,omitempty" json:"choice,omitempty"`
	ChosenBy string `firestore:"chosenBy,omitempty" json:"chosenBy,omitempty"`
	// Triggered: the chat was assigned (or its text sent) but the lookup
	// waits on Rules.MinConsumerMessages.
	Triggered bool `firestore:"triggered,omitempty" json:"triggered,omitempty"`
	// Posted are the ids of the events posted to the contact, so a
	// redelivered event posts nothing again.
	Posted []string `firestore:"posted,omitempty" json:"posted,omitempty"`
	// Intents are the notes (by their Posted id) about to be sent: a
	// note here but not in Posted was maybe taken by the CRM before a
	// crash, so the retry reconciles it (NoteFinder) before posting.
	Intents []string `firestore:"intents,omitempty" json:"intents,omitempty"`
	// IntentAt is when the latest intent was recorded.
	IntentAt time.Time `firestore:"intentAt,omitempty" json:"intentAt,omitzero"`
	// Held are the events waiting to be posted, in arrival order.
	Held []chat.Event `firestore:"held,omitempty" json:"held,omitempty"`
	// Parked are the events whose retries ran out or the CRM refused; the
	// chat's later events wait behind them in Held, so the contact sees
	// them in order once an operator replays the chat.
	Parked []Parked `firestore:"parked,omitempty" json:"parked,omitempty"`
	// Pending mirrors len(Parked) > 0 so the chats waiting for a replay
	// can be queried (PendingLister).
	Pending   bool      `firestore:"syncPending,omitempty" json:"syncPending,omitempty"`
	UpdatedAt time.Time `firestore:"updatedAt" json:"updatedAt"`
}

// Parked is an event CRMSync gave up on for now, with why.
type Parked struct {
	EventID  string    `firestore:"eventId" json:"eventId"`
	Error    string    `firestore:"error" json:"error"`
	Attempts int       `firestore:"attempts" json:"attempts"`
	At       time.Time `firestore:"at" json:"at"`
}

// HasPosted reports whether the event was posted.
func (l Link) HasPosted(eventID string) bool { return slices.Contains(l.Posted, eventID) }

// HasIntent reports whether a note was about to be sent.
func (l Link) HasIntent(id string) bool { return slices.Contains(l.Intents, id) }

// IsHeld reports whether the event waits in Held.
func (l Link) IsHeld(eventID string) bool {
	return slices.ContainsFunc(l.Held, func(e chat.Event) bool { return e.ID == eventID })
}

// SyncPending reports whether the chat has events not yet in the CRM
// because of an error: what the console shows as "CRM sync pending".
func (l Link) SyncPending() bool { return len(l.Parked) > 0 }

// hold appends ev to Held unless it is there or posted.
func (l *Link) hold(ev chat.Event) {
	if !l.HasPosted(ev.ID) && !l.IsHeld(ev.ID) {
		l.Held = append(l.Held, ev)
	}
}

// markPosted records ev as posted and drops it from Held.
func (l *Link) markPosted(eventID string) {
	if !l.HasPosted(eventID) {
		l.Posted = append(l.Posted, eventID)
	}
	l.Held = slices.DeleteFunc(l.Held, func(e chat.Event) bool { return e.ID == eventID })
}

// Store keeps the chats' Links. crm/memlink and crm/firelink implement it;
// crm/linktest is their contract.
type Store interface {
	// Link returns a chat's link; a chat never synced yields a Link with
	// only ChatID set, and no error.
	Link(ctx context.Context, chatID string) (Link, error)
	// UpdateLink runs fn on the chat's current link in a transaction and
	// stores what fn leaves, unless fn fails. fn may run more than once
	// and must do no I/O.
	UpdateLink(ctx context.Context, chatID string, fn func(l *Link) error) (Link, error)
}
