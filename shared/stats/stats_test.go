package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

var t0 = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func TestContribute(t *testing.T) {
	answered := chat.Chat{ID: "c1", QueueID: "q1", AgentID: "a1", Number: "+15550001111", StartType: chat.StartManual,
		CreatedAt: at(0), QueuedAt: at(10), AssignedAt: at(40), EndedAt: at(340), EndReason: chat.EndFinished}
	tests := []struct {
		name string
		c    chat.Chat
		msgs []chat.Message
		want stats.Counters
	}{
		{"answered, SMS and MMS, first response after assignment", answered, []chat.Message{
			{Author: chat.AuthorConsumer, Kind: chat.KindText, CreatedAt: at(0)},
			{Author: chat.AuthorSystem, Kind: chat.KindAssigned, CreatedAt: at(40)},
			{Author: chat.AuthorAgent, Kind: chat.KindText, CreatedAt: at(70), Segments: 2},
			{Author: chat.AuthorConsumer, Kind: chat.KindText, CreatedAt: at(80), Media: []chat.Media{{URL: "u"}}},
		}, stats.Counters{"chats": 1, "answered": 1, "end:Finished": 1, "type:manual": 1,
			"msgInSms": 1, "msgInMms": 1, "msgOutSms": 1, "segments": 4, "costMicros": 7900 + 2*7900 + 20000,
			"waitMs": 30000, "waitN": 1, "firstResponseMs": 30000, "firstResponseN": 1,
			"handleMs": 300000, "handleN": 1, "durationMs": 340000, "queued": 1, "wait:30s-1m": 1}},
		{"consumer timeout is no_response:2", chat.Chat{ID: "c2", QueueID: "q1", StartType: chat.StartInbound, CreatedAt: at(0), QueuedAt: at(5), EndedAt: at(65), EndReason: chat.EndTimeoutEndUser},
			nil, stats.Counters{"chats": 1, "missed": 1, "end:Timeout End User No Message": 1, "fail:no_response:2": 1, "type:inbound": 1, "durationMs": 65000, "queued": 1}},
		{"expired in a queue is expired:3", chat.Chat{ID: "c3", QueueID: "q1", StartType: chat.StartInbound, CreatedAt: at(0), EndedAt: at(1), EndReason: chat.EndExpired},
			nil, stats.Counters{"chats": 1, "missed": 1, "end:Expired": 1, "fail:expired:3": 1, "type:inbound": 1, "durationMs": 1000}},
		{"expired in the menu is expired_menu_selection:31", chat.Chat{ID: "c4", StartType: chat.StartInbound, CreatedAt: at(0), EndedAt: at(2), EndReason: chat.EndExpired},
			nil, stats.Counters{"chats": 1, "missed": 1, "end:Expired": 1, "fail:expired_menu_selection:31": 1, "type:inbound": 1, "durationMs": 2000}},
		{"STOP is end_user_opt_out:41, an outbound chat is never missed", chat.Chat{ID: "c5", QueueID: "q1", StartType: chat.StartOutbound, CreatedAt: at(0), EndedAt: at(3), EndReason: chat.EndUserStopped},
			[]chat.Message{{Author: chat.AuthorAgent, Kind: chat.KindOutbound, CreatedAt: at(0), Segments: 1}},
			stats.Counters{"chats": 1, "end:End User Stopped": 1, "fail:end_user_opt_out:41": 1, "type:outbound": 1, "durationMs": 3000,
				"msgOutSms": 1, "segments": 1, "costMicros": 7900}},
		{"closed queue is after_hours:4 (recorded by routing)", chat.Chat{ID: "c7", QueueID: "q1", StartType: chat.StartInbound, CreatedAt: at(0), EndedAt: at(1), EndReason: chat.EndFailed, FailReason: "after_hours:4"},
			nil, stats.Counters{"chats": 1, "missed": 1, "end:Failed": 1, "fail:after_hours:4": 1, "type:inbound": 1, "durationMs": 1000}},
		{"a transferred chat", chat.Chat{ID: "c6", QueueID: "q2", AgentID: "a2", StartType: chat.StartAuto, CreatedAt: at(0), AssignedAt: at(0), EndedAt: at(10), EndReason: chat.EndFinished,
			Transfers: []chat.Transfer{{ID: "t1"}}},
			nil, stats.Counters{"chats": 1, "answered": 1, "end:Finished": 1, "type:auto": 1, "transferred": 1, "transfers": 1, "handleMs": 10000, "handleN": 1, "durationMs": 10000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := stats.Contribute(tc.c, tc.msgs, stats.DefaultPrices)
			if d := cmp.Diff(tc.want, got.Counters); d != "" {
				t.Errorf("counters (-want +got):\n%s", d)
			}
		})
	}
}

