package counting_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/store/storetest"
)

// TestContract checks that the wrapper passes every call through.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return counting.Wrap(memstore.New()) })
}

func TestCounts(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	s := counting.Wrap(memstore.New())
	step := func(what string, want counting.Counts, fn func() error) {
		t.Helper()
		s.Reset()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := s.Counts(); got != want {
			t.Errorf("%s counted %+v, want %+v", what, got, want)
		}
	}
	step("PutTeam and the configuration revision", counting.Counts{Writes: 2}, func() error { return s.PutTeam(ctx, chat.Team{ID: "t1"}) })
	step("Teams of one", counting.Counts{Reads: 1}, func() error { _, err := s.Teams(ctx); return err })
	step("PutAgent", counting.Counts{Writes: 1}, func() error { return s.PutAgent(ctx, chat.Agent{ID: "a1"}) })
	step("Agent", counting.Counts{Reads: 1}, func() error { _, err := s.Agent(ctx, "a1"); return err })
	// A queue, team or number delete also writes the configuration revision.
	step("four deletes, one of a missing document", counting.Counts{Writes: 3, Deletes: 4}, func() error {
		return errors.Join(s.DeleteTeam(ctx, "t1"), s.DeleteAgent(ctx, "a1"), s.DeleteQueue(ctx, "q1"), s.DeleteNumber(ctx, "+15550001111"))
	})
	step("Teams of none", counting.Counts{Reads: 1}, func() error { _, err := s.Teams(ctx); return err })
	step("ConfigRevision", counting.Counts{Reads: 1}, func() error { _, err := s.ConfigRevision(ctx); return err })
	step("agent read and written in a tx", counting.Counts{Reads: 1, Writes: 1}, func() error {
		return s.RunTx(ctx, func(tx store.Tx) error {
			if _, err := tx.Agent("a1"); !errors.Is(err, store.ErrNotFound) {
				return err
			}
			tx.PutAgent(chat.Agent{ID: "a1"})
			return nil
		})
	})
	step("three chats queued", counting.Counts{Writes: 3}, func() error {
		return s.RunTx(ctx, func(tx store.Tx) error {
			for _, id := range []string{"c1", "c2", "c3"} {
				tx.PutChat(chat.Chat{ID: id, QueueID: "q1", Status: chat.StatusQueued, QueuedAt: at})
			}
			return nil
		})
	})
	for _, tc := range []struct {
		name     string
		queueIDs []string
		limit    int
		reads    int64
	}{
		{"a query returning two", []string{"q1"}, 2, 2},
		{"a query returning none", []string{"q2"}, 2, 1},
		{"no queues: no query", nil, 2, 0},
		{"invalid limit: no query", []string{"q1"}, 0, 0},
	} {
		step("WaitingChats: "+tc.name, counting.Counts{Reads: tc.reads}, func() error {
			return s.RunTx(ctx, func(tx store.Tx) error {
				_, err := tx.WaitingChats(tc.queueIDs, tc.limit)
				if tc.limit <= 0 {
					return nil // the error is expected
				}
				return err
			})
		})
	}
	step("PutCanned", counting.Counts{Writes: 1}, func() error { return s.PutCanned(ctx, chat.Canned{ID: "hi", Title: "Hi", Body: "Hi"}) })
	step("CannedMessages of one", counting.Counts{Reads: 1}, func() error { _, err := s.CannedMessages(ctx); return err })
	step("DeleteCanned", counting.Counts{Deletes: 1}, func() error { return s.DeleteCanned(ctx, "hi") })
	step("CannedMessages of none", counting.Counts{Reads: 1}, func() error { _, err := s.CannedMessages(ctx); return err })
	step("ConsumerChats of none", counting.Counts{Reads: 1}, func() error { _, err := s.ConsumerChats(ctx, "+14155550100", 10); return err })
	step("AgentChats: three queries returning none", counting.Counts{Reads: 3}, func() error {
		_, err := s.AgentChats(ctx, "a1", at, 10)
		return err
	})
	step("OpenChats of every queue, three chats", counting.Counts{Reads: 3}, func() error { _, err := s.OpenChats(ctx, nil, 10); return err })
	step("OpenChats of no queue: no query", counting.Counts{}, func() error { _, err := s.OpenChats(ctx, []string{}, 10); return err })
}
