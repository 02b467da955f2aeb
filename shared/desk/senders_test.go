package desk_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// The numbers each person may text a consumer first from, on the demo
// configuration: Ana works a queue under each line's entry queue, Ben only
// English ones, Carla only Spanish ones.
func TestProfileOutboundNumbers(t *testing.T) {
	en := desk.OutboundNumber{E164: "+14155550101", Language: "en", Queue: desk.QueueRef{ID: "en", Name: "English"}}
	es := desk.OutboundNumber{E164: "+14155550102", Language: "es", Queue: desk.QueueRef{ID: "es", Name: "Español"}}
	for _, tc := range []struct {
		name     string
		edit     func(ctx context.Context, t *testing.T, c *console)
		v        access.Viewer
		want     []desk.OutboundNumber
		wantFrom string
	}{
		{"an agent on both lines", nil, ana, []desk.OutboundNumber{en, es}, "08:00"},
		{"an agent on the English line", nil, ben, []desk.OutboundNumber{en}, "08:00"},
		{"an agent on the Spanish line", nil, carla, []desk.OutboundNumber{es}, "08:00"},
		{"an agent in no queue", nil, nobody, []desk.OutboundNumber{}, "08:00"},
		{"a supervisor with no agent id", nil, supervisor, []desk.OutboundNumber{}, "08:00"},
		{"outbound SMS off", func(ctx context.Context, t *testing.T, c *console) {
			editSettings(ctx, t, c, func(s *chat.Settings) { s.OutboundEnabled = false })
		}, ana, []desk.OutboundNumber{}, "08:00"},
		{"a disabled number", func(ctx context.Context, t *testing.T, c *console) {
			n, err := c.store.Number(ctx, "+14155550102")
			if err != nil {
				t.Fatal(err)
			}
			n.Enabled = false
			if _, err := c.app.Admin.PutNumber(ctx, n); err != nil {
				t.Fatal(err)
			}
		}, ana, []desk.OutboundNumber{en}, "08:00"},
		{"quiet hours moved", func(ctx context.Context, t *testing.T, c *console) {
			editSettings(ctx, t, c, func(s *chat.Settings) { s.QuietHours = chat.QuietHours{Enabled: true, Start: "20:00", End: "09:30"} })
		}, ana, []desk.OutboundNumber{en, es}, "09:30"},
		{"quiet hours off", func(ctx context.Context, t *testing.T, c *console) {
			editSettings(ctx, t, c, func(s *chat.Settings) { s.QuietHours = chat.QuietHours{Enabled: false, Start: "21:00", End: "08:00"} })
		}, ana, []desk.OutboundNumber{en, es}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := newConsole(t)
			if tc.edit != nil {
				tc.edit(ctx, t, c)
			}
			p, err := c.app.Desk.Profile(ctx, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.OutboundNumbers); diff != "" {
				t.Errorf("outbound numbers (-want +got):\n%s", diff)
			}
			if p.OutboundFrom != tc.wantFrom {
				t.Errorf("outboundFrom = %q, want %q", p.OutboundFrom, tc.wantFrom)
			}
		})
	}
}

func editSettings(ctx context.Context, t *testing.T, c *console, edit func(*chat.Settings)) {
	t.Helper()
	cfg, err := c.app.Admin.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Settings
	edit(&s)
	if _, err := c.app.Admin.PutSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// TestProfileReadsNumbersOnlyForAgents: /me is polled every 15 s; the
// numbers are read only for someone who may text from one.
func TestProfileReadsNumbersOnlyForAgents(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	st := counting.Wrap(mem)
	d := jobs.Compose(jobs.Clients{Store: st}).Desk
	reads := func(v access.Viewer) int {
		t.Helper()
		if _, err := d.Profile(ctx, v); err != nil { // warm the configuration cache
			t.Fatal(err)
		}
		before := st.Counts()
		if _, err := d.Profile(ctx, v); err != nil {
			t.Fatal(err)
		}
		return int(st.Counts().Reads - before.Reads)
	}
	agent, none, sup := reads(ana), reads(nobody), reads(supervisor)
	t.Logf("profile reads: an agent %d, an agent in no queue %d, a supervisor %d", agent, none, sup)
	if numbers := len(demo.Demo().Numbers); agent != none+numbers {
		t.Errorf("an agent's profile read %d documents, %d more than an agent in no queue's; want the %d numbers", agent, agent-none, numbers)
	}
	if sup > none {
		t.Errorf("a supervisor's profile read %d documents, more than the %d of an agent in no queue", sup, none)
	}
}
