package chat

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// testTree is a two-language tree: a language menu on top, a menu per
// language, a hidden queue, a pass-through queue and a second menu level.
func testTree() *Tree {
	s := DefaultSettings()
	s.Program.Name = "Acme"
	s.Languages = []string{"en", "es"}
	requeue := true
	return NewTree(s, []Queue{
		{ID: "top", Name: "Top"},
		{ID: "en", ParentID: "top", Name: "English", Order: 1, Keywords: []string{"1", "ENGLISH"}, Language: "en"},
		{ID: "es", ParentID: "top", Name: "Español", Order: 2, Keywords: []string{"2", "ESPANOL"}, Language: "es"},
		{ID: "bill", ParentID: "en", Name: "Billing", Order: 1, Agents: []string{"ana", "ben"}, Timeouts: Timeouts{OfferMinutes: 3}},
		{ID: "tech", ParentID: "en", Name: "Technical support", Order: 2, Teams: []string{"t1"}},
		{ID: "vip", ParentID: "en", Name: "VIP", Order: 3, Hidden: true},
		{ID: "es-fact", ParentID: "es", Name: "Facturación", Order: 1, Agents: []string{"ana"}},
		{ID: "es-sop", ParentID: "es", Name: "Soporte", Order: 2},
		{ID: "es-int", ParentID: "es-sop", Name: "Internet", Order: 1, Agents: []string{"ana"}, RequeueOnAgentInactivity: &requeue},
		{ID: "es-mov", ParentID: "es-sop", Name: "Móvil", Order: 2},
		{ID: "solo", Name: "Solo"},
		{ID: "solo-leaf", ParentID: "solo", Name: "Only choice", Agents: []string{"ben"}},
	}, []Team{{ID: "t1", Members: []string{"ben", "carla"}}})
}

func TestMenuText(t *testing.T) {
	tree := testTree()
	tests := []struct {
		queue, lang, want string
	}{
		{"en", "en", "Please text a number to select a menu. Text 1 for Billing, Text 2 for Technical support"},
		{"es", "es", "Envíe un número para elegir una opción. Envíe 1 para Facturación, envíe 2 para Soporte"},
		{"top", "en", "Please text a number to select a menu. Text 1 for English, Text 2 for Español"},
	}
	for _, tc := range tests {
		got := tree.MenuText(tc.queue, tc.lang)
		if !strings.EqualFold(got, tc.want) {
			t.Errorf("MenuText(%s, %s) = %q, want %q", tc.queue, tc.lang, got, tc.want)
		}
		if strings.Contains(got, "VIP") {
			t.Errorf("hidden queue offered: %q", got)
		}
	}
}

func TestChoose(t *testing.T) {
	tree := testTree()
	tests := []struct {
		queue, body, want string
	}{
		{"en", "1", "bill"},
		{"en", " 2. ", "tech"},
		{"en", "billing", "bill"},
		{"en", "3", ""}, // the hidden queue has no position
		{"en", "vip", ""},
		{"top", "espanol", "es"},
		{"top", "3", ""},
	}
	for _, tc := range tests {
		q, ok := Choose(tree.Menu(tc.queue), tc.body)
		if (tc.want == "") == ok || q.ID != tc.want {
			t.Errorf("Choose(%s, %q) = %q %v, want %q", tc.queue, tc.body, q.ID, ok, tc.want)
		}
	}
}

func TestTreeInheritance(t *testing.T) {
	tree := testTree()
	if got := tree.Timeouts("bill").OfferMinutes; got != 3 {
		t.Errorf("own offer timeout = %d, want 3", got)
	}
	if got, want := tree.Timeouts("tech").OfferMinutes, DefaultTimeouts().OfferMinutes; got != want {
		t.Errorf("inherited offer timeout = %d, want %d", got, want)
	}
	if got := tree.Language("es-int"); got != "es" {
		t.Errorf("language of es-int = %q, want es", got)
	}
	if got := tree.Agents("tech"); !slices.Equal(got, []string{"ben", "carla"}) {
		t.Errorf("agents of tech through team = %v", got)
	}
	if got := tree.QueuesOf("ana"); !slices.Equal(got, []string{"bill", "es-fact", "es-int"}) {
		t.Errorf("queues of ana = %v", got)
	}
}

var (
	t1 = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
)

// conversation feeds texts to ReceiveInbound like RouteInbound does,
// running assignment with the given agents, and returns the final chat and
// every system text sent.
type conversation struct {
	t      *testing.T
	tree   *Tree
	number Number
	chat   *Chat
	agents map[string]Agent
	sent   []Message
	n      int
}

