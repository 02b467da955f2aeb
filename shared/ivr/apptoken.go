package ivr

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Why an app-link token is refused.
var (
	ErrTokenUnknown = errors.New("the app token is not one this service issued (or it was issued over a day ago)")
	ErrTokenUsed    = errors.New("the app token was already exchanged; ask the agent to send the link again")
	ErrTokenExpired = errors.New("the app token expired (it is valid for 10 minutes); ask the agent to send the link again")
	// ErrNotCallChat: app links go in a chat of a voice call only.
	ErrNotCallChat = errors.New("the app link can be sent in a chat of a voice call only (start type in-call or wait-time)")
)

// tokenBytes is the token's entropy: 256 bits, beyond guessing.
const tokenBytes = 32

// Digest is a token as stored: its SHA-256, so a read of the store gives
// nobody a token they could exchange.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AppLink is an issued link.
type AppLink struct {
	URL       string
	ExpiresAt time.Time
}

// IssueAppLink makes a one-time token for the call of a chat the agent
// holds and returns the business's app link carrying it (token=...).
func (s *Service) IssueAppLink(ctx context.Context, base string, c chat.Chat, agentID string) (AppLink, error) {
	if c.CallID == "" {
		return AppLink{}, ErrNotCallChat
	}
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return AppLink{}, fmt.Errorf("app token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	rec, err := s.Store.Call(ctx, c.CallID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return AppLink{}, fmt.Errorf("app token: %w", err)
	}
	now := s.Clock.Time()
	t := ivrrec.AppToken{Digest: Digest(token), CallID: c.CallID, AgentID: agentID, IVRQueue: rec.IVRQueue, ChatID: c.ID,
		Created: now, ExpiresAt: now.Add(ivrrec.AppTokenTTL), ExpireAt: now.Add(24 * time.Hour)}
	if err := s.Store.PutAppToken(ctx, t); err != nil {
		return AppLink{}, fmt.Errorf("app token: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" {
		return AppLink{}, fmt.Errorf("app link %q is not an https URL", base)
	}
	q := u.Query()
	q.Set("token", token)
	u.RawQuery = q.Encode()
	return AppLink{URL: u.String(), ExpiresAt: t.ExpiresAt}, nil
}

// CallContext is what the app gets for a token.
type CallContext struct {
	CallID   string `json:"callId"`
	AgentID  string `json:"agentId"`
	IVRQueue string `json:"ivrQueue,omitempty"`
	ChatID   string `json:"chatId,omitempty"`
	// Caller is the number the call came from, for the app to match the
	// signed-in user.
	Caller string `json:"caller,omitempty"`
}

// ExchangeAppToken gives the call's context for a token, once: the store
// runs the check and the mark in one transaction, so of two concurrent
// exchanges one wins and the other finds it used.
func (s *Service) ExchangeAppToken(ctx context.Context, token string) (CallContext, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return CallContext{}, ErrTokenUnknown
	}
	now := s.Clock.Time()
	t, err := s.Store.UpdateAppToken(ctx, Digest(token), func(t *ivrrec.AppToken) error {
		switch {
		case !t.UsedAt.IsZero():
			return ErrTokenUsed
		case !now.Before(t.ExpiresAt):
			return ErrTokenExpired
		}
		t.UsedAt = now
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return CallContext{}, ErrTokenUnknown
	case err != nil:
		return CallContext{}, err
	}
	out := CallContext{CallID: t.CallID, AgentID: t.AgentID, IVRQueue: t.IVRQueue, ChatID: t.ChatID}
	if rec, err := s.Store.Call(ctx, t.CallID); err == nil {
		out.Caller = rec.Caller
	}
	return out, nil
}
