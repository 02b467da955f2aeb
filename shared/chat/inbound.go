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
	Tree     *Tree
	Number   Number
	Consent  Consent
	OpenChat *Chat // the consumer's open chat on this number, if any
	// Previous is the thread's last chat when none is open, for telling a
	// consumer whose chat was dismissed what happened.
	Previous *Chat
	// Agents are the open chat's agent and offered agent as stored now:
	// ending the chat gives back the capacity it holds.
	Agents []Agent
	// Detector tells a first text's language (nil: never detected).
	Detector LanguageDetector
}

// InboundOutcome is everything that changes because of one inbound text.
type InboundOutcome struct {
	*Change
	NewChat bool
	Consent *Consent // set when consent changed
	Events  []ConsentEvent
	// ThreadOpen tells whether the chat stays the thread's open chat.
	ThreadOpen bool
}

// ReceiveInbound applies a consumer's text: the consent commands first (STOP
// beats everything), then the consent notice a first text needs, then the
// message joins the consumer's chat and moves it through the menus.
// newChatID is used when no chat is open.
func ReceiveInbound(st InboundState, in Inbound, newChatID string, now time.Time) InboundOutcome {
	tree := st.Tree
	if tree == nil {
		tree = NewTree(st.Settings, nil, nil)
	}
	var base Chat
	newChat := st.OpenChat == nil || !st.OpenChat.Open()
	if out, ok := surveyReply(st, in, tree, now); newChat && ok {
		return out
	}
	if newChat {
		base = Chat{
			ID:        newChatID,
			Number:    in.Number,
			Consumer:  in.Consumer,
			Provider:  in.Provider,
			Language:  st.Settings.LanguageFor(st.Number),
			QueueID:   st.Number.EntryQueue,
			Status:    StatusMenu,
			StartType: StartInbound,
			CreatedAt: now,
			NextSeq:   1,
		}
	} else {
		base = *st.OpenChat
	}
	out := InboundOutcome{Change: Begin(base, tree, now, in.ID), NewChat: newChat}
	out.Know(st.Agents...)
	c := &out.Chat
	if newChat {
		c.QueueID = out.returnTo(st.Previous, st.Number, c.QueueID)
		// The entry queue's language (a one-language tree) wins over the
		// number's; later language choices in the menu win over both.
		if lang := tree.Language(c.QueueID); lang != "" {
			c.Language = lang
		}
		out.arm(TimerExpiry, minutes(tree.Timeouts(c.QueueID).ExpiryMinutes))
	}

	cmd := sms.ClassifyCommand(in.Body, st.Settings.Words())
	kind := KindText
	if cmd != sms.CommandNone {
		kind = KindCommand
	}
	out.append(Message{Author: AuthorConsumer, Kind: kind, Body: in.Body, Media: in.Media, InboundID: in.ID})
	if newChat {
		// Before the opt-in notice, so it too is in the consumer's language.
		out.detectLanguage(st.Detector, st.Number, cmd, in.Body)
	}

	consent := st.Consent
	consent.Number, consent.Consumer = in.Number, in.Consumer
	eventID := in.ID
	setConsent := func(state ConsentState, source ConsentSource, action ConsentAction) {
		consent.State, consent.Source, consent.UpdatedAt = state, source, now
		consent.Keyword = ""
		if source == SourceKeyword {
			consent.Keyword = normalizeKeyword(in.Body)
		}
		consent.OptOutConfirmation, consent.HelpReply = nil, nil
		out.Consent = &consent
		out.Events = append(out.Events, ConsentEvent{
			ID: eventID, Action: action, Source: source, Keyword: consent.Keyword,
			InboundID: in.ID, ChatID: c.ID, At: now,
		})
	}
	lang := c.Language

	if cmd == sms.CommandStop {
		if consent.State != ConsentOptedOut {
			setConsent(ConsentOptedOut, SourceKeyword, ActionOptOut)
			ref := out.reply(KindOptOutConfirm, st.Settings.Text(lang, MsgOptOutConfirm))
			consent.OptOutConfirmation = &ref
		}
		// A repeated STOP gets no second confirmation: one text after an
		// opt-out, nothing else.
		out.end(EndUserStopped)
		return out
	}
	// A consumer without consent on record texted first, whatever they
	// texted: the opt-in notice, with its CTIA elements, is the first text
	// they get. The ledger says how: START is a keyword, anything else the
	// first message.
	if consent.State == ConsentUnknown {
		if cmd == sms.CommandStart {
			setConsent(ConsentOptedIn, SourceKeyword, ActionOptIn)
		} else {
			setConsent(ConsentOptedIn, SourceFirstMessage, ActionOptIn)
		}
		out.reply(KindOptIn, st.Settings.Text(lang, MsgOptIn))
	} else if cmd == sms.CommandStart {
		setConsent(ConsentOptedIn, SourceKeyword, ActionOptIn)
		out.reply(KindOptInConfirm, st.Settings.Text(lang, MsgResubscribed))
	}
	if cmd == sms.CommandHelp {
		ref := out.reply(KindHelp, st.Settings.Text(lang, MsgHelp))
		if consent.State == ConsentOptedOut {
			// Carriers expect HELP answered even after an opt-out. The
			// consent names the answer, as it names the confirmation: the
			// one text besides it the consumer may get, and the ledger
			// records that it was sent.
			consent.HelpReply = &ref
			out.Consent = &consent
			out.Events = append(out.Events, ConsentEvent{
				ID: eventID, Action: ActionHelp, Source: SourceKeyword, Keyword: normalizeKeyword(in.Body),
				InboundID: in.ID, ChatID: c.ID, At: now,
			})
		}
	}
	out.ThreadOpen = true
	if consent.State == ConsentOptedOut {
		// Texts from an opted-out consumer are kept for the record; nothing
		// may be sent back, so no menu and no agent.
		return out
	}
	if newChat && cmd == sms.CommandNone && !st.Number.RouteSessionlessReplies &&
		!consent.SessionlessAt.IsZero() && now.Sub(consent.SessionlessAt) < SessionlessReplyWindow {
		// A reply to a text sent without a session: nobody is there to read
		// it, so it is answered once and not routed.
		if !consent.SessionlessAnswered {
			consent.SessionlessAnswered = true
			out.Consent = &consent
			body := st.Number.AutoResponse
			if body == "" {
				body = st.Settings.Text(lang, MsgSessionless)
			}
			out.reply(KindAutoResponse, body)
		}
		out.end(EndFinished)
		out.ThreadOpen = false
		return out
	}
	if newChat && cmd == sms.CommandNone && st.Number.InCall {
		// An in-call number takes texts only during a call: outside one
		// nobody reads it, so it routes nowhere and says so.
		body := st.Number.AutoResponse
		if body == "" {
			body = st.Settings.Text(lang, MsgSessionless)
		}
		out.reply(KindAutoResponse, body)
		out.end(EndFinished)
		out.ThreadOpen = false
		return out
	}
	if newChat {
		if p := st.Previous; p != nil && p.EndReason == EndDismissed && now.Sub(p.EndedAt) < DismissedNoticeWindow {
			out.say(KindDismissed, MsgDismissed, nil)
		}
		out.enter(c.QueueID)
		out.ThreadOpen = !out.Ended // a closed queue may end it at once
		return out
	}
	if cmd == sms.CommandStart && c.Status == StatusMenu {
		out.enter(c.QueueID) // back from an opt-out: show where they are
		return out
	}
	if cmd == sms.CommandStart || cmd == sms.CommandHelp {
		return out // answered; the chat stays where it was
	}
	if c.AwaitingReply && cmd == sms.CommandNone {
		// The consumer answers a text the business sent first: their reply
		// starts the conversation, it is no menu choice.
		c.AwaitingReply = false
		out.enter(c.QueueID)
		out.ThreadOpen = !out.Ended
		return out
	}
	out.navigate(cmd, in.Body, st.Number.EntryQueue)
	if out.Ended {
		out.ThreadOpen = false
	}
	return out
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
