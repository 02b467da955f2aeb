package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// englishMarkers are words of the built-in English system texts; none may
// reach a consumer whose chat is in Spanish.
var englishMarkers = []string{"Text ", "Please", "Thanks", "will chat", "Reply HELP", "Sorry", "in line"}

func TestSpanishConsumerNavigatesMenusToAnAgent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550160"
		rec := e.say(consumer, numberES, "Hola")
		chatID := rec.ChatID
		steps := []struct {
			body      string
			wantQueue string
			wantLast  string
		}{
			{"", "es", "Envíe 1 para Facturación, Envíe 2 para Soporte técnico"},
			{"2", "es-soporte", "Envíe 1 para Internet, Envíe 2 para Telefonía móvil"},
			{"atrás", "es", "Envíe 1 para Facturación, Envíe 2 para Soporte técnico"},
			{"1", "es-facturacion", "está en la fila de Facturación"},
		}
		for _, s := range steps {
			if s.body != "" {
				if got := e.say(consumer, numberES, s.body).ChatID; got != chatID {
					t.Fatalf("%q went to chat %s, want %s", s.body, got, chatID)
				}
			}
			c := e.chat(chatID)
			bodies := e.bodies(consumer)
			if c.QueueID != s.wantQueue || !strings.Contains(bodies[len(bodies)-1], s.wantLast) {
				t.Fatalf("after %q: queue %s, last text %q; want %s, %q", s.body, c.QueueID, bodies[len(bodies)-1], s.wantQueue, s.wantLast)
			}
		}
		// Carla is away; Ana speaks Spanish, works Facturación and gets the offer.
		c := e.chat(chatID)
		if c.Status != chat.StatusQueued || c.Offer == nil || c.Offer.AgentID != "ana" {
			t.Fatalf("chat %s offer %+v, want an offer to ana", c.Status, c.Offer)
		}
		if err := e.accept(chatID, "ana"); err != nil {
			t.Fatal(err)
		}
		e.settleChat(chatID)
		c = e.chat(chatID)
		if c.Status != chat.StatusActive || c.AgentID != "ana" || c.StartType != chat.StartManual || c.Language != "es" {
			t.Errorf("chat after accept: %s agent %q start %s lang %s", c.Status, c.AgentID, c.StartType, c.Language)
		}
		bodies := e.bodies(consumer)
		if last := bodies[len(bodies)-1]; last != "Ana hablará con usted sobre Facturación." {
			t.Errorf("Agent Assigned text %q", last)
		}
		for _, b := range bodies {
			for _, m := range englishMarkers {
				if strings.Contains(b, m) {
					t.Errorf("English in a Spanish chat: %q", b)
				}
			}
		}
		// The transcript holds every text in order, with author and kind.
		var kinds []chat.Kind
		for i, m := range e.transcript(chatID) {
			if m.Seq != int64(i+1) {
				t.Errorf("message %d has seq %d", i, m.Seq)
			}
			kinds = append(kinds, m.Kind)
		}
		want := []chat.Kind{chat.KindText, chat.KindOptIn, chat.KindMenu, chat.KindText, chat.KindMenu, chat.KindCommand, chat.KindMenu, chat.KindText, chat.KindWaiting, chat.KindAssigned}
		if !slices.Equal(kinds, want) {
			t.Errorf("transcript kinds %v\nwant %v", kinds, want)
		}
	})
}

func TestMenuChoices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		tests := []struct {
			name, consumer string
			texts          []string
			wantLast       string
			wantStatus     chat.Status
			wantReason     chat.EndReason
		}{
			{"invalid choice repeats the menu with a hint", "+14155550161", []string{"hi", "9"},
				"Sorry, \"9\" is not one of the choices. Text BACK to go back or EXIT to leave. Please text a number to select a menu. Text 1 for Billing, Text 2 for Technical support", chat.StatusMenu, ""},
			{"a hidden queue is neither offered nor chosen", "+14155550162", []string{"hi", "VIP desk"},
				"is not one of the choices", chat.StatusMenu, ""},
			{"a keyword chooses", "+14155550163", []string{"hi", "tech"}, "Ben will chat with you about Technical support.", chat.StatusActive, ""},
			{"EXIT abandons", "+14155550164", []string{"hi", "EXIT"}, "This chat has ended.", chat.StatusEnded, chat.EndAbandoned},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var rec store.InboundRecord
				for _, body := range tc.texts {
					rec = e.say(tc.consumer, numberEN, body)
				}
				bodies := e.bodies(tc.consumer)
				last := bodies[len(bodies)-1]
				if !strings.Contains(last, tc.wantLast) {
					t.Errorf("last text %q, want %q", last, tc.wantLast)
				}
				for _, b := range bodies {
					if strings.Contains(b, "for VIP") {
						t.Errorf("hidden queue offered: %q", b)
					}
				}
				c := e.chat(rec.ChatID)
				if c.Status != tc.wantStatus || c.EndReason != tc.wantReason {
					t.Errorf("chat %s %q, want %s %q", c.Status, c.EndReason, tc.wantStatus, tc.wantReason)
				}
			})
		}
	})
}

