package chat

import (
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat/texts"
)

// SystemMessage names a configurable system message.
type SystemMessage string

const (
	MsgOptIn         SystemMessage = "optIn"
	MsgOptOutConfirm SystemMessage = "optOutConfirmation"
	MsgResubscribed  SystemMessage = "resubscribed"
	MsgHelp          SystemMessage = "help"
	// MsgMenu introduces a menu; MsgMenuOption is one choice in it.
	MsgMenu          SystemMessage = "menu"
	MsgMenuOption    SystemMessage = "menuOption"
	MsgInvalidChoice SystemMessage = "invalidChoice"
	MsgWaiting       SystemMessage = "waiting"
	MsgAgentAssigned SystemMessage = "agentAssigned"
	MsgQueueTimeout  SystemMessage = "queueTimeout"
	MsgDismissed     SystemMessage = "dismissedChat"
	MsgChatEnded     SystemMessage = "chatEnded"
	MsgOutboundOptIn SystemMessage = "outboundOptIn"
	MsgSessionless   SystemMessage = "sessionlessReply"
	// Business hours: a chat reaching a closed queue, ended or waiting;
	// a closed queue marked in a menu.
	MsgAfterHours        SystemMessage = "afterHours"
	MsgAfterHoursWaiting SystemMessage = "afterHoursWaiting"
	MsgMenuOptionClosed  SystemMessage = "menuOptionClosed"
	// The satisfaction survey after a finished chat, and its one thanks.
	MsgSurvey       SystemMessage = "survey"
	MsgSurveyThanks SystemMessage = "surveyThanks"
)

// SystemMessages lists every configurable message, for validation and docs.
var SystemMessages = []SystemMessage{
	MsgOptIn, MsgOptOutConfirm, MsgResubscribed, MsgHelp, MsgMenu, MsgMenuOption,
	MsgInvalidChoice, MsgWaiting, MsgAgentAssigned, MsgQueueTimeout, MsgDismissed, MsgChatEnded,
	MsgOutboundOptIn, MsgSessionless, MsgAfterHours, MsgAfterHoursWaiting, MsgMenuOptionClosed,
	MsgSurvey, MsgSurveyThanks,
}

// Vars are a message's placeholder values, by name without @{}.
type Vars map[string]string

// Text renders a system message in a language: the settings' override if
// any, else the built-in text, falling back to English.
func (s Settings) Text(lang string, msg SystemMessage) string {
	return s.render(lang, msg, nil)
}

// render looks a message up in overrides (most specific first), then the
// settings, then the built-ins, and fills its placeholders.
func (s Settings) render(lang string, msg SystemMessage, vars Vars, overrides ...map[string]map[string]string) string {
	lang = strings.ToLower(lang)
	var tmpl string
	for _, o := range append(overrides, s.Messages) {
		if tmpl = o[lang][string(msg)]; tmpl != "" {
			break
		}
	}
	if tmpl == "" {
		tmpl = texts.Builtin(lang, string(msg))
	}
	if tmpl == "" {
		lang = "en"
		tmpl = texts.Builtin("en", string(msg))
	}
	freq := s.Program.Frequency
	if freq == "" {
		freq = texts.Frequency(lang)
	}
	pairs := []string{
		"@{PROGRAM}", s.Program.Name,
		"@{FREQUENCY}", strings.TrimSuffix(freq, "."),
		"@{HELP_CONTACT}", s.Program.HelpContact,
	}
	for k, v := range vars {
		pairs = append(pairs, "@{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}
