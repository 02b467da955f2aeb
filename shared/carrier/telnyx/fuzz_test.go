package telnyx_test

import (
	"errors"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx"
	"github.com/smsdesk/smsdesk/shared/carrier/telnyx/telnyxtable"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// FuzzParse feeds event bodies seeded with the captures to both parsers:
// neither may panic, every refusal is a *carrier.FieldError naming a
// field, and whatever parses is usable (E.164 numbers, an id, a body or
// media, a known status).
func FuzzParse(f *testing.F) {
	for _, c := range telnyxtable.Captures(f) {
		f.Add([]byte(c.Body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := telnyx.ParseInbound(body)
		if err != nil {
			var fe *carrier.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("inbound error %v is not a FieldError naming a field", err)
			}
		} else {
			if in.Provider != telnyx.Name || in.ProviderMessageID == "" || (in.Body == "" && len(in.Media) == 0) {
				t.Fatalf("parsed an unusable inbound %+v", in)
			}
			for _, n := range []string{in.Number, in.Consumer} {
				if n == in.Consumer && sender.FormOf(n) == sender.FormAlphanumeric {
					continue // a carrier's notice, left unanswered by intake
				}
				if got, err := sms.NormalizeNumber(n, "US"); err != nil || got != n {
					t.Fatalf("number %q is not normalised (%q, %v)", n, got, err)
				}
			}
			if len(in.Media) > telnyx.MaxMedia {
				t.Fatalf("%d media", len(in.Media))
			}
		}
		st, err := telnyx.ParseStatus(body)
		if err != nil {
			var fe *carrier.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("status error %v is not a FieldError naming a field", err)
			}
			return
		}
		if st.ProviderMessageID == "" || !st.Status.Known() || st.OptedOut != (st.ErrorCode == telnyx.CodeOptedOut) {
			t.Fatalf("parsed an unusable status %+v", st)
		}
	})
}