func TestRoutingByDialedNumber(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550165"
		en := e.say(consumer, numberEN, "hello")
		es := e.say(consumer, numberES, "hola")
		if en.ChatID == es.ChatID {
			t.Fatal("one chat for two business numbers")
		}
		for _, tc := range []struct {
			rec         store.InboundRecord
			number      string
			queue, lang string
			menu        string
		}{
			{en, numberEN, "en", "en", "Text 1 for Billing"},
			{es, numberES, "es", "es", "Envíe 1 para Facturación"},
		} {
			c := e.chat(tc.rec.ChatID)
			if c.Number != tc.number || c.QueueID != tc.queue || c.Language != tc.lang {
				t.Errorf("chat on %s: number %s queue %s lang %s", tc.number, c.Number, c.QueueID, c.Language)
			}
			found := false
			for _, s := range e.twilio.SentTo(consumer) {
				found = found || (s.From == tc.number && strings.Contains(s.Body, tc.menu))
			}
			if !found {
				t.Errorf("no menu %q from %s", tc.menu, tc.number)
			}
		}
	})
}

func TestOfferTimeoutPassesTheChatOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550166"
		// Billing: Ana (idle longest) then Ben, both answering offers by hand.
		e.editAgent("ben", func(a *chat.Agent) { a.AutoAnswer = false; a.LastAssignedAt = time.Now().Add(-time.Minute) })
		e.editAgent("ana", func(a *chat.Agent) { a.LastAssignedAt = time.Now().Add(-time.Hour) })
		e.say(consumer, numberEN, "hi")
		rec := e.say(consumer, numberEN, "1")
		c := e.chat(rec.ChatID)
		if c.Offer == nil || c.Offer.AgentID != "ana" {
			t.Fatalf("first offer %+v, want ana", c.Offer)
		}
		c = e.fireTimer(rec.ChatID, chat.TimerOffer)
		if c.Offer == nil || c.Offer.AgentID != "ben" || !slices.Contains(c.Declined, "ana") {
			t.Fatalf("after the offer timeout: offer %+v declined %v, want ben", c.Offer, c.Declined)
		}
		if a := e.agent("ana"); a.Status != chat.AgentAway || a.Load != 0 {
			t.Errorf("ana after missing the offer: %s load %d", a.Status, a.Load)
		}
		if err := e.accept(rec.ChatID, "ana"); err == nil {
			t.Error("ana accepted an offer that passed to ben")
		}
		if err := e.accept(rec.ChatID, "ben"); err != nil {
			t.Fatal(err)
		}
		e.settleChat(rec.ChatID)
		if b := e.bodies(consumer); b[len(b)-1] != "Ben will chat with you about Billing." {
			t.Errorf("last text %q", b[len(b)-1])
		}
	})
}

func TestCapacityUnderConcurrentChats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const chats = 20
		const number = "+14155550109"
		capacity := map[string]int{"ana": 2, "ben": 2, "carla": 3}
		// A leaf entry queue worked by three agents, one answering by hand.
		e.poolQueue(number, capacity, chat.AgentAvailable)
		var wg sync.WaitGroup
		for i := range chats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := e.text(fmt.Sprintf("SMload%d", i), fmt.Sprintf("+1415555%04d", 2000+i), number, "help me"); code != http.StatusOK {
					t.Errorf("webhook %d answered %d", i, code)
				}
			}()
		}
		wg.Wait()
		var ids []string
		for i := range chats {
			ids = append(ids, e.waitRouted(fmt.Sprintf("SMload%d", i)).ChatID)
		}
		e.checkHolds("after the burst", ids, capacity, 7)
		// Ben finishes his chats: the longest waiting chats go to him.
		var bens []string
		for _, id := range ids {
			if c := e.chat(id); c.AgentID == "ben" && c.Status == chat.StatusActive {
				bens = append(bens, id)
			}
		}
		for _, id := range bens {
			if err := e.end(id, "ben"); err != nil {
				t.Fatal(err)
			}
		}
		e.checkHolds("after ben finished two", ids, capacity, 7)
		if a := e.agent("ben"); a.Load != 2 {
			t.Errorf("ben pulled %d waiting chats, want 2", a.Load)
		}
	})
}

