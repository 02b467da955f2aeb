package chat

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat/texts"

	"github.com/smsdesk/smsdesk/shared/sms"
)

func TestConsentRegistersClaims(t *testing.T) {
	a, b, c := Ref{ChatID: "x", Seq: 2}, Ref{ChatID: "x", Seq: 3}, Ref{ChatID: "y", Seq: 5}
	old := Consent{State: ConsentOptedIn, Sending: []SendClaim{
		{Ref: a, ClaimedAt: now.Add(-SendLease - time.Second)}, // its attempt is over
		{Ref: b, ClaimedAt: now.Add(-time.Second)},
		{Ref: c, ClaimedAt: now.Add(-2 * time.Second)},
	}}
	shared := slices.Clone(old.Sending)
	doneB := Message{ChatID: "x", Seq: 3, Send: Send{State: SendSent}}
	next := old.WithClaim(Ref{ChatID: "x", Seq: 4}, now, doneB)
	want := []SendClaim{{Ref: c, ClaimedAt: now.Add(-2 * time.Second)}, {Ref: Ref{ChatID: "x", Seq: 4}, ClaimedAt: now}}
	if !slices.Equal(next.Sending, want) {
		t.Errorf("registered %+v, want %+v", next.Sending, want)
	}
	if !slices.Equal(old.Sending, shared) {
		t.Errorf("WithClaim changed the list it was given: %+v", old.Sending)
	}
	if got := next.InFlight(Ref{ChatID: "x", Seq: 4}, now); !slices.Equal(got, []Ref{c}) {
		t.Errorf("in flight for x/4: %v, want [%v]", got, c)
	}
	if got := next.InFlight(Ref{ChatID: "z", Seq: 1}, now.Add(SendLease)); len(got) != 0 {
		t.Errorf("in flight after every lease: %v", got)
	}
	// A re-claim replaces the message's entry.
	again := next.WithClaim(c, now.Add(time.Second))
	if n := len(again.Sending); n != 2 || again.Sending[1] != (SendClaim{Ref: c, ClaimedAt: now.Add(time.Second)}) {
		t.Errorf("re-claim registered %+v", again.Sending)
	}
}