func TestOffers(t *testing.T) {
	tests := []struct {
		name string
		c    chat.Chat
		want map[string]stats.Counters
	}{
		{"never offered (auto answer)", chat.Chat{AgentID: "a1"}, nil},
		{"declined by a1, missed by a2, taken by a3", chat.Chat{AgentID: "a3", OfferedTo: []string{"a1", "a2", "a3"}},
			map[string]stats.Counters{"a1": {"offers": 1, "missedOffers": 1}, "a2": {"offers": 1, "missedOffers": 1}, "a3": {"offers": 1}}},
		{"missed twice by a1, none taken", chat.Chat{OfferedTo: []string{"a1", "a1"}},
			map[string]stats.Counters{"a1": {"offers": 2, "missedOffers": 2}}},
		{"a1 took it and transferred it to a2, who took it", chat.Chat{AgentID: "a2", OfferedTo: []string{"a1", "a2"},
			Transfers: []chat.Transfer{{FromAgent: "a1", ToAgent: "a2"}}},
			map[string]stats.Counters{"a1": {"offers": 1}, "a2": {"offers": 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, stats.Offers(tc.c)); d != "" {
				t.Errorf("offers (-want +got):\n%s", d)
			}
		})
	}
}

func TestIncrementsSplitOffersPerAgent(t *testing.T) {
	c := chat.Chat{ID: "c1", QueueID: "q1", AgentID: "a2", Number: "+15550001111", StartType: chat.StartManual, OfferedTo: []string{"a1", "a2"},
		CreatedAt: at(0), QueuedAt: at(0), AssignedAt: at(30), EndedAt: at(90), EndReason: chat.EndFinished}
	con := stats.Contribute(c, nil, stats.DefaultPrices)
	con.Teams, con.OfferTeams = []string{"t1"}, map[string][]string{"a1": {"t1", "t2"}, "a2": {"t1"}}
	got := map[string]stats.Counters{}
	for _, sh := range stats.Increments(con, time.UTC) {
		g := stats.Counters{}
		for _, k := range []string{"chats", "offers", "missedOffers"} {
			if v := sh.Counters[k]; v != 0 {
				g[k] = v
			}
		}
		got[sh.Dim+"/"+sh.Value] = g
	}
	want := map[string]stats.Counters{
		"all/": {"chats": 1, "offers": 2, "missedOffers": 1}, "queue/q1": {"chats": 1, "offers": 2, "missedOffers": 1},
		"number/+15550001111": {"chats": 1, "offers": 2, "missedOffers": 1}, "startType/manual": {"chats": 1, "offers": 2, "missedOffers": 1},
		"agent/a2": {"chats": 1, "offers": 1}, "agent/a1": {"offers": 1, "missedOffers": 1},
		"team/t1": {"chats": 1, "offers": 2, "missedOffers": 1}, "team/t2": {"offers": 1, "missedOffers": 1},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("increments (-want +got):\n%s", d)
	}
}

