package crm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/transcript"
)

// note is one note to post and the id it is recorded under in Posted.
type note struct {
	id   string
	note Note
	// media is a consumer medium whose file is read when the note is
	// posted.
	media *medium
}

// notesFor renders an event as the notes it posts, the last recorded
// under the event's own id (which then leaves Held). chat.ended posts a
// summary, one note per consumer medium with its file, and the
// transcript.
func (s *Service) notesFor(ctx context.Context, l Link, ev chat.Event) ([]note, error) {
	one := func(body string) []note {
		return []note{{id: ev.ID, note: Note{Body: body + "\n\n[smsdesk event " + ev.ID + "]", At: ev.At, Key: ev.ID, Event: &ev}}}
	}
	switch ev.Type {
	case chat.EventChatAssigned:
		queue, err := s.queuePath(ctx, ev.QueueID)
		if err != nil {
			return nil, err
		}
		return one(fmt.Sprintf("SMS chat %s connected to agent %s\nConsumer: %s\nBusiness number: %s\nLanguage: %s\nQueue: %s\nStart type: %s",
			ev.ChatID, orNone(ev.AgentID), ev.Consumer, ev.Number, orNone(ev.Language), queue, ev.StartType)), nil
	case chat.EventOutboundSent:
		return one(fmt.Sprintf("Outbound SMS chat %s: first text sent from %s to %s (start type %s)",
			ev.ChatID, ev.Number, ev.Consumer, ev.StartType)), nil
	case chat.EventTransferStarted, chat.EventTransferFailed, chat.EventTransferEnded:
		return one(transferText(ev)), nil
	case EventChosen:
		return one(fmt.Sprintf("Agent %s linked SMS chat %s to this contact (several contacts had %s)", orNone(ev.AgentID), ev.ChatID, l.Consumer)), nil
	case chat.EventChatEnded:
		c, err := s.Chats.Chat(ctx, ev.ChatID)
		if err != nil {
			return nil, fmt.Errorf("load chat %s for its transcript: %w", ev.ChatID, err)
		}
		msgs, err := s.Chats.Messages(ctx, ev.ChatID)
		if err != nil {
			return nil, fmt.Errorf("load the messages of %s: %w", ev.ChatID, err)
		}
		summary := fmt.Sprintf("SMS chat %s ended: %s\nAgent: %s", ev.ChatID, orNone(string(ev.EndReason)), orNone(ev.AgentID))
		if !c.CreatedAt.IsZero() && !ev.At.IsZero() {
			summary += "\nDuration: " + ev.At.Sub(c.CreatedAt).Round(time.Second).String()
		}
		if ev.WrapUp != "" {
			summary += "\nWrap-up: " + ev.WrapUp
		}
		text := transcript.Transcript{Chat: c, Messages: msgs}.Text(s.Location)
		out := []note{{id: ev.ID + "#summary", note: Note{Body: summary + "\n\n[smsdesk event " + ev.ID + "]", At: ev.At, Key: ev.ID + "#summary", Event: &ev}}}
		for k, md := range consumerMedia(ev.ChatID, msgs) {
			out = append(out, mediaNote(ev, k+1, md))
		}
		return append(out,
			note{id: ev.ID, note: Note{
				Body: "Transcript of SMS chat " + ev.ChatID + " (chat-" + ev.ChatID + ".txt)", At: ev.At, Key: ev.ID, Event: &ev,
				Attachments: []Attachment{{Name: "chat-" + ev.ChatID + ".txt", ContentType: "text/plain; charset=utf-8", Data: []byte(text)}},
			}},
		), nil
	}
	return nil, nil // a type this sync does not post
}

func transferText(ev chat.Event) string {
	verb := map[chat.EventType]string{
		chat.EventTransferStarted: "started", chat.EventTransferFailed: "failed", chat.EventTransferEnded: "ended",
	}[ev.Type]
	t := ev.Transfer
	if t == nil {
		return fmt.Sprintf("SMS chat %s: transfer %s", ev.ChatID, verb)
	}
	to := "queue " + t.ToQueue
	if t.ToQueue == "" {
		to = "agent " + t.ToAgent
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SMS chat %s: transfer %s from agent %s to %s", ev.ChatID, verb, orNone(t.FromAgent), to)
	if t.Reason != "" {
		fmt.Fprintf(&b, "\nReason: %s", t.Reason)
	}
	if t.Note != "" {
		fmt.Fprintf(&b, "\nNote: %s", t.Note)
	}
	return b.String()
}

// queuePath names a queue by its path from the root, "Support / Billing".
func (s *Service) queuePath(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "none", nil
	}
	qs, err := s.Chats.Queues(ctx)
	if err != nil {
		return "", fmt.Errorf("load queues: %w", err)
	}
	byID := make(map[string]chat.Queue, len(qs))
	for _, q := range qs {
		byID[q.ID] = q
	}
	var names []string
	for cur, ok := byID[id]; ok && len(names) <= len(qs); cur, ok = byID[cur.ParentID] {
		names = append([]string{cur.Name}, names...)
		if cur.ParentID == "" {
			break
		}
	}
	if len(names) == 0 {
		return id, nil
	}
	return strings.Join(names, " / "), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
