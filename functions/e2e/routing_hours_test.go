package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

// fakeClock is the time routing sees in a test; the instants are in the
// future so no timer task comes due by itself on the real clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// useClock makes routing (RouteInbound, ChatTimers, the agents' actions)
// read the time from a fake clock set to start.
func (e *env) useClock(start time.Time) *fakeClock {
	clk := &fakeClock{now: start}
	e.conv.Clock.Now = clk.Now
	return clk
}

// setHours gives a queue business hours through AdminAPI.
func (e *env) setHours(queueID string, h *chat.Hours) {
	e.t.Helper()
	q := e.queue(queueID)
	q.Hours = h
	b, _ := json.Marshal(q)
	if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/"+queueID, string(b)); code != http.StatusOK {
		e.t.Fatalf("PUT queue %s: %d %s", queueID, code, body)
	}
}

func newYork(s string) time.Time {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func last(bodies []string) string {
	if len(bodies) == 0 {
		return ""
	}
	return bodies[len(bodies)-1]
}

func TestBusinessHours(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		office := func(whenClosed, inMenu string) *chat.Hours {
			return &chat.Hours{
				TimeZone: "America/New_York",
				Week: map[string][]string{"mon": {"08:00-17:00"}, "tue": {"08:00-17:00"}, "wed": {"08:00-17:00"},
					"thu": {"08:00-17:00"}, "fri": {"08:00-17:00"}},
				Holidays:   []string{"2027-01-18"}, // Martin Luther King Jr. Day, a Monday
				WhenClosed: whenClosed, InMenu: inMenu,
			}
		}
		// A malformed schedule is refused, naming the field, and not saved.
		q := e.queue("en-tech")
		q.Hours = &chat.Hours{TimeZone: "America/New_York", Week: map[string][]string{"fri": {"22:00-02:00"}}}
		b, _ := json.Marshal(q)
		if code, body := e.admin(auth.RoleAdmin, "PUT", "/queues/en-tech", string(b)); code != http.StatusBadRequest ||
			!strings.Contains(body, `"field":"queues[en-tech].hours.week.fri[0]"`) {
			t.Errorf("crossing midnight: %d %s", code, body)
		}
		if e.queue("en-tech").Hours != nil {
			t.Error("a refused schedule was saved")
		}

		// Technical support (Ben alone, auto-answer) ends chats after hours;
		// Spanish support, inherited by its two leaves, too.
		e.setHours("en-tech", office("", ""))
		e.setHours("es-soporte", office(chat.ClosedEnd, ""))
		clk := e.useClock(newYork("2027-01-05 20:00")) // a Tuesday evening

		const closedEN = "+14155550601"
		e.say(closedEN, numberEN, "hi")
		rec := e.say(closedEN, numberEN, "2")
		c := e.chat(rec.ChatID)
		want := "Technical support is closed right now. Next opening: 8:00 AM tomorrow. Please text us again then."
		if got := last(e.bodies(closedEN)); !strings.Contains(got, want) {
			t.Errorf("after hours, English: %q, want %q", got, want)
		}
		if c.Status != chat.StatusEnded || c.EndReason != chat.EndFailed || c.FailReason != chat.FailAfterHours || len(c.Timers) != 0 {
			t.Errorf("after hours: %s %q %q timers %v, want ended Failed after_hours:4", c.Status, c.EndReason, c.FailReason, c.Timers)
		}
		if a := e.agent("ben"); a.Load != 0 {
			t.Errorf("Ben holds a chat that ended after hours (load %d)", a.Load)
		}
		// The webhook delivered again sends nothing twice.
		sent := len(e.twilio.SentTo(closedEN))
		if code := e.text(rec.Message.ProviderMessageID, closedEN, numberEN, "2"); code != http.StatusOK {
			t.Fatalf("redelivery: %d", code)
		}
		e.waitSettled(e.waitRouted(rec.Message.ProviderMessageID))
		if n := len(e.twilio.SentTo(closedEN)); n != sent {
			t.Errorf("a redelivered webhook sent %d more texts", n-sent)
		}
		// The ended chat is no longer the thread's: the next text starts anew.
		if next := e.say(closedEN, numberEN, "hello again"); next.ChatID == rec.ChatID {
			t.Error("a text after an after-hours end joined the ended chat")
		}

		const closedES = "+14155550602"
		e.say(closedES, numberES, "hola")
		e.say(closedES, numberES, "2") // Soporte técnico: a menu of its own
		rec = e.say(closedES, numberES, "1")
		want = "Internet está cerrado en este momento. Volvemos a abrir mañana a las 8:00."
		if got := last(e.bodies(closedES)); !strings.Contains(got, want) {
			t.Errorf("after hours, Spanish: %q, want %q", got, want)
		}
		if c := e.chat(rec.ChatID); c.FailReason != chat.FailAfterHours {
			t.Errorf("Spanish after hours: fail reason %q", c.FailReason)
		}

		// In hours, the same queue routes as usual.
		clk.Set(newYork("2027-01-06 09:30"))
		const open = "+14155550603"
		e.say(open, numberEN, "hi")
		rec = e.say(open, numberEN, "2")
		if c := e.chat(rec.ChatID); c.Status != chat.StatusActive || c.AgentID != "ben" {
			t.Errorf("in hours: %s with %q, want active with Ben", c.Status, c.AgentID)
		}
		if err := e.end(rec.ChatID, "ben"); err != nil {
			t.Fatal(err)
		}

		// Waiting for the opening, over a weekend and a holiday Monday.
		e.setHours("en-tech", office(chat.ClosedWait, ""))
		clk.Set(newYork("2027-01-15 18:00")) // Friday evening
		const waits = "+14155550604"
		e.say(waits, numberEN, "hi")
		rec = e.say(waits, numberEN, "2")
		opening := newYork("2027-01-19 08:00")
		want = "Technical support is closed right now. Next opening: Tuesday 8:00 AM. You keep your place in line"
		if got := last(e.bodies(waits)); !strings.Contains(got, want) {
			t.Errorf("waiting after hours: %q, want %q", got, want)
		}
		c = e.chat(rec.ChatID)
		due, armed := c.Armed(chat.TimerOpening)
		if c.Status != chat.StatusQueued || !c.OpensAt.Equal(opening) || !armed || !due.Equal(opening) {
			t.Errorf("waiting: %s opens %s, opening timer %s %v; want queued until %s", c.Status, c.OpensAt, due, armed, opening)
		}
		if _, armed := c.Armed(chat.TimerQueue); armed {
			t.Error("the queue timeout runs while the queue is closed")
		}
		if due, _ := c.Armed(chat.TimerExpiry); !due.After(opening) {
			t.Errorf("the chat expires at %s, before its queue opens", due)
		}
		// Ben coming back while the queue is closed is not given the chat.
		if err := e.setStatus("ben", chat.AgentAway); err != nil {
			t.Fatal(err)
		}
		if err := e.setStatus("ben", chat.AgentAvailable); err != nil {
			t.Fatal(err)
		}
		if c := e.chat(rec.ChatID); c.Status != chat.StatusQueued || c.AgentID != "" || c.Offer != nil {
			t.Errorf("before the opening: %s with %q", c.Status, c.AgentID)
		}
		// At the opening, with Ben away, the queue timeout starts.
		if err := e.setStatus("ben", chat.AgentAway); err != nil {
			t.Fatal(err)
		}
		clk.Set(opening)
		c = e.fireTimer(rec.ChatID, chat.TimerOpening)
		if due, armed := c.Armed(chat.TimerQueue); c.Status != chat.StatusQueued || !c.OpensAt.IsZero() || !armed || !due.Equal(opening.Add(60*time.Minute)) {
			t.Errorf("at the opening: %s opens %s, queue timer %s %v; want due %s", c.Status, c.OpensAt, due, armed, opening.Add(time.Hour))
		}
		if err := e.setStatus("ben", chat.AgentAvailable); err != nil {
			t.Fatal(err)
		}
		c = e.waitChat(rec.ChatID, "assigned to Ben", func(c chat.Chat) bool { return c.AgentID == "ben" })
		e.settleChat(rec.ChatID)
		if got := last(e.bodies(waits)); !strings.Contains(got, "Ben will chat with you about Technical support") {
			t.Errorf("after the opening: %q", got)
		}
		if err := e.end(rec.ChatID, "ben"); err != nil {
			t.Fatal(err)
		}

		// Menus: Billing marked with its reopening, Technical support hidden.
		e.setHours("en-billing", office(chat.ClosedEnd, chat.MenuMark))
		e.setHours("en-tech", office(chat.ClosedEnd, chat.MenuHide))
		clk.Set(newYork("2027-01-18 10:00")) // the holiday
		const menus = "+14155550605"
		e.say(menus, numberEN, "hi")
		got := last(e.bodies(menus))
		if want := "Text 1 for Billing (closed until 8:00 AM tomorrow)"; !strings.Contains(got, want) || strings.Contains(got, "Technical support") {
			t.Errorf("menu on a holiday: %q, want %q and no Technical support", got, want)
		}
		clk.Set(newYork("2027-01-19 10:00"))
		e.say(menus, numberEN, "menu?")
		testenv.WaitFor(t, waitLimit, "the open menu", func() bool {
			return strings.Contains(last(e.bodies(menus)), "Text 1 for Billing, Text 2 for Technical support")
		})
	})
}
