// Package identity keeps people's sign-in accounts in Identity Platform
// (Firebase Authentication) through the Firebase Admin SDK: the adapter
// of admin.Accounts. The Admin SDK talks to the Auth emulator instead when
// FIREBASE_AUTH_EMULATOR_HOST is set.
package identity

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/auth"
)

// Firebase is admin.Accounts on Identity Platform.
type Firebase struct {
	once      sync.Once
	projectID string
	client    *fbauth.Client
	err       error
}

// New makes the accounts of a project; the Admin SDK client is created on
// first use, so a function that never invites anyone needs no credentials.
func New(projectID string) *Firebase { return &Firebase{projectID: projectID} }

// FromClient uses an Auth client the caller has.
func FromClient(c *fbauth.Client) *Firebase {
	f := &Firebase{client: c}
	f.once.Do(func() {})
	return f
}

func (f *Firebase) auth(ctx context.Context) (*fbauth.Client, error) {
	f.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: f.projectID})
		if err != nil {
			f.err = fmt.Errorf("identity: the Firebase app of project %s: %w", f.projectID, err)
			return
		}
		if f.client, err = app.Auth(ctx); err != nil {
			f.err = fmt.Errorf("identity: the Auth client of project %s: %w", f.projectID, err)
		}
	})
	return f.client, f.err
}

// Invite implements admin.Accounts: the claims other than role and agentId
// an account already has are kept.
func (f *Firebase) Invite(ctx context.Context, in admin.Invitation) (admin.Account, error) {
	c, err := f.auth(ctx)
	if err != nil {
		return admin.Account{}, err
	}
	created := false
	u, err := c.GetUserByEmail(ctx, in.Email)
	if fbauth.IsUserNotFound(err) {
		create := (&fbauth.UserToCreate{}).Email(in.Email).EmailVerified(false)
		if in.Name != "" {
			create = create.DisplayName(in.Name)
		}
		u, err = c.CreateUser(ctx, create)
		created = err == nil
	}
	if err != nil {
		return admin.Account{}, fmt.Errorf("account of %s: %w", in.Email, err)
	}
	claims := maps.Clone(u.CustomClaims)
	if claims == nil {
		claims = map[string]any{}
	}
	claims[auth.ClaimRole] = string(in.Role)
	claims[auth.ClaimAgentID] = in.AgentID
	if err := c.SetCustomUserClaims(ctx, u.UID, claims); err != nil {
		return admin.Account{}, fmt.Errorf("claims of %s: %w", in.Email, err)
	}
	link, err := c.PasswordResetLink(ctx, in.Email)
	if err != nil {
		return admin.Account{}, fmt.Errorf("password link for %s: %w", in.Email, err)
	}
	return admin.Account{UID: u.UID, Email: u.Email, Role: string(in.Role), AgentID: in.AgentID,
		Disabled: u.Disabled, Created: created, Link: link}, nil
}

// PasswordLink implements admin.Accounts.
func (f *Firebase) PasswordLink(ctx context.Context, email string) (string, error) {
	c, err := f.auth(ctx)
	if err != nil {
		return "", err
	}
	return c.PasswordResetLink(ctx, email)
}

// Lookup implements admin.Accounts.
func (f *Firebase) Lookup(ctx context.Context, email string) (admin.Account, error) {
	c, err := f.auth(ctx)
	if err != nil {
		return admin.Account{}, err
	}
	u, err := c.GetUserByEmail(ctx, email)
	if err != nil {
		return admin.Account{}, notFound(err)
	}
	return view(u), nil
}

// SetDisabled implements admin.Accounts.
func (f *Firebase) SetDisabled(ctx context.Context, email string, disabled bool) (admin.Account, error) {
	c, err := f.auth(ctx)
	if err != nil {
		return admin.Account{}, err
	}
	u, err := c.GetUserByEmail(ctx, email)
	if err != nil {
		return admin.Account{}, notFound(err)
	}
	if u, err = c.UpdateUser(ctx, u.UID, (&fbauth.UserToUpdate{}).Disabled(disabled)); err != nil {
		return admin.Account{}, fmt.Errorf("update %s: %w", email, err)
	}
	if disabled {
		// Tokens already issued stay valid until they expire (the guard
		// does not check revocation); refresh tokens stop working now.
		if err := c.RevokeRefreshTokens(ctx, u.UID); err != nil {
			return admin.Account{}, fmt.Errorf("revoke the sessions of %s: %w", email, err)
		}
	}
	return view(u), nil
}

func view(u *fbauth.UserRecord) admin.Account {
	acc := admin.Account{UID: u.UID, Email: u.Email, Disabled: u.Disabled}
	if r, ok := u.CustomClaims[auth.ClaimRole].(string); ok {
		acc.Role = r
	}
	if id, ok := u.CustomClaims[auth.ClaimAgentID].(string); ok {
		acc.AgentID = id
	}
	return acc
}

func notFound(err error) error {
	if fbauth.IsUserNotFound(err) {
		return fmt.Errorf("%w: %w", admin.ErrNoAccount, err)
	}
	return err
}

var _ admin.Accounts = (*Firebase)(nil)
