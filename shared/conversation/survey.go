package conversation

import (
	"errors"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Why a finished chat's survey was not texted (chat.Chat.SurveyState).
const (
	SurveySkippedOptOut = "skipped:opted-out"
	SurveySkippedQuiet  = "skipped:quiet-hours"
)

// survey texts the satisfaction survey after an agent finished a chat in a
// queue that has one, in the finishing transaction. It is never sent to a
// consumer without consent on record, and in the consumer's quiet hours it
// is dropped rather than held: "how did we do?" the next morning reads as
// marketing, and a later answer could not be told from a new question.
func (s *Service) survey(tx store.Tx, ch *chat.Change) error {
	if _, ok := ch.Tree.Survey(ch.Chat.QueueID); !ok || ch.Chat.EndReason != chat.EndFinished {
		return nil
	}
	consent, err := tx.Consent(ch.Chat.Number, ch.Chat.Consumer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if consent.State != chat.ConsentOptedIn {
		ch.SkipSurvey(SurveySkippedOptOut)
		return nil
	}
	if _, held, err := proactive.HoldUntil(ch.Tree.Settings, ch.Chat.Consumer, ch.Now); held || err != nil {
		ch.SkipSurvey(SurveySkippedQuiet)
		return nil
	}
	ch.AskSurvey()
	return nil
}