func TestAgentPullsLongestWaitingWhenAvailable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, id := range []string{"ana", "ben"} {
			e.editAgent(id, func(a *chat.Agent) { a.Status = chat.AgentAway })
		}
		first := e.say("+14155550167", numberEN, "hi")
		e.say("+14155550167", numberEN, "1")
		e.say("+14155550168", numberEN, "hi")
		e.say("+14155550168", numberEN, "1")
		if c := e.chat(first.ChatID); c.Offer != nil || c.Status != chat.StatusQueued {
			t.Fatalf("chat offered with nobody available: %+v", c.Offer)
		}
		if err := e.setStatus("ben", chat.AgentAvailable); err != nil {
			t.Fatal(err)
		}
		// Ben answers automatically with capacity 2: both chats, oldest first.
		c := e.waitChat(first.ChatID, "taken by ben", func(c chat.Chat) bool { return c.AgentID == "ben" })
		if c.StartType != chat.StartAuto {
			t.Errorf("start type %s, want auto", c.StartType)
		}
		testenv.WaitFor(t, waitLimit, "ben holds both chats", func() bool { return e.agent("ben").Load == 2 })
	})
}

// poolQueue adds a number whose entry queue is a leaf worked by the agents
// of capacity (with those capacities and status, Ana answering by hand).
func (e *env) poolQueue(number string, capacity map[string]int, status chat.AgentStatus) {
	e.t.Helper()
	if err := e.store.PutQueue(e.ctx(), chat.Queue{ID: "pool", Name: "Pool", Agents: sortedKeys(capacity)}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.PutNumber(e.ctx(), chat.Number{E164: number, Provider: "twilio", EntryQueue: "pool", Language: "en", Enabled: true}); err != nil {
		e.t.Fatal(err)
	}
	for id, n := range capacity {
		e.editAgent(id, func(a *chat.Agent) {
			a.Capacity, a.Status, a.Languages, a.AutoAnswer, a.Load = n, status, nil, id != "ana", 0
		})
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkHolds checks no chat is held (offered or active) twice, no agent
// holds more than their capacity, every agent's load equals what they hold,
// and wantHeld chats are held in all.
func (e *env) checkHolds(stage string, ids []string, capacity map[string]int, wantHeld int) {
	e.t.Helper()
	held := map[string]int{}
	total := 0
	for _, id := range ids {
		c := e.chat(id)
		switch {
		case c.Status == chat.StatusActive && c.Offer != nil:
			e.t.Errorf("%s: chat %s active and offered", stage, id)
		case c.Status == chat.StatusActive:
			held[c.AgentID]++
			total++
		case c.Offer != nil:
			held[c.Offer.AgentID]++
			total++
		}
	}
	for id, n := range capacity {
		a := e.agent(id)
		if held[id] > n || a.Load != held[id] {
			e.t.Errorf("%s: %s holds %d chats, load %d, capacity %d", stage, id, held[id], a.Load, n)
		}
	}
	if total != wantHeld {
		e.t.Errorf("%s: %d chats held, want %d", stage, total, wantHeld)
	}
}

func TestConcurrentAgentsTakeEachChatOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const number, waiting = "+14155550108", 10
		capacity := map[string]int{"ana": 2, "ben": 3, "carla": 3}
		e.poolQueue(number, capacity, chat.AgentAway)
		var ids []string
		for i := range waiting {
			ids = append(ids, e.say(fmt.Sprintf("+1415555%04d", 3000+i), number, "hello").ChatID)
		}
		e.checkHolds("nobody available", ids, capacity, 0)
		var wg sync.WaitGroup
		for id := range capacity {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.setStatus(id, chat.AgentAvailable); err != nil {
					t.Errorf("%s available: %v", id, err)
				}
			}()
		}
		wg.Wait()
		e.checkHolds("three agents available at once", ids, capacity, 8)
		// The two left waiting are the two that texted last.
		for _, id := range ids[8:] {
			if c := e.chat(id); c.Status != chat.StatusQueued || c.Offer != nil {
				t.Errorf("chat %s (a late one) is %s, offer %+v", id, c.Status, c.Offer)
			}
		}
	})
}

func TestAgentGoingAwayPassesOffersOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const consumer = "+14155550169"
		e.editAgent("ben", func(a *chat.Agent) { a.AutoAnswer = false; a.LastAssignedAt = time.Now().Add(-time.Minute) })
		e.editAgent("ana", func(a *chat.Agent) { a.LastAssignedAt = time.Now().Add(-time.Hour) })
		e.say(consumer, numberEN, "hi")
		rec := e.say(consumer, numberEN, "1")
		if c := e.chat(rec.ChatID); c.Offer == nil || c.Offer.AgentID != "ana" {
			t.Fatalf("first offer %+v, want ana", c.Offer)
		}
		if err := e.setStatus("ana", chat.AgentAway); err != nil {
			t.Fatal(err)
		}
		c := e.chat(rec.ChatID)
		if c.Offer == nil || c.Offer.AgentID != "ben" || slices.Contains(c.Declined, "ana") {
			t.Errorf("after ana went away: offer %+v declined %v, want an offer to ben", c.Offer, c.Declined)
		}
		if a := e.agent("ana"); a.Load != 0 || a.Status != chat.AgentAway {
			t.Errorf("ana: %s load %d", a.Status, a.Load)
		}
	})
}
