package adminapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
)

func TestStatsRebuild(t *testing.T) {
	e := newEnv(t)
	end := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	if err := e.store.RunTx(context.Background(), func(tx store.Tx) error {
		for _, id := range []string{"r1", "r2"} {
			tx.PutChat(chat.Chat{ID: id, Number: "+14155550101", Consumer: "+14155550199", QueueID: "c", AgentID: "ben", Status: chat.StatusEnded,
				StartType: chat.StartManual, CreatedAt: end.Add(-time.Hour), AssignedAt: end.Add(-time.Minute), EndedAt: end, UpdatedAt: end, EndReason: chat.EndFinished})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day       string
		want      int
		wantChats int64
	}{
		{"2026-11-25", http.StatusOK, 2},
		{"2026-11-24", http.StatusOK, 0},
		{"25.11.2026", http.StatusBadRequest, 0},
	}
	for _, tc := range tests {
		t.Run(tc.day, func(t *testing.T) {
			rec := e.do("POST", "/AdminAPI/stats/rebuild?day="+tc.day, "")
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.want != http.StatusOK {
				if b := decodeError(t, rec); len(b.Problems) == 0 || b.Problems[0].Field != "day" {
					t.Errorf("error %+v does not name day", b)
				}
				return
			}
			var out adminapi.StatsRebuild
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if out.Chats != tc.wantChats {
				t.Errorf("rebuilt %d chats, want %d", out.Chats, tc.wantChats)
			}
			rows, err := (&stats.Service{Store: e.store}).Query(context.Background(), tc.day, tc.day, stats.ByAgent)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			for _, r := range rows {
				got += r.Counters[stats.CChats]
			}
			if got != tc.wantChats {
				t.Errorf("stored %d chats for ben after the rebuild, want %d", got, tc.wantChats)
			}
		})
	}
}
