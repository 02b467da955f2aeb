package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestSendRecordsAndPostsSignedCallbacks(t *testing.T) {
	const token = "sandbox-test-token"
	var mu sync.Mutex
	var statuses []string
	var srvURL string
	verifier := twilio.NewVerifier(token)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		if !verifier.Verify(srvURL+r.URL.RequestURI(), r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
			t.Errorf("callback %v is not signed for %s", r.PostForm, r.URL)
		}
		mu.Lock()
		statuses = append(statuses, r.PostForm.Get("MessageStatus"))
		mu.Unlock()
	}))
	defer srv.Close()
	srvURL = srv.URL

	c := New(token, logrus.New())
	res, err := c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550101", To: "+14155550142", Body: "hello", StatusCallbackURL: srv.URL + "/DeliveryStatus?chat=c&seq=2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), carrier.OutboundSMS{From: "+14155550102", To: "+14155550142", Body: "other thread"}); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	conv := c.Conversation("+14155550101", "+14155550142")
	if len(conv) != 1 || conv[0].SID != res.ProviderMessageID || conv[0].Body != "hello" {
		t.Errorf("conversation = %+v", conv)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(statuses) != 2 || statuses[0] != "sent" || statuses[1] != "delivered" {
		t.Errorf("callbacks = %v, want sent then delivered", statuses)
	}
}

// TestSendsAsEachProvider: the sandbox sending as another provider keeps
// the text alike and posts that provider's callbacks through its Reporter;
// a provider without one gets none.
func TestSendsAsEachProvider(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{} // path → statuses
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got[r.URL.Path] = append(got[r.URL.Path], r.Header.Get("X-Status"))
	}))
	defer srv.Close()
	sb := New("token", logrus.New())
	sb.ReportAs("telnyx", func(callbackURL string, m Message, st chat.DeliveryStatus) (*http.Request, error) {
		if m.Provider != "telnyx" {
			t.Errorf("reported %+v as telnyx", m)
		}
		req, err := http.NewRequest(http.MethodPost, callbackURL, nil)
		if err == nil {
			req.Header.Set("X-Status", string(st))
		}
		return req, err
	})
	for _, p := range []string{"telnyx", "bandwidth"} {
		if _, err := sb.As(p).Send(context.Background(), carrier.OutboundSMS{From: "+14155550103", To: "+14155550142", Body: "hi",
			StatusCallbackURL: srv.URL + "/DeliveryStatus/" + p}); err != nil {
			t.Fatal(err)
		}
	}
	sb.Wait()
	mu.Lock()
	defer mu.Unlock()
	if d := cmp.Diff(map[string][]string{"/DeliveryStatus/telnyx": {"sent", "delivered"}}, got); d != "" {
		t.Errorf("callbacks (-want +got):\n%s", d)
	}
	if sent := sb.Sent(); len(sent) != 2 || sent[0].Provider != "telnyx" || sent[1].Provider != "bandwidth" {
		t.Errorf("kept %+v", sent)
	}
}
