package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	twclient "github.com/twilio/twilio-go/client"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Twilio's published example of a request signature.
var published = struct {
	token, url, sig string
	form            url.Values
}{
	token: "12345",
	url:   "https://mycompany.com/myapp.php?foo=1&bar=2",
	sig:   "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
	form: url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}},
}

func TestSignMatchesPublishedExample(t *testing.T) {
	if got := Sign(published.token, published.url, published.form); got != published.sig {
		t.Errorf("Sign = %q, want %q", got, published.sig)
	}
}

func TestVerify(t *testing.T) {
	v := NewVerifier(published.token)
	tampered := url.Values{}
	for k, vs := range published.form {
		tampered[k] = vs
	}
	tampered.Set("Digits", "9999")
	repeated := url.Values{}
	for k, vs := range published.form {
		repeated[k] = vs
	}
	repeated["To"] = []string{"+18005551212", "+18005551213"}
	tests := []struct {
		name      string
		url, sig  string
		form      url.Values
		wantValid bool
	}{
		{"published example", published.url, published.sig, published.form, true},
		{"with explicit default port", "https://mycompany.com:443/myapp.php?foo=1&bar=2", published.sig, published.form, true},
		{"other URL", "https://evil.example/myapp.php?foo=1&bar=2", published.sig, published.form, false},
		{"tampered parameter", published.url, published.sig, tampered, false},
		{"repeated parameter", published.url, published.sig, repeated, false},
		{"empty signature", published.url, "", published.form, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := v.Verify(tc.url, tc.form, tc.sig); got != tc.wantValid {
				t.Errorf("Verify = %v, want %v", got, tc.wantValid)
			}
		})
	}
}

func TestParseInbound(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		want      chat.Inbound
		wantField string
	}{
		{
			name: "mms with two media, national From",
			form: url.Values{"MessageSid": {"MM1"}, "From": {"(415) 555-0142"}, "To": {"+14155550101"}, "Body": {"see pics"},
				"NumMedia": {"2"}, "MediaUrl0": {"https://api.twilio.com/m/0"}, "MediaContentType0": {"image/jpeg"},
				"MediaUrl1": {"https://api.twilio.com/m/1"}, "MediaContentType1": {"video/mp4"}},
			want: chat.Inbound{Provider: "twilio", ProviderMessageID: "MM1", Number: "+14155550101", Consumer: "+14155550142", Body: "see pics",
				Media: []chat.Media{{URL: "https://api.twilio.com/m/0", ContentType: "image/jpeg"}, {URL: "https://api.twilio.com/m/1", ContentType: "video/mp4"}}},
		},
		{
			name: "short code, legacy SmsSid",
			form: url.Values{"SmsSid": {"SM2"}, "From": {"+14155550142"}, "To": {"12345"}, "Body": {"STOP"}},
			want: chat.Inbound{Provider: "twilio", ProviderMessageID: "SM2", Number: "12345", Consumer: "+14155550142", Body: "STOP"},
		},
		{name: "missing media URL", form: url.Values{"MessageSid": {"MM3"}, "From": {"+14155550142"}, "To": {"+14155550101"}, "NumMedia": {"1"}}, wantField: "MediaUrl0"},
		{name: "empty message", form: url.Values{"MessageSid": {"SM4"}, "From": {"+14155550142"}, "To": {"+14155550101"}}, wantField: "Body"},
		{name: "too many media", form: url.Values{"MessageSid": {"SM5"}, "From": {"+14155550142"}, "To": {"+14155550101"}, "NumMedia": {"11"}}, wantField: "NumMedia"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseInbound(tc.form)
			if tc.wantField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.wantField {
					t.Fatalf("error = %v, want a FieldError on %s", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		class     carrier.ErrorClass
		optedOut  bool
		errorCode string
	}{
		{"opted out", &twclient.TwilioRestError{Code: 21610, Status: 400}, carrier.Permanent, true, "21610"},
		{"invalid number", &twclient.TwilioRestError{Code: 21211, Status: 400}, carrier.Permanent, false, "21211"},
		{"unregistered 10DLC", &twclient.TwilioRestError{Code: 30034, Status: 400}, carrier.Permanent, false, "30034"},
		{"rate limited", &twclient.TwilioRestError{Code: 20429, Status: 429}, carrier.Retryable, false, "20429"},
		{"server error", &twclient.TwilioRestError{Code: 20500, Status: 503}, carrier.Retryable, false, "20500"},
		{"could not connect", &net.OpError{Op: "dial", Err: errors.New("refused")}, carrier.Retryable, false, ""},
		{"no answer", context.DeadlineExceeded, carrier.Ambiguous, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ce *carrier.Error
			if !errors.As(classify(tc.err, 0), &ce) {
				t.Fatal("not a CarrierError")
			}
			if ce.Class != tc.class || ce.OptedOut != tc.optedOut || ce.Code != tc.errorCode {
				t.Errorf("got class %v optedOut %v code %q", ce.Class, ce.OptedOut, ce.Code)
			}
		})
	}
}

func TestClientSendsThroughConfiguredBaseURL(t *testing.T) {
	srv := twiliotest.New("AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef")
	defer srv.Close()
	c, err := NewClient(srv.AccountSID, srv.AuthToken, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", To: "+14155550142", Body: "hi",
		MediaURLs: []string{"https://media.example/a.jpg", "https://media.example/b.jpg"}, StatusCallbackURL: "https://x.example/DeliveryStatus?chat=c&seq=2"})
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 1 || sent[0].SID != res.ProviderMessageID || res.Status != chat.DeliveryQueued {
		t.Fatalf("sent %+v, result %+v", sent, res)
	}
	want := twiliotest.Sent{SID: res.ProviderMessageID, AccountSID: srv.AccountSID, From: "+14155550101", To: "+14155550142", Body: "hi",
		MediaURLs: []string{"https://media.example/a.jpg", "https://media.example/b.jpg"}, StatusCallback: "https://x.example/DeliveryStatus?chat=c&seq=2"}
	sent[0].At = want.At
	if d := cmp.Diff(want, sent[0]); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	bad, _ := NewClient(srv.AccountSID, "ffffffffffffffffffffffffffffffff", srv.URL, nil)
	_, err = bad.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", To: "+14155550142", Body: "hi"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Code != "20003" || ce.Class != carrier.Permanent {
		t.Errorf("wrong credentials: %v", err)
	}
}

