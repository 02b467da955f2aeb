package firecontacts_test

import (
	"context"
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/contactstest"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/firecontacts"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

func TestContract(t *testing.T) {
	testenv.Require(t, "FIRESTORE_EMULATOR_HOST")
	contactstest.Run(t, func(t *testing.T) builtin.Store {
		// A project per test keeps parallel tests' documents apart.
		s, err := firecontacts.Open(context.Background(), testenv.UniqueID(t, "contacts"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
