package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// The fault drills (scripts/faults) rely on each injected fault failing
// exactly the next sends with the class the Twilio client reports for the
// same answer, on the texts never reaching the simulator's phone, and on
// every call being listed with its key.
func TestInjectedFaultsFailTheNextSendsThenTextsGoThrough(t *testing.T) {
	cases := []struct {
		kind     FaultKind
		class    carrier.ErrorClass
		code     string
		status   int
		optedOut bool
	}{
		{FaultRateLimited, carrier.Retryable, "20429", 429, false},
		{FaultServerError, carrier.Retryable, "", 500, false},
		{FaultTimeout, carrier.Ambiguous, "", 0, false},
		{FaultOptedOut, carrier.Permanent, "21610", 400, true},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			c := New("token", logrus.New())
			if err := c.InjectFaults(tc.kind, 2, time.Millisecond); err != nil {
				t.Fatal(err)
			}
			send := func(key string) error {
				_, err := c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", To: "+14155550142", Body: "hi " + key, IdempotencyKey: key})
				return err
			}
			for _, key := range []string{"k1", "k2"} {
				var ce *carrier.Error
				if err := send(key); !errors.As(err, &ce) {
					t.Fatalf("send %s: err = %v, want a *carrier.Error", key, err)
				}
				if ce.Class != tc.class || ce.Code != tc.code || ce.HTTPStatus != tc.status || ce.OptedOut != tc.optedOut {
					t.Errorf("send %s failed with %+v, want class %v code %q status %d opted out %v", key, ce, tc.class, tc.code, tc.status, tc.optedOut)
				}
			}
			if left := c.FaultsLeft(); left != 0 {
				t.Errorf("faults left = %d, want 0", left)
			}
			if err := send("k3"); err != nil {
				t.Fatalf("third send: %v, want it taken", err)
			}
			if sent := c.Sent(); len(sent) != 1 || sent[0].Key != "k3" || sent[0].SID == "" {
				t.Errorf("sent = %+v, want only k3 with a sid", sent)
			}
			var got []string
			for _, a := range c.Attempts(0) {
				got = append(got, a.Key+"/"+string(a.Fault))
			}
			want := []string{"k1/" + string(tc.kind), "k2/" + string(tc.kind), "k3/"}
			if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("attempts = %v, want %v", got, want)
			}
			if tail := c.Attempts(2); len(tail) != 1 || tail[0].Key != "k3" {
				t.Errorf("attempts after 2 = %+v, want k3 alone", tail)
			}
			if tail := c.Attempts(3); tail != nil {
				t.Errorf("attempts after 3 = %+v, want none", tail)
			}
		})
	}
}

func TestTimeoutFaultEndsWithTheSendersContext(t *testing.T) {
	c := New("token", logrus.New())
	if err := c.InjectFaults(FaultTimeout, 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, carrier.OutboundSMS{From: "+14155550101", To: "+14155550142", Body: "hi"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Class != carrier.Ambiguous {
		t.Fatalf("err = %v, want an ambiguous carrier error once the context ends", err)
	}
}

func TestInjectFaultsRefusesAnUnknownKind(t *testing.T) {
	c := New("token", logrus.New())
	if err := c.InjectFaults("busy", 1, 0); err == nil {
		t.Error("an unknown fault kind was accepted")
	}
	if err := c.InjectFaults(FaultRateLimited, -1, 0); err == nil {
		t.Error("a negative count was accepted")
	}
	if err := c.InjectFaults("", 0, 0); err != nil {
		t.Errorf("clearing: %v", err)
	}
}
