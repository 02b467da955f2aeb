package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// People's sign-in accounts (Identity Platform). An admin invites an agent:
// the account of the agent's email is created (or found), its role and
// agentId custom claims are set, and the admin gets a link to hand over,
// with which the person sets a password. A password reset is the same link
// for an existing account. Deactivating an agent takes them offline and
// disables the account, so they can neither sign in nor take chats.
//
// These do not change the configuration document, so they carry no
// revision precondition.

// Accounts are the sign-in accounts (identity.Firebase).
type Accounts interface {
	// Invite finds or creates the account of in.Email, sets its claims and
	// returns it with a password link.
	Invite(ctx context.Context, in Invitation) (Account, error)
	// PasswordLink is a password-reset link for the account of email.
	PasswordLink(ctx context.Context, email string) (string, error)
	// Lookup is the account of email; ErrNoAccount when there is none.
	Lookup(ctx context.Context, email string) (Account, error)
	// SetDisabled disables or enables the account of email; disabling
	// also revokes its sessions.
	SetDisabled(ctx context.Context, email string, disabled bool) (Account, error)
}

// Invitation is who is invited, as what.
type Invitation struct {
	Email   string
	Name    string
	Role    auth.Role
	AgentID string
}

// Account is a sign-in account as the admin pages show it.
type Account struct {
	UID      string `json:"uid"`
	Email    string `json:"email"`
	Role     string `json:"role,omitempty"`
	AgentID  string `json:"agentId,omitempty"`
	Disabled bool   `json:"disabled"`
	// Created is true when the invitation created the account.
	Created bool `json:"created,omitempty"`
	// Link is the password link to hand to the person (invite and reset
	// only); whoever has it can set the account's password.
	Link string `json:"link,omitempty"`
}

var (
	// ErrNoAccounts refuses account actions where no identity platform is
	// configured (SMSDESK_AUTH=dev without the Auth emulator).
	ErrNoAccounts = errors.New("sign-in accounts are not managed here: Identity Platform is not configured (SMSDESK_AUTH=dev signs in without accounts)")
	// ErrNoAccount is an email without an account.
	ErrNoAccount = errors.New("no sign-in account has this email")
)

// agentEmail is the stored agent and the email their account is under; a
// validation error naming "email" when the profile has none.
func (a *Service) agentEmail(ctx context.Context, agentID string) (chat.Agent, string, error) {
	if a.Accounts == nil {
		return chat.Agent{}, "", ErrNoAccounts
	}
	ag, err := a.ConfigAgent(ctx, agentID)
	if err != nil {
		return ag, "", err
	}
	email := strings.TrimSpace(ag.Email)
	if email == "" || !strings.Contains(email, "@") {
		return ag, "", &chat.ValidationError{Problems: []chat.FieldError{{Field: "email", Message: "the agent needs an email address to sign in with: save one first"}}}
	}
	return ag, email, nil
}

// InviteAgent creates or finds the sign-in account of an agent's email and
// gives it role (agent, supervisor or admin) and the agent's id.
func (a *Service) InviteAgent(ctx context.Context, agentID string, role auth.Role) (Account, error) {
	switch role {
	case auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin:
	default:
		return Account{}, &chat.ValidationError{Problems: []chat.FieldError{{Field: "role", Message: fmt.Sprintf("%q is not a role: agent, supervisor or admin", role)}}}
	}
	ag, email, err := a.agentEmail(ctx, agentID)
	if err != nil {
		return Account{}, err
	}
	acc, err := a.Accounts.Invite(ctx, Invitation{Email: email, Name: ag.Name, Role: role, AgentID: ag.ID})
	if err != nil {
		return acc, fmt.Errorf("invite %s: %w", email, err)
	}
	return acc, nil
}

// ResetPassword is a password-reset link for an agent's account.
func (a *Service) ResetPassword(ctx context.Context, agentID string) (Account, error) {
	_, email, err := a.agentEmail(ctx, agentID)
	if err != nil {
		return Account{}, err
	}
	acc, err := a.Accounts.Lookup(ctx, email)
	if err != nil {
		return acc, fmt.Errorf("account of %s: %w", email, err)
	}
	if acc.Link, err = a.Accounts.PasswordLink(ctx, email); err != nil {
		return acc, fmt.Errorf("password link for %s: %w", email, err)
	}
	return acc, nil
}

// AgentAccount is the sign-in account of an agent's email.
func (a *Service) AgentAccount(ctx context.Context, agentID string) (Account, error) {
	_, email, err := a.agentEmail(ctx, agentID)
	if err != nil {
		return Account{}, err
	}
	acc, err := a.Accounts.Lookup(ctx, email)
	if err != nil {
		return acc, fmt.Errorf("account of %s: %w", email, err)
	}
	return acc, nil
}

// SetAgentActive deactivates an agent (offline, account disabled and its
// sessions revoked) or reactivates them (account enabled; they choose
// their status when they sign in). Without accounts only the status
// changes.
func (a *Service) SetAgentActive(ctx context.Context, agentID string, active bool) (chat.Agent, *Account, error) {
	ag, err := a.ConfigAgent(ctx, agentID)
	if err != nil {
		return ag, nil, err
	}
	var acc *Account
	if a.Accounts != nil && strings.TrimSpace(ag.Email) != "" {
		got, err := a.Accounts.SetDisabled(ctx, strings.TrimSpace(ag.Email), !active)
		switch {
		case errors.Is(err, ErrNoAccount):
		case err != nil:
			return ag, nil, fmt.Errorf("account of %s: %w", ag.Email, err)
		default:
			acc = &got
		}
	}
	if !active && ag.Status != chat.AgentOffline {
		if ag, err = a.applyStatus(ctx, ag, chat.AgentOffline); err != nil {
			return ag, acc, err
		}
	}
	return ag, acc, nil
}