// TestClientSendsThroughMessagingService: a number in a Messaging Service
// sends naming the service and no From (Twilio picks the sender from the
// pool); a service the account does not have is refused for good.
func TestClientSendsThroughMessagingService(t *testing.T) {
	const service = "MG0123456789abcdef0123456789abcdef"
	srv := twiliotest.New("AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef")
	defer srv.Close()
	srv.AddService(service, "+14155550109")
	c, err := NewClient(srv.AccountSID, srv.AuthToken, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", MessagingServiceSID: service, To: "+14155550142", Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 1 || sent[0].SID != res.ProviderMessageID || sent[0].MessagingServiceSID != service || sent[0].From != "+14155550109" {
		t.Fatalf("sent %+v: want one text through %s from its pool's sender", sent, service)
	}
	_, err = c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", MessagingServiceSID: "MGffffffffffffffffffffffffffffffff", To: "+14155550142", Body: "hi"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Code != "21701" || ce.Class != carrier.Permanent {
		t.Errorf("unknown service: %v, want 21701 permanent", err)
	}
}

// TestStandInTakesFromOrMessagingService checks twiliotest against Twilio's
// documentation of the sender parameters (error 21603): From, or
// MessagingServiceSid "either instead of or in addition to a specific
// 'From'", and neither is refused.
func TestStandInTakesFromOrMessagingService(t *testing.T) {
	const service = "MG0123456789abcdef0123456789abcdef"
	srv := twiliotest.New("AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef")
	defer srv.Close()
	srv.AddService(service, "+14155550109", "+14155550101")
	for _, tc := range []struct {
		name     string
		form     url.Values
		wantCode int // 0: created
		wantFrom string
	}{
		{"From", url.Values{"From": {"+14155550101"}}, 0, "+14155550101"},
		{"MessagingServiceSid", url.Values{"MessagingServiceSid": {service}}, 0, "+14155550109"},
		{"both: a sender of the pool", url.Values{"From": {"+14155550101"}, "MessagingServiceSid": {service}}, 0, "+14155550101"},
		{"neither", url.Values{}, 21603, ""},
		{"malformed service SID", url.Values{"MessagingServiceSid": {"MG123"}}, 21705, ""},
		{"unknown service", url.Values{"MessagingServiceSid": {"MGffffffffffffffffffffffffffffffff"}}, 21701, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("To", "+14155550142")
			tc.form.Set("Body", "hi")
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID+"/Messages.json", strings.NewReader(tc.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(srv.AccountSID, srv.AuthToken)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Code int    `json:"code"`
				From string `json:"from"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.wantCode == 0 && (res.StatusCode != http.StatusCreated || body.From != tc.wantFrom):
				t.Errorf("answered %d from %q, want 201 from %s", res.StatusCode, body.From, tc.wantFrom)
			case tc.wantCode != 0 && (res.StatusCode != http.StatusBadRequest || body.Code != tc.wantCode):
				t.Errorf("answered %d code %d, want 400 code %d", res.StatusCode, body.Code, tc.wantCode)
			}
		})
	}
}
