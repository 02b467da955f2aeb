// Package e2e drives the SMS pipe end to end over HTTP: signed Twilio
// webhooks in, a local stand-in for Twilio's API recording every send out,
// and in between the real functions on the Firestore, Pub/Sub and Cloud
// Tasks emulators (and, as a fast twin, on the embedded adapters).
package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/functions/bandwidthinbound"
	"github.com/smsdesk/smsdesk/functions/chatstats"
	"github.com/smsdesk/smsdesk/functions/chattimers"
	"github.com/smsdesk/smsdesk/functions/crmsync"
	"github.com/smsdesk/smsdesk/functions/deliverystatus"
	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/functions/routeinbound"
	"github.com/smsdesk/smsdesk/functions/sendsms"
	"github.com/smsdesk/smsdesk/functions/telnyxinbound"
	"github.com/smsdesk/smsdesk/functions/twilioinbound"
	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio/twiliotest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/platform/mediaenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/tasksenv"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"

	"github.com/sirupsen/logrus"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef" // twilio-go accepts only alphanumeric tokens
	numberEN   = "+14155550101"
	numberES   = "+14155550102"
	waitLimit  = 30 * time.Second
)

// env is one isolated deployment of the pipe.
type env struct {
	t      *testing.T
	penv   *platform.Env
	urls   wire.URLs
	conv   *conversation.Service
	desk   *desk.Service
	media  *media.Service
	tasks  tasks.Scheduler
	store  store.Store
	twilio *twiliotest.Server
	server *httptest.Server
	calls  *callCounter
	sids   atomic.Int64 // numbers the texts of say
	dev    *auth.DevVerifier
}

// backends lists where the pipe runs: always the embedded twins, and the
// emulators when scripts/test started them (required under CI).
func backends(t *testing.T) []string {
	out := []string{"embedded"}
	if os.Getenv("FIRESTORE_EMULATOR_HOST") != "" || os.Getenv("CI") == "true" {
		out = append(out, "emulators")
	}
	return out
}

// forEachBackend runs a test on every backend, in parallel.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b))
		})
	}
}

// newEnv builds a deployment on a backend; extraEnv adds or overrides
// environment variables (MEDIA_BUCKET, STORAGE_EMULATOR_HOST, ...).
func newEnv(t *testing.T, backend string, extraEnv ...map[string]string) *env {
	t.Helper()
	return newEnvLogging(t, backend, logging.New(testWriter{t}, logrus.WarnLevel, "e2e"), extraEnv...)
}

