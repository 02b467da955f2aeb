package firestore

import (
	"context"
	"fmt"
	"slices"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/store"
)

// Private notes live in chats/{chatId}/notes/{id} and mentions in
// mentions/{agentId}_{chatId}. The unread-mentions query is two equality
// filters (agentId, unread), served by the automatic single-field indexes
// (Firestore merges them); it is sorted here, as it is bounded.
const (
	colNotes    = "notes"
	colMentions = "mentions"
)

var _ store.NoteStore = (*Store)(nil)

type noteDoc struct {
	Seq        int64     `firestore:"seq"`
	AuthorID   string    `firestore:"authorId"`
	AuthorName string    `firestore:"authorName,omitempty"`
	Body       string    `firestore:"body"`
	Mentions   []string  `firestore:"mentions,omitempty"`
	CreatedAt  time.Time `firestore:"createdAt"`
}

func (d noteDoc) note(chatID, id string) store.Note {
	return store.Note{ID: id, ChatID: chatID, Seq: d.Seq, AuthorID: d.AuthorID, AuthorName: d.AuthorName,
		Body: d.Body, Mentions: d.Mentions, CreatedAt: d.CreatedAt.UTC()}
}

type mentionDoc struct {
	AgentID    string    `firestore:"agentId"`
	ChatID     string    `firestore:"chatId"`
	Consumer   string    `firestore:"consumer"`
	NoteSeq    int64     `firestore:"noteSeq"`
	AuthorID   string    `firestore:"authorId"`
	AuthorName string    `firestore:"authorName,omitempty"`
	Excerpt    string    `firestore:"excerpt"`
	At         time.Time `firestore:"at"`
	Count      int       `firestore:"count"`
	Unread     bool      `firestore:"unread"`
}

func (d mentionDoc) mention() store.Mention {
	m := store.Mention(d)
	m.At = m.At.UTC()
	return m
}

func (s *Store) mentionRef(agentID, chatID string) *gfs.DocumentRef {
	return s.client.Collection(colMentions).Doc(store.MentionID(agentID, chatID))
}

// counterDoc reads only the chat's note counter.
type counterDoc struct {
	Notes int64 `firestore:"notes"`
}

func (s *Store) AddNote(ctx context.Context, n store.Note, consumer string) (store.Note, bool, error) {
	chatRef := s.chatRef(n.ChatID)
	noteRef := chatRef.Collection(colNotes).Doc(n.ID)
	var out store.Note
	var created bool
	err := s.client.RunTransaction(ctx, func(ctx context.Context, tx *gfs.Transaction) error {
		created = false
		snap, err := tx.Get(noteRef)
		switch {
		case err == nil:
			var d noteDoc
			if err := snap.DataTo(&d); err != nil {
				return fmt.Errorf("decode %s: %w", noteRef.Path, err)
			}
			out = d.note(n.ChatID, n.ID)
			return nil
		case status.Code(err) != codes.NotFound:
			return mapErr(err, "get "+noteRef.Path)
		}
		csnap, err := tx.Get(chatRef)
		if err != nil {
			return mapErr(err, "get "+chatRef.Path)
		}
		var c counterDoc
		if err := csnap.DataTo(&c); err != nil {
			return fmt.Errorf("decode %s: %w", chatRef.Path, err)
		}
		// Every read comes before the first write in a Firestore transaction.
		prior := make([]mentionDoc, len(n.Mentions))
		for i, agentID := range n.Mentions {
			ms, err := tx.Get(s.mentionRef(agentID, n.ChatID))
			switch {
			case err == nil:
				if err := ms.DataTo(&prior[i]); err != nil {
					return fmt.Errorf("decode mention: %w", err)
				}
			case status.Code(err) != codes.NotFound:
				return mapErr(err, "get mention")
			}
		}
		n.Seq = c.Notes + 1
		if err := tx.Update(chatRef, []gfs.Update{{Path: "notes", Value: n.Seq}}); err != nil {
			return err
		}
		if err := tx.Create(noteRef, noteDoc{Seq: n.Seq, AuthorID: n.AuthorID, AuthorName: n.AuthorName,
			Body: n.Body, Mentions: n.Mentions, CreatedAt: n.CreatedAt}); err != nil {
			return err
		}
		for i, agentID := range n.Mentions {
			m := store.NewMention(n, agentID, consumer, prior[i].Count)
			if err := tx.Set(s.mentionRef(agentID, n.ChatID), mentionDoc(m)); err != nil {
				return err
			}
		}
		out, created = n, true
		return nil
	})
	if err != nil {
		return store.Note{}, false, fmt.Errorf("add note to chat %s: %w", n.ChatID, err)
	}
	return out, created, nil
}

func (s *Store) Notes(ctx context.Context, chatID string, afterSeq int64) ([]store.Note, error) {
	docs, err := s.chatRef(chatID).Collection(colNotes).Where("seq", ">", afterSeq).OrderBy("seq", gfs.Asc).
		Limit(store.MaxNotesRead).Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "notes of chat "+chatID)
	}
	out := make([]store.Note, 0, len(docs))
	for _, d := range docs {
		var nd noteDoc
		if err := d.DataTo(&nd); err != nil {
			return nil, fmt.Errorf("decode %s: %w", d.Ref.Path, err)
		}
		out = append(out, nd.note(chatID, d.Ref.ID))
	}
	return out, nil
}

func (s *Store) Mention(ctx context.Context, agentID, chatID string) (store.Mention, error) {
	d, err := get[mentionDoc](ctx, s.mentionRef(agentID, chatID))
	if err != nil {
		return store.Mention{}, err
	}
	return d.mention(), nil
}

func (s *Store) UnreadMentions(ctx context.Context, agentID string, limit int) ([]store.Mention, error) {
	if limit < 1 {
		return nil, fmt.Errorf("unread mentions: limit %d must be at least 1", limit)
	}
	docs, err := s.client.Collection(colMentions).Where("agentId", "==", agentID).Where("unread", "==", true).
		Limit(limit).Documents(ctx).GetAll()
	if err != nil {
		return nil, mapErr(err, "mentions of agent "+agentID)
	}
	out := make([]store.Mention, 0, len(docs))
	for _, d := range docs {
		var md mentionDoc
		if err := d.DataTo(&md); err != nil {
			return nil, fmt.Errorf("decode %s: %w", d.Ref.Path, err)
		}
		out = append(out, md.mention())
	}
	slices.SortFunc(out, store.NewestMentionFirst)
	return out, nil
}

func (s *Store) ReadMention(ctx context.Context, agentID, chatID string) error {
	_, err := s.mentionRef(agentID, chatID).Update(ctx, []gfs.Update{{Path: "unread", Value: false}})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	return mapErr(err, "read mention")
}