func newConversation(t *testing.T, entry string, agents ...Agent) *conversation {
	c := &conversation{t: t, tree: testTree(), number: Number{E164: "+14155550101", EntryQueue: entry, Enabled: true}, agents: map[string]Agent{}}
	for _, a := range agents {
		c.agents[a.ID] = a
	}
	return c
}

func (c *conversation) text(body string) *Change {
	c.t.Helper()
	c.n++
	st := InboundState{Settings: c.tree.Settings, Tree: c.tree, Number: c.number, Consent: Consent{State: ConsentOptedIn}}
	if c.chat != nil && c.chat.Open() {
		st.OpenChat = c.chat
	}
	for _, a := range c.agents {
		st.Agents = append(st.Agents, a)
	}
	out := ReceiveInbound(st, Inbound{ID: "in" + string(rune('a'+c.n)), Number: c.number.E164, Consumer: "+15550001111", Body: body}, "chat1", t1.Add(time.Duration(c.n)*time.Minute))
	c.settle(out.Change)
	return out.Change
}

func (c *conversation) settle(ch *Change) {
	if ch.NeedsAgent {
		var cands []Agent
		for _, id := range ch.Tree.Agents(ch.Chat.QueueID) {
			if a, ok := c.agents[id]; ok {
				cands = append(cands, a)
			}
		}
		ch.Assign(cands)
	}
	for id, a := range ch.Agents {
		c.agents[id] = a
	}
	for _, m := range ch.Messages {
		if m.Author.Outbound() {
			c.sent = append(c.sent, m)
		}
	}
	chat := ch.Chat
	c.chat = &chat
}

func (c *conversation) change() *Change {
	ch := Begin(*c.chat, c.tree, t1.Add(time.Hour), "test")
	for _, a := range c.agents {
		ch.Know(a)
	}
	return ch
}

func (c *conversation) lastKinds(n int) []Kind {
	var out []Kind
	for _, m := range c.sent[max(0, len(c.sent)-n):] {
		out = append(out, m.Kind)
	}
	return out
}

func TestNavigation(t *testing.T) {
	tests := []struct {
		name       string
		entry      string
		texts      []string
		wantStatus Status
		wantQueue  string
		wantLang   string
		wantLast   string // substring of the last system text
		wantReason EndReason
	}{
		{"first text shows the menu", "en", []string{"hi"}, StatusMenu, "en", "en", "Text 1 for Billing", ""},
		{"choice reaches a leaf", "en", []string{"hi", "2"}, StatusQueued, "tech", "en", "in line for Technical support", ""},
		{"invalid choice repeats the menu with a hint", "en", []string{"hi", "7"}, StatusMenu, "en", "en", "\"7\" is not one of the choices. Text BACK to go back or EXIT to leave. Please text", ""},
		{"hidden queue cannot be chosen", "en", []string{"hi", "VIP"}, StatusMenu, "en", "en", "is not one of the choices", ""},
		{"language choice sets the language", "top", []string{"hola", "2"}, StatusMenu, "es", "es", "Envíe 1 para Facturación", ""},
		{"two levels in Spanish and BACK", "top", []string{"hola", "2", "2", "ATRAS"}, StatusMenu, "es", "es", "Envíe 1 para Facturación", ""},
		{"BACK at the entry repeats its menu", "en", []string{"hi", "back"}, StatusMenu, "en", "en", "Text 1 for Billing", ""},
		{"BACK from a waiting queue", "en", []string{"hi", "2", "BACK"}, StatusMenu, "en", "en", "Text 1 for Billing", ""},
		{"EXIT abandons", "en", []string{"hi", "exit"}, StatusEnded, "en", "en", "This chat has ended", EndAbandoned},
		{"single visible child passes through", "solo", []string{"hi"}, StatusQueued, "solo-leaf", "en", "in line for Only choice", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConversation(t, tc.entry)
			for _, body := range tc.texts {
				c.text(body)
			}
			got := c.chat
			if got.Status != tc.wantStatus || got.QueueID != tc.wantQueue || got.Language != tc.wantLang || got.EndReason != tc.wantReason {
				t.Errorf("chat %s in %s (%s) ended %q; want %s in %s (%s) ended %q", got.Status, got.QueueID, got.Language, got.EndReason, tc.wantStatus, tc.wantQueue, tc.wantLang, tc.wantReason)
			}
			if last := c.sent[len(c.sent)-1].Body; !strings.Contains(last, tc.wantLast) {
				t.Errorf("last text %q lacks %q", last, tc.wantLast)
			}
			if tc.wantLang == "es" {
				for _, m := range c.sent {
					if m.Kind == KindMenu && strings.Contains(m.Body, "Text ") && m.Seq > 2 {
						t.Errorf("English system text after choosing Spanish: %q", m.Body)
					}
				}
			}
			if got.Status == StatusEnded && len(got.Timers) != 0 {
				t.Errorf("ended chat keeps timers %v", got.Timers)
			}
		})
	}
}

