package store

import (
	"context"
	"strings"
	"time"
)

// Note is an agent's or supervisor's private note on a chat
// (chats/{chatId}/notes/{id}): never sent to the consumer. ID is derived
// from the request id, so a retried POST stores one note.
type Note struct {
	ID     string `json:"id"`
	ChatID string `json:"chatId"`
	// Seq numbers a chat's notes from 1 in the order they were written;
	// the chat's Notes field is the highest.
	Seq int64 `json:"seq"`
	// AuthorID is the writer's agent id, or their uid when they have none.
	AuthorID   string `json:"authorId"`
	AuthorName string `json:"authorName,omitempty"`
	Body       string `json:"body"`
	// Mentions are the agents the note names, by id.
	Mentions  []string  `json:"mentions,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Mention tells an agent they were named in a chat's note
// (mentions/{agentId}_{chatId}): one record per agent and chat, carrying
// the latest note that named them, unread until they open it.
type Mention struct {
	AgentID string `json:"agentId"`
	ChatID  string `json:"chatId"`
	// Consumer is the chat's consumer, for the alert's text.
	Consumer   string    `json:"consumer"`
	NoteSeq    int64     `json:"noteSeq"`
	AuthorID   string    `json:"authorId"`
	AuthorName string    `json:"authorName,omitempty"`
	Excerpt    string    `json:"excerpt"`
	At         time.Time `json:"at"`
	// Count is how many notes named the agent in this chat.
	Count  int  `json:"count"`
	Unread bool `json:"unread"`
}

// MaxNotesRead bounds the notes Notes returns.
const MaxNotesRead = 200

// NoteStore keeps private notes and mentions. Both adapters implement it.
type NoteStore interface {
	// AddNote stores n as the chat's next note (n.Seq is assigned) and, in
	// the same transaction, a mention for each of n.Mentions, unless a
	// note with n.ID exists: then that note is returned and created is
	// false. ErrNotFound when the chat does not exist.
	AddNote(ctx context.Context, n Note, consumer string) (stored Note, created bool, err error)
	// Notes returns a chat's notes with Seq above afterSeq, in order, at
	// most MaxNotesRead.
	Notes(ctx context.Context, chatID string, afterSeq int64) ([]Note, error)
	// Mention returns an agent's mention record for a chat, ErrNotFound if
	// they were never named in it.
	Mention(ctx context.Context, agentID, chatID string) (Mention, error)
	// UnreadMentions returns an agent's unread mentions, newest first, at
	// most limit.
	UnreadMentions(ctx context.Context, agentID string, limit int) ([]Mention, error)
	// ReadMention marks an agent's mention in a chat read; nil when there
	// is none.
	ReadMention(ctx context.Context, agentID, chatID string) error
}

// MentionID is the document id of an agent's mention record for a chat.
func MentionID(agentID, chatID string) string { return agentID + "_" + chatID }

// MaxExcerpt bounds the note text a mention carries, in characters.
const MaxExcerpt = 140

// NewMention is the mention record n makes for agentID, the note that
// named them count times before.
func NewMention(n Note, agentID, consumer string, count int) Mention {
	ex := []rune(n.Body)
	if len(ex) > MaxExcerpt {
		ex = append(ex[:MaxExcerpt-1], '…')
	}
	return Mention{AgentID: agentID, ChatID: n.ChatID, Consumer: consumer, NoteSeq: n.Seq, AuthorID: n.AuthorID,
		AuthorName: n.AuthorName, Excerpt: string(ex), At: n.CreatedAt, Count: count + 1, Unread: true}
}

// NewestMentionFirst orders mentions newest first, then by chat id.
func NewestMentionFirst(x, y Mention) int {
	if c := y.At.Compare(x.At); c != 0 {
		return c
	}
	return strings.Compare(x.ChatID, y.ChatID)
}
