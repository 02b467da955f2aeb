package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// logBuffer collects every line the functions log, from any goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secretSet is every secret value the flow handles, by what it is.
type secretSet struct {
	mu     sync.Mutex
	values map[string]string // value -> what it is
}

func (s *secretSet) add(what, value string) {
	if len(value) < 8 {
		return // too short to search for without false alarms
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]string{}
	}
	s.values[value] = what
}

// addSignedURL records the signature a signed media URL carries.
func (s *secretSet) addSignedURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	for k, vs := range u.Query() {
		if strings.EqualFold(k, "signature") || strings.EqualFold(k, "X-Goog-Signature") {
			for _, v := range vs {
				s.add("the signature of a signed URL ("+k+")", v)
			}
		}
	}
}

// Shapes of secrets, whatever their value: any of these in a log line is a
// leak even when the flow did not hand the value to this test.
var secretShapes = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a bearer token", regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]{8,}`)},
	{"HTTP basic credentials", regexp.MustCompile(`(?i)basic\s+[A-Za-z0-9+/]{16,}={0,2}`)},
	{"user info with a password in a URL", regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s"@]+:[^/\s"@]+@`)},
	{"a Cloud Storage signed URL's signature", regexp.MustCompile(`(?i)x-goog-signature=`)},
	{"a signed URL's signature", regexp.MustCompile(`(?i)[?&]signature=`)},
	{"an Authorization header", regexp.MustCompile(`(?i)"authorization"\s*:`)},
}

// TestLogsHoldNoSecrets runs a representative flow on the embedded
// backend while capturing every line the functions log, at debug level:
// signed inbound SMS and an MMS whose media go through the carrier's CDN
// with a signed URL (its first download dropped, so the error is logged
// and the message redelivered), one refused and one missing; the agent
// signing in through the dev sign-in, uploading an image and replying with
// it (the carrier failing the first send); status callbacks; AgentAPI
// calls with good, forged, expired and malformed bearer tokens. No log
// line may hold the auth token, the account's basic credentials, a bearer
// token, an API key, a webhook or signed-URL signature.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	logger := logging.New(&logs, logrus.DebugLevel, "e2e")
	const telnyxKey = "KEY01TELNYXsecretApiKeyDoNotLog99"
	e := newEnvLogging(t, "embedded", logger, map[string]string{"TELNYX_API_KEY": telnyxKey})
	if e.media.Bucket == nil {
		t.Fatal("the deployment has no media store")
	}
	var secrets secretSet
	secrets.add("the Twilio auth token", authToken)
	secrets.add("the account's basic credentials", base64.StdEncoding.EncodeToString([]byte(accountSID+":"+authToken)))
	secrets.add("the Telnyx API key", telnyxKey)

	// signed posts a signed webhook, keeping its signature.
	signed := func(fn, rawQuery string, form url.Values) int {
		t.Helper()
		public := e.urls.PublicFunction(fn)
		target := e.urls.Function(fn)
		if rawQuery != "" {
			public += "?" + rawQuery
			target += "?" + rawQuery
		}
		req, err := twilio.SignedRequest(authToken, public, form)
		if err != nil {
			t.Fatal(err)
		}
		secrets.add("a webhook signature", req.Header.Get("X-Twilio-Signature"))
		req.URL, _ = url.Parse(target)
		req.Host = req.URL.Host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", fn, err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	// call calls an HTTP API with a bearer token (none when ""), returning
	// the status and body.
	call := func(method, target, token, contentType string, body io.Reader) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, target, body)
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	agentAPI := e.urls.Function(wire.FnAgentAPI)

	// The agent signs in through the console's dev sign-in.
	code, b := call("POST", e.server.URL+"/"+wire.FnConsole+"/dev-sign-in", "", "application/json",
		strings.NewReader(`{"role":"agent","agentId":"ben"}`))
	var signIn struct{ Token string }
	if code != http.StatusOK || json.Unmarshal(b, &signIn) != nil || signIn.Token == "" {
		t.Fatalf("dev sign-in: %d %s", code, b)
	}
	ben := signIn.Token
	secrets.add("a dev sign-in token", ben)
	if dot := strings.LastIndexByte(ben, '.'); dot >= 0 {
		secrets.add("a dev sign-in token's signature", ben[dot+1:])
	}

	// The consumer texts, chooses technical support, and Ben (who answers
	// automatically) takes the chat.
	const consumer = "+14155550166"
	var sids int
	say := func(body string) chat.Ref {
		t.Helper()
		sids++
		sid := fmt.Sprintf("SM00000000000000000000000000%04d", sids)
		form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {consumer}, "To": {numberEN}, "Body": {body}, "NumMedia": {"0"}}
		if code := signed(wire.FnTwilioInbound, "", form); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
		rec := e.waitRouted(sid)
		e.waitSettled(rec)
		return chat.Ref{ChatID: rec.ChatID}
	}
	say("Hello")
	chatID := say("2").ChatID
	e.waitChat(chatID, "active with ben", func(c chat.Chat) bool { return c.Status == chat.StatusActive && c.AgentID == "ben" })

	// An MMS. Its first medium redirects to the CDN with a signed URL, and
	// the CDN drops the first download; one medium is on a host that is
	// not Twilio's, one is gone.
	const cdnSignature = "CDNsig0123456789abcdefSECRET"
	secrets.add("the CDN URL's signature", cdnSignature)
	// The CDN is a server of its own (on 127.0.0.1, a Twilio host of this
	// test deployment), so the dropped download is on a fresh connection,
	// which Go does not retry by itself.
	var cdnMu sync.Mutex
	cdnHits := 0
	cdn := newHitCounter(t, func(w http.ResponseWriter, r *http.Request) {
		cdnMu.Lock()
		cdnHits++
		n := cdnHits
		cdnMu.Unlock()
		if r.URL.Query().Get("Signature") != cdnSignature {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		if n == 1 { // the connection drops: a transport error naming the URL
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(e2eJPEG)
	})
	carrierMedia := newHitCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != accountSID || p != authToken {
			http.Error(w, "authenticate", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/Media/ME0":
			http.Redirect(w, r, cdn.URL+"/cdn/ME0?Expires="+strconv.FormatInt(time.Now().Add(4*time.Hour).Unix(), 10)+"&Signature="+cdnSignature, http.StatusTemporaryRedirect)
		case "/Media/ME1":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(e2ePNG)
		default:
			http.NotFound(w, r)
		}
	})
	mms := "MM00000000000000000000000000secr"
	elsewhere, _ := url.Parse(carrierMedia.URL)
	elsewhere.Host = "localhost:" + elsewhere.Port()
	mediaURLs := []string{carrierMedia.URL + "/Media/ME0", carrierMedia.URL + "/Media/ME1", elsewhere.String() + "/Media/ME2", carrierMedia.URL + "/Media/ME3"}
	form := url.Values{"MessageSid": {mms}, "AccountSid": {accountSID}, "From": {consumer}, "To": {numberEN},
		"Body": {"the router"}, "NumMedia": {strconv.Itoa(len(mediaURLs))}}
	for i, u := range mediaURLs {
		form.Set("MediaUrl"+strconv.Itoa(i), u)
	}
	if code := signed(wire.FnTwilioInbound, "", form); code != http.StatusOK {
		t.Fatalf("MMS webhook answered %d", code)
	}
	e.waitRouted(mms)
	cdnMu.Lock()
	if cdnHits < 2 {
		t.Errorf("the CDN was asked %d times; the dropped download was not retried", cdnHits)
	}
	cdnMu.Unlock()

	// Ben reads the chat (signed URLs to the media), uploads an image and
	// replies with it; the carrier fails the first send.
	var view desk.ChatView
	code, b = call("GET", agentAPI+"/chats/"+chatID, ben, "", nil)
	if code != http.StatusOK || json.Unmarshal(b, &view) != nil {
		t.Fatalf("GET /chats/%s: %d %s", chatID, code, b)
	}
	stored := 0
	for _, m := range view.Messages {
		for _, md := range m.Media {
			if md.Stored() {
				stored++
				secrets.addSignedURL(md.URL)
			}
		}
	}
	if stored != 2 {
		t.Errorf("%d media stored, want the two Twilio served", stored)
	}
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	fw, _ := mw.CreateFormFile("file", "label.png")
	_, _ = fw.Write(e2ePNG)
	_ = mw.Close()
	code, b = call("POST", agentAPI+"/chats/"+chatID+"/media", ben, mw.FormDataContentType(), &upload)
	var up struct{ Media chat.Media }
	if code != http.StatusCreated || json.Unmarshal(b, &up) != nil {
		t.Fatalf("upload: %d %s", code, b)
	}
	e.twilio.FailFor(consumer, twiliotest.Failure{HTTPStatus: http.StatusInternalServerError, Times: 1})
	before := len(e.twilio.SentTo(consumer))
	reply, _ := json.Marshal(map[string]any{"body": "Here is the label", "requestId": "req-secrets", "media": []map[string]string{{"name": up.Media.Name}}})
	if code, b := call("POST", agentAPI+"/chats/"+chatID+"/messages", ben, "application/json", bytes.NewReader(reply)); code != http.StatusOK {
		t.Fatalf("reply: %d %s", code, b)
	}
	sent := e.waitSent(consumer, before+1)[before]
	if len(sent.MediaURLs) != 1 {
		t.Fatalf("the carrier got media %v", sent.MediaURLs)
	}
	secrets.addSignedURL(sent.MediaURLs[0])
	e.settleChat(chatID)

	// The carrier reports: the reply sent then delivered, an earlier text
	// undelivered.
	cb, err := url.Parse(sent.StatusCallback)
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"sent", "delivered"} {
		form := url.Values{"MessageSid": {sent.SID}, "MessageStatus": {status}, "AccountSid": {accountSID}, "To": {consumer}, "From": {numberEN}}
		if code := signed(wire.FnDeliveryStatus, cb.RawQuery, form); code/100 != 2 {
			t.Fatalf("status callback %s answered %d", status, code)
		}
	}
	first := e.twilio.SentTo(consumer)[0]
	cb, _ = url.Parse(first.StatusCallback)
	if code := signed(wire.FnDeliveryStatus, cb.RawQuery, url.Values{"MessageSid": {first.SID}, "MessageStatus": {"undelivered"},
		"ErrorCode": {"30003"}, "AccountSid": {accountSID}, "To": {consumer}, "From": {numberEN}}); code/100 != 2 {
		t.Fatalf("undelivered callback answered %d", code)
	}
	// A forged callback, signed with another token.
	req, _ := twilio.SignedRequest("fedcba9876543210fedcba9876543210", e.urls.PublicFunction(wire.FnDeliveryStatus), url.Values{"MessageSid": {sent.SID}, "MessageStatus": {"failed"}})
	secrets.add("a forged webhook's signature", req.Header.Get("X-Twilio-Signature"))
	req.URL, _ = url.Parse(e.urls.Function(wire.FnDeliveryStatus))
	req.Host = req.URL.Host
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged callback: %v %v", resp, err)
	} else {
		_ = resp.Body.Close()
	}

	// AgentAPI with good and bad tokens.
	if code, b := call("GET", agentAPI+"/inbox", ben, "", nil); code != http.StatusOK {
		t.Fatalf("GET /inbox: %d %s", code, b)
	}
	expired, err := e.dev.Mint(auth.Principal{UID: "u-ana", Role: auth.RoleAgent, AgentID: "ana"}, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	secrets.add("an expired token", expired)
	forged := ben[:len(ben)-4] + "AAAA"
	secrets.add("a forged token", forged)
	const garbage = "not-a-token-at-all-0123456789"
	secrets.add("a malformed token", garbage)
	for _, token := range []string{expired, forged, garbage} {
		if code, b := call("GET", agentAPI+"/inbox", token, "", nil); code != http.StatusUnauthorized {
			t.Errorf("GET /inbox with a bad token: %d %s", code, b)
		}
	}
	testenv.WaitFor(t, waitLimit, "the functions idle", func() bool {
		for _, fn := range []string{wire.FnRouteInbound, wire.FnSendSMS, wire.FnDeliveryStatus, wire.FnAgentAPI} {
			if !e.calls.idle(fn) {
				return false
			}
		}
		return true
	})

	out := logs.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 20 {
		t.Fatalf("only %d log lines captured; the scan would prove nothing", len(lines))
	}
	// The account SID is an identifier, logged freely; the test's token
	// happens to be its last 32 characters, so it is taken out first.
	scrubbed := strings.ReplaceAll(out, accountSID, "AC<sid>")
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	for value, what := range secrets.values {
		if strings.Contains(scrubbed, value) {
			t.Errorf("the logs hold %s:\n%s", what, linesWith(lines, value))
		}
	}
	for _, s := range secretShapes {
		if loc := s.re.FindStringIndex(out); loc != nil {
			t.Errorf("the logs hold %s (%q):\n%s", s.what, out[loc[0]:loc[1]], linesWith(lines, out[loc[0]:loc[1]]))
		}
	}
	t.Logf("%d log lines scanned for %d secret values and %d shapes", len(lines), len(secrets.values), len(secretShapes))
}

// linesWith are the lines holding s, for the failure message.
func linesWith(lines []string, s string) string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
