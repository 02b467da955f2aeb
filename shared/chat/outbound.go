package chat

import "time"

// SessionlessReplyWindow is how long after a text sent without a session a
// consumer's reply is taken as an answer to it.
const SessionlessReplyWindow = 7 * 24 * time.Hour

// The hooks below let chat/proactive, which decides how the business starts
// a conversation, build its change with the same bookkeeping as routing.

// Post adds a business text to the transcript and to the sends; a
// Send.NotBefore given holds it until then.
func (ch *Change) Post(m Message) Ref {
	ref := ch.append(m)
	ch.Messages[len(ch.Messages)-1].Send.NotBefore = m.Send.NotBefore
	ch.Replies = append(ch.Replies, ref)
	ch.Chat.Outbox = append(ch.Chat.Outbox, ref.Seq)
	return ref
}

// ArmTimer (re)schedules a timer of a kind after d.
func (ch *Change) ArmTimer(kind TimerKind, d time.Duration) { ch.arm(kind, d) }

// Emit records an event of the chat as it stands now.
func (ch *Change) Emit(typ EventType) { ch.event(typ, Transfer{}) }

// End closes the chat: every timer cancelled, its agent's capacity freed.
func (ch *Change) End(reason EndReason) { ch.end(reason) }
