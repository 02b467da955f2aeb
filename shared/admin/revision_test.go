package admin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Every kind of change made against a revision is refused once someone
// else changed the configuration, and writes nothing; made against the
// current revision, it succeeds and moves the revision on.
func TestChangesWithAStaleRevisionAreRefused(t *testing.T) {
	changes := []struct {
		name   string
		change func(ctx context.Context, a *admin.Service) error
		// saved tells whether the change is in the configuration.
		saved func(c chat.Config) bool
	}{
		{"settings", func(ctx context.Context, a *admin.Service) error {
			s := adminFixture().Settings
			s.Program.Name = "Changed"
			_, err := a.PutSettings(ctx, s)
			return err
		}, func(c chat.Config) bool { return c.Settings.Program.Name == "Changed" }},
		{"a number", func(ctx context.Context, a *admin.Service) error {
			n := adminFixture().Numbers[0]
			n.LineOfBusiness = "changed"
			_, err := a.PutNumber(ctx, n)
			return err
		}, func(c chat.Config) bool { return c.Numbers[0].LineOfBusiness == "changed" }},
		{"a queue", func(ctx context.Context, a *admin.Service) error {
			_, err := a.PutQueue(ctx, chat.Queue{ID: "new", ParentID: "root", Name: "New", Order: 3, Keywords: []string{"3"}})
			return err
		}, func(c chat.Config) bool { return len(c.Queues) == 4 }},
		{"a queue deleted", func(ctx context.Context, a *admin.Service) error {
			return a.DeleteQueue(ctx, "help-desk")
		}, func(c chat.Config) bool { return len(c.Queues) == 2 }},
		{"a team", func(ctx context.Context, a *admin.Service) error {
			_, err := a.PutTeam(ctx, chat.Team{ID: "team", Name: "Renamed", Members: []string{"al"}})
			return err
		}, func(c chat.Config) bool { return c.Teams[0].Name == "Renamed" }},
		{"an agent", func(ctx context.Context, a *admin.Service) error {
			_, err := a.PutAgentProfile(ctx, chat.Agent{ID: "bo", Name: "Bo", Capacity: 3})
			return err
		}, func(c chat.Config) bool { return c.Agents[1].Capacity == 3 }},
		{"an import", func(ctx context.Context, a *admin.Service) error {
			c := adminFixture()
			c.Settings.Program.Name = "Imported"
			return a.ImportConfig(ctx, c)
		}, func(c chat.Config) bool { return c.Settings.Program.Name == "Imported" }},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			a, _ := newAdmin(t)
			loaded, err := a.Revision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Someone else renames Sales meanwhile.
			if _, err := a.PutQueue(ctx, chat.Queue{ID: "sales", ParentID: "root", Name: "Sales team", Order: 1, Keywords: []string{"1"}, Teams: []string{"team"}}); err != nil {
				t.Fatal(err)
			}
			current, err := a.Revision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if current == loaded {
				t.Fatal("renaming a queue left the revision as it was")
			}

			err = tc.change(admin.IfRevision(ctx, loaded), a)
			if !errors.Is(err, admin.ErrStale) {
				t.Fatalf("change against the old revision: %v, want ErrStale", err)
			}
			c, err := a.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.saved(c) {
				t.Fatal("the refused change was saved")
			}
			if got := admin.Revision(c); got != current {
				t.Fatalf("the refused change moved the revision: %s, want %s", got, current)
			}

			if err := tc.change(admin.IfRevision(ctx, current), a); err != nil {
				t.Fatalf("change against the current revision: %v", err)
			}
			if c, _ = a.Config(ctx); !tc.saved(c) {
				t.Fatal("the change against the current revision was not saved")
			}
			if admin.Revision(c) == current {
				t.Fatal("a saved change left the revision as it was")
			}
		})
	}
}

// An agent's own routing state (status, load, presence) is not an edit of
// the configuration: it leaves the revision alone, so an admin's page does
// not go stale every time an agent takes a chat.
func TestRoutingStateLeavesTheRevision(t *testing.T) {
	c := adminFixture()
	before := admin.Revision(c)
	c.Agents = append([]chat.Agent(nil), c.Agents...)
	c.Agents[0].Status, c.Agents[0].Load, c.Agents[0].StatusReason = chat.AgentAway, 2, "missed an offer"
	c.Agents[0].LastAssignedAt, c.Agents[0].LastSeenAt = time.Unix(1e9, 0), time.Unix(1e9, 0)
	if got := admin.Revision(c); got != before {
		t.Fatalf("routing state changed the revision: %s, want %s", got, before)
	}
	c.Agents[0].Capacity++
	if admin.Revision(c) == before {
		t.Fatal("a capacity change left the revision as it was")
	}
	if adminFixture().Agents[0].Status != chat.AgentAvailable {
		t.Fatal("Revision changed its argument's agents")
	}
}
