package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Private notes: written on a chat by anyone who may see it, read by the
// same people, never sent to the consumer. A note that names an agent
// (@ana, or @Ana by name) leaves that agent a mention, which their console
// shows as an alert and which lets them read the chat even when it is not
// theirs (viewChat).

// Note limits.
const (
	MaxNoteCharacters = 2000
	MaxRequestID      = 200
	// MaxMentionsPerNote bounds the agents one note notifies.
	MaxMentionsPerNote = 20
	// MaxUnreadMentions bounds the mentions a console lists.
	MaxUnreadMentions = 50
)

// NoteInput is a note as the console sends it. Mentions are agent ids the
// writer picked; names written as @id or @Name in the body are found too.
type NoteInput struct {
	Body      string
	Mentions  []string
	RequestID string
}

func invalid(field, format string, args ...any) error {
	return &chat.ValidationError{Problems: []chat.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// noteStore is the store's note port; nil when the store keeps none.
func (s *Service) noteStore() (store.NoteStore, error) {
	ns, ok := s.Store.(store.NoteStore)
	if !ok {
		return nil, fmt.Errorf("the store %T keeps no notes", s.Store)
	}
	return ns, nil
}

// AddNote writes a private note on a chat the viewer may see. A retry
// with the same request id returns the note stored the first time.
func (s *Service) AddNote(ctx context.Context, v access.Viewer, chatID string, in NoteInput) (store.Note, error) {
	body := strings.TrimSpace(in.Body)
	switch n := utf8.RuneCountInString(body); {
	case strings.TrimSpace(in.RequestID) == "":
		return store.Note{}, invalid("requestId", "is required: a fresh id per note, the same on a retry")
	case len(in.RequestID) > MaxRequestID:
		return store.Note{}, invalid("requestId", "is %d bytes; the limit is %d", len(in.RequestID), MaxRequestID)
	case n == 0:
		return store.Note{}, invalid("body", "is empty; write the note")
	case n > MaxNoteCharacters:
		return store.Note{}, invalid("body", "is %d characters; the limit is %d", n, MaxNoteCharacters)
	}
	ns, err := s.noteStore()
	if err != nil {
		return store.Note{}, err
	}
	c, err := s.viewNoted(ctx, v, chatID)
	if err != nil {
		return store.Note{}, err
	}
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return store.Note{}, fmt.Errorf("load agents: %w", err)
	}
	mentions, err := resolveMentions(body, in.Mentions, agents)
	if err != nil {
		return store.Note{}, err
	}
	author, name := v.AgentID, ""
	if author == "" {
		author = v.UID
	}
	if i := slices.IndexFunc(agents, func(a chat.Agent) bool { return a.ID == v.AgentID && v.AgentID != "" }); i >= 0 {
		name = agents[i].Name
	}
	// The writer is not notified of their own note.
	mentions = slices.DeleteFunc(mentions, func(id string) bool { return id == v.AgentID })
	sum := sha256.Sum256([]byte(chatID + "\x00" + author + "\x00" + in.RequestID))
	n := store.Note{ID: hex.EncodeToString(sum[:16]), ChatID: chatID, AuthorID: author, AuthorName: name,
		Body: body, Mentions: mentions, CreatedAt: s.Clock.Time()}
	stored, _, err := ns.AddNote(ctx, n, c.Consumer)
	if err != nil {
		return store.Note{}, err
	}
	return stored, nil
}

// resolveMentions is the agents a note names: the picked ids (each must be
// an agent) and every @token of the body that is an agent's id or, when
// only one agent has it, their first name or full name without spaces
// (case does not matter). Unknown @tokens are left as text.
func resolveMentions(body string, picked []string, agents []chat.Agent) ([]string, error) {
	var out []string
	add := func(id string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for i, id := range picked {
		if !slices.ContainsFunc(agents, func(a chat.Agent) bool { return a.ID == id }) {
			return nil, invalid(fmt.Sprintf("mentions[%d]", i), "%q is no agent in the directory", id)
		}
		add(id)
	}
	byKey := map[string][]string{}
	for _, a := range agents {
		keys := []string{strings.ToLower(a.ID)}
		if f := strings.Fields(a.Name); len(f) > 0 {
			keys = append(keys, strings.ToLower(f[0]), strings.ToLower(strings.Join(f, "")))
		}
		for _, k := range keys {
			if !slices.Contains(byKey[k], a.ID) {
				byKey[k] = append(byKey[k], a.ID)
			}
		}
	}
	for _, tok := range mentionTokens(body) {
		tok = strings.ToLower(tok)
		if slices.ContainsFunc(agents, func(a chat.Agent) bool { return strings.ToLower(a.ID) == tok }) {
			add(agentByID(agents, tok))
			continue
		}
		if ids := byKey[tok]; len(ids) == 1 {
			add(ids[0])
		}
	}
	if len(out) > MaxMentionsPerNote {
		return nil, invalid("mentions", "a note names %d agents; the limit is %d", len(out), MaxMentionsPerNote)
	}
	return out, nil
}

func agentByID(agents []chat.Agent, lower string) string {
	for _, a := range agents {
		if strings.ToLower(a.ID) == lower {
			return a.ID
		}
	}
	return lower
}

// mentionTokens are the words written after an @ that starts a word
// (so an e-mail address names nobody).
func mentionTokens(body string) []string {
	var out []string
	rs := []rune(body)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '@' || (i > 0 && !unicode.IsSpace(rs[i-1]) && !unicode.IsPunct(rs[i-1])) {
			continue
		}
		j := i + 1
		for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '-' || rs[j] == '.') {
			j++
		}
		tok := strings.TrimRight(string(rs[i+1:j]), ".-")
		if tok != "" {
			out = append(out, tok)
		}
		i = j - 1
	}
	return out
}

