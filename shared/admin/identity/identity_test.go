package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/admin/identity"
	"github.com/smsdesk/smsdesk/shared/admin/identity/identitytest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/auth/authtest"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// Against the Auth emulator: an invitation makes an account whose person,
// after following the password link, signs in with a token carrying the
// role and agent claims; a second invitation changes the role and keeps
// other claims; disabling refuses the sign-in.
func TestInviteResetDisable(t *testing.T) {
	emu := authtest.New(t)
	ctx := context.Background()
	acc := identity.FromClient(emu.Client())
	email := testenv.UniqueID(t, "invitee") + "@example.com"
	t.Cleanup(func() {
		if u, err := emu.Client().GetUserByEmail(context.Background(), email); err == nil {
			_ = emu.Client().DeleteUser(context.Background(), u.UID)
		}
	})
	if _, err := acc.Lookup(ctx, email); !errors.Is(err, admin.ErrNoAccount) {
		t.Fatalf("lookup before the invitation: %v, want ErrNoAccount", err)
	}

	got, err := acc.Invite(ctx, admin.Invitation{Email: email, Name: "Dana Diaz", Role: auth.RoleAgent, AgentID: "dana"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created || got.UID == "" || got.Link == "" || got.Role != "agent" || got.AgentID != "dana" {
		t.Fatalf("invitation %+v", got)
	}
	identitytest.SetPassword(t, got.Link, "first-password-1")
	token := emu.SignIn(t, email, "first-password-1")
	p, err := emu.Verifier().Verify(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != auth.RoleAgent || p.AgentID != "dana" || p.UID != got.UID {
		t.Fatalf("the token's principal %+v, want agent dana", p)
	}

	// Another claim set by someone else survives a second invitation.
	u, err := emu.Client().GetUser(ctx, got.UID)
	if err != nil {
		t.Fatal(err)
	}
	claims := u.CustomClaims
	claims["team"] = "north"
	if err := emu.Client().SetCustomUserClaims(ctx, got.UID, claims); err != nil {
		t.Fatal(err)
	}
	again, err := acc.Invite(ctx, admin.Invitation{Email: email, Role: auth.RoleSupervisor, AgentID: "dana"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.UID != got.UID {
		t.Fatalf("second invitation %+v, want the same account", again)
	}
	u, _ = emu.Client().GetUser(ctx, got.UID)
	if u.CustomClaims["role"] != "supervisor" || u.CustomClaims["agentId"] != "dana" || u.CustomClaims["team"] != "north" {
		t.Fatalf("claims %v", u.CustomClaims)
	}

	// A reset link sets a new password; the old one stops working.
	link, err := acc.PasswordLink(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	identitytest.SetPassword(t, link, "second-password-2")
	emu.SignIn(t, email, "second-password-2")

	off, err := acc.SetDisabled(ctx, email, true)
	if err != nil || !off.Disabled {
		t.Fatalf("disable: %+v %v", off, err)
	}
	if u, _ := emu.Client().GetUser(ctx, got.UID); !u.Disabled {
		t.Fatal("the account is not disabled")
	}
	on, err := acc.SetDisabled(ctx, email, false)
	if err != nil || on.Disabled {
		t.Fatalf("enable: %+v %v", on, err)
	}
	emu.SignIn(t, email, "second-password-2")
}
