package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// EventChosen is published on chat-events when an agent picks the chat's
// contact among several, so CRMSync applies the pick in the chat's order
// and the agent's request never waits for the CRM.
const EventChosen chat.EventType = "crm.chosen"

// DefaultMaxAttempts is how many deliveries an event gets before it is
// parked: the push subscription's max_delivery_attempts default, so the
// event is parked (visible on the chat) rather than dead-lettered.
const DefaultMaxAttempts = 5

// Chats is what the sync reads of chat state: the chat and its messages
// for the transcript, the queues for the queue path.
type Chats interface {
	Chat(ctx context.Context, id string) (chat.Chat, error)
	Messages(ctx context.Context, chatID string) ([]chat.Message, error)
	Queues(ctx context.Context) ([]chat.Queue, error)
	// ConsumerChats are the consumer's chats, newest first (Rules.AppendOpen).
	ConsumerChats(ctx context.Context, consumer string, limit int) ([]chat.Chat, error)
}

// Service syncs chats to a CRM.
type Service struct {
	// CRM is the adapter; nil turns the sync off (events are acked, the
	// console shows no CRM panel).
	CRM   CRM
	Links Store
	Chats Chats
	// Bus carries the agent's pick to CRMSync (Choose).
	Bus   bus.Publisher
	Clock clock.Clock
	// MaxAttempts is the delivery attempt at which a failing event is
	// parked; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// Location renders the transcript's times; nil is UTC.
	Location *time.Location
	// Rules are the record-creation settings.
	Rules Rules
	// Media reads the consumer's stored media for their notes; nil posts
	// the carrier's links instead.
	Media MediaSource
	// Connector, when set, picks the CRM and the rules at each call from
	// the configuration (settings/crm, edited through AdminAPI); CRM and
	// Rules are then ignored.
	Connector Connector
}

// Connection is the CRM in use and its rules.
type Connection struct {
	// CRM is nil when the sync is off.
	CRM   CRM
	Rules Rules
}

// Connector chooses the Connection from the configuration.
type Connector interface {
	Connection(ctx context.Context) (Connection, error)
}

// current is s with the Connector's choice in CRM and Rules.
func (s *Service) current(ctx context.Context) (*Service, error) {
	if s == nil || s.Connector == nil {
		return s, nil
	}
	c, err := s.Connector.Connection(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the CRM connection: %w", err)
	}
	cp := *s
	cp.CRM, cp.Rules, cp.Connector = c.CRM, c.Rules, nil
	return &cp, nil
}

// Errors of Choose, for the API's status mapping.
var (
	ErrOff          = errors.New("CRM sync is not configured")
	ErrNotChoosing  = errors.New("the chat's contact is not waiting for a choice")
	ErrBadChoice    = errors.New("give contactId (one of the candidates) or create: true, not both")
	ErrNotCandidate = errors.New("contactId is not one of the chat's candidates")
)

// Enabled reports whether a CRM is configured (or may be: a Connector
// decides at each call).
func (s *Service) Enabled() bool { return s != nil && (s.CRM != nil || s.Connector != nil) }

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

// Apply syncs one chat event; attempt is the push delivery's attempt (0
// when Pub/Sub did not say). A nil error acks the event: it was posted,
// held for later, or parked with its error. An error asks for a
// redelivery (the CRM or the store is failing and attempts remain).
func (s *Service) Apply(ctx context.Context, ev chat.Event, attempt int) error {
	s, err := s.current(ctx)
	if err != nil {
		return err
	}
	if !s.Enabled() {
		return nil
	}
	ctx = logging.With(ctx, logrus.Fields{"chat_id": ev.ChatID, "event_id": ev.ID, "event_type": ev.Type})
	err = s.apply(ctx, ev)
	if err == nil {
		return nil
	}
	if Retryable(err) && (attempt == 0 || attempt < s.maxAttempts()) {
		return err
	}
	return s.park(ctx, ev, attempt, err)
}