// Notes are a chat's private notes, for a viewer who may see the chat.
func (s *Service) Notes(ctx context.Context, v access.Viewer, chatID string) ([]store.Note, error) {
	ns, err := s.noteStore()
	if err != nil {
		return nil, err
	}
	if _, err := s.viewNoted(ctx, v, chatID); err != nil {
		return nil, err
	}
	return ns.Notes(ctx, chatID, 0)
}

// viewNoted is viewChat for notes: the chat, when v may see it.
func (s *Service) viewNoted(ctx context.Context, v access.Viewer, chatID string) (chat.Chat, error) {
	c, _, err := s.viewChat(ctx, v, chatID)
	return c, err
}

// mentioned reports whether agentID was named in a note of the chat: they
// may read it then, as a colleague asked them to.
func (s *Service) mentioned(ctx context.Context, agentID, chatID string) (bool, error) {
	if agentID == "" {
		return false, nil
	}
	ns, ok := s.Store.(store.NoteStore)
	if !ok {
		return false, nil
	}
	_, err := ns.Mention(ctx, agentID, chatID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("mention of %s in chat %s: %w", agentID, chatID, err)
}

// Mentions are the viewer's unread mentions, newest first.
func (s *Service) Mentions(ctx context.Context, v access.Viewer) ([]store.Mention, error) {
	if v.AgentID == "" {
		return []store.Mention{}, nil
	}
	ns, err := s.noteStore()
	if err != nil {
		return nil, err
	}
	ms, err := ns.UnreadMentions(ctx, v.AgentID, MaxUnreadMentions)
	if err != nil {
		return nil, err
	}
	return orEmpty(ms), nil
}

// ReadMention marks the viewer's mention in a chat read (they opened it).
func (s *Service) ReadMention(ctx context.Context, v access.Viewer, chatID string) error {
	if v.AgentID == "" {
		return nil
	}
	ns, err := s.noteStore()
	if err != nil {
		return err
	}
	return ns.ReadMention(ctx, v.AgentID, chatID)
}
