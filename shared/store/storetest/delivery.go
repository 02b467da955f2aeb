package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// testUpdateDelivery checks the send path's write without a transaction:
// it changes only the send record, delivery and provider id; it writes
// nothing when fn says so or fails; and writers racing each other and a
// transaction on the same message all land (a lost update would let a
// late status report erase the carrier's answer).
func testUpdateDelivery(t *testing.T, s store.Store) {
	ref := chat.Ref{ChatID: "delivery", Seq: 1}
	stored := chat.Message{ChatID: ref.ChatID, Seq: ref.Seq, Author: chat.AuthorAgent, Kind: chat.KindText, Body: "hello",
		AgentID: "ana", CreatedAt: t0, Send: chat.Send{State: chat.SendClaimed, Attempts: 1, ClaimedAt: t0}}
	mustTx(t, s, func(tx store.Tx) error { tx.PutMessage(stored); return nil })

	if _, err := s.UpdateDelivery(ctx(t), chat.Ref{ChatID: "delivery", Seq: 9}, func(m chat.Message) (chat.Message, bool, error) {
		return m, true, nil
	}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing message: %v, want store.ErrNotFound", err)
	}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		write bool
		err   error
	}{{"write false", false, nil}, {"fn fails", true, boom}} {
		_, err := s.UpdateDelivery(ctx(t), ref, func(m chat.Message) (chat.Message, bool, error) {
			m.Send.State, m.ProviderMessageID = chat.SendSent, "SMnever"
			return m, tc.write, tc.err
		})
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		got, _ := s.Message(ctx(t), ref)
		diff(t, tc.name+": stored message", stored, got)
	}

	got, err := s.UpdateDelivery(ctx(t), ref, func(m chat.Message) (chat.Message, bool, error) {
		m.Send.State, m.Send.SentAt, m.ProviderMessageID = chat.SendSent, t0, "SM1"
		m.Delivery = chat.Delivery{Status: chat.DeliveryQueued, UpdatedAt: t0}
		m.Body, m.AgentID = "not stored", "not stored" // only the delivery fields are written
		return m, true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := stored
	want.Send.State, want.Send.SentAt, want.ProviderMessageID = chat.SendSent, t0, "SM1"
	want.Delivery = chat.Delivery{Status: chat.DeliveryQueued, UpdatedAt: t0}
	diff(t, "returned message", want, got)
	read, _ := s.Message(ctx(t), ref)
	diff(t, "stored message", want, read)

	// Each writer counts once in Attempts; a transaction adds 100 between.
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for range writers {
		wg.Go(func() {
			_, err := s.UpdateDelivery(ctx(t), ref, func(m chat.Message) (chat.Message, bool, error) {
				m.Send.Attempts++
				return m, true, nil
			})
			errs <- err
		})
	}
	wg.Go(func() {
		errs <- s.RunTx(ctx(t), func(tx store.Tx) error {
			m, err := tx.Message(ref)
			if err != nil {
				return err
			}
			m.Send.Attempts += 100
			tx.PutMessage(m)
			return nil
		})
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	read, _ = s.Message(ctx(t), ref)
	if n := want.Send.Attempts + writers + 100; read.Send.Attempts != n {
		t.Errorf("after %d racing updates and a transaction: attempts %d, want %d", writers, read.Send.Attempts, n)
	}
}

// testRecordSend checks the carrier answer's blind write: the send record
// and provider id replace the stored ones, a report recorded before stays,
// and a missing message is an error, not a new document.
func testRecordSend(t *testing.T, s store.Store) {
	ref := chat.Ref{ChatID: "record-send", Seq: 2}
	stored := chat.Message{ChatID: ref.ChatID, Seq: ref.Seq, Author: chat.AuthorSystem, Kind: chat.KindText, Body: "menu", CreatedAt: t0,
		Send:     chat.Send{State: chat.SendClaimed, Attempts: 1, ClaimedAt: t0, SlotLane: 3, SlotUntil: t0.Add(time.Second)},
		Delivery: chat.Delivery{Status: chat.DeliveryDelivered, UpdatedAt: t0}, ProviderMessageID: "SMearly"}
	mustTx(t, s, func(tx store.Tx) error { tx.PutMessage(stored); return nil })

	send := chat.Send{State: chat.SendSent, Attempts: 1, ClaimedAt: t0, SentAt: t0.Add(time.Second)}
	if err := s.RecordSend(ctx(t), ref, send, "SMearly"); err != nil {
		t.Fatal(err)
	}
	want := stored
	want.Send = send
	got, err := s.Message(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "message after RecordSend", want, got)

	missing := chat.Ref{ChatID: "record-send", Seq: 9}
	if err := s.RecordSend(ctx(t), missing, send, "SMx"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordSend of a missing message: %v, want store.ErrNotFound", err)
	}
	if _, err := s.Message(ctx(t), missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordSend created the missing message: %v", err)
	}
}
