// Package outbound is the business texting first: agent-initiated chats,
// sessions started through OutboundAPI, and sessionless batches paced over
// a pool of sender numbers. The rules are chat/proactive's, checked here
// before anything is written and again by SendSMS before each text goes.
package outbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is what outbound needs of chat state.
type Store interface {
	pacing.Store
	Number(ctx context.Context, e164 string) (chat.Number, error)
	Numbers(ctx context.Context) ([]chat.Number, error)
	Agent(ctx context.Context, id string) (chat.Agent, error)
	Agents(ctx context.Context) ([]chat.Agent, error)
	Consent(ctx context.Context, number, consumer string) (chat.Consent, error)
	Message(ctx context.Context, ref chat.Ref) (chat.Message, error)
	Chat(ctx context.Context, id string) (chat.Chat, error)
	// Batch returns store.ErrNotFound for an unknown batch.
	Batch(ctx context.Context, id string) (store.OutboundBatch, error)
	PutBatch(ctx context.Context, b store.OutboundBatch) error
}

// Service is the outbound use cases.
type Service struct {
	Store        Store
	Trees        *configtree.Cache
	Conversation *conversation.Service
	Pacing       pacing.Reserver
	Clock        clock.Clock
}

// Error is a request refused with the reference product's message; Status
// is the HTTP status it answers with.
type Error struct {
	Status  int
	Message string
	// ChatID names the open chat of a consumer already in a session.
	ChatID string
}

func (e *Error) Error() string { return e.Message }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: 400, Message: fmt.Sprintf(format, args...)}
}

// refusal maps a domain refusal onto the answer OutboundAPI gives.
func refusal(err error) error {
	var r *proactive.Refusal
	if !errors.As(err, &r) {
		if errors.Is(err, conversation.ErrUnknownNumber) {
			return badRequest("outbound_number is not found")
		}
		return err
	}
	return &Error{Status: 400, Message: r.Message, ChatID: r.ChatID}
}

// ParseNumber reads a phone number as E.164, checked against the
// numbering plan (a syntactically plausible but unassigned number is
// invalid).
func ParseNumber(raw string) (string, bool) {
	e, err := sms.NormalizeNumber(raw, sms.DefaultRegion)
	if err != nil || !strings.HasPrefix(e, "+") {
		return "", false
	}
	if r := proactive.Region(e); r == "" || r == "ZZ" {
		return "", false
	}
	return e, true
}

// idFor derives a chat or batch id from an idempotency key, so a retry
// lands on what the first attempt wrote.
func idFor(prefix, keyID, idem string) string {
	if idem == "" {
		return ""
	}
	h := sha256.Sum256([]byte(keyID + "\x00" + idem))
	return prefix + hex.EncodeToString(h[:12])
}

// settings are the routing configuration's settings, defaults when none
// were saved.
func (s *Service) settings(ctx context.Context) (chat.Settings, *chat.Tree, error) {
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return chat.Settings{}, nil, err
	}
	return tree.Settings, tree, nil
}

// sender loads a business number and checks it may text first.
func (s *Service) sender(ctx context.Context, raw string, st chat.Settings) (chat.Number, error) {
	if strings.TrimSpace(raw) == "" {
		return chat.Number{}, badRequest("outbound_number is required")
	}
	e, err := sms.NormalizeNumber(raw, sms.DefaultRegion)
	if err != nil {
		return chat.Number{}, badRequest("outbound_number is invalid")
	}
	n, err := s.Store.Number(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		return chat.Number{}, badRequest("outbound_number is not found")
	}
	if err != nil {
		return chat.Number{}, fmt.Errorf("load number %s: %w", e, err)
	}
	if r := proactive.CheckSender(st, n); r != nil {
		return chat.Number{}, refusal(r)
	}
	return n, nil
}

// enabled checks the channel switches, first, as the reference product does.
func enabled(st chat.Settings) error {
	switch {
	case !st.ChannelEnabled:
		return badRequest("SMS is not enabled")
	case !st.OutboundEnabled:
		return badRequest("Outbound SMS is not enabled")
	}
	return nil
}

// heldUntil is the hold of a text, zero when it goes now.
func heldUntil(st chat.Settings, consumer string, now time.Time) (time.Time, error) {
	until, held, err := proactive.HoldUntil(st, consumer, now)
	if err != nil || !held {
		return time.Time{}, err
	}
	return until, nil
}
