package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ivrStore is the store as ivrrec.Store; a wrapper that is not one
// (counting) has no IVR records to test.
func ivrStore(t *testing.T, s store.Store) ivrrec.Store {
	t.Helper()
	is, ok := s.(ivrrec.Store)
	if !ok {
		t.Skipf("%T does not store IVR records", s)
	}
	return is
}

func testIVRTurns(t *testing.T, s store.Store) {
	is := ivrStore(t, s)
	rec := ivrrec.Turn{ID: "turn-a", Session: "projects/p/locations/l/agents/a/sessions/call-1", Tag: "deflection-accept",
		State: ivrrec.TurnPending, LeaseUntil: t0.Add(10 * time.Second), Created: t0, ExpireAt: t0.Add(ivrrec.TurnRetention)}
	if _, err := is.Turn(ctx(t), rec.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Turn(missing) = %v, want ErrNotFound", err)
	}
	if err := is.FinishTurn(ctx(t), "turn-none", []byte("{}")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishTurn(missing) = %v, want ErrNotFound", err)
	}
	held, created, err := is.BeginTurn(ctx(t), rec, t0)
	if err != nil || !created {
		t.Fatalf("BeginTurn(new) = %v, %v, want created", created, err)
	}
	diff(t, "created turn", rec, held)
	// A retry while the first holds the lease gets the pending record.
	retry := rec
	retry.LeaseUntil, retry.Created = t0.Add(time.Minute), t0.Add(time.Second)
	held, created, err = is.BeginTurn(ctx(t), retry, t0.Add(time.Second))
	if err != nil || created {
		t.Fatalf("BeginTurn(leased) = %v, %v, want held", created, err)
	}
	diff(t, "held turn", rec, held)
	// Once the lease is over a retry takes the turn over.
	held, created, err = is.BeginTurn(ctx(t), retry, t0.Add(11*time.Second))
	if err != nil || !created {
		t.Fatalf("BeginTurn(lease over) = %v, %v, want created", created, err)
	}
	diff(t, "taken over", retry, held)

	if err := is.FinishTurn(ctx(t), rec.ID, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := is.FinishTurn(ctx(t), rec.ID, []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	done := retry
	done.State, done.Response = ivrrec.TurnDone, []byte(`{"a":1}`)
	got, err := is.Turn(ctx(t), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "done keeps its first answer", done, got)
	// A done turn is answered long after its lease, until it expires.
	held, created, err = is.BeginTurn(ctx(t), rec, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("BeginTurn(done) = %v, %v, want held", created, err)
	}
	diff(t, "done turn", done, held)
	fresh := rec
	fresh.Created = t0.Add(ivrrec.TurnRetention + time.Hour)
	if _, created, err = is.BeginTurn(ctx(t), fresh, t0.Add(ivrrec.TurnRetention+time.Hour)); err != nil || !created {
		t.Errorf("BeginTurn(expired) = %v, %v, want created", created, err)
	}
}

func testIVRQueues(t *testing.T, s store.Store) {
	is := ivrStore(t, s)
	if _, err := is.IVRQueue(ctx(t), "billing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("IVRQueue(missing) = %v, want ErrNotFound", err)
	}
	q := ivrrec.Queue{ID: "billing", Enabled: true, ThresholdMinutes: 5, SMSQueue: "q-billing", Number: "+14155550101",
		CompanyName: "Acme", DefaultLanguage: "en", Texts: map[string]ivrrec.Texts{
			"en": {Offer: "Wait is @{ESTIMATED_WAIT_TIME_IN_MINUTES} min. Text instead?", OptedIn: "You opted in.", Greeting: "Hi @{END_USER}"},
			"es": {Offer: "¿Texto?", OptedIn: "Aceptó.", Greeting: "Hola"},
		}}
	a := ivrrec.Queue{ID: "accounts", SMSQueue: "q-acc", Number: "+14155550101", DefaultLanguage: "en",
		Texts: map[string]ivrrec.Texts{"en": {Offer: "o", OptedIn: "i", Greeting: "g"}}}
	for _, v := range []ivrrec.Queue{q, a} {
		if err := is.PutIVRQueue(ctx(t), v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := is.IVRQueue(ctx(t), q.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "IVR queue", q, got)
	got.Texts["en"] = ivrrec.Texts{}
	if again, _ := is.IVRQueue(ctx(t), q.ID); again.Texts["en"].Offer == "" {
		t.Error("changing a queue read changed the stored one")
	}
	all, err := is.IVRQueues(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "IVR queues by id", []ivrrec.Queue{a, q}, all)
	for range 2 {
		if err := is.DeleteIVRQueue(ctx(t), a.ID); err != nil {
			t.Errorf("DeleteIVRQueue: %v", err)
		}
	}
	if _, err := is.IVRQueue(ctx(t), a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted IVR queue read = %v, want ErrNotFound", err)
	}
}
