package chat

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func TestDeliveryAdvance(t *testing.T) {
	tests := []struct {
		name     string
		sequence []DeliveryStatus
		want     DeliveryStatus
		changes  int
	}{
		{"in order", []DeliveryStatus{DeliveryQueued, DeliverySending, DeliverySent, DeliveryDelivered}, DeliveryDelivered, 4},
		{"late sent after delivered", []DeliveryStatus{DeliveryDelivered, DeliverySent, DeliveryQueued}, DeliveryDelivered, 1},
		{"duplicates", []DeliveryStatus{DeliverySent, DeliverySent, DeliverySent}, DeliverySent, 1},
		{"first terminal stands", []DeliveryStatus{DeliveryUndelivered, DeliveryDelivered, DeliveryFailed}, DeliveryUndelivered, 1},
		{"read after delivered", []DeliveryStatus{DeliveryDelivered, DeliveryRead}, DeliveryRead, 2},
		{"unknown ignored", []DeliveryStatus{"receiving", "bogus"}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Delivery
			changes := 0
			for _, s := range tc.sequence {
				var ok bool
				if d, ok = d.Advance(s, "", "", now); ok {
					changes++
				}
			}
			if d.Status != tc.want || changes != tc.changes {
				t.Errorf("final %q after %d changes, want %q after %d", d.Status, changes, tc.want, tc.changes)
			}
		})
	}
}

