package telnyx_test

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
)

func TestCarrierTable(t *testing.T) {
	carriertest.Run(t, telnyxtable.Provider(t))
}