func TestTimersArmedPerState(t *testing.T) {
	c := newConversation(t, "en")
	c.text("hi")
	if _, ok := c.chat.Armed(TimerDismissal); !ok {
		t.Error("menu without dismissal timer")
	}
	if due, ok := c.chat.Armed(TimerExpiry); !ok || !due.Equal(t1.Add(time.Minute+24*time.Hour)) {
		t.Errorf("expiry due %v %v", due, ok)
	}
	ch := c.text("2")
	if _, ok := c.chat.Armed(TimerDismissal); ok {
		t.Error("dismissal still armed in the queue")
	}
	if _, ok := c.chat.Armed(TimerQueue); !ok {
		t.Error("queue timer not armed")
	}
	if len(ch.Cancel) != 1 || ch.Cancel[0].Kind != TimerDismissal {
		t.Errorf("cancelled %v, want the dismissal timer", ch.Cancel)
	}
	name := c.chat.Timers[0].TaskName()
	if !strings.HasPrefix(name, "timer-chat1-") {
		t.Errorf("task name %q", name)
	}
}

func TestAssignment(t *testing.T) {
	early, late := t1.Add(-2*time.Hour), t1.Add(-time.Hour)
	ana := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, LastAssignedAt: late}
	ben := Agent{ID: "ben", Name: "Ben Okafor", Status: AgentAvailable, Capacity: 1, LastAssignedAt: early}
	tests := []struct {
		name       string
		agents     []Agent
		declined   []string
		lang       string
		wantStatus Status
		wantAgent  string // holder or offered agent
		wantStart  StartType
	}{
		{"longest idle gets the offer", []Agent{ana, ben}, nil, "en", StatusQueued, "ben", StartInbound},
		{"full agent skipped", []Agent{ana, func() Agent { b := ben; b.Load = 1; return b }()}, nil, "en", StatusQueued, "ana", StartInbound},
		{"away agent skipped", []Agent{ana, func() Agent { b := ben; b.Status = AgentAway; return b }()}, nil, "en", StatusQueued, "ana", StartInbound},
		{"declined agent skipped", []Agent{ana, ben}, []string{"ben"}, "en", StatusQueued, "ana", StartInbound},
		{"language respected", []Agent{ana, func() Agent { b := ben; b.Languages = []string{"es"}; return b }()}, nil, "en", StatusQueued, "ana", StartInbound},
		{"auto answer takes it at once", []Agent{ana, func() Agent { b := ben; b.AutoAnswer = true; return b }()}, nil, "en", StatusActive, "ben", StartAuto},
		{"nobody free: waits", []Agent{func() Agent { a := ana; a.Status = AgentOffline; return a }()}, nil, "en", StatusQueued, "", StartInbound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Chat{ID: "c1", Status: StatusQueued, QueueID: "bill", Language: tc.lang, Declined: tc.declined, NextSeq: 5, StartType: StartInbound}
			ch := Begin(c, testTree(), t1, "test")
			ch.justQueued = true
			ch.Assign(tc.agents)
			got := ch.Chat
			holder := got.AgentID
			if got.Offer != nil {
				holder = got.Offer.AgentID
			}
			if got.Status != tc.wantStatus || holder != tc.wantAgent || got.StartType != tc.wantStart {
				t.Fatalf("status %s agent %q start %s; want %s %q %s", got.Status, holder, got.StartType, tc.wantStatus, tc.wantAgent, tc.wantStart)
			}
			if holder != "" {
				if a := ch.Agents[holder]; a.Load != 1+func() int {
					for _, x := range tc.agents {
						if x.ID == holder {
							return x.Load
						}
					}
					return 0
				}() || !a.LastAssignedAt.Equal(t1) {
					t.Errorf("agent after assignment: load %d last %v", a.Load, a.LastAssignedAt)
				}
			}
			var kinds []Kind
			for _, m := range ch.Messages {
				kinds = append(kinds, m.Kind)
			}
			want := []Kind{KindWaiting}
			if tc.wantStatus == StatusActive {
				want = []Kind{KindAssigned}
				if !strings.HasPrefix(ch.Messages[0].Body, "Ben will chat with you about Billing") {
					t.Errorf("assigned text %q", ch.Messages[0].Body)
				}
			}
			if !slices.Equal(kinds, want) {
				t.Errorf("texts %v, want %v", kinds, want)
			}
		})
	}
}

