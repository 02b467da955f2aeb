package bandwidth_test

import (
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtable"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
)

func TestCarrierTable(t *testing.T) {
	carriertest.Run(t, bandwidthtable.Provider(t))
}
