package admin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func adminFixture() chat.Config {
	return chat.Config{
		Settings: chat.Settings{ChannelEnabled: true, DefaultLanguage: "en", Program: chat.Program{Name: "Acme"}},
		Numbers:  []chat.Number{{E164: "+14155550101", Provider: "twilio", EntryQueue: "root", Enabled: true}},
		Queues: []chat.Queue{
			{ID: "root", Name: "Main"},
			{ID: "sales", ParentID: "root", Name: "Sales", Order: 1, Keywords: []string{"1"}, Teams: []string{"team"}},
			{ID: "help-desk", ParentID: "root", Name: "Help desk", Order: 2, Keywords: []string{"2"}, Agents: []string{"bo"}},
		},
		Teams:  []chat.Team{{ID: "team", Name: "Team", Members: []string{"al"}}},
		Agents: []chat.Agent{{ID: "al", Name: "Al", Status: chat.AgentAvailable, Capacity: 2}, {ID: "bo", Name: "Bo", Capacity: 1}},
	}
}

func newAdmin(t *testing.T) (*admin.Service, *memstore.Store) {
	t.Helper()
	s := memstore.New()
	a := jobs.Compose(jobs.Clients{Store: s}).Admin
	if err := a.ImportConfig(context.Background(), adminFixture()); err != nil {
		t.Fatal(err)
	}
	return a, s
}

func problems(t *testing.T, err error) []chat.FieldError {
	t.Helper()
	var ve *chat.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *chat.ValidationError", err)
	}
	return ve.Problems
}