func TestOfferLifecycle(t *testing.T) {
	ana := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, LastAssignedAt: t1.Add(-2 * time.Hour)}
	ben := Agent{ID: "ben", Name: "Ben Okafor", Status: AgentAvailable, Capacity: 2, LastAssignedAt: t1.Add(-time.Hour)}
	c := newConversation(t, "en", ana, ben)
	c.text("hi")
	c.text("1")
	if c.chat.Offer == nil || c.chat.Offer.AgentID != "ana" {
		t.Fatalf("offer %+v, want ana", c.chat.Offer)
	}
	if !c.chat.Offer.ExpiresAt.Equal(c.chat.UpdatedAt.Add(3 * time.Minute)) {
		t.Errorf("offer expires %v, want the queue's 3 minutes", c.chat.Offer.ExpiresAt)
	}

	// Ben cannot accept Ana's offer.
	ch := c.change()
	if err := ch.Accept("ben"); !errors.Is(err, ErrNotOffered) {
		t.Fatalf("accept by another agent: %v", err)
	}
	// The offer times out: Ana is set away, Ben gets it.
	ch = c.change()
	ch.Fire(TimerOffer)
	c.settle(ch)
	if a := c.agents["ana"]; a.Status != AgentAway || a.Load != 0 || a.StatusReason != "missed offer" {
		t.Errorf("ana after missed offer: %+v", a)
	}
	if c.chat.Offer == nil || c.chat.Offer.AgentID != "ben" {
		t.Fatalf("offer after timeout %+v, want ben", c.chat.Offer)
	}
	// Ben declines: nobody else, the chat waits with no offer.
	ch = c.change()
	if err := ch.Decline("ben"); err != nil {
		t.Fatal(err)
	}
	c.settle(ch)
	if c.chat.Offer != nil || c.agents["ben"].Load != 0 || !slices.Equal(c.chat.Declined, []string{"ana", "ben"}) {
		t.Errorf("after decline: offer %+v ben load %d declined %v", c.chat.Offer, c.agents["ben"].Load, c.chat.Declined)
	}
	// A new agent frees up and pulls it; accepting activates it.
	carla := Agent{ID: "carla", Name: "Carla Ruiz", Status: AgentAvailable, Capacity: 1}
	pick, ok := PickWaiting(carla, []Chat{*c.chat})
	if !ok {
		t.Fatal("carla cannot pick the waiting chat")
	}
	ch = Begin(pick, c.tree, t1.Add(2*time.Hour), "pull")
	ch.Assign([]Agent{carla})
	c.agents["carla"] = carla
	c.settle(ch)
	ch = c.change()
	if err := ch.Accept("carla"); err != nil {
		t.Fatal(err)
	}
	c.settle(ch)
	if c.chat.Status != StatusActive || c.chat.AgentID != "carla" || c.chat.StartType != StartManual {
		t.Errorf("after accept: %s %s %s", c.chat.Status, c.chat.AgentID, c.chat.StartType)
	}
	if last := c.sent[len(c.sent)-1]; last.Kind != KindAssigned || !strings.Contains(last.Body, "Carla will chat with you about Billing") {
		t.Errorf("last text %+v", last)
	}
	if _, ok := c.chat.Armed(TimerAgentInactivity); !ok {
		t.Error("agent inactivity not armed after accept")
	}
}

