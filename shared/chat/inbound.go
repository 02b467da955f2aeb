package chat

import (
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Inbound is a consumer's text as the carrier delivered it, already
// normalised (E.164 numbers) and deduplicated on the provider message id.
type Inbound struct {
	ID                string    `firestore:"id" json:"id"` // provider + "_" + provider message id
	Provider          string    `firestore:"provider" json:"provider"`
	ProviderMessageID string    `firestore:"providerMessageId" json:"providerMessageId"`
	Number            string    `firestore:"number" json:"number"`     // the business number texted
	Consumer          string    `firestore:"consumer" json:"consumer"` // who texted
	Body              string    `firestore:"body" json:"body"`
	Media             []Media   `firestore:"media,omitempty" json:"media,omitempty"`
	ReceivedAt        time.Time `firestore:"receivedAt" json:"receivedAt"`
}

// ThreadKey identifies one consumer's thread with one business number: at
// most one open chat, and one Pub/Sub ordering key, per thread.
func (in Inbound) ThreadKey() string { return in.Number + "_" + in.Consumer }

// InboundState is what the domain needs to know to handle an inbound text.
type InboundState struct {
	Settings Settings
	Number   Number
	Consent  Consent
	OpenChat *Chat // the consumer's open chat on this number, if any
}

// InboundOutcome is everything that changes because of one inbound text.
type InboundOutcome struct {
	Chat     Chat
	NewChat  bool
	Messages []Message // new transcript entries, in sequence order
	Replies  []Ref     // the outbound ones among Messages, to send
	Consent  *Consent  // set when consent changed
	Events   []ConsentEvent
	// ThreadOpen tells whether the chat stays the thread's open chat.
	ThreadOpen bool
}

// ReceiveInbound applies a consumer's text: the consent commands first (STOP
// beats everything), then the consent notice a first text needs, then the
// message joins the consumer's chat. newChatID is used when no chat is open.
func ReceiveInbound(st InboundState, in Inbound, newChatID string, now time.Time) InboundOutcome {
	out := InboundOutcome{}
	if st.OpenChat != nil && st.OpenChat.Open() {
		out.Chat = *st.OpenChat
	} else {
		out.NewChat = true
		out.Chat = Chat{
			ID:        newChatID,
			Number:    in.Number,
			Consumer:  in.Consumer,
			Provider:  in.Provider,
			Language:  st.Settings.LanguageFor(st.Number),
			QueueID:   st.Number.EntryQueue,
			Status:    StatusQueued,
			StartType: StartInbound,
			CreatedAt: now,
			NextSeq:   1,
		}
	}
	c := &out.Chat
	c.Version++
	c.UpdatedAt = now

	cmd := sms.ClassifyCommand(in.Body, sms.CustomWords{Back: st.Settings.BackWords, Exit: st.Settings.ExitWords})
	kind := KindText
	if cmd == sms.CommandStop || cmd == sms.CommandStart || cmd == sms.CommandHelp {
		kind = KindCommand
	}
	out.append(Message{Author: AuthorConsumer, Kind: kind, Body: in.Body, Media: in.Media, InboundID: in.ID, CreatedAt: now})

	consent := st.Consent
	consent.Number, consent.Consumer = in.Number, in.Consumer
	eventID := in.ID
	setConsent := func(state ConsentState, source ConsentSource, action ConsentAction) {
		consent.State, consent.Source, consent.UpdatedAt = state, source, now
		consent.Keyword = ""
		if source == SourceKeyword {
			consent.Keyword = normalizeKeyword(in.Body)
		}
		consent.OptOutConfirmation = nil
		out.Consent = &consent
		out.Events = append(out.Events, ConsentEvent{
			ID: eventID, Action: action, Source: source, Keyword: consent.Keyword,
			InboundID: in.ID, ChatID: c.ID, At: now,
		})
	}
	lang := c.Language

	switch cmd {
	case sms.CommandStop:
		if consent.State != ConsentOptedOut {
			setConsent(ConsentOptedOut, SourceKeyword, ActionOptOut)
			ref := out.reply(KindOptOutConfirm, st.Settings.Text(lang, MsgOptOutConfirm), now)
			consent.OptOutConfirmation = &ref
		}
		// A repeated STOP gets no second confirmation: one text after an
		// opt-out, nothing else.
		c.Status, c.EndReason, c.EndedAt = StatusEnded, EndUserStopped, now
		return out
	case sms.CommandStart:
		setConsent(ConsentOptedIn, SourceKeyword, ActionOptIn)
		out.reply(KindOptInConfirm, st.Settings.Text(lang, MsgResubscribed), now)
	case sms.CommandHelp:
		if consent.State == ConsentUnknown {
			setConsent(ConsentOptedIn, SourceFirstMessage, ActionOptIn)
		}
		if consent.State == ConsentOptedIn {
			out.reply(KindHelp, st.Settings.Text(lang, MsgHelp), now)
		}
	default:
		if consent.State == ConsentUnknown {
			setConsent(ConsentOptedIn, SourceFirstMessage, ActionOptIn)
			out.reply(KindOptIn, st.Settings.Text(lang, MsgOptIn), now)
		}
	}
	out.ThreadOpen = true
	return out
}

func (o *InboundOutcome) append(m Message) Ref {
	m.ChatID = o.Chat.ID
	m.Seq = o.Chat.NextSeq
	o.Chat.NextSeq++
	if m.Author.Outbound() {
		m.Send = Send{State: SendPending}
		meas := sms.Measure(m.Body)
		m.Encoding, m.Segments = string(meas.Encoding), meas.Segments
	}
	o.Messages = append(o.Messages, m)
	return m.Ref()
}

func (o *InboundOutcome) reply(kind Kind, body string, now time.Time) Ref {
	ref := o.append(Message{Author: AuthorSystem, Kind: kind, Body: body, CreatedAt: now})
	o.Replies = append(o.Replies, ref)
	return ref
}

// normalizeKeyword is the keyword as the ledger records it: trimmed, upper
// case, bounded so a long natural-language opt-out stays readable.
func normalizeKeyword(body string) string {
	const max = 40
	r := []rune(strings.ToUpper(strings.TrimSpace(body)))
	if len(r) > max {
		r = r[:max]
	}
	return string(r)
}
