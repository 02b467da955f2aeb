// Package authtest makes real Firebase ID tokens for tests, against the
// Firebase Auth emulator that scripts/test starts (FIREBASE_AUTH_EMULATOR_HOST).
//
// A test creates a user with the custom claims it needs and signs in as that
// user exactly as the web console will (email and password through the
// Identity Toolkit REST API), so the token it gets is the one the emulator
// itself issues, not a hand-made imitation.
package authtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// ProjectID is the project the emulator serves to API-key clients; it must
// equal EMULATORS_AUTH_PROJECT in scripts/lib/emulators.sh, since the
// emulator answers a sign-in for that project only.
const ProjectID = "demo-smsdesk"

// requestTimeout bounds each call to the local emulator.
const requestTimeout = 10 * time.Second

// Emulator is a connection to the Auth emulator.
type Emulator struct {
	host   string
	client *fbauth.Client
	http   *http.Client
}

// New connects to the emulator at FIREBASE_AUTH_EMULATOR_HOST. It skips the
// test when that is unset, or fails it under CI=true (testenv.Require).
func New(t testing.TB) *Emulator {
	t.Helper()
	host := testenv.Require(t, auth.EmulatorHostEnv)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	// The Admin SDK reads FIREBASE_AUTH_EMULATOR_HOST itself, which is what
	// makes it talk to the emulator without credentials.
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: ProjectID})
	if err != nil {
		t.Fatalf("authtest: creating the Firebase app: %v", err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		t.Fatalf("authtest: creating the Auth client: %v", err)
	}
	return &Emulator{host: host, client: client, http: &http.Client{Timeout: requestTimeout}}
}

// Client returns the Admin SDK client, for tests that manage users
// themselves (disable, delete, change claims).
func (e *Emulator) Client() *fbauth.Client { return e.client }

// Verifier returns a FirebaseVerifier for the emulator's project, the one
// production wiring would build.
func (e *Emulator) Verifier() *auth.FirebaseVerifier {
	return auth.NewFirebaseVerifierFromClient(e.client)
}

// User is an account created in the emulator, signed in.
type User struct {
	UID      string
	Email    string
	Password string
	// IDToken is a fresh ID token carrying the claims the user was created
	// with.
	IDToken string
}

// NewUser creates a user with a unique email address and the given custom
// claims (nil for none), signs in as them and returns the ID token. The
// user is deleted when the test ends.
func (e *Emulator) NewUser(t testing.TB, claims map[string]any) User {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	u := User{
		Email:    testenv.UniqueID(t, t.Name()) + "@example.com",
		Password: "pw-" + testenv.UniqueID(t, "secret"),
	}
	rec, err := e.client.CreateUser(ctx, (&fbauth.UserToCreate{}).Email(u.Email).Password(u.Password))
	if err != nil {
		t.Fatalf("authtest: creating user %s: %v", u.Email, err)
	}
	u.UID = rec.UID
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		if err := e.client.DeleteUser(ctx, u.UID); err != nil && !fbauth.IsUserNotFound(err) {
			t.Errorf("authtest: deleting user %s: %v", u.UID, err)
		}
	})
	if claims != nil {
		if err := e.client.SetCustomUserClaims(ctx, u.UID, claims); err != nil {
			t.Fatalf("authtest: setting claims %v on user %s: %v", claims, u.UID, err)
		}
	}
	u.IDToken = e.SignIn(t, u.Email, u.Password)
	return u
}

// SignIn signs in with email and password, as the web console does, and
// returns the ID token the emulator issues.
func (e *Emulator) SignIn(t testing.TB, email, password string) string {
	t.Helper()
	token, err := e.signIn(email, password)
	if err != nil {
		t.Fatalf("authtest: %v", err)
	}
	return token
}

func (e *Emulator) signIn(email, password string) (string, error) {
	body, err := json.Marshal(map[string]any{"email": email, "password": password, "returnSecureToken": true})
	if err != nil {
		return "", err
	}
	// The emulator accepts any API key and serves its default project to
	// key-authenticated calls.
	u := "http://" + e.host + "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any"
	resp, err := e.http.Post(u, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("signing in as %s: %w", email, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("signing in as %s: reading the answer: %w", email, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("signing in as %s: %s: %s", email, resp.Status, strings.TrimSpace(string(raw)))
	}
	var out struct {
		IDToken string `json:"idToken"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.IDToken == "" {
		return "", fmt.Errorf("signing in as %s: no idToken in %s", email, raw)
	}
	return out.IDToken, nil
}