func (s *Service) apply(ctx context.Context, ev chat.Event) error {
	l, err := s.Links.Link(ctx, ev.ChatID)
	if err != nil {
		return err
	}
	if l.HasPosted(ev.ID) {
		return nil
	}
	switch {
	case ev.Type == EventChosen:
		return s.applyChoice(ctx, l, ev)
	case l.SyncPending(), l.State == StateChoosing, l.State == StateNew && !triggers(ev) && !l.Triggered:
		return s.hold(ctx, ev)
	case l.State == StateLinked:
		return s.post(ctx, l, ev)
	}
	ok, err := s.enoughMessages(ctx, ev.ChatID)
	if err != nil {
		return err
	}
	if !ok {
		_, err := s.Links.UpdateLink(ctx, ev.ChatID, func(l *Link) error {
			l.Consumer, l.Triggered, l.UpdatedAt = ev.Consumer, true, s.Clock.Time()
			l.hold(ev)
			return nil
		})
		return err
	}
	prev, err := s.appendTo(ctx, ev)
	if err != nil {
		return err
	}
	if prev != nil {
		return s.link(ctx, ev, *prev)
	}
	return s.lookUp(ctx, ev)
}

// triggers reports whether ev is the moment the consumer's record is
// created or updated: an inbound chat connected to an agent, or an
// outbound chat's text sent.
func triggers(ev chat.Event) bool {
	switch ev.Type {
	case chat.EventOutboundSent:
		return true
	case chat.EventChatAssigned:
		return ev.StartType != chat.StartOutbound && ev.StartType != chat.StartSessionless
	}
	return false
}

func (s *Service) hold(ctx context.Context, ev chat.Event) error {
	_, err := s.Links.UpdateLink(ctx, ev.ChatID, func(l *Link) error {
		l.Consumer = ev.Consumer
		l.hold(ev)
		l.UpdatedAt = s.Clock.Time()
		return nil
	})
	return err
}

// lookUp applies the three cases: no contact, one, several.
func (s *Service) lookUp(ctx context.Context, ev chat.Event) error {
	found, err := s.CRM.FindContactsByPhone(ctx, ev.Consumer)
	if err != nil {
		return fmt.Errorf("look up %s: %w", ev.Consumer, err)
	}
	matches := slices.DeleteFunc(found, func(c Contact) bool {
		return !SamePhone(c.Phone, ev.Consumer) && !SamePhone(c.MobilePhone, ev.Consumer)
	})
	switch len(matches) {
	case 0:
		c, err := s.CRM.CreateContact(ctx, Contact{Phone: ev.Consumer, Language: ev.Language})
		if err != nil {
			return fmt.Errorf("create contact for %s: %w", ev.Consumer, err)
		}
		return s.link(ctx, ev, c)
	case 1:
		c, err := s.CRM.UpdateContact(ctx, Contact{ID: matches[0].ID, Language: ev.Language})
		if err != nil {
			return fmt.Errorf("update contact %s: %w", matches[0].ID, err)
		}
		return s.link(ctx, ev, mergeContact(matches[0], c))
	}
	_, err = s.Links.UpdateLink(ctx, ev.ChatID, func(l *Link) error {
		if l.State == StateNew {
			l.State, l.Candidates = StateChoosing, matches
		}
		l.Consumer = ev.Consumer
		l.hold(ev)
		l.UpdatedAt = s.Clock.Time()
		return nil
	})
	if err == nil {
		logging.From(ctx).WithField("candidates", len(matches)).Info("several CRM contacts match; waiting for the agent's choice")
	}
	return err
}

// mergeContact keeps what the search returned where the update's answer
// is silent.
func mergeContact(found, updated Contact) Contact {
	if updated.ID == "" {
		return found
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&updated.FirstName, found.FirstName}, {&updated.LastName, found.LastName}, {&updated.Email, found.Email},
		{&updated.Phone, found.Phone}, {&updated.MobilePhone, found.MobilePhone},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	return updated
}

// link records c as the chat's contact and posts what waited, then ev.
func (s *Service) link(ctx context.Context, ev chat.Event, c Contact) error {
	l, err := s.Links.UpdateLink(ctx, ev.ChatID, func(l *Link) error {
		if l.State != StateLinked {
			l.State, l.ContactID, l.Contact, l.Candidates = StateLinked, c.ID, &c, nil
		}
		l.Consumer = ev.Consumer
		l.UpdatedAt = s.Clock.Time()
		return nil
	})
	if err != nil {
		return err
	}
	logging.From(ctx).WithField("crm_contact_id", l.ContactID).Info("chat linked to its CRM contact")
	return s.post(ctx, l, ev)
}

