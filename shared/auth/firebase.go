package auth

import (
	"context"
	"errors"
	"fmt"
	"os"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/api/option"
)

// EmulatorHostEnv names the variable that points the Firebase Admin SDK at
// the Auth emulator (host:port). The SDK reads it itself.
const EmulatorHostEnv = "FIREBASE_AUTH_EMULATOR_HOST"

// FirebaseVerifier verifies Firebase Authentication ID tokens.
//
// It checks the signature (against Google's public keys, cached by the SDK),
// expiry, audience and issuer, but not revocation: that would cost an
// Identity Toolkit call per request. So a changed role or a disabled user
// takes effect when the user's current token expires (at most an hour),
// unless the admin tool also revokes the user's refresh tokens and the
// client is forced to sign in again.
type FirebaseVerifier struct {
	client *fbauth.Client
}

// NewFirebaseVerifier creates a verifier for the ID tokens of projectID.
// opts are passed to the Admin SDK (credentials, HTTP client); on Google
// Cloud none are needed.
//
// When FIREBASE_AUTH_EMULATOR_HOST is set, the Admin SDK trusts the Auth
// emulator at that address and accepts its unsigned tokens. Nothing must be
// able to switch that on in production, so it is refused on Cloud Run and
// Cloud Functions (where K_SERVICE is set).
func NewFirebaseVerifier(ctx context.Context, projectID string, opts ...option.ClientOption) (*FirebaseVerifier, error) {
	if projectID == "" {
		return nil, errors.New("firebase verifier: empty project id")
	}
	if host := os.Getenv(EmulatorHostEnv); host != "" && onGoogleCloud() {
		return nil, fmt.Errorf("firebase verifier: %s=%s is set on a deployed service (K_SERVICE=%s); the Admin SDK would accept unsigned tokens from anyone",
			EmulatorHostEnv, host, os.Getenv("K_SERVICE"))
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase verifier: creating the Firebase app for project %s: %w", projectID, err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		return nil, fmt.Errorf("firebase verifier: creating the Auth client for project %s: %w", projectID, err)
	}
	return &FirebaseVerifier{client: client}, nil
}

// NewFirebaseVerifierFromClient wraps an Auth client the caller already has,
// so one client (and its key cache) serves both user management and token
// checks.
func NewFirebaseVerifierFromClient(client *fbauth.Client) *FirebaseVerifier {
	return &FirebaseVerifier{client: client}
}

// Verify implements Verifier.
func (v *FirebaseVerifier) Verify(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrNoToken
	}
	tok, err := v.client.VerifyIDToken(ctx, token)
	if err != nil {
		return Principal{}, classify(err)
	}
	return principalFromClaims(tok.UID, tok.Claims)
}

// classify tells a token the client must replace from a check that could
// not be made. Against the emulator the SDK also looks the user up, so a
// deleted user shows up as "user not found".
func classify(err error) error {
	switch {
	case fbauth.IsIDTokenExpired(err):
		return fmt.Errorf("%w: %w", ErrTokenExpired, err)
	case fbauth.IsIDTokenInvalid(err), fbauth.IsUserNotFound(err), fbauth.IsTenantIDMismatch(err):
		return fmt.Errorf("%w: %w", ErrInvalidToken, err)
	default:
		return fmt.Errorf("verifying ID token: %w", err)
	}
}

// onGoogleCloud reports whether this process runs as a Cloud Run service or
// a 2nd gen Cloud Function, both of which set K_SERVICE.
func onGoogleCloud() bool {
	return os.Getenv("K_SERVICE") != ""
}