// newEnvLogging is newEnv with the logger every function writes to.
func newEnvLogging(t *testing.T, backend string, logger *logrus.Logger, extraEnv ...map[string]string) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	e := &env{t: t, twilio: twiliotest.New(accountSID, authToken), calls: newCallCounter()}
	t.Cleanup(e.twilio.Close)
	mux := http.NewServeMux()
	e.server = httptest.NewServer(mux)
	t.Cleanup(e.server.Close)

	// The deployment is configured by environment variables, exactly as a
	// function process is.
	env := map[string]string{
		"SMSDESK_BACKEND":     "embedded",
		"PUBLIC_BASE_URL":     "https://sms.acme.example/fn",
		"INTERNAL_BASE_URL":   e.server.URL,
		"TWILIO_ACCOUNT_SID":  accountSID,
		"TWILIO_AUTH_TOKEN":   authToken,
		"TWILIO_API_BASE_URL": e.twilio.URL,
		"SMSDESK_AUTH":        "dev",
	}
	if backend == "emulators" {
		testenv.Require(t, "FIRESTORE_EMULATOR_HOST")
		testenv.Require(t, "PUBSUB_EMULATOR_HOST")
		env["SMSDESK_BACKEND"] = "google"
		env["GOOGLE_CLOUD_PROJECT"] = testenv.UniqueID(t, "e2e")
		env["TASKS_LOCATION"] = "us-central1"
		env["CLOUD_TASKS_EMULATOR_HOST"] = testenv.Require(t, "CLOUD_TASKS_EMULATOR_HOST")
	}
	for _, extra := range extraEnv {
		for k, v := range extra {
			env[k] = v
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	// Each function builds what it uses from one Env, exactly as in a
	// process that serves them all (scripts/dev); only the addresses point
	// here.
	penv := platform.NewEnv(cfg, logger)
	t.Cleanup(func() { _ = penv.Close() })
	if err := busenv.EnsureEmulator(ctx, penv); err != nil {
		t.Fatal(err)
	}
	if err := tasksenv.EnsureEmulator(ctx, penv); err != nil {
		t.Fatal(err)
	}
	e.penv, e.urls = penv, penv.URLs()
	var err2 error
	must := func(err error) {
		if err != nil && err2 == nil {
			err2 = err
		}
	}
	var adm *admin.Service
	e.conv, err = jobs.Conversation(ctx, penv)
	must(err)
	e.desk, err = jobs.Desk(ctx, penv)
	must(err)
	adm, err = jobs.Admin(ctx, penv)
	must(err)
	e.media, err = mediaenv.Media(ctx, penv)
	must(err)
	e.tasks, err = tasksenv.Tasks(ctx, penv)
	must(err)
	e.store, err = storeenv.Store(ctx, penv)
	must(err)
	e.dev, err = authenv.DevSignIn(penv)
	must(err)
	if err2 != nil {
		t.Fatal(err2)
	}
	if err := adm.ImportConfig(ctx, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	builders := map[string]func(context.Context, *platform.Env) (http.Handler, error){
		wire.FnTwilioInbound:  twilioinbound.Build,
		wire.FnRouteInbound:   routeinbound.Build,
		wire.FnSendSMS:        sendsms.Build,
		wire.FnDeliveryStatus: deliverystatus.Build,
		wire.FnChatTimers:     chattimers.Build,
		wire.FnAdminAPI:       adminapi.Build,
		wire.FnAgentAPI:       agentapi.Build,
		wire.FnOutboundAPI:    outboundapi.Build,
		wire.FnCRMSync:        crmsync.Build,
		wire.FnChatStats:      chatstats.Build,
		wire.FnIVRWebhook:     ivrwebhook.Build,
	}
	if len(cfg.TelnyxPublicKey) > 0 {
		builders[wire.FnTelnyxInbound] = telnyxinbound.Build
	}
	if cfg.BandwidthWebhookUser != "" {
		builders[wire.FnBandwidthInbound] = bandwidthinbound.Build
	}
	handlers := map[string]http.Handler{wire.FnConsole: newConsole(e.dev, cfg, e.server.URL)}
	for name, build := range builders {
		h, err := build(ctx, penv)
		if err != nil {
			t.Fatalf("build %s: %v", name, err)
		}
		handlers[name] = h
	}
	for name, h := range handlers {
		h := logging.Middleware(logger, "e2e", name, h)
		mux.Handle("/"+name, e.calls.wrap(name, h))
		mux.Handle("/"+name+"/", e.calls.wrap(name, h))
	}
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// callCounter counts finished requests per function and status, so tests
// can wait for the pipe to settle instead of sleeping.
type callCounter struct {
	mu       sync.Mutex
	done     map[string]int
	ok       map[string]int
	inFlight map[string]int
}

func newCallCounter() *callCounter {
	return &callCounter{done: map[string]int{}, ok: map[string]int{}, inFlight: map[string]int{}}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (c *callCounter) wrap(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.inFlight[name]++
		c.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		c.mu.Lock()
		c.inFlight[name]--
		c.done[name]++
		if rec.status < 300 {
			c.ok[name]++
		}
		c.mu.Unlock()
	})
}

func (c *callCounter) OK(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok[name]
}

func (c *callCounter) idle(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inFlight[name] == 0
}

// text posts a signed inbound SMS webhook and returns the response code.
func (e *env) text(sid, from, to, body string) int {
	e.t.Helper()
	form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "To": {to}, "Body": {body}, "NumMedia": {"0"}}
	return e.postSigned(wire.FnTwilioInbound, "", form, authToken, "")
}

// postSigned posts a form to a function, signed for its public URL (or for
// signFor when set) with token.
func (e *env) postSigned(fn, rawQuery string, form url.Values, token, signFor string) int {
	e.t.Helper()
	public := e.urls.PublicFunction(fn)
	if rawQuery != "" {
		public += "?" + rawQuery
	}
	if signFor == "" {
		signFor = public
	}
	req, err := twilio.SignedRequest(token, signFor, form)
	if err != nil {
		e.t.Fatal(err)
	}
	target := e.urls.Function(fn)
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req.URL, _ = url.Parse(target)
	req.Host = req.URL.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", fn, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	e.t.Cleanup(cancel)
	return ctx
}

// waitSent waits until the consumer has received n texts.
func (e *env) waitSent(consumer string, n int) []twiliotest.Sent {
	e.t.Helper()
	testenv.WaitFor(e.t, waitLimit, fmt.Sprintf("%d text(s) to %s", n, consumer), func() bool {
		return len(e.twilio.SentTo(consumer)) >= n
	})
	return e.twilio.SentTo(consumer)
}

// waitRouted waits until the inbound message was applied to a chat.
func (e *env) waitRouted(sid string) store.InboundRecord {
	e.t.Helper()
	var rec store.InboundRecord
	testenv.WaitFor(e.t, waitLimit, "inbound "+sid+" routed", func() bool {
		r, err := e.store.Inbound(e.ctx(), "twilio_"+sid)
		rec = r
		return err == nil && r.Routed
	})
	return rec
}

// waitSettled waits until every reply of a routed message is finished with
// (sent, suppressed or failed) and no send is in flight.
func (e *env) waitSettled(rec store.InboundRecord) {
	e.t.Helper()
	for _, ref := range rec.Replies {
		e.waitMessage(ref, "send finished", func(m chat.Message) bool { return m.Send.Done() })
	}
	testenv.WaitFor(e.t, waitLimit, "SendSMS idle", func() bool { return e.calls.idle(wire.FnSendSMS) })
}

func (e *env) waitMessage(ref chat.Ref, what string, cond func(chat.Message) bool) chat.Message {
	e.t.Helper()
	var m chat.Message
	testenv.WaitFor(e.t, waitLimit, fmt.Sprintf("message %s/%d: %s", ref.ChatID, ref.Seq, what), func() bool {
		got, err := e.store.Message(e.ctx(), ref)
		m = got
		return err == nil && cond(got)
	})
	return m
}

// signedRequest builds a correctly signed webhook request to a function.
func (e *env) signedRequest(fn string, form url.Values) *http.Request {
	e.t.Helper()
	req, err := twilio.SignedRequest(authToken, e.urls.PublicFunction(fn), form)
	if err != nil {
		e.t.Fatal(err)
	}
	req.URL, _ = url.Parse(e.urls.Function(fn))
	req.Host = req.URL.Host
	return req
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// accept is agentID accepting the chat offered to them, through the
// console's authorized door.
func (e *env) accept(chatID, agentID string) error {
	_, err := e.conv.Accept(e.ctx(), access.Viewer{UID: agentID, AgentID: agentID}, chatID)
	return err
}

// end is agentID ending the chat they hold.
func (e *env) end(chatID, agentID string) error {
	_, err := e.conv.End(e.ctx(), access.Viewer{UID: agentID, AgentID: agentID}, chatID, "")
	return err
}

// setStatus is an agent changing their own status.
func (e *env) setStatus(agentID string, status chat.AgentStatus) error {
	_, err := e.conv.SetStatus(e.ctx(), access.Viewer{UID: agentID, AgentID: agentID}, agentID, status)
	return err
}
