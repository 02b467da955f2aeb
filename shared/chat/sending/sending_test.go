package sending

import (
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func TestClaimSendLastWordsWaitForSendsOnTheirWay(t *testing.T) {
	confirm := chat.Ref{ChatID: "c", Seq: 9}
	help := chat.Ref{ChatID: "d", Seq: 2}
	optedOut := chat.Consent{State: chat.ConsentOptedOut, OptOutConfirmation: &confirm, HelpReply: &help}
	claimed := func(seq int64, ago time.Duration) chat.Message {
		return chat.Message{ChatID: "c", Seq: seq, Author: chat.AuthorAgent, Kind: chat.KindText, Send: chat.Send{State: chat.SendClaimed, ClaimedAt: now.Add(-ago)}}
	}
	withState := func(m chat.Message, s chat.SendState) chat.Message { m.Send.State = s; return m }
	confirmation := chat.Message{ChatID: "c", Seq: 9, Author: chat.AuthorSystem, Kind: chat.KindOptOutConfirm, Send: chat.Send{State: chat.SendPending}}
	helpReply := chat.Message{ChatID: "d", Seq: 2, Author: chat.AuthorSystem, Kind: chat.KindHelp, Send: chat.Send{State: chat.SendPending}}
	tests := []struct {
		name     string
		consent  chat.Consent
		msg      chat.Message
		inFlight []chat.Message
		want     Claim
	}{
		{"confirmation waits for a reply in its carrier call", optedOut, confirmation, []chat.Message{claimed(7, time.Millisecond)}, ClaimBusy},
		{"confirmation goes once the reply is sent", optedOut, confirmation, []chat.Message{withState(claimed(7, time.Second), chat.SendSent)}, ClaimGranted},
		{"confirmation goes once the reply failed", optedOut, confirmation, []chat.Message{withState(claimed(7, time.Second), chat.SendFailed)}, ClaimGranted},
		{"a reply the carrier refused for now is not on its way", optedOut, confirmation, []chat.Message{withState(claimed(7, time.Second), chat.SendPending)}, ClaimGranted},
		{"a claim past its lease died", optedOut, confirmation, []chat.Message{claimed(7, chat.SendLease)}, ClaimGranted},
		{"one of several still on its way", optedOut, confirmation, []chat.Message{withState(claimed(6, time.Second), chat.SendSent), claimed(7, time.Second)}, ClaimBusy},
		{"an opted-out consumer's help answer waits for the confirmation", optedOut, helpReply, []chat.Message{withState(claimed(9, time.Millisecond), chat.SendClaimed)}, ClaimBusy},
		{"nothing on its way", optedOut, confirmation, nil, ClaimGranted},
		{"a text claimed after the opt-out is suppressed", optedOut, claimed(10, 0), nil, ClaimSuppressed},
		{"opted in, texts do not wait for each other's chats", chat.Consent{State: chat.ConsentOptedIn}, chat.Message{ChatID: "e", Seq: 3, Author: chat.AuthorAgent, Kind: chat.KindText}, []chat.Message{claimed(7, time.Millisecond)}, ClaimGranted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.msg
			if m.Send.State == chat.SendClaimed {
				m.Send = chat.Send{State: chat.SendPending}
			}
			got, cl := ClaimSend(ClaimInput{Message: m, Consent: tc.consent, InFlight: tc.inFlight, Now: now})
			if cl != tc.want {
				t.Fatalf("claim %q, want %q", cl, tc.want)
			}
			if cl == ClaimBusy && got.Send != m.Send {
				t.Errorf("a busy claim changed the message: %+v", got.Send)
			}
		})
	}
}
