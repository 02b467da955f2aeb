package firelink_test

import (
	"context"
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/firelink"
	"github.com/smsdesk/smsdesk/shared/crm/linktest"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

func TestContract(t *testing.T) {
	testenv.Require(t, "FIRESTORE_EMULATOR_HOST")
	linktest.Run(t, func(t *testing.T) crm.Store {
		// A project per test keeps parallel tests' documents apart.
		s, err := firelink.Open(context.Background(), testenv.UniqueID(t, "crm"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
