package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Rules are the record-creation settings of the reference product, in
// terms of a CRM whose record is the contact.
type Rules struct {
	// MinConsumerMessages delays the lookup until the consumer has sent
	// at least this many texts in the chat; 0 looks up on assignment.
	// Consumer texts publish no chat event, so the count is checked at
	// each of the chat's events: a chat whose consumer never reaches it
	// (by its end) gets no record.
	MinConsumerMessages int
	// AppendOpen links the chat to the contact of the consumer's latest
	// other chat in the same leaf queue while that chat is open, instead
	// of looking the consumer up (and asking the agent again).
	AppendOpen bool
	// AppendClosedWithin, with AppendOpen, also takes a chat that ended
	// this recently; 0 takes open chats only.
	AppendClosedWithin time.Duration
}

// appendScan bounds how many of the consumer's chats are read for the
// append rule: the latest in the queue is among the newest few.
const appendScan = 10

// enoughMessages reports whether the chat's consumer has sent the texts
// the rules wait for.
func (s *Service) enoughMessages(ctx context.Context, chatID string) (bool, error) {
	if s.Rules.MinConsumerMessages <= 0 {
		return true, nil
	}
	msgs, err := s.Chats.Messages(ctx, chatID)
	if err != nil {
		return false, fmt.Errorf("count the consumer's texts in %s: %w", chatID, err)
	}
	n := 0
	for _, m := range msgs {
		if m.Author == chat.AuthorConsumer {
			n++
		}
	}
	return n >= s.Rules.MinConsumerMessages, nil
}

// appendTo is the contact of the consumer's latest other chat in ev's
// queue that the append rule takes, nil when none.
func (s *Service) appendTo(ctx context.Context, ev chat.Event) (*Contact, error) {
	if !s.Rules.AppendOpen || ev.QueueID == "" {
		return nil, nil
	}
	cs, err := s.Chats.ConsumerChats(ctx, ev.Consumer, appendScan)
	if err != nil {
		return nil, fmt.Errorf("load the chats of %s: %w", ev.Consumer, err)
	}
	now := s.Clock.Time()
	for _, c := range cs { // newest first
		if c.ID == ev.ChatID || c.QueueID != ev.QueueID {
			continue
		}
		if !c.Open() && (s.Rules.AppendClosedWithin <= 0 || c.EndedAt.IsZero() || now.Sub(c.EndedAt) > s.Rules.AppendClosedWithin) {
			return nil, nil // the latest chat in the queue is closed too long ago
		}
		l, err := s.Links.Link(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if l.State == StateLinked && l.Contact != nil {
			return l.Contact, nil
		}
		return nil, nil
	}
	return nil, nil
}
