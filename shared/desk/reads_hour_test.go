package desk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/search"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// TestConsoleReadsPerAgentHour replays an hour of one console's requests
// on its schedule (app.js, notes.js): GET /inbox every second, with the
// recently ended chats every 30th poll; /me every 15 polls; /mentions
// every 10 s; the open chat every 5 s (SLOW_REFRESH_MS) and when it
// changes, from its last settled message (?after=). It counts the
// Firestore reads they cost (shared/store/counting),
// for an idle agent (no chats) and a busy one (3 active chats with notes,
// 10 ended today, 2 waiting in their queues, the open chat with 20
// messages and a new consumer text every 30 s). Each number is the figure
// the README gives.
func TestConsoleReadsPerAgentHour(t *testing.T) {
	for _, busy := range []bool{false, true} {
		name := map[bool]string{false: "idle", true: "busy"}[busy]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			mem := memstore.New()
			if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
				t.Fatal(err)
			}
			start := time.Now().UTC().Truncate(time.Second)
			seq := map[string]int64{}
			say := func(tx store.Tx, c *chat.Chat, body string, at time.Time) {
				seq[c.ID]++
				m := chat.Message{ChatID: c.ID, Seq: seq[c.ID], Author: chat.AuthorConsumer, Kind: chat.KindText, Body: body, CreatedAt: at}
				tx.PutMessage(m)
				c.NextSeq, c.Version, c.UpdatedAt = seq[c.ID]+1, c.Version+1, at
				search.Index(c, []chat.Message{m})
			}
			mk := func(id string, status chat.Status, agent string, age time.Duration) chat.Chat {
				c := chat.Chat{ID: id, Number: "+14155550101", Consumer: "+1415556" + fmt.Sprintf("%04d", len(seq)), QueueID: "en-billing",
					Status: status, AgentID: agent, CreatedAt: start.Add(-age), UpdatedAt: start.Add(-age), Version: 1, Language: "en"}
				switch status {
				case chat.StatusQueued:
					c.QueuedAt = c.CreatedAt
				case chat.StatusEnded:
					c.EndedAt, c.EndReason = start.Add(-age/2), chat.EndFinished
				}
				seq[id] = 0
				return c
			}
			var open chat.Chat
			if busy {
				err := mem.RunTx(ctx, func(tx store.Tx) error {
					for i := range 3 {
						c := mk(fmt.Sprintf("active-%d", i), chat.StatusActive, "ana", time.Duration(i+1)*time.Minute)
						n := 5
						if i == 0 {
							n = 20
						}
						for j := range n {
							say(tx, &c, fmt.Sprintf("text %d of chat %d", j, i), c.CreatedAt)
						}
						c.Notes = 0
						tx.PutChat(c)
						if i == 0 {
							open = c
						}
					}
					for i := range 10 {
						c := mk(fmt.Sprintf("ended-%d", i), chat.StatusEnded, "ana", time.Duration(i+1)*time.Hour)
						say(tx, &c, "thanks", c.CreatedAt)
						tx.PutChat(c)
					}
					for i := range 2 {
						c := mk(fmt.Sprintf("waiting-%d", i), chat.StatusQueued, "", time.Duration(i+1)*time.Minute)
						say(tx, &c, "hello?", c.CreatedAt)
						tx.PutChat(c)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for i := range 2 {
					if _, _, err := mem.AddNote(ctx, store.Note{ID: fmt.Sprintf("n%d", i), ChatID: open.ID, AuthorID: "ben", Body: "@ana see the invoice",
						Mentions: []string{"ana"}, CreatedAt: start}, open.Consumer); err != nil {
						t.Fatal(err)
					}
				}
			}
			st := counting.Wrap(mem)
			d := jobs.Compose(jobs.Clients{Store: st}).Desk
			st.Reset()
			openVersion := int64(-1)
			var settled int64
			by := map[string]int64{}
			count := func(what string, fn func() error) {
				before := st.Counts().Reads
				if err := fn(); err != nil {
					t.Fatal(err)
				}
				by[what] += st.Counts().Reads - before
			}
			for sec := range 3600 {
				if busy && sec%30 == 29 {
					// The consumer writes in the open chat.
					if err := mem.RunTx(ctx, func(tx store.Tx) error {
						c, err := tx.Chat(open.ID)
						if err != nil {
							return err
						}
						say(tx, &c, fmt.Sprintf("more at %d", sec), start.Add(time.Duration(sec)*time.Second))
						tx.PutChat(c)
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				}
				var in desk.Inbox
				count("inbox", func() (err error) { in, err = d.InboxOf(ctx, ana, sec%30 == 0); return err })
				if sec%15 == 14 {
					count("me", func() error { _, err := d.Profile(ctx, ana); return err })
				}
				if sec%10 == 0 {
					count("mentions", func() error { _, err := d.Mentions(ctx, ana); return err })
				}
				if busy {
					var listed int64 = -1
					for _, c := range in.Active {
						if c.ID == open.ID {
							listed = c.Version
						}
					}
					if listed != openVersion || sec%5 == 0 {
						// From the last settled message on, as app.js reads it
						// (consumer texts are settled at once).
						count("chat", func() error {
							v, err := d.ChatViewAfter(ctx, ana, open.ID, settled)
							for _, m := range v.Messages {
								settled = max(settled, m.Seq)
							}
							return err
						})
						openVersion = listed
					}
				}
			}
			c := st.Counts()
			t.Logf("%s agent: %d Firestore reads per hour (%d per poll), $%.4f at list price; inbox %d, /me %d, mentions %d, open chat %d",
				name, c.Reads, c.Reads/3600, c.Cost(), by["inbox"], by["me"], by["mentions"], by["chat"])
			limit := map[bool]int64{false: 20_000, true: 120_000}[busy]
			if c.Reads > limit {
				t.Errorf("%s agent: %d reads per hour, want at most %d", name, c.Reads, limit)
			}
		})
	}
}
