package chatstats

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/wire"
)

func push(t *testing.T, ev chat.Event, attempt int) *http.Request {
	t.Helper()
	msg, err := wire.EventMessage(ev)
	if err != nil {
		t.Fatal(err)
	}
	body, err := bus.EncodePush(bus.Delivery{Message: msg, ID: "m-" + ev.ID, PublishTime: time.Now(), DeliveryAttempt: attempt,
		Subscription: "projects/p/subscriptions/" + wire.SubChatStats.Name})
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewRequest(http.MethodPost, "/"+Name, bytes.NewReader(body))
}

func TestHandler(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	ended := chat.Event{ID: "c1-5-1", Type: chat.EventChatEnded, ChatID: "c1"}
	tests := []struct {
		name      string
		reqs      []func(t *testing.T) *http.Request
		want      int
		wantChats int64
	}{
		{"chat.ended counts the chat", []func(*testing.T) *http.Request{func(t *testing.T) *http.Request { return push(t, ended, 1) }}, 204, 1},
		{"a redelivery changes nothing", []func(*testing.T) *http.Request{
			func(t *testing.T) *http.Request { return push(t, ended, 1) },
			func(t *testing.T) *http.Request { return push(t, ended, 2) }}, 204, 1},
		{"other events are acknowledged, not counted", []func(*testing.T) *http.Request{func(t *testing.T) *http.Request {
			return push(t, chat.Event{ID: "c1-2-1", Type: chat.EventChatAssigned, ChatID: "c1"}, 1)
		}}, 204, 0},
		{"an unknown chat is acknowledged", []func(*testing.T) *http.Request{func(t *testing.T) *http.Request {
			return push(t, chat.Event{ID: "x-1-1", Type: chat.EventChatEnded, ChatID: "x"}, 1)
		}}, 204, 0},
		{"a malformed push is refused", []func(*testing.T) *http.Request{func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/"+Name, strings.NewReader(`{"message":{}}`))
		}}, 400, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			if err := st.RunTx(context.Background(), func(tx store.Tx) error {
				tx.PutChat(chat.Chat{ID: "c1", Number: "+15550001111", Consumer: "+15550002222", Status: chat.StatusEnded, AgentID: "a1", QueueID: "q1",
					StartType: chat.StartManual, CreatedAt: t0, QueuedAt: t0, AssignedAt: t0.Add(time.Minute), EndedAt: t0.Add(5 * time.Minute), UpdatedAt: t0, EndReason: chat.EndFinished})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			svc := &stats.Service{Store: st, Prices: stats.DefaultPrices}
			h := New(svc)
			for _, req := range tc.reqs {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req(t))
				if rec.Code != tc.want {
					t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.want)
				}
			}
			rows, err := svc.Query(context.Background(), "2026-11-25", "2026-11-25", "")
			if err != nil {
				t.Fatal(err)
			}
			var chats int64
			for _, r := range rows {
				chats += r.Counters[stats.CChats]
			}
			if chats != tc.wantChats {
				t.Errorf("%d chats counted, want %d", chats, tc.wantChats)
			}
		})
	}
}
