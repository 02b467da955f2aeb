package twilio_test

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotable"
)

func TestCarrierTable(t *testing.T) {
	carriertest.Run(t, twiliotable.Provider(t))
}
