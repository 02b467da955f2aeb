package chat

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/chat/csat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// Survey is a queue's satisfaction survey by SMS after a finished chat;
// nil inherits the parent's.
type Survey struct {
	Enabled bool `firestore:"enabled" json:"enabled"`
	// WindowMinutes: how long a reply counts as the answer (0: 24 h).
	WindowMinutes int `firestore:"windowMinutes,omitempty" json:"windowMinutes,omitempty"`
}

// EventChatRated carries a chat's rating (and whether it has a comment).
const EventChatRated EventType = "chat.rated"

// Survey is the queue's effective survey, ok when it is enabled.
func (t *Tree) Survey(queueID string) (Survey, bool) {
	for _, q := range t.Ancestry(queueID) {
		if q.Survey != nil {
			return *q.Survey, q.Survey.Enabled
		}
	}
	return Survey{}, false
}

// AskSurvey texts the survey after a finished chat; the use case checked
// the queue has one, the consumer's consent and the quiet hours. SkipSurvey
// records why a survey was not sent instead.
func (ch *Change) AskSurvey() {
	ch.say(KindSurvey, MsgSurvey, nil)
	ch.Chat.SurveyAt, ch.Chat.SurveyState = ch.Now, csat.Sent
}

func (ch *Change) SkipSurvey(why string) { ch.Chat.SurveyState = why }

// SurveyPending reports whether the thread's pointer must stay on this
// ended chat so the consumer's next text can answer its survey.
func (c Chat) SurveyPending() bool {
	return c.SurveyState == csat.Sent || c.SurveyState == csat.Rated
}

// surveyReply applies a text answering the survey of the thread's last
// chat: the rating (thanked once), then one comment; false when the text
// is not about the survey (a command, too late, not a rating) and routes.
func surveyReply(st InboundState, in Inbound, tree *Tree, now time.Time) (InboundOutcome, bool) {
	p := st.Previous
	if p == nil || p.Open() || !p.SurveyPending() || st.Consent.State != ConsentOptedIn ||
		sms.ClassifyCommand(in.Body, st.Settings.Words()) != sms.CommandNone {
		return InboundOutcome{}, false
	}
	sv, _ := tree.Survey(p.QueueID)
	step, rating := csat.Decide(p.SurveyState, p.SurveyAt, now, minutes(sv.WindowMinutes), in.Body)
	if step == csat.Route {
		return InboundOutcome{}, false
	}
	out := InboundOutcome{Change: Begin(*p, tree, now, in.ID)}
	out.append(Message{Author: AuthorConsumer, Kind: KindSurveyReply, Body: in.Body, Media: in.Media, InboundID: in.ID})
	c := &out.Chat
	if step == csat.Rate {
		c.Rating, c.SurveyState = rating, csat.Rated
		out.say(KindSurveyThanks, MsgSurveyThanks, nil)
		out.ThreadOpen = true // the pointer stays for the comment
	} else {
		c.Feedback, c.HasFeedback, c.SurveyState = clip(in.Body, 1000), true, csat.Done
	}
	out.event(EventChatRated, Transfer{})
	return out, true
}
