package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
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
