package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/auth/authtest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// firebaseEnv is a deployment that signs people in with Firebase
// Authentication, as deployed, against the Auth emulator: AgentAPI verifies
// the emulator's ID tokens and the console's pages point the vendored
// Firebase SDK at the emulator (connectAuthEmulator).
func firebaseEnv(t *testing.T, backend string) (*env, *authtest.Emulator) {
	t.Helper()
	emu := authtest.New(t)
	e := newEnv(t, backend, map[string]string{
		"SMSDESK_AUTH":                "firebase",
		"FIREBASE_PROJECT_ID":         authtest.ProjectID,
		"FIREBASE_AUTH_EMULATOR_HOST": testenv.Require(t, auth.EmulatorHostEnv),
		"FIREBASE_API_KEY":            "fake-api-key", // the emulator takes any key
	})
	return e, emu
}

// openConsoleFirebase signs in through the console's email and password
// form in a browser context of its own.
func openConsoleFirebase(t *testing.T, browser context.Context, e *env, u authtest.User, who string) *consolePage {
	t.Helper()
	p := &consolePage{t: t, ctx: consoletest.NewSession(t, browser), who: who}
	consoletest.WatchConsole(t, p.ctx, who)
	p.do("open the sign-in form",
		chromedp.Navigate(e.server.URL+"/Console/"),
		chromedp.WaitVisible(chromedp.ID("firebase-form")),
	)
	p.do("sign in with email and password",
		chromedp.SendKeys(chromedp.ID("email"), u.Email),
		chromedp.SendKeys(chromedp.ID("password"), u.Password),
		chromedp.Click(chromedp.CSS("#firebase-form button[type=submit]")),
	)
	return p
}

// TestConsoleFirebaseSignIn signs in through the console's email and
// password form with the vendored Firebase SDK against the Auth emulator,
// on both backends: an agent sees the inbox as themselves with their role
// and status, keeps the session over a reload, and signing out sets them
// offline and shows the form again; a supervisor sees every open chat; a
// wrong password and an account with no role are told so and stay out.
func TestConsoleFirebaseSignIn(t *testing.T) {
	browser := consoletest.Browser(t)
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e, emu := firebaseEnv(t, backend)
			cases := []struct {
				name     string
				claims   map[string]any
				password string // "" the user's own
				who      string // #who once signed in; "" stays signed out
				error    string // #signin-error when signed out
				agent    string // the agent the session is bound to
			}{
				{name: "agent", claims: map[string]any{"role": "agent", "agentId": "ana"}, who: "Ana García · agent", agent: "ana"},
				{name: "supervisor", claims: map[string]any{"role": "supervisor"}, who: "supervisor"},
				{name: "wrong password", claims: map[string]any{"role": "agent", "agentId": "ben"}, password: "not-the-password", error: "The email or password is not right."},
				{name: "no role", claims: nil, error: "an admin must assign agent, supervisor or admin"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					u := emu.NewUser(t, tc.claims)
					if tc.password != "" {
						u.Password = tc.password
					}
					p := openConsoleFirebase(t, browser, e, u, tc.name)
					if tc.who == "" {
						msg := waitFor[string](p, "the sign-in error", jsText, "#signin-error", tc.error)
						if visible := pageValue[bool](p, "workspace", `!document.querySelector('#workspace').hidden`); visible {
							t.Fatalf("the workspace is shown after %q", msg)
						}
						consoletest.Screenshot(t, p.ctx, "refused")
						return
					}
					p.do("the inbox", chromedp.WaitVisible(chromedp.ID("workspace")))
					waitFor[string](p, "who is signed in", jsText, "#who", tc.who)
					if tc.agent == "" {
						p.do("every open chat", chromedp.WaitVisible(chromedp.ID("open-section")))
						consoletest.Screenshot(t, p.ctx, "signed-in")
						return
					}
					p.do("the agent's status", chromedp.WaitVisible(chromedp.ID("status-wrap")))
					consoletest.Screenshot(t, p.ctx, "signed-in")

					// The SDK keeps the session (IndexedDB): a reload opens
					// the inbox without the form.
					p.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("workspace")))
					waitFor[string](p, "who is signed in after the reload", jsText, "#who", tc.who)

					e.editAgent(tc.agent, func(a *chat.Agent) { a.Status = chat.AgentAvailable })
					p.do("sign out",
						chromedp.Click(chromedp.ID("sign-out")),
						chromedp.WaitVisible(chromedp.ID("firebase-form")),
					)
					if got := e.agent(tc.agent).Status; got != chat.AgentOffline {
						t.Errorf("%s is %s after signing out, want offline", tc.agent, got)
					}
					p.do("reload after signing out", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("firebase-form")))
				})
			}
		})
	}
}