func hasField(ps []chat.FieldError, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

func TestConfigOfAnEmptyStore(t *testing.T) {
	a := jobs.Compose(jobs.Clients{Store: memstore.New()}).Admin
	c, err := a.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := chat.Config{Settings: chat.DefaultSettings(), Numbers: []chat.Number{}, Queues: []chat.Queue{}, Teams: []chat.Team{}, Agents: []chat.Agent{}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestImportThenConfig(t *testing.T) {
	a, _ := newAdmin(t)
	c, err := a.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := adminFixture()
	want.Queues = []chat.Queue{want.Queues[2], want.Queues[0], want.Queues[1]} // by id
	want.Agents[1].Status = chat.AgentOffline                                  // a new agent without a status
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestImportRefusesAndWritesNothing(t *testing.T) {
	a, s := newAdmin(t)
	bad := adminFixture()
	bad.Numbers[0].E164 = "(415) 555-0102" // normalised, fine
	bad.Queues[1].Keywords = []string{"STOP"}
	bad.Queues = append(bad.Queues, chat.Queue{ID: "x", ParentID: "nowhere", Name: "X"})
	ps := problems(t, a.ImportConfig(context.Background(), bad))
	for _, f := range []string{"queues[1].keywords[0]", "queues[3].parentId"} {
		if !hasField(ps, f) {
			t.Errorf("problems %v lack %s (an import names fields by index)", ps, f)
		}
	}
	if _, err := s.Number(context.Background(), "+14155550102"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused import wrote a number: %v", err)
	}
}

func TestPiecewiseChangesNameDocumentsByID(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		do    func(a *admin.Service) error
		field string
	}{
		{"keyword is a command", func(a *admin.Service) error {
			_, err := a.PutQueue(ctx, chat.Queue{ID: "sales", ParentID: "root", Name: "Sales", Keywords: []string{"help"}})
			return err
		}, "queues[sales].keywords[0]"},
		{"delete an entry queue", func(a *admin.Service) error { return a.DeleteQueue(ctx, "root") }, "numbers[+14155550101].entryQueue"},
		{"delete a parent", func(a *admin.Service) error { return a.DeleteQueue(ctx, "root") }, "queues[help-desk].parentId"},
		{"delete a team member", func(a *admin.Service) error { return a.DeleteAgent(ctx, "al") }, "teams[team].members[0]"},
		{"delete an assigned team", func(a *admin.Service) error { return a.DeleteTeam(ctx, "team") }, "queues[sales].teams[0]"},
		{"number on an unknown queue", func(a *admin.Service) error {
			_, err := a.PutNumber(ctx, chat.Number{E164: "4155550103", Provider: "twilio", EntryQueue: "gone", Enabled: true})
			return err
		}, "numbers[+14155550103].entryQueue"},
		{"settings make a keyword a command", func(a *admin.Service) error {
			_, err := a.PutSettings(ctx, chat.Settings{ChannelEnabled: true, ExitWords: []string{"1"}})
			return err
		}, "queues[sales].keywords[0]"},
		{"agent capacity", func(a *admin.Service) error {
			_, err := a.PutAgentProfile(ctx, chat.Agent{ID: "bo", Name: "Bo", Capacity: 101})
			return err
		}, "agents[bo].capacity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newAdmin(t)
			before, _ := a.Config(ctx)
			if ps := problems(t, tc.do(a)); !hasField(ps, tc.field) {
				t.Errorf("problems %v lack %s", ps, tc.field)
			}
			after, _ := a.Config(ctx)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a refused change wrote:\n%s", diff)
			}
		})
	}
}

func TestUnknownIDsAreNotFound(t *testing.T) {
	a, _ := newAdmin(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"delete number": a.DeleteNumber(ctx, "+14155550199"),
		"delete queue":  a.DeleteQueue(ctx, "nope"),
		"delete team":   a.DeleteTeam(ctx, "nope"),
		"delete agent":  a.DeleteAgent(ctx, "nope"),
		"number":        func() error { _, err := a.ConfigNumber(ctx, "+14155550199"); return err }(),
		"queue":         func() error { _, err := a.ConfigQueue(ctx, "nope"); return err }(),
		"team":          func() error { _, err := a.ConfigTeam(ctx, "nope"); return err }(),
		"agent":         func() error { _, err := a.ConfigAgent(ctx, "nope"); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func TestPutNumberNormalises(t *testing.T) {
	a, _ := newAdmin(t)
	ctx := context.Background()
	n, err := a.PutNumber(ctx, chat.Number{E164: "(415) 555-0102", Provider: "twilio", EntryQueue: "sales", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if n.E164 != "+14155550102" {
		t.Errorf("saved as %q", n.E164)
	}
	if got, err := a.ConfigNumber(ctx, "415-555-0102"); err != nil || got.EntryQueue != "sales" {
		t.Errorf("ConfigNumber = %+v, %v", got, err)
	}
	if err := a.DeleteNumber(ctx, "4155550102"); err != nil {
		t.Errorf("delete by national form: %v", err)
	}
}

func TestAgentProfileKeepsRoutingState(t *testing.T) {
	a, s := newAdmin(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	err := s.RunTx(ctx, func(tx store.Tx) error {
		al, err := tx.Agent("al")
		if err != nil {
			return err
		}
		al.Load, al.LastAssignedAt = 1, at
		tx.PutAgent(al)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := a.PutAgentProfile(ctx, chat.Agent{ID: "al", Name: "Alan", Capacity: 4, Load: 0, StatusReason: "made up"})
	if err != nil {
		t.Fatal(err)
	}
	want := chat.Agent{ID: "al", Name: "Alan", Status: chat.AgentAvailable, Capacity: 4, Load: 1, LastAssignedAt: at}
	if diff := cmp.Diff(want, saved); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if got, _ := s.Agent(ctx, "al"); !cmp.Equal(want, got) {
		t.Errorf("stored %+v", got)
	}

	// Re-importing the configuration keeps the load too.
	if err := a.ImportConfig(ctx, adminFixture()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Agent(ctx, "al"); got.Load != 1 || !got.LastAssignedAt.Equal(at) || got.Name != "Al" {
		t.Errorf("after import: %+v", got)
	}

	// An import that changes a status keeps the load as well.
	away := adminFixture()
	away.Agents[0].Status = chat.AgentAway
	if err := a.ImportConfig(ctx, away); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Agent(ctx, "al"); got.Status != chat.AgentAway || got.Load != 1 {
		t.Errorf("after an import setting al away: %+v", got)
	}

	// A status change goes through SetAgentStatus.
	if _, err := a.PutAgentProfile(ctx, chat.Agent{ID: "bo", Name: "Bo", Capacity: 1, Status: chat.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Agent(ctx, "bo"); got.Status != chat.AgentAvailable {
		t.Errorf("bo's status %q", got.Status)
	}
}

func TestImportDeletesWhatItDoesNotList(t *testing.T) {
	a, _ := newAdmin(t)
	ctx := context.Background()
	c := adminFixture()
	c.Numbers = nil
	c.Queues = c.Queues[:1]
	c.Teams = nil
	c.Agents = c.Agents[1:]
	if err := a.ImportConfig(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := a.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Numbers) != 0 || len(got.Queues) != 1 || len(got.Teams) != 0 || len(got.Agents) != 1 || got.Agents[0].ID != "bo" {
		t.Errorf("after a smaller import: %+v", got)
	}
}