// post posts the held events, then ev, each once, recording each as
// posted right after the CRM took it.
func (s *Service) post(ctx context.Context, l Link, ev chat.Event) error {
	events := append(slices.Clone(l.Held), ev)
	if l.IsHeld(ev.ID) {
		events = events[:len(events)-1]
	}
	for _, e := range events {
		notes, err := s.notesFor(ctx, l, e)
		if err != nil {
			return err
		}
		for _, n := range notes {
			if l.HasPosted(n.id) {
				continue
			}
			if l, err = s.postOnce(ctx, l, e, n); err != nil {
				return err
			}
		}
		if len(notes) == 0 || !l.HasPosted(e.ID) {
			if l, err = s.markPosted(ctx, e.ChatID, e.ID, e.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// postOnce posts one note so that the CRM sees it once even if we crash
// between its answer and our record of it: the intent is recorded first,
// and a note found with an intent is looked up by its key (NoteFinder)
// before it is sent again. A CRM that dedupes on the key itself (the
// signed webhook) is simply sent it again.
func (s *Service) postOnce(ctx context.Context, l Link, e chat.Event, n note) (Link, error) {
	if l.HasIntent(n.id) {
		if f, ok := s.CRM.(NoteFinder); ok && n.note.Key != "" {
			// A search sooner after the intent than the CRM's index lag
			// could miss the note: wait, spending no call.
			if lg, ok := s.CRM.(IndexLagger); ok {
				if wait := lg.IndexLag() - s.Clock.Time().Sub(l.IntentAt); wait > 0 {
					return l, &Error{Op: "reconcile " + n.id, Message: "the CRM's search may not show a note this recent yet", Retryable: true, RetryAfter: wait}
				}
			}
			found, err := f.FindNote(ctx, l.ContactID, n.note.Key)
			if err != nil {
				return l, fmt.Errorf("reconcile %s on contact %s: %w", n.id, l.ContactID, err)
			}
			if found != "" {
				logging.From(ctx).WithField("crm_note_id", found).Info("the CRM had the note from before a crash; not posting it again")
				return s.markPosted(ctx, e.ChatID, n.id, e.ID)
			}
		}
	} else {
		var err error
		l, err = s.Links.UpdateLink(ctx, e.ChatID, func(l *Link) error {
			if !l.HasIntent(n.id) {
				l.Intents = append(l.Intents, n.id)
			}
			l.IntentAt = s.Clock.Time()
			return nil
		})
		if err != nil {
			return l, err
		}
	}
	body, err := s.loadMedia(ctx, n)
	if err != nil {
		return l, err
	}
	if _, err := s.CRM.AddNote(ctx, l.ContactID, body); err != nil {
		if refusedOutright(err) {
			// The CRM answered that it took nothing: the retry posts
			// without a reconciling search, sparing the CRM's rate limit.
			if _, cerr := s.Links.UpdateLink(ctx, e.ChatID, func(l *Link) error {
				l.Intents = slices.DeleteFunc(l.Intents, func(i string) bool { return i == n.id })
				return nil
			}); cerr != nil {
				logging.From(ctx).WithError(cerr).Warn("could not clear a refused note's intent; the retry will reconcile it")
			}
		}
		return l, fmt.Errorf("post %s to contact %s: %w", n.id, l.ContactID, err)
	}
	return s.markPosted(ctx, e.ChatID, n.id, e.ID)
}

// refusedOutright reports whether the CRM answered that it did nothing (a
// 429 or another 4xx). A 5xx or a lost answer may hide a note it took.
func refusedOutright(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Status >= 400 && ce.Status < 500
}

// markPosted records a note as posted; when it is the event's last note
// (id == eventID) the event leaves Held.
func (s *Service) markPosted(ctx context.Context, chatID, id, eventID string) (Link, error) {
	return s.Links.UpdateLink(ctx, chatID, func(l *Link) error {
		if !l.HasPosted(id) {
			l.Posted = append(l.Posted, id)
		}
		l.Intents = slices.DeleteFunc(l.Intents, func(i string) bool { return i == id })
		if id == eventID {
			l.markPosted(eventID)
		}
		l.UpdatedAt = s.Clock.Time()
		return nil
	})
}

// park gives up on ev for now: it is kept, with the error, in order before
// the chat's later events, until Replay.
func (s *Service) park(ctx context.Context, ev chat.Event, attempt int, cause error) error {
	_, err := s.Links.UpdateLink(ctx, ev.ChatID, func(l *Link) error {
		if l.HasPosted(ev.ID) {
			return nil
		}
		l.Consumer = ev.Consumer
		l.hold(ev)
		l.Parked = append(l.Parked, Parked{EventID: ev.ID, Error: cause.Error(), Attempts: attempt, At: s.Clock.Time()})
		l.Pending = true
		l.UpdatedAt = s.Clock.Time()
		return nil
	})
	if err != nil {
		return fmt.Errorf("park %s after %v: %w", ev.ID, cause, err)
	}
	logging.From(ctx).WithError(cause).WithField("delivery_attempt", attempt).Error("CRM sync parked the event; replay the chat once the CRM is fixed")
	return nil
}

// Replay clears a chat's parked events and posts what waits, as CRMSync
// would have: what an operator runs once the CRM works again.
func (s *Service) Replay(ctx context.Context, chatID string) error {
	s, err := s.current(ctx)
	if err != nil {
		return err
	}
	if !s.Enabled() || s.CRM == nil {
		return ErrOff
	}
	l, err := s.Links.UpdateLink(ctx, chatID, func(l *Link) error {
		l.Parked, l.Pending = nil, false
		return nil
	})
	if err != nil {
		return err
	}
	held := slices.Clone(l.Held)
	for _, ev := range held {
		if err := s.apply(ctx, ev); err != nil {
			return s.park(ctx, ev, 0, err)
		}
	}
	return nil
}

// Choose records the agent's pick among the chat's candidates, a
// contact's id or create, and hands it to CRMSync on chat-events.
func (s *Service) Choose(ctx context.Context, chatID, agentID, contactID string, create bool) (Link, error) {
	s, err := s.current(ctx)
	if err != nil {
		return Link{}, err
	}
	if !s.Enabled() || s.CRM == nil {
		return Link{}, ErrOff
	}
	if (contactID == "") == !create {
		return Link{}, ErrBadChoice
	}
	choice := contactID
	if create {
		choice = ChoiceCreate
	}
	l, err := s.Links.UpdateLink(ctx, chatID, func(l *Link) error {
		if l.Choice == choice && l.State == StateChoosing {
			return nil // a retried request: publish again
		}
		if l.State != StateChoosing || l.Choice != "" {
			return ErrNotChoosing
		}
		if !create && !slices.ContainsFunc(l.Candidates, func(c Contact) bool { return c.ID == contactID }) {
			return ErrNotCandidate
		}
		l.Choice, l.ChosenBy, l.UpdatedAt = choice, agentID, s.Clock.Time()
		return nil
	})
	if err != nil {
		return Link{}, err
	}
	msg, err := wire.EventMessage(chat.Event{
		ID: "crm-chosen-" + chatID, Type: EventChosen, At: s.Clock.Time(),
		ChatID: chatID, Consumer: l.Consumer, AgentID: agentID,
	})
	if err != nil {
		return Link{}, err
	}
	if err := s.Bus.Publish(ctx, wire.TopicChatEvents, msg); err != nil {
		return Link{}, fmt.Errorf("publish the CRM choice of %s: %w", chatID, err)
	}
	return l, nil
}

// applyChoice links the contact the agent picked (or a new one) and posts
// the held events, then the choice itself.
func (s *Service) applyChoice(ctx context.Context, l Link, ev chat.Event) error {
	if l.State != StateChoosing || l.Choice == "" {
		return nil // applied before, or never asked
	}
	ev.Consumer = l.Consumer
	var c Contact
	var err error
	if l.Choice == ChoiceCreate {
		if c, err = s.CRM.CreateContact(ctx, Contact{Phone: l.Consumer}); err != nil {
			return fmt.Errorf("create contact for %s: %w", l.Consumer, err)
		}
	} else {
		i := slices.IndexFunc(l.Candidates, func(c Contact) bool { return c.ID == l.Choice })
		if i < 0 {
			return fmt.Errorf("choice %s is not a candidate", l.Choice)
		}
		updated, err := s.CRM.UpdateContact(ctx, Contact{ID: l.Choice})
		if err != nil {
			return fmt.Errorf("update contact %s: %w", l.Choice, err)
		}
		c = mergeContact(l.Candidates[i], updated)
	}
	return s.link(ctx, ev, c)
}
