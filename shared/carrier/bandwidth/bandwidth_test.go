package bandwidth_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtable"
	"github.com/smsdesk/smsdesk/shared/carrier/bandwidth/bandwidthtest"
	"github.com/smsdesk/smsdesk/shared/carrier/carriertest"
)

func inboundBody(t *testing.T) []byte {
	for _, c := range bandwidthtable.Captures(t) {
		if c.Kind == carriertest.KindInbound && c.Inbound != nil {
			return []byte(c.Body)
		}
	}
	t.Fatal("no inbound capture")
	return nil
}

// TestAuthenticateChallenge: a callback without credentials is Bandwidth's
// first leg of RFC 7235 and gets the 401 challenge it needs before it
// sends them; wrong or unreadable credentials are forged and get 403;
// neither is parsed.
func TestAuthenticateChallenge(t *testing.T) {
	body := inboundBody(t)
	v := bandwidth.NewVerifier(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword)
	for _, tc := range []struct {
		name      string
		v         *bandwidth.Verifier
		auth      string
		want      int
		challenge bool
	}{
		{"the application's credentials", v, bandwidth.Sign(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword).Get("Authorization"), 0, false},
		{"no credentials", v, "", http.StatusUnauthorized, true},
		{"wrong password", v, bandwidth.Sign(bandwidthtable.WebhookUser, "guess").Get("Authorization"), http.StatusForbidden, false},
		{"wrong user", v, bandwidth.Sign("admin", bandwidthtable.WebhookPassword).Get("Authorization"), http.StatusForbidden, false},
		{"password with the user's prefix", v, bandwidth.Sign(bandwidthtable.WebhookUser, bandwidthtable.WebhookPassword[:5]).Get("Authorization"), http.StatusForbidden, false},
		{"a bearer token", v, "Bearer " + bandwidthtable.WebhookPassword, http.StatusForbidden, false},
		{"not base64", v, "Basic !!!", http.StatusForbidden, false},
		{"no credentials configured", bandwidth.NewVerifier("", ""), bandwidth.Sign("", "").Get("Authorization"), http.StatusForbidden, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/BandwidthInbound", bytes.NewReader(body))
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			ok := tc.v.Authenticate(w, r, "https://sms.acme.example/BandwidthInbound")
			if tc.want == 0 {
				if !ok {
					t.Fatalf("refused %d: %s", w.Code, w.Body)
				}
				if in, err := tc.v.ParseInbound(r); err != nil || in.ProviderMessageID == "" {
					t.Fatalf("parse after authenticate: %+v %v", in, err)
				}
				return
			}
			if ok || w.Code != tc.want {
				t.Fatalf("accepted %v, answered %d; want refused with %d", ok, w.Code, tc.want)
			}
			if got := w.Header().Get("WWW-Authenticate"); (got != "") != tc.challenge {
				t.Fatalf("WWW-Authenticate %q, want a challenge: %v", got, tc.challenge)
			}
			if _, err := tc.v.ParseInbound(r); err == nil {
				t.Fatal("a refused callback parsed")
			}
		})
	}
}

func newClient(t *testing.T, srv *bandwidthtest.Server, secret string) *bandwidth.Client {
	t.Helper()
	a := bandwidthtable.Account
	c, err := bandwidth.NewClient(bandwidth.Credentials{AccountID: a.AccountID, ApplicationID: a.ApplicationID,
		Tokens: bandwidth.NewTokens(a.ClientID, secret, srv.TokenURL(), nil)}, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var msg = carrier.OutboundSMS{From: carriertest.From, To: carriertest.To, Body: "Hi",
	StatusCallbackURL: "https://sms.acme.example/DeliveryStatus/bandwidth?chat=chat-1&seq=2", IdempotencyKey: "send-chat-1-2"}

// TestSendTagsAndReusesToken: the tag names the message as the status
// callback URL's query does, and one access token serves many sends.
func TestSendTagsAndReusesToken(t *testing.T) {
	srv := bandwidthtest.New(bandwidthtable.Account)
	defer srv.Close()
	c := newClient(t, srv, bandwidthtable.Account.ClientSecret)
	for range 3 {
		if _, err := c.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	sent := srv.Sent()
	if len(sent) != 3 || sent[0].Tag != "chat=chat-1&seq=2" || srv.TokensIssued() != 1 {
		t.Fatalf("sent %+v with %d tokens, want 3 tagged chat=chat-1&seq=2 with 1 token", sent, srv.TokensIssued())
	}
	ref, err := bandwidth.RefFromTag(sent[0].Tag)
	if err != nil || ref.ChatID != "chat-1" || ref.Seq != 2 {
		t.Fatalf("the tag names %+v (%v)", ref, err)
	}
}

// TestSendRenewsRefusedToken: a token Bandwidth stops accepting (the
// secret was rotated) is replaced and the send made again, once.
func TestSendRenewsRefusedToken(t *testing.T) {
	srv := bandwidthtest.New(bandwidthtable.Account)
	defer srv.Close()
	c := newClient(t, srv, bandwidthtable.Account.ClientSecret)
	if _, err := c.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	srv.Revoke()
	if _, err := c.Send(context.Background(), msg); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
	if n, issued := len(srv.Sent()), srv.TokensIssued(); n != 2 || issued != 2 {
		t.Fatalf("%d sent with %d tokens, want 2 and 2", n, issued)
	}
}

// TestSendWithRefusedCredential: when the token endpoint refuses the API
// credential the send is never made and fails permanently.
func TestSendWithRefusedCredential(t *testing.T) {
	srv := bandwidthtest.New(bandwidthtable.Account)
	defer srv.Close()
	_, err := newClient(t, srv, "not-the-secret").Send(context.Background(), msg)
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Class != carrier.Permanent || ce.Code != "invalid_client" || srv.Requests() != 0 {
		t.Fatalf("got %#v after %d create requests, want a permanent invalid_client and none", err, srv.Requests())
	}
}

// TestMediaAccessSendsTokenToBandwidthOnly: the access token goes to
// Bandwidth's messaging host and the configured API host, nowhere else.
func TestMediaAccessSendsTokenToBandwidthOnly(t *testing.T) {
	srv := bandwidthtest.New(bandwidthtable.Account)
	defer srv.Close()
	a := bandwidth.MediaAccess(bandwidth.NewTokens(bandwidthtable.Account.ClientID, bandwidthtable.Account.ClientSecret, srv.TokenURL(), nil), srv.URL)
	media := srv.AddMedia("m1", "bw.png", "image/png", []byte("\x89PNG"))
	for _, tc := range []struct {
		url          string
		served, auth bool
	}{
		{"https://messaging.bandwidth.com/api/v2/users/9900902/media/m1/0/bw.png", true, true},
		{media, true, true},
		{"https://bandwidth.com.evil.example/api/v2/users/9900902/media/m1/0/bw.png", false, false},
		{"https://dev.bandwidth.com/images/bandwidth-logo.png", false, false},
	} {
		r := httptest.NewRequest(http.MethodGet, tc.url, nil)
		if got := a.Serves(r.URL); got != tc.served {
			t.Errorf("%s served %v, want %v", tc.url, got, tc.served)
		}
		if err := a.Authorize(r); err != nil {
			t.Fatal(err)
		}
		if got := r.Header.Get("Authorization") != ""; got != tc.auth {
			t.Errorf("%s carries a token %v, want %v", tc.url, got, tc.auth)
		}
	}
	r, _ := http.NewRequest(http.MethodGet, media, nil)
	if err := a.Authorize(r); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the stand-in answered %d to an authorized media download", res.StatusCode)
	}
}
