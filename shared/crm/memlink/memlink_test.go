package memlink_test

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/linktest"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
)

func TestContract(t *testing.T) {
	linktest.Run(t, func(t *testing.T) crm.Store { return memlink.New() })
}
