package chat

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A queue transfer's chat waits in its new queue like any waiting chat:
// offered to the queue's eligible agents, the transferring agent left out
// of the first offer only (issue 17, bug 7).
func TestQueueTransferIsAWaitingChat(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, AutoAnswer: true}
	ben := Agent{ID: "ben", Name: "Ben Okafor", Status: AgentAvailable, Capacity: 2}
	tests := []struct {
		name      string
		ben       AgentStatus
		then      func(ch *Change) // after the transfer
		wantOffer string
		wantAgent string
		wantState string // of the transfer
	}{
		{"offered first to another agent of the queue", AgentAvailable, nil, "ben", "", TransferPending},
		{"taken by its other agent", AgentAvailable, func(ch *Change) { must(t, ch.Accept("ben")) }, "", "ben", TransferEnded},
		{"back to the transferring agent when the other declines", AgentAvailable, func(ch *Change) { must(t, ch.Decline("ben")) }, "", "ana", TransferEnded},
		{"back to the transferring agent when the other misses it", AgentAvailable, func(ch *Change) { ch.Fire(TimerOffer) }, "", "ana", TransferEnded},
		{"nobody else free: it waits, not handed straight back", AgentAway, nil, "", "", TransferPending},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := ben
			b.Status = tc.ben
			c := newConversation(t, "en", ana, b)
			c.text("hi")
			c.text("1") // Billing (Ana and Ben): Ana answers automatically
			ch := c.change()
			must(t, ch.StartTransfer(TransferRequest{ToQueue: "bill", Note: "another pair of eyes"}, nil))
			c.settle(ch)
			if tc.then != nil {
				ch = c.change()
				tc.then(ch)
				c.settle(ch)
			}
			offer := ""
			if c.chat.Offer != nil {
				offer = c.chat.Offer.AgentID
			}
			tr := c.chat.Transfers[len(c.chat.Transfers)-1]
			if offer != tc.wantOffer || c.chat.AgentID != tc.wantAgent || tr.State != tc.wantState {
				t.Errorf("offer %q agent %q transfer %s; want offer %q agent %q transfer %s", offer, c.chat.AgentID, tr.State, tc.wantOffer, tc.wantAgent, tc.wantState)
			}
			load := 0
			if tc.wantAgent == "ana" {
				load = 1
			}
			if got := c.agents["ana"].Load; got != load {
				t.Errorf("ana's load %d, want %d", got, load)
			}
		})
	}
}