func TestPricesOfANumber(t *testing.T) {
	c := chat.Chat{ID: "c1", Number: "+15550001111", StartType: chat.StartOutbound, CreatedAt: at(0), EndedAt: at(1), EndReason: chat.EndFinished}
	msgs := []chat.Message{{Author: chat.AuthorAgent, Segments: 3}, {Author: chat.AuthorConsumer, Media: []chat.Media{{URL: "u"}}}}
	for _, tc := range []struct {
		name string
		n    chat.Number
		want int64
	}{
		{"defaults", chat.Number{}, 3*7900 + 20000},
		{"own SMS price", chat.Number{SMSSegmentMicros: 5000}, 3*5000 + 20000},
		{"own prices", chat.Number{SMSSegmentMicros: 5000, MMSMicros: 30000}, 3*5000 + 30000},
	} {
		if got := stats.Contribute(c, msgs, stats.PricesOf(tc.n, stats.DefaultPrices)).Counters["costMicros"]; got != tc.want {
			t.Errorf("%s: cost %d micro-dollars, want %d", tc.name, got, tc.want)
		}
	}
}

func TestIncrementsUseTheBusinessDayOfTheEnd(t *testing.T) {
	ny := stats.Location("America/New_York")
	c := stats.Contribution{ChatID: "c1", EndedAt: time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC), AgentID: "a1", QueueID: "q1",
		Number: "+15550001111", StartType: chat.StartManual, Counters: stats.Counters{"chats": 1}}
	incs := stats.Increments(c, ny)
	if len(incs) != 5 {
		t.Fatalf("%d increments, want one per dimension (5)", len(incs))
	}
	for _, in := range incs {
		if in.Day != "2026-11-25" || in.Counters["h22_chats"] != 1 || in.Index != incs[0].Index {
			t.Errorf("increment %+v: want day 2026-11-25, hour 22, one shard for the chat", in)
		}
	}
	if got := stats.Location("Nowhere/Else"); got != time.UTC {
		t.Errorf("unknown zone = %v, want UTC", got)
	}
}

