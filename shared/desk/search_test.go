package desk_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/chat/search"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// TestSearchIsBoundedByWhatTheViewerSees: a search finds chats by number
// and text among those the viewer sees, in a query per bound that reads
// only what it returns.
func TestSearchIsBoundedByWhatTheViewerSees(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	mk := func(id, consumer, queue, agent string, status chat.Status, body string, age time.Duration) chat.Chat {
		c := chat.Chat{ID: id, Number: "+14155550101", Consumer: consumer, QueueID: queue, AgentID: agent, Status: status,
			CreatedAt: now.Add(-age), UpdatedAt: now.Add(-age), Version: 2}
		if status == chat.StatusQueued {
			c.QueuedAt = c.CreatedAt
		}
		search.Index(&c, []chat.Message{{Author: chat.AuthorConsumer, Body: body, CreatedAt: c.CreatedAt}})
		return c
	}
	err := mem.RunTx(ctx, func(tx store.Tx) error {
		for _, c := range []chat.Chat{
			mk("ana-held", "+14155550181", "en-billing", "ana", chat.StatusActive, "My refund is late", time.Minute),
			mk("ana-ended", "+14155550182", "en-billing", "ana", chat.StatusEnded, "Refund arrived, thanks", time.Hour),
			mk("ben-held", "+14155550183", "en-tech", "ben", chat.StatusActive, "Refund for the router?", 2*time.Minute),
			mk("waiting", "+14155550184", "en-billing", "", chat.StatusQueued, "refund status please", 3*time.Minute),
			mk("carla-q", "+14155550185", "es-internet", "", chat.StatusQueued, "¿Y mi reembolso?", 4*time.Minute),
		} {
			tx.PutChat(c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := counting.Wrap(mem)
	d := jobs.Compose(jobs.Clients{Store: st}).Desk
	if _, err := d.Search(ctx, supervisor, "warm"); err != nil { // the configuration cache
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, q string
		who     string
		want    []string
		queries int
	}{
		{"ana by a word", "refund", "ana", []string{"ana-held", "waiting", "ana-ended"}, 2},
		{"ana by a prefix and a second word", "late ref", "ana", []string{"ana-held"}, 2},
		{"ben by a word", "refund", "ben", []string{"ben-held", "waiting"}, 2},
		{"carla not in billing", "refund", "carla", []string{}, 2},
		{"carla without accents", "reembolsó", "carla", []string{"carla-q"}, 2},
		{"a supervisor", "refund", "supervisor", []string{"ana-held", "ben-held", "waiting", "ana-ended"}, 1},
		{"by the last digits", "0181", "ana", []string{"ana-held"}, 2},
		{"by the number as typed", "+1 (415) 555-0182", "ana", []string{"ana-ended"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := map[string]access.Viewer{"ana": ana, "ben": ben, "carla": carla, "supervisor": supervisor}[tc.who]
			before := st.Counts()
			res, err := d.Search(ctx, v, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			reads := st.Counts().Reads - before.Reads
			var got []string
			for _, c := range res.Chats {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
			if res.Queries != tc.queries {
				t.Errorf("%d queries, want %d", res.Queries, tc.queries)
			}
			// The configuration revision, then at most what each query returned
			// (one read for a query that finds nothing).
			if max := int64(1 + tc.queries + len(got) + 1); reads > max {
				t.Errorf("the search read %d documents, want at most %d", reads, max)
			}
			t.Logf("%s %q: %d chats, %d queries, %d reads", tc.who, tc.q, len(got), res.Queries, reads)
		})
	}
	var ve *chat.ValidationError
	if _, err := d.Search(ctx, ana, "hi"); !errors.As(err, &ve) || ve.Problems[0].Field != "q" {
		t.Errorf("a two-letter search: %v, want a problem naming q", err)
	}
}
