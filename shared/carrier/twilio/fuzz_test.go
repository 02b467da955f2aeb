package twilio

import (
	"errors"
	"net/url"
	"regexp"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
)

// seed adds every captured body of a kind: the fuzzer starts from what
// Twilio really posts.
func seed(f *testing.F, kind carriertest.Kind) {
	for _, c := range carriertest.LoadCaptures(f, "twiliotable/captures") {
		if c.Kind == kind {
			f.Add([]byte(c.Body))
		}
	}
}

// A parsed number is E.164, or a short code as Twilio reports those (they
// have no E.164 form).
var e164OrShortCode = regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[0-9]{5,6})$`)

func fieldError(t *testing.T, err error) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field == "" {
		t.Fatalf("error %v (%T) is not a FieldError naming its field: the webhook could not say what to fix", err, err)
	}
}

func FuzzParseInbound(f *testing.F) {
	seed(f, carriertest.KindInbound)
	f.Fuzz(func(t *testing.T, body []byte) {
		// A form that does not fully decode still yields the pairs before
		// the bad one, as Go's form parsing hands them to the handler.
		form, _ := url.ParseQuery(string(body))
		in, err := ParseInbound(form)
		if err != nil {
			fieldError(t, err)
			return
		}
		// A sender may also be an alphanumeric id (a carrier's notice),
		// which intake leaves unanswered.
		if (!e164OrShortCode.MatchString(in.Consumer) && sender.FormOf(in.Consumer) != sender.FormAlphanumeric) || !e164OrShortCode.MatchString(in.Number) {
			t.Fatalf("From %q / To %q are not E.164 (or a short code, or From an alphanumeric sender id)", in.Consumer, in.Number)
		}
		if len(in.Media) > MaxMedia {
			t.Fatalf("%d media, Twilio's limit is %d", len(in.Media), MaxMedia)
		}
		for i, m := range in.Media {
			u, err := url.Parse(m.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				t.Fatalf("media %d URL %q is not an absolute http(s) URL", i, m.URL)
			}
		}
		if in.Provider != Name || in.ProviderMessageID == "" || (in.Body == "" && len(in.Media) == 0) {
			t.Fatalf("parsed %+v: a message needs its provider, its sid and a body or media", in)
		}
	})
}

var digits = regexp.MustCompile(`^[0-9]+$`)

func FuzzParseStatus(f *testing.F) {
	seed(f, carriertest.KindStatus)
	f.Fuzz(func(t *testing.T, body []byte) {
		form, _ := url.ParseQuery(string(body))
		st, err := ParseStatus(form)
		if err != nil {
			fieldError(t, err)
			return
		}
		if !st.Status.Known() || st.MessageSid == "" || (st.ErrorCode != "" && !digits.MatchString(st.ErrorCode)) {
			t.Fatalf("parsed %+v: want a known status, a sid and a numeric error code or none", st)
		}
	})
}
