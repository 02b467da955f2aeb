package carriertest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// fake is a JSON provider unlike Twilio, to show the rows are not Twilio's:
// HMAC-SHA256 of URL and body in a header, JSON bodies, no repeated
// parameters.
type fake struct {
	key string
	// trusting accepts every callback; hostTrusting checks the signature
	// against the URL the request arrived at; ignoresOptOut never sets
	// OptedOut; unexplained never says what an error code means.
	trusting, hostTrusting, ignoresOptOut, unexplained bool
}

const fakeHeader = "X-Fake-Signature"

func fakeSign(key, fullURL string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(fullURL))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (f fake) Authenticate(w http.ResponseWriter, r *http.Request, publicURL string) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	signed := publicURL
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	if f.hostTrusting {
		signed = r.URL.String()
	}
	if !f.trusting && !hmac.Equal([]byte(fakeSign(f.key, signed, body)), []byte(r.Header.Get(fakeHeader))) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return false
	}
	return true
}

type fakeInbound struct{ ID, From, To, Text string }
type fakeStatus struct{ ID, Status, Error string }

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return &carrier.FieldError{Field: "body", Problem: err.Error()}
	}
	return nil
}

func (f fake) ParseInbound(r *http.Request) (chat.Inbound, error) {
	var in fakeInbound
	if err := decode(r, &in); err != nil {
		return chat.Inbound{}, err
	}
	if !strings.HasPrefix(in.From, "+") {
		return chat.Inbound{}, &carrier.FieldError{Field: "from", Problem: "not E.164"}
	}
	return chat.Inbound{Provider: "fake", ProviderMessageID: in.ID, Number: in.To, Consumer: in.From, Body: in.Text}, nil
}

func (f fake) ParseStatus(r *http.Request) (carrier.Status, error) {
	var st fakeStatus
	if err := decode(r, &st); err != nil {
		return carrier.Status{}, err
	}
	words := map[string]chat.DeliveryStatus{"OK": chat.DeliveryDelivered, "SENT": chat.DeliverySent, "ERR": chat.DeliveryFailed}
	s, ok := words[st.Status]
	if !ok {
		return carrier.Status{}, &carrier.FieldError{Field: "status", Problem: "unknown"}
	}
	out := carrier.Status{ProviderMessageID: st.ID, Status: s, ErrorCode: st.Error, OptedOut: st.Error == "STOPPED" && !f.ignoresOptOut}
	if st.Error == "NOROUTE" && !f.unexplained {
		carrier.Landline.ExplainStatus(&out)
	}
	return out, nil
}

func (f fake) AckInbound(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func fakeProvider(hooks fake) Provider {
	return Provider{
		Name: "fake", Webhooks: hooks, Key: hooks.key, WrongKey: "other-key", ContentType: "application/json",
		Sign: func(key, fullURL string, body []byte) http.Header {
			return http.Header{fakeHeader: {fakeSign(key, fullURL, body)}}
		},
		Tamper: func(body []byte) []byte { return bytes.Replace(body, []byte(`"ID":"`), []byte(`"ID":"x`), 1) },
		Captures: []Capture{
			{Name: "text", Kind: KindInbound, Body: js(fakeInbound{"m1", "+14155550142", "+14155550101", "hi"}),
				Inbound: &chat.Inbound{Provider: "fake", ProviderMessageID: "m1", Number: "+14155550101", Consumer: "+14155550142", Body: "hi"}},
			{Name: "bad from", Kind: KindInbound, Body: js(fakeInbound{"m2", "4155550142", "+14155550101", "hi"}), Field: "from"},
			{Name: "delivered", Kind: KindStatus, Body: js(fakeStatus{"o1", "OK", ""}),
				Status: &carrier.Status{ProviderMessageID: "o1", Status: chat.DeliveryDelivered}},
		},
		StatusWords: map[string]chat.DeliveryStatus{"OK": chat.DeliveryDelivered, "SENT": chat.DeliverySent, "ERR": chat.DeliveryFailed},
		StatusCallback: func(id, word, code string) []byte {
			return []byte(js(fakeStatus{id, word, code}))
		},
		OptedOutCodes: []string{"STOPPED"}, NotOptedOutCode: "NOROUTE",
		Meanings: map[string]carrier.Meaning{"NOROUTE": carrier.Landline},
		Skip: map[string]string{
			"webhooks/inbound/repeated parameter": "JSON has no repeated parameters",
			"webhooks/status/repeated parameter":  "JSON has no repeated parameters",
			"send/":                               "the fake has no send API",
		},
	}
}

func byName(rows []Row) map[string]Row {
	m := map[string]Row{}
	for _, r := range rows {
		m[r.Name] = r
	}
	return m
}

// TestFakeProviderPasses runs the table as a provider would.
func TestFakeProviderPasses(t *testing.T) {
	Run(t, fakeProvider(fake{key: "fake-key"}))
}

// TestRowsFail checks that each kind of broken provider fails the rows
// meant to catch it.
func TestRowsFail(t *testing.T) {
	forged := []string{"unsigned", "wrong key", "signed for another URL", "signed for the request's Host", "tampered body"}
	var allForged []string
	for _, k := range []string{"inbound", "status"} {
		for _, f := range forged {
			allForged = append(allForged, "webhooks/"+k+"/"+f)
		}
	}
	noSkip := fakeProvider(fake{key: "fake-key"})
	noSkip.Skip = nil
	tests := []struct {
		name     string
		p        Provider
		mustFail []string
	}{
		{"accepts every callback", fakeProvider(fake{key: "fake-key", trusting: true}),
			append(allForged, "webhooks/status/query altered after signing")},
		{"verifies against the request's URL", fakeProvider(fake{key: "fake-key", hostTrusting: true}),
			[]string{"webhooks/inbound/signed for the request's Host", "webhooks/status/signed for the request's Host"}},
		{"ignores opt-outs", fakeProvider(fake{key: "fake-key", ignoresOptOut: true}), []string{"status/opted out/STOPPED"}},
		{"does not explain its codes", fakeProvider(fake{key: "fake-key", unexplained: true}), []string{"status/meaning/NOROUTE"}},
		{"lacks capabilities and says nothing", noSkip,
			[]string{"webhooks/inbound/repeated parameter", "send/sms", "send/error/http 429", "send/error/connection refused"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := byName(Rows(tc.p))
			for _, name := range tc.mustFail {
				r, ok := rows[name]
				if !ok {
					t.Fatalf("no row %q", name)
				}
				if r.Skip != "" {
					t.Errorf("%s: skipped (%s), want a failure", name, r.Skip)
					continue
				}
				if err := r.Check(); err == nil {
					t.Errorf("%s: passed, want a failure", name)
				}
			}
		})
	}
}

func TestWrongCaptureExpectationFails(t *testing.T) {
	p := fakeProvider(fake{key: "fake-key"})
	p.Captures[0].Inbound.Body = "something else"
	p.Captures[1].Field = "to"
	rows := byName(Rows(p))
	for _, name := range []string{"parse/inbound/text", "parse/inbound/bad from"} {
		if err := rows[name].Check(); err == nil {
			t.Errorf("%s: passed with a wrong expectation", name)
		}
	}
}
