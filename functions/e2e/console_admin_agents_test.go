package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/smsdesk/smsdesk/functions/console/consoletest"
	"github.com/smsdesk/smsdesk/shared/admin/identity/identitytest"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/auth/authtest"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// An admin creates an agent and a team on the Agents and teams page, gives
// the team a queue, and (with the Auth emulator) invites the agent: the
// account is made with the role and agentId claims, the person follows the
// password link shown to the admin and signs in with a token carrying the
// claims; the admin then deactivates the agent (offline, account disabled).
func TestConsoleAdminAgentsTeamsAndInvite(t *testing.T) {
	browser := consoletest.Browser(t)
	// The accounts live in the emulator's own project, the only one its
	// password sign-in serves.
	withAuth := os.Getenv(auth.EmulatorHostEnv) != ""
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			extra := map[string]string{}
			if withAuth {
				extra["GOOGLE_CLOUD_PROJECT"] = authtest.ProjectID
			}
			e := newEnv(t, backend, extra)
			email := testenv.UniqueID(t, "dana") + "@example.com"
			adm := openAdmin(t, browser, e, "agents")

			// A new agent.
			adm.do("add an agent", chromedp.WaitVisible(chromedp.ID("agent-add")), chromedp.Click(chromedp.ID("agent-add")),
				chromedp.WaitVisible(chromedp.ID("agent-form")))
			adm.fill(map[string]string{"agent-id": "dana", "agent-name": "Dana Díaz", "agent-email": email,
				"agent-languages": "es, en", "agent-capacity": "0"})
			adm.do("save", chromedp.Click(chromedp.CSS(`#agent-form button[type=submit]`)))
			// Capacity 0 is refused next to the field.
			msg := waitFor[string](adm, "the capacity error", `() => {
				const e = document.querySelector('#agent-capacity-err');
				return e && !e.hidden ? e.textContent : '';
			}`)
			if !strings.Contains(msg, "1") {
				t.Errorf("capacity error %q", msg)
			}
			adm.fill(map[string]string{"agent-capacity": "2"})
			adm.do("auto-answer, save", chromedp.Click(chromedp.ID("agent-auto")), chromedp.Click(chromedp.CSS(`#agent-form button[type=submit]`)))
			waitFor[string](adm, "agent saved", jsText, "#agent-form .form-status", "Agent Dana Díaz saved.")
			ag := e.agentProfile("dana")
			if ag.Name != "Dana Díaz" || ag.Capacity != 2 || !ag.AutoAnswer || ag.Status != chat.AgentOffline || strings.Join(ag.Languages, ",") != "es,en" {
				t.Fatalf("agent stored %+v", ag)
			}

			// A team with Dana that works Facturación.
			adm.do("add a team", chromedp.Click(chromedp.ID("team-add")), chromedp.WaitVisible(chromedp.ID("team-form")))
			adm.fill(map[string]string{"team-id": "cobros", "team-name": "Cobros"})
			adm.do("members and queue", chromedp.Click(chromedp.CSS(`#team-members input[value="dana"]`)),
				chromedp.Click(chromedp.CSS(`#team-queues input[value="es-facturacion"]`)),
				chromedp.Click(chromedp.CSS(`#team-form button[type=submit]`)))
			waitFor[string](adm, "team saved", jsText, "#team-form .form-status", "Team Cobros saved.")
			if q := e.queue("es-facturacion"); !strings.Contains(strings.Join(q.Teams, ","), "cobros") {
				t.Fatalf("es-facturacion's teams %v lack cobros", q.Teams)
			}
			// Dana's page says which queues the team gives her.
			adm.do("open Dana", chromedp.Click(chromedp.CSS(`#agents-table button[aria-label="Edit Dana Díaz"]`)), chromedp.WaitVisible(chromedp.ID("agent-queues")))
			waitFor[string](adm, "Dana's queues", jsText, "#agent-queues", "Facturación (team Cobros)")
			consoletest.Screenshot(t, adm.ctx, "admin-agents-teams")

			if !withAuth {
				// Without Identity Platform the page says invitations are
				// not available here.
				adm.do("invite", chromedp.Click(chromedp.ID("account-invite")))
				waitFor[string](adm, "no accounts", jsText, "#account-error", "Identity Platform is not configured")
				t.Skip("the invitation needs the Auth emulator (" + auth.EmulatorHostEnv + ")")
			}
			emu := authtest.New(t)
			t.Cleanup(func() {
				if u, err := emu.Client().GetUserByEmail(context.Background(), email); err == nil {
					_ = emu.Client().DeleteUser(context.Background(), u.UID)
				}
			})
			waitFor[string](adm, "no account yet", jsText, "#account-state", "No sign-in account yet")
			adm.fill(map[string]string{"account-role": "supervisor"})
			adm.do("invite", chromedp.Click(chromedp.ID("account-invite")), chromedp.WaitVisible(chromedp.ID("account-link-value")))
			link := pageValue[string](adm, "the link", `document.querySelector('#account-link-value').textContent`)
			waitFor[string](adm, "the account's claims", jsText, "#account-state", "role supervisor, agent dana")
			consoletest.Screenshot(t, adm.ctx, "admin-agent-invite")

			// The claims, through the Admin SDK; then the person signs in.
			u, err := emu.Client().GetUserByEmail(context.Background(), email)
			if err != nil {
				t.Fatal(err)
			}
			if u.CustomClaims["role"] != "supervisor" || u.CustomClaims["agentId"] != "dana" {
				t.Fatalf("claims %v", u.CustomClaims)
			}
			identitytest.SetPassword(t, link, "dana-password-1")
			p, err := emu.Verifier().Verify(context.Background(), emu.SignIn(t, email, "dana-password-1"))
			if err != nil {
				t.Fatal(err)
			}
			if p.Role != auth.RoleSupervisor || p.AgentID != "dana" {
				t.Fatalf("Dana's token: %+v", p)
			}

			// A password reset: a new link the admin hands over.
			adm.do("reset", chromedp.Click(chromedp.ID("account-reset")))
			reset := waitFor[string](adm, "the reset link", `(old) => { const el = document.querySelector('#account-link-value'); return el && el.textContent !== old ? el.textContent : ''; }`, link)
			identitytest.SetPassword(t, reset, "dana-password-2")
			emu.SignIn(t, email, "dana-password-2")

			// Deactivated: offline, and the account disabled.
			e.editAgent("dana", func(a *chat.Agent) { a.Status = chat.AgentAvailable })
			adm.do("deactivate", chromedp.Click(chromedp.ID("account-deactivate")))
			waitFor[string](adm, "deactivated", jsText, "#account-state", "deactivated")
			if u, _ := emu.Client().GetUserByEmail(context.Background(), email); !u.Disabled {
				t.Fatal("the account is not disabled")
			}
			if ag := e.agentProfile("dana"); ag.Status != chat.AgentOffline {
				t.Fatalf("deactivated agent is %s", ag.Status)
			}
		})
	}
}

// agentProfile reads an agent from AdminAPI.
func (e *env) agentProfile(id string) chat.Agent {
	e.t.Helper()
	code, body := e.admin(auth.RoleAdmin, "GET", "/agents/"+id, "")
	if code != http.StatusOK {
		e.t.Fatalf("GET agent %s: %d %s", id, code, body)
	}
	var a chat.Agent
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		e.t.Fatal(err)
	}
	return a
}
