// Package transcript renders a chat and its messages for people and
// exports: what transcript.txt and transcript.json carry.
package transcript

import (
	"fmt"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Transcript is a chat with its messages in sequence order: what a GET on
// a chat returns and what exports are made from.
type Transcript struct {
	Chat     chat.Chat      `json:"chat"`
	Messages []chat.Message `json:"messages"`
	// Notes are the chat's private notes, oldest first: the team's, never
	// sent to the consumer.
	Notes []Note `json:"notes,omitempty"`
}

// Note is a private note in a transcript.
type Note struct {
	Seq        int64     `json:"seq"`
	AuthorID   string    `json:"authorId"`
	AuthorName string    `json:"authorName,omitempty"`
	Body       string    `json:"body"`
	Mentions   []string  `json:"mentions,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Text renders the transcript for people: a header, then one line per
// message with time, author and kind, media as links, and the delivery
// state of outbound texts.
func (t Transcript) Text(loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	c := t.Chat
	var b strings.Builder
	fmt.Fprintf(&b, "Chat %s\n", c.ID)
	fmt.Fprintf(&b, "Consumer %s, business number %s, language %s\n", c.Consumer, c.Number, c.Language)
	fmt.Fprintf(&b, "Queue %s, status %s", c.QueueID, c.Status)
	if c.AgentID != "" {
		fmt.Fprintf(&b, ", agent %s", c.AgentID)
	}
	fmt.Fprintf(&b, ", start %s\n", c.StartType)
	fmt.Fprintf(&b, "Started %s", c.CreatedAt.In(loc).Format(time.RFC3339))
	if !c.EndedAt.IsZero() {
		fmt.Fprintf(&b, ", ended %s (%s)", c.EndedAt.In(loc).Format(time.RFC3339), c.EndReason)
	}
	b.WriteString("\n")
	for _, tr := range c.Transfers {
		to := "queue " + tr.ToQueue
		if tr.ToAgent != "" && tr.ToQueue == "" {
			to = "agent " + tr.ToAgent
		}
		fmt.Fprintf(&b, "Transfer %s from %s to %s: %s", tr.StartedAt.In(loc).Format(time.RFC3339), tr.FromAgent, to, tr.State)
		if tr.ToAgent != "" && tr.ToQueue != "" {
			fmt.Fprintf(&b, ", taken by %s", tr.ToAgent)
		}
		if tr.Reason != "" {
			fmt.Fprintf(&b, " (%s)", tr.Reason)
		}
		if tr.Note != "" {
			fmt.Fprintf(&b, "; note: %s", tr.Note)
		}
		b.WriteString("\n")
	}
	if c.WrapUpCode != "" {
		fmt.Fprintf(&b, "Wrap-up code: %s\n", c.WrapUpCode)
	}
	if c.WrapUp != "" {
		fmt.Fprintf(&b, "Wrap-up: %s\n", c.WrapUp)
	}
	if len(c.Labels) > 0 {
		fmt.Fprintf(&b, "Labels: %s\n", strings.Join(c.Labels, ", "))
	}
	b.WriteString("\n")
	for _, m := range t.Messages {
		who := string(m.Author)
		if m.AgentID != "" {
			who += " " + m.AgentID
		}
		kind := string(m.Kind)
		if m.Kind == chat.KindOutbound {
			kind = "outbound SMS"
		}
		if m.SentBy != "" {
			kind += ", sent by " + m.SentBy
		}
		fmt.Fprintf(&b, "[%s] #%d %s (%s): %s", m.CreatedAt.In(loc).Format("2006-01-02 15:04:05"), m.Seq, who, kind, m.Body)
		for _, md := range m.Media {
			// A stored medium is named by its object; signed URLs expire.
			where := md.URL
			if md.Name != "" {
				where = "media bucket: " + md.Name
			}
			fmt.Fprintf(&b, "\n    media %s %s", md.ContentType, where)
			if md.Error != "" {
				fmt.Fprintf(&b, " (%s)", md.Error)
			}
		}
		if m.Author.Outbound() {
			state := string(m.Send.State)
			if m.Delivery.Status != "" {
				state = string(m.Delivery.Status)
			}
			if m.Send.Error != "" {
				state += ": " + m.Send.Error
			}
			fmt.Fprintf(&b, " [%s]", state)
		}
		b.WriteString("\n")
	}
	if len(t.Notes) > 0 {
		b.WriteString("\nInternal notes (the team's; not sent to the consumer)\n")
	}
	for _, n := range t.Notes {
		who := n.AuthorID
		if n.AuthorName != "" {
			who = n.AuthorName + " (" + n.AuthorID + ")"
		}
		fmt.Fprintf(&b, "[%s] note %d by %s [internal]: %s\n", n.CreatedAt.In(loc).Format("2006-01-02 15:04:05"), n.Seq, who, n.Body)
	}
	return b.String()
}