// scenario stores two answered chats, an unanswered one and one that ended
// the next day, and applies their chat.ended events, each twice.
func scenario(t *testing.T) (*stats.Service, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	chats := []chat.Chat{
		{ID: "c1", QueueID: "q1", AgentID: "a1", StartType: chat.StartManual, CreatedAt: at(0), QueuedAt: at(0), AssignedAt: at(20), EndedAt: at(200), EndReason: chat.EndFinished},
		{ID: "c2", QueueID: "q1", AgentID: "a2", StartType: chat.StartAuto, CreatedAt: at(0), QueuedAt: at(0), AssignedAt: at(40), EndedAt: at(400), EndReason: chat.EndFinished},
		{ID: "c3", QueueID: "q2", StartType: chat.StartInbound, CreatedAt: at(0), QueuedAt: at(0), EndedAt: at(60), EndReason: chat.EndTimeoutEndUser},
		{ID: "c4", QueueID: "q2", AgentID: "a1", StartType: chat.StartManual, CreatedAt: at(0), AssignedAt: at(1), EndedAt: at(86400), EndReason: chat.EndFinished},
	}
	if err := st.RunTx(context.Background(), func(tx store.Tx) error {
		for _, c := range chats {
			c.Number, c.Consumer, c.Status, c.UpdatedAt = "+15550001111", "+15550002222", chat.StatusEnded, c.EndedAt
			tx.PutChat(c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutTeam(context.Background(), chat.Team{ID: "t1", Name: "Team 1", Members: []string{"a1", "a2"}}); err != nil {
		t.Fatal(err)
	}
	svc := &stats.Service{Store: st, Prices: stats.DefaultPrices}
	for range 2 {
		for _, c := range chats {
			for _, typ := range []chat.EventType{chat.EventChatAssigned, chat.EventChatEnded} {
				if err := svc.Apply(context.Background(), chat.Event{ID: c.ID + "-e", Type: typ, ChatID: c.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return svc, st
}

func TestApplyCountsEachChatOnce(t *testing.T) {
	svc, _ := scenario(t)
	rows, err := svc.Query(context.Background(), "2026-11-25", "2026-11-25", stats.ByAgent)
	if err != nil {
		t.Fatal(err)
	}
	want := []stats.Row{
		{Key: "a1", Counters: stats.Counters{"chats": 1, "answered": 1, "waitMs": 20000, "waitN": 1, "handleMs": 180000, "handleN": 1}},
		{Key: "a2", Counters: stats.Counters{"chats": 1, "answered": 1, "waitMs": 40000, "waitN": 1, "handleMs": 360000, "handleN": 1}},
	}
	pick := cmp.Transformer("pick", func(c stats.Counters) stats.Counters {
		out := stats.Counters{}
		for _, k := range []string{"chats", "answered", "waitMs", "waitN", "handleMs", "handleN"} {
			if c[k] != 0 {
				out[k] = c[k]
			}
		}
		return out
	})
	if d := cmp.Diff(want, rows, pick); d != "" {
		t.Errorf("per agent on the 25th (-want +got):\n%s", d)
	}
	team, err := svc.Query(context.Background(), "2026-11-25", "2026-11-25", stats.ByTeam)
	if err != nil {
		t.Fatal(err)
	}
	if len(team) != 1 || team[0].Key != "t1" || team[0].Counters["answered"] != 2 || team[0].Counters["handleMs"] != 540000 {
		t.Errorf("team t1 on the 25th = %+v, want both agents' chats (2 answered, 540 s handled)", team)
	}
	all, err := svc.Query(context.Background(), "2026-11-25", "2026-11-26", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Counters["chats"] != 4 || all[0].Counters["missed"] != 1 || all[0].Counters["fail:no_response:2"] != 1 {
		t.Errorf("total over two days = %+v, want 4 chats, 1 missed (no_response:2)", all)
	}
}

func TestRebuildEqualsLive(t *testing.T) {
	svc, st := scenario(t)
	ctx := context.Background()
	for _, day := range []string{"2026-11-25", "2026-11-26"} {
		live, err := st.StatShards(ctx, day, day)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Rebuild(ctx, day); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := st.StatShards(ctx, day, day)
		if err != nil {
			t.Fatal(err)
		}
		for _, dim := range append([]string{stats.ByAll}, stats.Dims...) {
			if d := cmp.Diff(stats.Sum(live, dim), stats.Sum(rebuilt, dim)); d != "" {
				t.Errorf("%s by %s: rebuilt differs from live (-live +rebuilt):\n%s", day, dim, d)
			}
		}
	}
	if _, err := svc.Rebuild(ctx, "25/11/2026"); err == nil {
		t.Error("a malformed day was accepted")
	}
}

// TestWritesPerChat pins what the README states the aggregation costs: one
// shard document per bucket a chat ended touches (plus its counted
// marker), and nothing per message.
func TestWritesPerChat(t *testing.T) {
	base := chat.Chat{ID: "c1", QueueID: "q1", Number: "+15550001111", StartType: chat.StartInbound, CreatedAt: at(0), QueuedAt: at(0), EndedAt: at(60), EndReason: chat.EndExpired}
	answered := base
	answered.AgentID, answered.AssignedAt, answered.StartType, answered.EndReason = "a1", at(10), chat.StartManual, chat.EndFinished
	answered.OfferedTo = []string{"a1"}
	missedByTeammate := answered
	missedByTeammate.OfferedTo = []string{"a2", "a1"}
	teams := map[string][]string{"a1": {"t1"}, "a2": {"t1"}}
	for _, tc := range []struct {
		name string
		c    chat.Chat
		want int
	}{
		{"not answered", base, 4},                             // all, queue, number, start type
		{"answered by an agent of one team", answered, 6},     // + agent, team
		{"declined by a teammate first", missedByTeammate, 7}, // + the teammate's agent bucket
	} {
		msgs := make([]chat.Message, 40) // the transcript's length changes no write
		con := stats.Contribute(tc.c, msgs, stats.DefaultPrices)
		if tc.c.AgentID != "" {
			con.Teams = teams[tc.c.AgentID]
		}
		con.OfferTeams = map[string][]string{}
		for id := range con.Offers {
			con.OfferTeams[id] = teams[id]
		}
		if got := len(stats.Increments(con, time.UTC)); got != tc.want {
			t.Errorf("%s: %d shard writes, want %d", tc.name, got, tc.want)
		}
	}
}