func TestTimersFire(t *testing.T) {
	agent := Agent{ID: "ana", Name: "Ana García", Status: AgentAvailable, Capacity: 2, AutoAnswer: true}
	tests := []struct {
		name       string
		entry      string
		texts      []string
		agentSays  bool
		kind       TimerKind
		wantStatus Status
		wantReason EndReason
		wantKind   Kind // last system text
		wantLoad   int
	}{
		{"queue timeout", "en", []string{"hi", "2"}, false, TimerQueue, StatusEnded, EndExpired, KindQueueTimeout, 0},
		{"dismissal", "en", []string{"hi"}, false, TimerDismissal, StatusEnded, EndDismissed, KindMenu, 0},
		{"expiry", "en", []string{"hi", "1"}, false, TimerExpiry, StatusEnded, EndExpired, KindChatEnded, 0},
		{"end-user inactivity", "en", []string{"hi", "1"}, true, TimerEndUserInactivity, StatusEnded, EndTimeoutEndUser, KindChatEnded, 0},
		{"agent inactivity ends", "en", []string{"hi", "1"}, false, TimerAgentInactivity, StatusEnded, EndTimeoutAgentNoMessage, KindChatEnded, 0},
		{"agent inactivity requeues where configured", "top", []string{"hola", "2", "2", "1"}, false, TimerAgentInactivity, StatusQueued, "", KindWaiting, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := agent
			if tc.entry == "top" {
				a.Languages = []string{"es"}
			}
			c := newConversation(t, tc.entry, a)
			for _, body := range tc.texts {
				c.text(body)
			}
			if tc.agentSays {
				ch := c.change()
				if _, err := ch.AgentMessage("ana", "How can I help?", nil, ""); err != nil {
					t.Fatal(err)
				}
				c.settle(ch)
			}
			if !c.chat.IsCurrent(tc.kind, c.chat.Timers[slices.IndexFunc(c.chat.Timers, func(x Timer) bool { return x.Kind == tc.kind })].Version) {
				t.Fatalf("%s timer not current", tc.kind)
			}
			ch := c.change()
			ch.Fire(tc.kind)
			c.settle(ch)
			if c.chat.Status != tc.wantStatus || c.chat.EndReason != tc.wantReason {
				t.Errorf("after %s: %s %q, want %s %q", tc.kind, c.chat.Status, c.chat.EndReason, tc.wantStatus, tc.wantReason)
			}
			if k := c.sent[len(c.sent)-1].Kind; k != tc.wantKind {
				t.Errorf("last text %s, want %s", k, tc.wantKind)
			}
			if got := c.agents["ana"].Load; got != tc.wantLoad {
				t.Errorf("agent load %d, want %d", got, tc.wantLoad)
			}
			if c.chat.IsCurrent(tc.kind, ch.Chat.Version-1) {
				t.Error("fired timer still current")
			}
		})
	}
}

func TestDismissedChatAutoResponse(t *testing.T) {
	c := newConversation(t, "en")
	c.text("hi")
	ch := c.change()
	ch.Fire(TimerDismissal)
	c.settle(ch)
	prev := *c.chat
	st := InboundState{Settings: c.tree.Settings, Tree: c.tree, Number: c.number, Consent: Consent{State: ConsentOptedIn}, Previous: &prev}
	out := ReceiveInbound(st, Inbound{ID: "again", Body: "hello again"}, "chat2", prev.EndedAt.Add(time.Hour))
	var kinds []Kind
	for _, m := range out.Messages {
		kinds = append(kinds, m.Kind)
	}
	if want := []Kind{KindText, KindDismissed, KindMenu}; !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	out = ReceiveInbound(st, Inbound{ID: "later", Body: "hello"}, "chat3", prev.EndedAt.Add(DismissedNoticeWindow+time.Minute))
	if slices.ContainsFunc(out.Messages, func(m Message) bool { return m.Kind == KindDismissed }) {
		t.Error("dismissal notice a day later")
	}
}

func TestAgentActionsNeedTheRightState(t *testing.T) {
	c := newConversation(t, "en", Agent{ID: "ana", Name: "Ana", Status: AgentAvailable, Capacity: 1, AutoAnswer: true})
	c.text("hi")
	c.text("1")
	tests := []struct {
		name string
		op   func(ch *Change) error
		want error
	}{
		{"reply by another agent", func(ch *Change) error { _, err := ch.AgentMessage("ben", "hi", nil, ""); return err }, ErrNotAssigned},
		{"empty reply", func(ch *Change) error { _, err := ch.AgentMessage("ana", "  ", nil, ""); return err }, ErrEmptyMessage},
		{"accept an active chat", func(ch *Change) error { return ch.Accept("ana") }, ErrNotOffered},
		{"finish by another agent", func(ch *Change) error { return ch.Finish("ben", "") }, ErrNotAssigned},
		{"finish", func(ch *Change) error { return ch.Finish("ana", "") }, nil},
	}
	for _, tc := range tests {
		if err := tc.op(c.change()); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	ch := c.change()
	_ = ch.Finish("ana", "")
	c.settle(ch)
	if c.chat.EndReason != EndFinished || c.agents["ana"].Load != 0 {
		t.Errorf("finished: %q load %d", c.chat.EndReason, c.agents["ana"].Load)
	}
	if err := c.change().Finish("ana", ""); !errors.Is(err, ErrChatEnded) {
		t.Errorf("finish twice: %v", err)
	}
}
