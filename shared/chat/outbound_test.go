package chat

import (
	"testing"
	"time"
)

// A consumer's text after the business texted first: an answer to an
// unassigned outbound chat enters its queue (never a menu choice); a reply
// to a sessionless text is answered once and reaches no queue, unless the
// number routes such replies or the text is old.
func TestReplyToProactiveText(t *testing.T) {
	tree := testTree()
	number := Number{E164: "+14155550101", EntryQueue: "en", Enabled: true}
	now := t1.Add(time.Hour)
	awaiting := &Chat{ID: "out1", Number: number.E164, Consumer: "+15550001111", QueueID: "en", Language: "en",
		Status: StatusMenu, StartType: StartOutbound, AwaitingReply: true, NextSeq: 3}
	sentAt := now.Add(-time.Hour)
	tests := []struct {
		name       string
		open       *Chat
		number     func(*Number)
		consent    Consent
		body       string
		wantKinds  []Kind
		wantStatus Status
		wantThread bool
	}{
		{"answer to an unassigned outbound chat: the menu", awaiting, nil, Consent{State: ConsentOptedIn}, "1",
			[]Kind{KindText, KindMenu}, StatusMenu, true},
		{"reply to a sessionless text: the auto-response, no queue", nil, nil,
			Consent{State: ConsentOptedIn, SessionlessAt: sentAt}, "Who is this?", []Kind{KindText, KindAutoResponse}, StatusEnded, false},
		{"a second reply: recorded, not answered again", nil, nil,
			Consent{State: ConsentOptedIn, SessionlessAt: sentAt, SessionlessAnswered: true}, "Hello?", []Kind{KindText}, StatusEnded, false},
		{"a number that routes sessionless replies", nil, func(n *Number) { n.RouteSessionlessReplies = true },
			Consent{State: ConsentOptedIn, SessionlessAt: sentAt}, "Who is this?", []Kind{KindText, KindMenu}, StatusMenu, true},
		{"a sessionless text over a week old: routed", nil, nil,
			Consent{State: ConsentOptedIn, SessionlessAt: now.Add(-SessionlessReplyWindow)}, "Hi", []Kind{KindText, KindMenu}, StatusMenu, true},
		{"STOP after a sessionless text: the confirmation", nil, nil,
			Consent{State: ConsentOptedIn, SessionlessAt: sentAt}, "STOP", []Kind{KindCommand, KindOptOutConfirm}, StatusEnded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := number
			if tt.number != nil {
				tt.number(&n)
			}
			var open *Chat
			if tt.open != nil {
				c := *tt.open
				open = &c
			}
			out := ReceiveInbound(InboundState{Settings: tree.Settings, Tree: tree, Number: n, Consent: tt.consent, OpenChat: open},
				Inbound{ID: "in1", Number: n.E164, Consumer: "+15550001111", Body: tt.body}, "new1", now)
			var kinds []Kind
			for _, m := range out.Messages {
				kinds = append(kinds, m.Kind)
			}
			if len(kinds) != len(tt.wantKinds) {
				t.Fatalf("messages %v, want %v", kinds, tt.wantKinds)
			}
			for i := range kinds {
				if kinds[i] != tt.wantKinds[i] {
					t.Fatalf("messages %v, want %v", kinds, tt.wantKinds)
				}
			}
			if out.Chat.Status != tt.wantStatus || out.ThreadOpen != tt.wantThread || out.Chat.AwaitingReply {
				t.Errorf("chat %s, thread open %v, awaiting %v; want %s, %v, false", out.Chat.Status, out.ThreadOpen, out.Chat.AwaitingReply, tt.wantStatus, tt.wantThread)
			}
			if tt.wantKinds[len(tt.wantKinds)-1] == KindAutoResponse && (out.Consent == nil || !out.Consent.SessionlessAnswered) {
				t.Errorf("the auto-response is not recorded on the consent")
			}
		})
	}
}