// TestFirstTextGetsTheOptInNotice: whatever a consumer without a consent
// record texts first, the opt-in notice is the first text they get, unless
// they opted out; an opted-out consumer's HELP is answered with the help
// text alone, and the ledger records it.
func TestFirstTextGetsTheOptInNotice(t *testing.T) {
	tree := testTree()
	number := Number{E164: "+14155550101", EntryQueue: "en", Language: "en", Enabled: true}
	optedIn := Consent{State: ConsentOptedIn, Source: SourceFirstMessage}
	optedOut := Consent{State: ConsentOptedOut, Source: SourceKeyword, Keyword: "STOP"}
	open := &Chat{ID: "open", Number: number.E164, Status: StatusMenu, QueueID: "en", Language: "en", NextSeq: 5}
	tests := []struct {
		name        string
		consent     Consent
		openChat    *Chat
		body        string
		wantReplies []Kind
		wantConsent ConsentState
		wantSource  ConsentSource
		wantEvents  []ConsentAction
	}{
		{"a greeting", Consent{}, nil, "hi", []Kind{KindOptIn, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"HELP", Consent{}, nil, "HELP", []Kind{KindOptIn, KindHelp, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"info", Consent{}, nil, "info?", []Kind{KindOptIn, KindHelp, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"a menu keyword", Consent{}, nil, "1", []Kind{KindOptIn, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"a queue name", Consent{}, nil, "billing", []Kind{KindOptIn, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"BACK", Consent{}, nil, "back", []Kind{KindOptIn, KindMenu}, ConsentOptedIn, SourceFirstMessage, []ConsentAction{ActionOptIn}},
		{"START", Consent{}, nil, "START", []Kind{KindOptIn, KindMenu}, ConsentOptedIn, SourceKeyword, []ConsentAction{ActionOptIn}},
		{"STOP gets its confirmation alone", Consent{}, nil, "STOP", []Kind{KindOptOutConfirm}, ConsentOptedOut, SourceKeyword, []ConsentAction{ActionOptOut}},
		{"HELP when opted in", optedIn, open, "help", []Kind{KindHelp}, ConsentOptedIn, SourceFirstMessage, nil},
		{"START after an opt-out", optedOut, nil, "start", []Kind{KindOptInConfirm, KindMenu}, ConsentOptedIn, SourceKeyword, []ConsentAction{ActionOptIn}},
		{"HELP when opted out is answered", optedOut, nil, "HELP", []Kind{KindHelp}, ConsentOptedOut, SourceKeyword, []ConsentAction{ActionHelp}},
		{"AYUDA when opted out is answered", optedOut, nil, "¿Ayuda?", []Kind{KindHelp}, ConsentOptedOut, SourceKeyword, []ConsentAction{ActionHelp}},
		{"a text when opted out is not", optedOut, nil, "hello?", nil, ConsentOptedOut, SourceKeyword, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Inbound{ID: "twilio_SM7", Provider: "twilio", Number: number.E164, Consumer: "+14155550142", Body: tc.body}
			out := ReceiveInbound(InboundState{Settings: tree.Settings, Tree: tree, Number: number, Consent: tc.consent, OpenChat: tc.openChat}, in, "new", now)
			var kinds []Kind
			for _, m := range out.Messages {
				if m.Author.Outbound() {
					kinds = append(kinds, m.Kind)
				}
			}
			if !slices.Equal(kinds, tc.wantReplies) {
				t.Errorf("replies %v, want %v", kinds, tc.wantReplies)
			}
			if len(out.Replies) != len(tc.wantReplies) {
				t.Errorf("%d replies to send, want %d", len(out.Replies), len(tc.wantReplies))
			}
			consent := tc.consent
			if out.Consent != nil {
				consent = *out.Consent
			}
			if consent.State != tc.wantConsent || consent.Source != tc.wantSource {
				t.Errorf("consent %q (%s), want %q (%s)", consent.State, consent.Source, tc.wantConsent, tc.wantSource)
			}
			var actions []ConsentAction
			for _, ev := range out.Events {
				actions = append(actions, ev.Action)
				if ev.InboundID != in.ID || ev.ChatID != out.Chat.ID || !ev.At.Equal(now) {
					t.Errorf("ledger entry %+v does not name its text, chat and time", ev)
				}
			}
			if !slices.Equal(actions, tc.wantEvents) {
				t.Errorf("ledger %v, want %v", actions, tc.wantEvents)
			}
			// Every reply decided may go out at send time, in order: the
			// consent each claim will read is the one stored now.
			for i, m := range out.Messages {
				if m.Author.Outbound() && !MaySend(consent, m) {
					t.Errorf("reply %d (%s) may not be sent to the consumer as consent stands: %+v", i, m.Kind, consent)
				}
			}
			if tc.wantConsent == ConsentOptedOut && slices.Contains(tc.wantReplies, KindHelp) {
				if len(out.Replies) == 0 || len(out.Events) == 0 {
					t.Fatal("no help answer, or no ledger entry for it")
				}
				if consent.HelpReply == nil || *consent.HelpReply != out.Replies[0] {
					t.Errorf("consent does not name the help answer %v: %+v", out.Replies, consent.HelpReply)
				}
				if kw := out.Events[0].Keyword; kw != "HELP" && kw != "¿AYUDA?" {
					t.Errorf("help ledger keyword %q", kw)
				}
			}
		})
	}
}

// TestAnOptOutAfterHelpLeavesNoHelpPass: the help answer an opted-out
// consumer may receive is for that opt-out only.
func TestAnOptOutAfterHelpLeavesNoHelpPass(t *testing.T) {
	tree := testTree()
	number := Number{E164: "+14155550101", EntryQueue: "en", Language: "en", Enabled: true}
	consent := Consent{State: ConsentOptedOut}
	step := func(body, id string, c Consent) (InboundOutcome, Consent) {
		out := ReceiveInbound(InboundState{Settings: tree.Settings, Tree: tree, Number: number, Consent: c},
			Inbound{ID: id, Number: number.E164, Consumer: "+14155550142", Body: body}, "chat-"+id, now)
		if out.Consent != nil {
			c = *out.Consent
		}
		return out, c
	}
	help, consent := step("HELP", "a", consent)
	_, consent = step("START", "b", consent)
	_, consent = step("STOP", "c", consent)
	if consent.HelpReply != nil || MaySend(consent, help.Messages[len(help.Messages)-1]) {
		t.Errorf("the old help answer may still be sent after a new opt-out: %+v", consent)
	}
}

// TestSystemTextsAddNoUCS2: a system message never adds a character that
// is not GSM-7 to a text: English ones are GSM-7 whenever their inputs are,
// and in every language every character outside GSM-7 comes from the
// template's own wording or from an input (a queue's name, the body
// quoted). One such character makes the whole text UCS-2, more than
// doubling its segments.
func TestSystemTextsAddNoUCS2(t *testing.T) {
	long := "I would like to talk to someone about my bill please"
	s := DefaultSettings()
	s.Program = Program{Name: "Acme Support", HelpContact: "support@acme.example or 1-800-555-0199"}
	s.Languages = []string{"en", "es"}
	tree := NewTree(s, []Queue{
		{ID: "en", Name: "English", Language: "en"},
		{ID: "en-billing", ParentID: "en", Name: "Billing", Order: 1, Keywords: []string{"1", "BILLING"}},
		{ID: "en-tech", ParentID: "en", Name: "Technical support", Order: 2, Keywords: []string{"2", "TECH"}},
		{ID: "es", Name: "Español", Language: "es"},
		{ID: "es-fact", ParentID: "es", Name: "Facturacion", Order: 1, Keywords: []string{"1"}},
		{ID: "es-mov", ParentID: "es", Name: "Telefonia movil", Order: 2, Keywords: []string{"2", "MOVIL"}},
	}, nil)
	var all []rendered
	for _, lang := range []string{"en", "es"} {
		vars := Vars{
			"KEY": "1", "QUEUE": "Billing", "AGENT": "Ana", "CHOICE": clip(long, 20),
			"BACK": s.BackWordIn(lang), "EXIT": s.ExitWordIn(lang),
		}
		for _, msg := range SystemMessages {
			all = append(all, rendered{lang + " " + string(msg), s.render(lang, msg, vars), texts.Builtin(lang, string(msg)), vars})
		}
		// The texts the product puts together: a menu, and the reply to a
		// choice that is none, quoting a long body.
		entry := map[string]string{"en": "en", "es": "es"}[lang]
		all = append(all, rendered{lang + " menu", tree.MenuText(entry, lang), texts.Builtin(lang, string(MsgMenu)) + texts.Builtin(lang, string(MsgMenuOption)), nil})
		c := &Chat{ID: "c", Status: StatusMenu, QueueID: entry, Language: lang, NextSeq: 4}
		out := ReceiveInbound(InboundState{Settings: s, Tree: tree, Number: Number{EntryQueue: entry, Language: lang}, Consent: Consent{State: ConsentOptedIn}, OpenChat: c},
			Inbound{ID: "in", Body: long}, "", now)
		reply := out.Messages[len(out.Messages)-1]
		if reply.Kind != KindInvalidChoice {
			t.Fatalf("%s: reply to %q is %s", lang, long, reply.Kind)
		}
		all = append(all, rendered{lang + " invalid choice", reply.Body, texts.Builtin(lang, string(MsgInvalidChoice)) + texts.Builtin(lang, string(MsgMenu)) + texts.Builtin(lang, string(MsgMenuOption)), Vars{"body": long}})
	}
	for _, r := range all {
		t.Run(r.name, func(t *testing.T) {
			if added := r.added(); added != "" {
				t.Errorf("%q adds %q, not GSM-7, which neither its template nor its inputs hold", r.text, added)
			}
			if strings.HasPrefix(r.name, "en ") {
				if m := sms.Measure(r.text); m.Encoding != sms.GSM7 {
					t.Errorf("%q is %s (%d segments)", r.text, m.Encoding, m.Segments)
				}
			}
		})
	}
	// The hint quoting a long English text is two segments, not three.
	for _, r := range all {
		if r.name == "en invalid choice" {
			if m := sms.Measure(r.text); m.Segments != 2 {
				t.Errorf("English invalid-choice reply is %d segments (%s): %q", m.Segments, m.Encoding, r.text)
			}
		}
	}
}

type rendered struct {
	name, text, template string
	vars                 Vars
}

// added is the characters of the text outside GSM-7 that its template and
// inputs do not hold.
func (r rendered) added() string {
	from := r.template + strings.Join(texts.Frequencies(), "")
	for _, v := range r.vars {
		from += v
	}
	var out []rune
	for _, c := range r.text {
		if sms.Measure(string(c)).Encoding != sms.GSM7 && !strings.ContainsRune(from, c) {
			out = append(out, c)
		}
	}
	return string(out)
}

func TestSpanishMenus(t *testing.T) {
	c := newConversation(t, "top")
	c.text("hola")
	c.text("2") // Español
	c.text("2") // Soporte
	c.text("zzz")
	hint := c.sent[len(c.sent)-1].Body
	for _, want := range []string{"Envíe ATRAS para volver o SALIR para salir.", "Internet", "Móvil"} {
		if !strings.Contains(hint, want) {
			t.Errorf("Spanish hint %q lacks %q", hint, want)
		}
	}
	for _, word := range []string{"BACK", "EXIT"} {
		if strings.Contains(hint, word) {
			t.Errorf("Spanish hint %q names %s", hint, word)
		}
	}
	for _, body := range []string{"móvil", "MOVIL", "Móvil.", "movil"} {
		if q, ok := Choose(c.tree.Menu("es-sop"), body); !ok || q.ID != "es-mov" {
			t.Errorf("Choose(%q) = %q %v, want es-mov", body, q.ID, ok)
		}
	}
	mov := NewTree(DefaultSettings(), []Queue{
		{ID: "es", Name: "Español"},
		{ID: "a", ParentID: "es", Name: "Internet", Keywords: []string{"1", "INTERNET"}},
		{ID: "b", ParentID: "es", Name: "Telefonía móvil", Keywords: []string{"2", "MOVIL"}},
	}, nil)
	for _, body := range []string{"móvil", "telefonia movil", "TELEFONÍA MÓVIL"} {
		if q, ok := Choose(mov.Menu("es"), body); !ok || q.ID != "b" {
			t.Errorf("Choose(%q) = %q %v, want b", body, q.ID, ok)
		}
	}
}
