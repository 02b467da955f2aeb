package crmsync

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
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot"
	"github.com/smsdesk/smsdesk/shared/crm/hubspot/hubspottest"
	"github.com/smsdesk/smsdesk/shared/crm/memlink"
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
		Subscription: "projects/p/subscriptions/" + wire.SubCRMSync.Name})
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewRequest(http.MethodPost, "/"+Name, bytes.NewReader(body))
}

func TestHandler(t *testing.T) {
	assigned := chat.Event{ID: "c1-2-1", Type: chat.EventChatAssigned, ChatID: "c1", Consumer: "+14155550123", AgentID: "a1", StartType: chat.StartManual}
	tests := []struct {
		name     string
		off      bool
		faults   int
		req      func(t *testing.T) *http.Request
		want     int
		wantNote bool
		wantPark bool
	}{
		{"an event is posted", false, 0, func(t *testing.T) *http.Request { return push(t, assigned, 1) }, 204, true, false},
		{"sync off acks", true, 0, func(t *testing.T) *http.Request { return push(t, assigned, 1) }, 204, false, false},
		{"an outage asks for a redelivery", false, 1, func(t *testing.T) *http.Request { return push(t, assigned, 1) }, 503, false, false},
		{"the last attempt parks and acks", false, 1, func(t *testing.T) *http.Request { return push(t, assigned, crm.DefaultMaxAttempts) }, 204, false, true},
		{"a malformed push is refused", false, 0, func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/"+Name, strings.NewReader(`{"message":{}}`))
		}, 400, false, false},
		{"a message that is no event is refused", false, 0, func(t *testing.T) *http.Request {
			body, _ := bus.EncodePush(bus.Delivery{Message: bus.Message{Data: []byte(`{"id":"x"}`)}, ID: "1", PublishTime: time.Now()})
			return httptest.NewRequest(http.MethodPost, "/"+Name, bytes.NewReader(body))
		}, 400, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := hubspottest.New(t)
			hs.FailNext(tc.faults, 500, 0)
			links := memlink.New()
			svc := &crm.Service{CRM: hubspot.New(hs.URL(), hubspottest.Token, ""), Links: links, Chats: memstore.New()}
			if tc.off {
				svc = &crm.Service{}
			}
			rec := httptest.NewRecorder()
			New(svc).ServeHTTP(rec, tc.req(t))
			if rec.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.want)
			}
			var notes int
			for id := range hs.Contacts() {
				notes += len(hs.Notes(id))
			}
			if (notes == 1) != tc.wantNote {
				t.Errorf("%d notes, want a note: %v", notes, tc.wantNote)
			}
			l, _ := links.Link(context.Background(), "c1")
			if l.SyncPending() != tc.wantPark {
				t.Errorf("parked %+v, want parked %v", l.Parked, tc.wantPark)
			}
		})
	}
}
