package agentapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ContactPanel is the console's contact panel for a chat: who the consumer
// is (the built-in contact, or the CRM's name and link), their past chats,
// and the chat's CRM sync state (the several-matches pick, "CRM sync
// pending").
type ContactPanel struct {
	Consumer string `json:"consumer"`
	// Source is where the contact lives: builtin (editable here), crm
	// (HubSpot: name and a link that opens it) or none (no CRM sync).
	Source string   `json:"source"`
	CRM    crm.View `json:"crm"`
	// Contact is the linked built-in contact with its newest notes; null
	// until one is linked, and for a CRM (whose contact is crm.contact).
	Contact *builtin.Card `json:"contact"`
	// PastChats are the chats of the consumer's numbers the caller may
	// see, newest first, this one included.
	PastChats []PastChat `json:"pastChats"`
}

// PastChat is one of the consumer's chats as the panel lists it.
type PastChat struct {
	ID        string         `json:"id"`
	Number    string         `json:"number"`
	Consumer  string         `json:"consumer"`
	Status    chat.Status    `json:"status"`
	QueueID   string         `json:"queueId,omitempty"`
	AgentID   string         `json:"agentId,omitempty"`
	StartType chat.StartType `json:"startType,omitempty"`
	EndReason chat.EndReason `json:"endReason,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
	EndedAt   *time.Time     `json:"endedAt,omitempty"`
}

// ContactEdit is a change to a built-in contact (builtin.Edit).
type ContactEdit = builtin.Edit

// Panel sources.
const (
	SourceBuiltin = "builtin"
	SourceCRM     = "crm"
	SourceNone    = "none"
)

// contactRoutes are the contact panel (whoever may see the chat) and the
// built-in contacts' edits (whoever sees a chat of one of the contact's
// numbers; supervisors and admins).
func contactRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/chats/{id}/contact", Handle: getChatContact},
		{Method: "PATCH", Path: "/contacts/{id}", Handle: func(a *Services, w http.ResponseWriter, r *http.Request) { editContact(a, w, r, false) }},
		{Method: "PUT", Path: "/contacts/{id}", Handle: func(a *Services, w http.ResponseWriter, r *http.Request) { editContact(a, w, r, true) }},
	}
}

func getChatContact(a *Services, w http.ResponseWriter, r *http.Request) {
	c, ok := crmChat(a, w, r, false)
	if !ok {
		return
	}
	view, err := a.CRM.ViewOf(r.Context(), c.ID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	contacts, err := builtin.Active(r.Context(), a.CRM)
	if err != nil {
		Fail(w, r, err)
		return
	}
	p := ContactPanel{Consumer: c.Consumer, Source: SourceNone, CRM: view}
	phones := []string{c.Consumer}
	switch {
	case contacts != nil:
		p.Source = SourceBuiltin
	case view.Enabled:
		p.Source = SourceCRM
	}
	if contacts != nil && view.State == crm.StateLinked && view.ContactID != "" {
		card, err := contacts.Card(r.Context(), view.ContactID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// deleted behind the sync's back: shown as not linked
		case err != nil:
			Fail(w, r, err)
			return
		default:
			p.Contact = &card
			phones = append(phones, card.Phones...)
		}
	}
	if p.PastChats, err = pastChats(a, r, phones); err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

// pastChats are the chats of the numbers that the caller may see, newest
// first; a number whose history the caller may not read is skipped.
func pastChats(a *Services, r *http.Request, phones []string) ([]PastChat, error) {
	v := ViewerOf(r)
	out := []PastChat{}
	seen := map[string]bool{}
	for _, phone := range phones {
		if seen[phone] {
			continue
		}
		seen[phone] = true
		cs, err := a.Desk.ConsumerHistory(r.Context(), v, phone)
		if errors.Is(err, access.ErrForbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			pc := PastChat{ID: c.ID, Number: c.Number, Consumer: c.Consumer, Status: c.Status, QueueID: c.QueueID, AgentID: c.AgentID,
				StartType: c.StartType, EndReason: c.EndReason, CreatedAt: c.CreatedAt}
			if !c.EndedAt.IsZero() {
				at := c.EndedAt
				pc.EndedAt = &at
			}
			out = append(out, pc)
		}
	}
	slices.SortStableFunc(out, func(x, y PastChat) int { return y.CreatedAt.Compare(x.CreatedAt) })
	return out, nil
}

func editContact(a *Services, w http.ResponseWriter, r *http.Request, replace bool) {
	var in ContactEdit
	if !Decode(w, r, "ContactEdit", &in) {
		return
	}
	contacts, err := builtin.Active(r.Context(), a.CRM)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if contacts == nil {
		Fail(w, r, errNoContacts)
		return
	}
	id := r.PathValue("id")
	c, err := contacts.Store.Contact(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if !mayEdit(a, r, c) {
		Fail(w, r, access.Forbidden("contact %s is not one of your consumers': only an agent who sees a chat of its numbers, or a supervisor, edits it", id))
		return
	}
	v := ViewerOf(r)
	by := v.AgentID
	if by == "" {
		by = v.UID
	}
	card, err := contacts.Apply(r.Context(), id, by, in, replace)
	answer(w, r, card, err)
}

// errNoContacts: the built-in contacts are off, so there is no contact to
// edit (a CRM's contacts are edited in the CRM).
var errNoContacts = fmt.Errorf("the built-in contacts are not the CRM in use; edit the contact in the CRM: %w", store.ErrNotFound)

// mayEdit: supervisors and admins, and agents who see a chat of one of
// the contact's numbers.
func mayEdit(a *Services, r *http.Request, c builtin.Contact) bool {
	v := ViewerOf(r)
	if v.Supervisor {
		return true
	}
	for _, phone := range c.Phones {
		if _, err := a.Desk.ConsumerHistory(r.Context(), v, phone); err == nil {
			return true
		}
	}
	return false
}