func TestMaySend(t *testing.T) {
	confirm := Ref{ChatID: "c", Seq: 4}
	tests := []struct {
		name    string
		consent Consent
		msg     Message
		want    bool
	}{
		{"opted in, agent text", Consent{State: ConsentOptedIn}, Message{ChatID: "c", Seq: 5, Kind: KindText}, true},
		{"unknown, opt-in notice", Consent{}, Message{Kind: KindOptIn}, true},
		{"unknown, agent text", Consent{}, Message{Kind: KindText}, false},
		{"opted out, its confirmation", Consent{State: ConsentOptedOut, OptOutConfirmation: &confirm}, Message{ChatID: "c", Seq: 4, Kind: KindOptOutConfirm}, true},
		{"opted out, an older confirmation", Consent{State: ConsentOptedOut, OptOutConfirmation: &confirm}, Message{ChatID: "c", Seq: 2, Kind: KindOptOutConfirm}, false},
		{"opted out, agent text", Consent{State: ConsentOptedOut, OptOutConfirmation: &confirm}, Message{ChatID: "c", Seq: 5, Kind: KindText}, false},
		{"opted out by carrier, no confirmation", Consent{State: ConsentOptedOut}, Message{Kind: KindOptOutConfirm}, false},
		{"opted out, the answer to its HELP", Consent{State: ConsentOptedOut, HelpReply: &Ref{ChatID: "d", Seq: 2}}, Message{ChatID: "d", Seq: 2, Kind: KindHelp}, true},
		{"opted out, an older help text", Consent{State: ConsentOptedOut, HelpReply: &Ref{ChatID: "d", Seq: 2}}, Message{ChatID: "c", Seq: 3, Kind: KindHelp}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaySend(tc.consent, tc.msg); got != tc.want {
				t.Errorf("MaySend = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReceiveInbound(t *testing.T) {
	settings := DefaultSettings()
	settings.Program.Name = "Acme"
	number := Number{E164: "+14155550101", EntryQueue: "en", Language: "en", Enabled: true}
	open := &Chat{ID: "open", Status: StatusQueued, Language: "en", NextSeq: 3, Version: 2}
	optedIn := Consent{State: ConsentOptedIn}
	optedOut := Consent{State: ConsentOptedOut}
	tests := []struct {
		name        string
		consent     Consent
		openChat    *Chat
		body        string
		wantKinds   []Kind // of new messages, in order
		wantConsent ConsentState
		wantStatus  Status
		wantNew     bool
		wantOpen    bool
	}{
		{"first text", Consent{}, nil, "hi", []Kind{KindText, KindOptIn}, ConsentOptedIn, StatusQueued, true, true},
		{"follow-up", optedIn, open, "order 12", []Kind{KindText}, ConsentOptedIn, StatusQueued, false, true},
		{"stop in open chat", optedIn, open, "STOP", []Kind{KindCommand, KindOptOutConfirm}, ConsentOptedOut, StatusEnded, false, false},
		{"second stop", optedOut, nil, "stop", []Kind{KindCommand}, ConsentOptedOut, StatusEnded, true, false},
		{"natural opt-out first", Consent{}, nil, "please stop texting me", []Kind{KindCommand, KindOptOutConfirm}, ConsentOptedOut, StatusEnded, true, false},
		{"start after stop", optedOut, nil, "START", []Kind{KindCommand, KindOptInConfirm}, ConsentOptedIn, StatusQueued, true, true},
		{"help", optedIn, open, "help", []Kind{KindCommand, KindHelp}, ConsentOptedIn, StatusQueued, false, true},
		{"help when opted out gets the help text alone", optedOut, nil, "HELP", []Kind{KindCommand, KindHelp}, ConsentOptedOut, StatusMenu, true, true},
		{"text when opted out gets nothing", optedOut, open, "hello?", []Kind{KindText}, ConsentOptedOut, StatusQueued, false, true},
		{"stop in a sentence is a text", optedIn, open, "stop by tomorrow", []Kind{KindText}, ConsentOptedIn, StatusQueued, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Inbound{ID: "twilio_SM1", Provider: "twilio", Number: number.E164, Consumer: "+14155550142", Body: tc.body}
			out := ReceiveInbound(InboundState{Settings: settings, Number: number, Consent: tc.consent, OpenChat: tc.openChat}, in, "new", now)
			var kinds []Kind
			for i, m := range out.Messages {
				kinds = append(kinds, m.Kind)
				if want := out.Messages[0].Seq + int64(i); m.Seq != want {
					t.Errorf("message %d seq = %d, want %d", i, m.Seq, want)
				}
			}
			if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(tc.wantKinds), ",") {
				t.Errorf("kinds = %v, want %v", kinds, tc.wantKinds)
			}
			consent := tc.consent.State
			if out.Consent != nil {
				consent = out.Consent.State
			}
			if consent != tc.wantConsent || out.Chat.Status != tc.wantStatus || out.NewChat != tc.wantNew || out.ThreadOpen != tc.wantOpen {
				t.Errorf("consent %q status %q new %v open %v; want %q %q %v %v", consent, out.Chat.Status, out.NewChat, out.ThreadOpen, tc.wantConsent, tc.wantStatus, tc.wantNew, tc.wantOpen)
			}
			if tc.wantStatus == StatusEnded && out.Chat.EndReason != EndUserStopped {
				t.Errorf("end reason %q, want %q", out.Chat.EndReason, EndUserStopped)
			}
			if len(out.Replies) != len(tc.wantKinds)-1 {
				t.Errorf("%d replies for %d new messages", len(out.Replies), len(tc.wantKinds))
			}
			if out.Consent != nil && out.Consent.State == ConsentOptedOut && len(out.Replies) == 1 && tc.wantKinds[1] == KindOptOutConfirm {
				if out.Consent.OptOutConfirmation == nil || *out.Consent.OptOutConfirmation != out.Replies[0] {
					t.Errorf("consent does not name its confirmation: %+v", out.Consent)
				}
			}
			if tc.openChat != nil && out.Chat.Version != tc.openChat.Version+1 {
				t.Errorf("version %d, want %d", out.Chat.Version, tc.openChat.Version+1)
			}
		})
	}
}

func kindStrings(ks []Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestSystemMessagesCarryCTIAElements(t *testing.T) {
	s := DefaultSettings()
	s.Program = Program{Name: "Acme", HelpContact: "help@acme.example"}
	for _, lang := range []string{"en", "es", "fr"} {
		optIn := s.Text(lang, MsgOptIn)
		for _, want := range []string{"Acme", "STOP"} {
			if !strings.Contains(optIn, want) {
				t.Errorf("%s opt-in %q lacks %q", lang, optIn, want)
			}
		}
		if !strings.Contains(s.Text(lang, MsgHelp), "help@acme.example") {
			t.Errorf("%s help text lacks the contact", lang)
		}
	}
	s.Messages = map[string]map[string]string{"en": {"optIn": "@{PROGRAM} custom. Reply STOP to opt out."}}
	if got := s.Text("en", MsgOptIn); got != "Acme custom. Reply STOP to opt out." {
		t.Errorf("override = %q", got)
	}
}
