package intake_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/intake"
	"github.com/smsdesk/smsdesk/shared/intake/intaketest"
	"github.com/smsdesk/smsdesk/shared/store"
)

// TestTextsNotFromAPersonAreNotAnswered: a text from a short code or an
// alphanumeric sender id is a carrier's or a business's system message:
// nothing is recorded or published (so RouteInbound never answers it),
// and the carrier is acknowledged. A person's text goes on as always.
func TestTextsNotFromAPersonAreNotAnswered(t *testing.T) {
	for _, tc := range []struct {
		from      string
		published bool
	}{
		{"+14155550142", true},
		{"898211", false},  // a short code's auto-reply
		{"TMobile", false}, // a carrier's notice
	} {
		t.Run(tc.from, func(t *testing.T) {
			in := chat.Inbound{Provider: "twilio", ProviderMessageID: "SM" + tc.from, Number: "+14155550101", Consumer: tc.from, Body: "Free msg: your plan renews today."}
			var res intake.Result
			w := intaketest.New(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), func(s *intake.Service) http.Handler {
				return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					var err error
					if res, err = s.Accept(r.Context(), in); err != nil {
						t.Error(err)
					}
				})
			})
			w.Serve(t, httptest.NewRequest(http.MethodPost, "/", nil))
			if got := len(w.Carried()) == 1; got != tc.published {
				t.Errorf("published %v, want %v", w.Carried(), tc.published)
			}
			_, err := w.Store.Inbound(context.Background(), "twilio_"+in.ProviderMessageID)
			if recorded := err == nil; recorded != tc.published || (err != nil && !errors.Is(err, store.ErrNotFound)) {
				t.Errorf("recorded: %v (%v), want %v", recorded, err, tc.published)
			}
			if res.NotAPerson == tc.published {
				t.Errorf("NotAPerson %v for %s", res.NotAPerson, tc.from)
			}
		})
	}
}
