// Package authenv builds an Env's sign-in guard for AgentAPI, AdminAPI and
// the console: Firebase Authentication ID tokens, or the dev server's own
// tokens when SMSDESK_AUTH=dev.
package authenv

import (
	"context"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/platform"
)

type built struct {
	guard *auth.Guard
	dev   *auth.DevVerifier
}

func build(e *platform.Env) (built, error) {
	return platform.Part(e, "auth", func() (built, error) {
		if e.Config.Auth == config.AuthDev {
			dev, err := auth.NewDevVerifier(true) // SMSDESK_AUTH=dev: scripts/dev only
			if err != nil {
				return built{}, err
			}
			return built{guard: auth.NewGuard(dev), dev: dev}, nil
		}
		project := e.Config.FirebaseProjectID
		if project == "" { // a Config not made by config.Load
			project = e.Config.ProjectID
		}
		return built{guard: auth.NewGuard(&lazyFirebase{projectID: project})}, nil
	})
}

// Guard authenticates people.
func Guard(e *platform.Env) (*auth.Guard, error) {
	b, err := build(e)
	return b.guard, err
}

// DevSignIn mints sign-in tokens when SMSDESK_AUTH=dev (scripts/dev); nil
// otherwise.
func DevSignIn(e *platform.Env) (*auth.DevVerifier, error) {
	b, err := build(e)
	return b.dev, err
}

// lazyFirebase creates the Firebase Admin client on the first token to
// verify, so functions that never authenticate people (and tests of them)
// need neither credentials nor the Auth emulator.
type lazyFirebase struct {
	projectID string
	once      sync.Once
	v         *auth.FirebaseVerifier
	err       error
}

func (l *lazyFirebase) Verify(ctx context.Context, token string) (auth.Principal, error) {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		l.v, l.err = auth.NewFirebaseVerifier(ctx, l.projectID)
	})
	if l.err != nil {
		return auth.Principal{}, l.err
	}
	return l.v.Verify(ctx, token)
}