func TestTake(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, Languages: []string{"en", "es"}}
	ben := Agent{ID: "ben", Name: "Ben Okafor", Status: AgentAvailable, Capacity: 2}
	tests := []struct {
		name      string
		setUp     func(c *conversation) // leaves the chat for the taker
		taker     string
		edit      func(a *Agent)
		wantErr   error
		wantState bool   // the refusal is a state error
		wantText  string // in the refusal
		wantStart StartType
	}{
		{"a waiting chat nobody is offered", func(c *conversation) {
			c.setStatus("ben", AgentAway)
			c.setStatus("ana", AgentAway)
			c.text("hi")
			c.text("1")
			c.setStatus("ana", AgentAvailable)
		}, "ana", nil, nil, false, "", StartManual},
		{"a chat offered to someone else: the offer is withdrawn", func(c *conversation) {
			c.text("hi")
			c.text("1") // offered to ana (never assigned, first by id)
		}, "ben", nil, nil, false, "", StartManual},
		{"one's own offer: accepted", func(c *conversation) {
			c.text("hi")
			c.text("1")
		}, "ana", nil, nil, false, "", StartManual},
		{"a queue transfer the transferring agent takes back", func(c *conversation) {
			c.text("hi")
			c.text("1")
			ch := c.change()
			must(t, ch.Accept("ana"))
			c.settle(ch)
			c.setStatus("ben", AgentAway)
			ch = c.change()
			must(t, ch.StartTransfer(TransferRequest{ToQueue: "bill"}, nil))
			c.settle(ch)
		}, "ana", nil, nil, false, "", StartManual},
		{"an active chat", func(c *conversation) {
			c.text("hi")
			c.text("1")
			ch := c.change()
			must(t, ch.Accept("ana"))
			c.settle(ch)
		}, "ben", nil, ErrNotWaiting, true, "no longer waiting", ""},
		{"an ended chat", func(c *conversation) {
			c.text("hi")
			c.text("EXIT")
		}, "ben", nil, ErrChatEnded, true, "ended", ""},
		{"a chat in the menu", func(c *conversation) { c.text("hi") }, "ben", nil, ErrNotWaiting, true, "no longer waiting", ""},
		{"an agent who is away", func(c *conversation) { c.text("hi"); c.text("1") }, "ben",
			func(a *Agent) { a.Status = AgentAway }, nil, true, "you are away", ""},
		{"an agent at capacity", func(c *conversation) { c.text("hi"); c.text("1") }, "ben",
			func(a *Agent) { a.Load = a.Capacity }, nil, true, "with 2 of 2 chats", ""},
		{"an agent who does not speak the chat's language", func(c *conversation) { c.text("hi"); c.text("1") }, "ben",
			func(a *Agent) { a.Languages = []string{"es"} }, nil, true, "its language (en)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConversation(t, "en", ana, ben)
			tc.setUp(c)
			before := *c.chat
			if tc.edit != nil {
				a := c.agents[tc.taker]
				tc.edit(&a)
				c.agents[tc.taker] = a
			}
			loads := map[string]int{"ana": c.agents["ana"].Load, "ben": c.agents["ben"].Load}
			ch := c.change()
			err := ch.Take(tc.taker)
			if tc.wantState || tc.wantErr != nil {
				if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || IsStateError(err) != tc.wantState || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("Take = %v, want %v (%q)", err, tc.wantErr, tc.wantText)
				}
				return
			}
			must(t, err)
			c.settle(ch)
			got := c.chat
			if got.Status != StatusActive || got.AgentID != tc.taker || got.Offer != nil || got.StartType != tc.wantStart {
				t.Fatalf("chat %s with %q (offer %+v, start %s); want active with %s, %s", got.Status, got.AgentID, got.Offer, got.StartType, tc.taker, tc.wantStart)
			}
			if last := c.sent[len(c.sent)-1]; last.Kind != KindAssigned || !strings.Contains(last.Body, FirstName(c.agents[tc.taker].Name)+" will chat with you") {
				t.Errorf("last text %s %q, want the Agent Assigned text", last.Kind, last.Body)
			}
			if _, armed := got.Armed(TimerOffer); armed {
				t.Error("an offer timer is still armed")
			}
			if _, armed := got.Armed(TimerQueue); armed {
				t.Error("the queue timer is still armed")
			}
			if _, armed := got.Armed(TimerAgentInactivity); !armed {
				t.Error("no agent inactivity timer")
			}
			if tr, ok := got.PendingTransfer(); ok {
				t.Errorf("transfer still pending: %+v", tr)
			}
			// The taker holds one more chat; a withdrawn offer's agent one
			// fewer, and is told to look for other waiting chats.
			for id, was := range loads {
				want := was
				switch {
				case id == tc.taker && (before.Offer == nil || before.Offer.AgentID != id):
					want++
				case id != tc.taker && before.Offer != nil && before.Offer.AgentID == id:
					want--
					if !slices.Contains(ch.FreedAgents, id) {
						t.Errorf("%s's withdrawn offer did not free them: %v", id, ch.FreedAgents)
					}
				}
				if got := c.agents[id].Load; got != want {
					t.Errorf("%s's load %d, want %d", id, got, want)
				}
			}
		})
	}
}

// setStatus changes an agent's status as the desk would, between texts.
func (c *conversation) setStatus(id string, s AgentStatus) {
	a := c.agents[id]
	a.Status = s
	c.agents[id] = a
}
