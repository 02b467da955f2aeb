package firestore_test

import (
	"context"
	"testing"

	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/firestore"
	"github.com/smsdesk/smsdesk/shared/store/storetest"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

func TestContract(t *testing.T) {
	testenv.Require(t, "FIRESTORE_EMULATOR_HOST")
	storetest.Run(t, func(t *testing.T) store.Store {
		// A project per test: the emulator keeps projects apart, so parallel
		// tests never see each other's documents.
		s, err := firestore.Open(context.Background(), testenv.UniqueID(t, "st"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
