// Package contactstest is the contract every builtin.Store passes:
// memcontacts, and firecontacts on the Firestore emulator.
package contactstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Run runs the contract on stores newStore makes, a fresh one per test.
func Run(t *testing.T, newStore func(t *testing.T) builtin.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	ana := builtin.Contact{
		ID: "k1", FirstName: "Ana", LastName: "Ruiz", Email: "ana@example.com",
		Phones: []string{"+14155550123", "+442071838750"}, Labels: []string{"vip"}, Language: "es",
		CreatedAt: at, UpdatedAt: at, UpdatedBy: "ben",
	}

	t.Run("a contact is read back whole", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateContact(ctx, ana); err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, "k1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ana, got); diff != "" {
			t.Fatalf("contact (-want +got):\n%s", diff)
		}
	})

	t.Run("an id is created once", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateContact(ctx, ana); err != nil {
			t.Fatal(err)
		}
		other := ana
		other.FirstName = "Bo"
		if err := s.CreateContact(ctx, other); !errors.Is(err, builtin.ErrExists) {
			t.Fatalf("second create: %v, want ErrExists", err)
		}
		if got, _ := s.Contact(ctx, "k1"); got.FirstName != "Ana" {
			t.Fatalf("the second create overwrote the first: %+v", got)
		}
	})

	t.Run("unknown ids are not found", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Contact(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Contact: %v", err)
		}
		if _, err := s.UpdateContact(ctx, "nobody", func(*builtin.Contact) error { return nil }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateContact: %v", err)
		}
		if _, err := s.AddNote(ctx, "nobody", builtin.Note{ID: "n1", Body: "x", At: at}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AddNote: %v", err)
		}
	})

	t.Run("by phone: any of a contact's numbers, oldest first, bounded", func(t *testing.T) {
		s := newStore(t)
		for i, c := range []builtin.Contact{
			{ID: "z-new", Phones: []string{"+14155550199", "+14155550123"}, CreatedAt: at.Add(2 * time.Hour)},
			{ID: "a-old", Phones: []string{"+14155550123"}, CreatedAt: at},
			{ID: "m-mid", Phones: []string{"+12125550100", "+14155550123"}, CreatedAt: at.Add(time.Hour)},
			{ID: "other", Phones: []string{"+14155550124"}, CreatedAt: at},
		} {
			c.UpdatedAt = c.CreatedAt
			if err := s.CreateContact(ctx, c); err != nil {
				t.Fatalf("contact %d: %v", i, err)
			}
		}
		for _, tc := range []struct {
			phone string
			limit int
			want  []string
		}{
			{"+14155550123", 20, []string{"a-old", "m-mid", "z-new"}},
			{"+14155550123", 2, []string{"a-old", "m-mid"}},
			{"+12125550100", 20, []string{"m-mid"}},
			{"+14155550000", 20, nil},
		} {
			got, err := s.ContactsByPhone(ctx, tc.phone, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("%s limit %d (-want +got):\n%s", tc.phone, tc.limit, diff)
			}
		}
	})

	t.Run("an update keeps what fn leaves, a failed one nothing", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateContact(ctx, ana); err != nil {
			t.Fatal(err)
		}
		got, err := s.UpdateContact(ctx, "k1", func(c *builtin.Contact) error {
			c.FirstName, c.Labels, c.Phones = "Anita", []string{"vip", "billing"}, []string{"+14155550123"}
			c.UpdatedAt = at.Add(time.Minute)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := ana
		want.FirstName, want.Labels, want.Phones, want.UpdatedAt = "Anita", []string{"vip", "billing"}, []string{"+14155550123"}, at.Add(time.Minute)
		read, _ := s.Contact(ctx, "k1")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("returned (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, read); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
		if old, _ := s.ContactsByPhone(ctx, "+442071838750", 20); len(old) != 0 {
			t.Errorf("a removed number still finds %+v", old)
		}
		boom := errors.New("refused")
		if _, err := s.UpdateContact(ctx, "k1", func(c *builtin.Contact) error { c.FirstName = "X"; return boom }); !errors.Is(err, boom) {
			t.Fatalf("failed update: %v", err)
		}
		if read, _ := s.Contact(ctx, "k1"); read.FirstName != "Anita" {
			t.Fatalf("a failed update wrote %+v", read)
		}
	})

	t.Run("concurrent updates all land", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateContact(ctx, builtin.Contact{ID: "k2", Phones: []string{"+14155550123"}, Labels: []string{}, CreatedAt: at, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
		const n = 5
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				_, err := s.UpdateContact(ctx, "k2", func(c *builtin.Contact) error {
					c.Labels = append(c.Labels, fmt.Sprintf("l%d", i))
					return nil
				})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Contact(ctx, "k2"); len(got.Labels) != n {
			t.Fatalf("labels %v, want %d: an update was lost", got.Labels, n)
		}
	})

	t.Run("notes: newest first, bounded, each id once", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateContact(ctx, ana); err != nil {
			t.Fatal(err)
		}
		first := builtin.Note{ID: "n1", Body: "SMS chat c1 connected", At: at, PostedAt: at, ChatID: "c1"}
		second := builtin.Note{ID: "n2", Body: "Called back", At: at.Add(time.Minute), PostedAt: at.Add(time.Minute), By: "ben"}
		// The chat's end and its transcript share an instant: they come
		// back in the order they were posted, whatever their ids.
		ended := builtin.Note{ID: "zz", Body: "SMS chat c1 ended", At: at.Add(2 * time.Minute), PostedAt: at.Add(2 * time.Minute), ChatID: "c1"}
		third := builtin.Note{ID: "n3", Body: "Transcript", At: at.Add(2 * time.Minute), PostedAt: at.Add(2*time.Minute + time.Millisecond), ChatID: "c1",
			Attachments: []builtin.AttachmentRef{{Name: "chat-c1.txt", ContentType: "text/plain; charset=utf-8", Size: 1234}}}
		for _, n := range []builtin.Note{first, second, ended, third} {
			got, err := s.AddNote(ctx, "k1", n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(n, got); diff != "" {
				t.Fatalf("added (-want +got):\n%s", diff)
			}
		}
		again := first
		again.Body = "a retry must not replace the first"
		got, err := s.AddNote(ctx, "k1", again)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("a second add of n1 answered (-want +got):\n%s", diff)
		}
		notes, err := s.Notes(ctx, "k1", 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]builtin.Note{third, ended, second, first}, notes); diff != "" {
			t.Fatalf("notes (-want +got):\n%s", diff)
		}
		if notes, _ := s.Notes(ctx, "k1", 2); len(notes) != 2 || notes[0].ID != "n3" {
			t.Fatalf("limit 2: %+v", notes)
		}
		if notes, err := s.Notes(ctx, "nobody", 10); err != nil || len(notes) != 0 {
			t.Fatalf("notes of an unknown contact: %v, %v", notes, err)
		}
	})
}
