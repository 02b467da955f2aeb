package crm

import "context"

// ContactView is a contact as the console shows it.
type ContactView struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// URL opens the contact in the CRM; absent when unknown.
	URL string `json:"url,omitempty"`
}

// View is a chat's CRM panel: the linked contact, or the candidates to
// pick from, and whether events wait on an error.
type View struct {
	// Enabled is false when no CRM is configured: the console hides the
	// panel.
	Enabled bool  `json:"enabled"`
	State   State `json:"state"`
	// ContactID is the chat's linked contact (crmContactId).
	ContactID   string        `json:"crmContactId,omitempty"`
	Contact     *ContactView  `json:"contact,omitempty"`
	Candidates  []ContactView `json:"candidates,omitempty"`
	Choice      string        `json:"choice,omitempty"`
	SyncPending bool          `json:"syncPending"`
	Parked      []Parked      `json:"parked,omitempty"`
}

// ViewOf is the chat's CRM panel.
func (s *Service) ViewOf(ctx context.Context, chatID string) (View, error) {
	s, err := s.current(ctx)
	if err != nil {
		return View{}, err
	}
	if !s.Enabled() || s.CRM == nil {
		return View{}, nil
	}
	l, err := s.Links.Link(ctx, chatID)
	if err != nil {
		return View{}, err
	}
	state := l.State
	if state == "" {
		state = "pending"
	}
	v := View{Enabled: true, State: state, ContactID: l.ContactID, Choice: l.Choice, SyncPending: l.SyncPending(), Parked: l.Parked}
	if l.Contact != nil {
		cv := s.contactView(*l.Contact)
		v.Contact = &cv
	}
	for _, c := range l.Candidates {
		v.Candidates = append(v.Candidates, s.contactView(c))
	}
	return v, nil
}

func (s *Service) contactView(c Contact) ContactView {
	return ContactView{ID: c.ID, Name: c.Name(), Email: c.Email, Phone: c.Phone, MobilePhone: c.MobilePhone, URL: s.CRM.ContactURL(c.ID)}
}
