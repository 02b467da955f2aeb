package chat

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTransfer(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, AutoAnswer: true}
	ben := Agent{ID: "ben", Name: "Ben Okafor", Status: AgentAvailable, Capacity: 2}
	tests := []struct {
		name       string
		req        TransferRequest
		ben        Agent
		then       func(ch *Change) // the target's answer, if any
		wantAgent  string
		wantQueue  string
		wantState  string
		wantReason string
		wantEvents []EventType
		wantLast   string
		wantLoads  map[string]int
	}{
		{"to a queue, taken by an auto-answer agent", TransferRequest{ToQueue: "tech", Note: "needs a tech"}, func() Agent { b := ben; b.AutoAnswer = true; return b }(), nil,
			"ben", "tech", TransferEnded, "", []EventType{EventTransferStarted, EventTransferEnded, EventChatAssigned}, "Ben will chat with you about Technical support.", map[string]int{"ana": 0, "ben": 1}},
		{"to an agent who accepts", TransferRequest{ToAgent: "ben"}, ben, func(ch *Change) { must(t, ch.Accept("ben")) },
			"ben", "bill", TransferEnded, "", []EventType{EventTransferStarted, EventTransferEnded, EventChatAssigned}, "Ben will chat with you about Billing.", map[string]int{"ana": 0, "ben": 1}},
		{"to an agent who refuses", TransferRequest{ToAgent: "ben"}, ben, func(ch *Change) { must(t, ch.Decline("ben")) },
			"ana", "bill", TransferFailed, ReasonRefused, []EventType{EventTransferStarted, EventTransferFailed}, "Ana will chat with you about Billing.", map[string]int{"ana": 1, "ben": 0}},
		{"to an agent who does not answer", TransferRequest{ToAgent: "ben"}, ben, func(ch *Change) { ch.Fire(TimerOffer) },
			"ana", "bill", TransferFailed, ReasonTimedOut, []EventType{EventTransferStarted, EventTransferFailed}, "Ana will chat with you about Billing.", map[string]int{"ana": 1, "ben": 0}},
		{"to an agent who is away", TransferRequest{ToAgent: "ben"}, func() Agent { b := ben; b.Status = AgentAway; return b }(), nil,
			"ana", "bill", TransferFailed, ReasonOffline, []EventType{EventTransferStarted, EventTransferFailed}, "Ana will chat with you about Billing.", map[string]int{"ana": 1, "ben": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConversation(t, "en", ana, tc.ben)
			c.text("hi")
			c.text("1") // Billing: Ana answers automatically
			if c.chat.AgentID != "ana" {
				t.Fatalf("set-up: chat with %q", c.chat.AgentID)
			}
			var events []EventType
			ch := c.change()
			target := c.agents[tc.req.ToAgent]
			var tp *Agent
			if tc.req.ToAgent != "" {
				tp = &target
			}
			must(t, ch.StartTransfer(tc.req, tp))
			c.settle(ch)
			for _, ev := range ch.Events {
				events = append(events, ev.Type)
			}
			if tc.then != nil {
				ch = c.change()
				tc.then(ch)
				c.settle(ch)
				for _, ev := range ch.Events {
					events = append(events, ev.Type)
				}
			}
			got := c.chat
			tr := got.Transfers[len(got.Transfers)-1]
			if got.AgentID != tc.wantAgent || got.QueueID != tc.wantQueue || got.Status != StatusActive || got.Offer != nil {
				t.Errorf("chat with %q in %s (%s, offer %+v); want %q in %s", got.AgentID, got.QueueID, got.Status, got.Offer, tc.wantAgent, tc.wantQueue)
			}
			if tr.State != tc.wantState || tr.Reason != tc.wantReason || tr.FromAgent != "ana" {
				t.Errorf("transfer %+v; want %s %q", tr, tc.wantState, tc.wantReason)
			}
			if !slices.Equal(events, tc.wantEvents) {
				t.Errorf("events %v, want %v", events, tc.wantEvents)
			}
			if last := c.sent[len(c.sent)-1].Body; !strings.Contains(last, tc.wantLast) {
				t.Errorf("last text %q, want %q", last, tc.wantLast)
			}
			for id, want := range tc.wantLoads {
				if got := c.agents[id].Load; got != want {
					t.Errorf("%s load %d, want %d", id, got, want)
				}
			}
			if c.agents["ben"].Status != tc.ben.Status {
				t.Errorf("ben's status changed to %s", c.agents["ben"].Status)
			}
		})
	}
}

