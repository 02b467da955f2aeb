package memcontacts_test

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/contactstest"
	"github.com/smsdesk/smsdesk/shared/crm/builtin/memcontacts"
)

func TestContract(t *testing.T) {
	contactstest.Run(t, func(t *testing.T) builtin.Store { return memcontacts.New() })
}