func TestTransferRefusals(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana", Status: AgentAvailable, Capacity: 2, AutoAnswer: true}
	ben := Agent{ID: "ben", Name: "Ben", Status: AgentAvailable, Capacity: 2}
	tests := []struct {
		name string
		req  TransferRequest
		want error
	}{
		{"no target", TransferRequest{}, ErrTransferTarget},
		{"two targets", TransferRequest{ToAgent: "ben", ToQueue: "tech"}, ErrTransferTarget},
		{"unknown queue", TransferRequest{ToQueue: "nope"}, ErrUnknownQueue},
		{"a menu queue", TransferRequest{ToQueue: "en"}, ErrQueueIsMenu},
		{"to oneself", TransferRequest{ToAgent: "ana"}, ErrTransferToSelf},
	}
	c := newConversation(t, "en", ana, ben)
	c.text("hi")
	c.text("1")
	for _, tc := range tests {
		if err := c.change().StartTransfer(tc.req, &ben); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	ch := c.change()
	must(t, ch.StartTransfer(TransferRequest{ToAgent: "ben"}, &ben))
	c.settle(ch)
	if err := c.change().StartTransfer(TransferRequest{ToQueue: "tech"}, nil); !errors.Is(err, ErrTransferPending) {
		t.Errorf("second transfer: %v", err)
	}
	// Ending the chat fails the pending transfer and frees Ben's offer.
	ch = c.change()
	must(t, ch.Finish("ana", "resolved"))
	c.settle(ch)
	if tr, _ := c.chat.PendingTransfer(); tr.ID != "" || c.agents["ben"].Load != 0 || c.chat.WrapUp != "resolved" {
		t.Errorf("after finish: pending %+v, ben load %d, wrap-up %q", tr, c.agents["ben"].Load, c.chat.WrapUp)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWithdraw(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana", Status: AgentAvailable, Capacity: 2, AutoAnswer: true}
	ben := Agent{ID: "ben", Name: "Ben", Status: AgentAvailable, Capacity: 2}
	tests := []struct {
		name       string
		setUp      func(c *conversation)
		wantOffer  string
		wantAgent  string
		wantTrans  string
		wantChange bool
	}{
		{"a waiting chat goes to the next agent", func(c *conversation) {
			c.agents["ana"] = func() Agent { a := ana; a.AutoAnswer = false; return a }()
			c.text("hi")
			c.text("1") // offered to ana (assigned longest ago: never)
		}, "ben", "", "", true},
		{"an agent transfer fails as offline", func(c *conversation) {
			c.text("hi")
			c.text("1") // Ana answers automatically
			ch := c.change()
			b := c.agents["ben"]
			must(t, ch.StartTransfer(TransferRequest{ToAgent: "ben"}, &b))
			c.settle(ch)
		}, "", "ana", TransferFailed, true},
		{"a chat not offered to ben is left alone", func(c *conversation) {
			c.text("hi")
			c.text("1")
		}, "", "ana", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConversation(t, "en", ana, ben)
			tc.setUp(c)
			leaver := "ben"
			if c.chat.Offer != nil && c.chat.Status == StatusQueued {
				leaver = c.chat.Offer.AgentID
			}
			a := c.agents[leaver]
			a.Status = AgentAway
			c.agents[leaver] = a
			ch := c.change()
			if got := ch.Withdraw(leaver); got != tc.wantChange {
				t.Fatalf("Withdraw = %v, want %v", got, tc.wantChange)
			}
			c.settle(ch)
			offer := ""
			if c.chat.Offer != nil {
				offer = c.chat.Offer.AgentID
			}
			if offer != tc.wantOffer || c.chat.AgentID != tc.wantAgent || c.agents[leaver].Load != 0 {
				t.Errorf("offer %q agent %q, %s load %d; want offer %q agent %q", offer, c.chat.AgentID, leaver, c.agents[leaver].Load, tc.wantOffer, tc.wantAgent)
			}
			if tc.wantTrans != "" {
				if tr := c.chat.Transfers[len(c.chat.Transfers)-1]; tr.State != tc.wantTrans || tr.Reason != ReasonOffline {
					t.Errorf("transfer %+v", tr)
				}
			}
			if slices.Contains(c.chat.Declined, leaver) {
				t.Errorf("%s marked as having declined", leaver)
			}
		})
	}
}
