package admin

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/configcheck"
	"github.com/smsdesk/smsdesk/shared/chat/texts"
)

// The system messages an admin may override, what each is for and the
// placeholders the code that sends it fills. The admin pages list them, and
// an override naming a placeholder its message is never given is refused:
// the consumer would receive "@{FOO}" verbatim.

// MessageKind describes one system message.
type MessageKind struct {
	Name  chat.SystemMessage `json:"name"`
	Title string             `json:"title"`
	// When says when the consumer receives it.
	When string `json:"when"`
	// Variables are the placeholders it is filled with, by name without
	// @{}, the program's three first.
	Variables []string `json:"variables"`
}

// ProgramVariables fill every system message: the opt-in program's name,
// message frequency and help contact (settings.program).
var ProgramVariables = []string{"PROGRAM", "FREQUENCY", "HELP_CONTACT"}

// messageKinds describe chat.SystemMessages; a test checks every one is
// described and that the built-in texts use only these placeholders.
var messageKinds = []struct {
	name        chat.SystemMessage
	title, when string
	vars        []string
}{
	{chat.MsgOptIn, "Opt-in", "The first text to a consumer who texts a number for the first time (or again after the consent lapsed): the program's name, frequency, rates, HELP and STOP.", nil},
	{chat.MsgOptOutConfirm, "Opt-out confirmation", "The one text after STOP (or another stop word); nothing else is sent until the consumer texts START.", nil},
	{chat.MsgResubscribed, "Resubscribed", "The answer to START after an opt-out.", nil},
	{chat.MsgHelp, "HELP answer", "The answer to HELP (or INFO, AYUDA); it must name the help contact.", nil},
	{chat.MsgMenu, "Menu prompt", "Opens every menu, followed by one option text per choice.", nil},
	{chat.MsgMenuOption, "Menu option", "One choice of a menu, joined to the prompt with commas.", []string{"KEY", "QUEUE"}},
	{chat.MsgInvalidChoice, "Invalid choice", "A reply to a menu that chooses nothing.", []string{"CHOICE", "BACK", "EXIT"}},
	{chat.MsgWaiting, "Waiting for an agent", "When the chat reaches a queue where it waits.", []string{"QUEUE"}},
	{chat.MsgAgentAssigned, "Agent assigned", "When an agent takes the chat (and after a transfer).", []string{"AGENT", "QUEUE"}},
	{chat.MsgQueueTimeout, "No agent in time", "When the chat waited longer than the queue's timeout and is ended.", nil},
	{chat.MsgDismissed, "Menu left unanswered", "When a consumer who left a menu unanswered texts again after the dismissal timeout.", nil},
	{chat.MsgChatEnded, "Chat ended", "When an agent or a timeout ends the chat.", nil},
	{chat.MsgOutboundOptIn, "Outbound disclosure", "Before a business's first proactive text to a consumer.", nil},
	{chat.MsgSessionless, "Reply to a sessionless text", "Answers a reply to a text sent without a chat (unless the number routes such replies).", nil},
	{chat.MsgAfterHours, "Closed (chat ended)", "When the chat reaches a queue outside its business hours that ends such chats.", []string{"QUEUE", "NEXT_REOPEN_HOUR"}},
	{chat.MsgAfterHoursWaiting, "Closed (waiting for the opening)", "When the chat reaches a queue outside its business hours that keeps it until it opens.", []string{"QUEUE", "NEXT_REOPEN_HOUR"}},
	{chat.MsgMenuOptionClosed, "Menu option while closed", "A menu choice whose queue is closed, when its hours mark it instead of hiding it.", []string{"KEY", "QUEUE", "NEXT_REOPEN_HOUR"}},
	{chat.MsgSurvey, "Satisfaction survey", "After an agent finishes a chat in a queue with a survey (not to an opted-out consumer, not in the quiet hours); a reply of 1 to 5 is the rating.", nil},
	{chat.MsgSurveyThanks, "Survey thanks", "Once, after the consumer's rating; the next text within the window is kept as their comment.", nil},
}

// MessageKinds lists every system message (chat.SystemMessages' order)
// with its placeholders.
func MessageKinds() []MessageKind {
	out := make([]MessageKind, len(chat.SystemMessages))
	for i, m := range chat.SystemMessages {
		out[i] = kindOf(m)
	}
	return out
}

// kindOf describes a message. One added to chat.SystemMessages before this
// catalog knows it takes the placeholders its built-in text uses (a test
// fails until it is described).
func kindOf(m chat.SystemMessage) MessageKind {
	for _, k := range messageKinds {
		if k.name == m {
			return MessageKind{Name: m, Title: k.title, When: k.when,
				Variables: append(slices.Clone(ProgramVariables), k.vars...)}
		}
	}
	vars := slices.Clone(ProgramVariables)
	for _, v := range Placeholders(texts.Builtin("en", string(m))) {
		if !slices.Contains(vars, v) {
			vars = append(vars, v)
		}
	}
	return MessageKind{Name: m, Title: string(m), Variables: vars}
}

// MessageVariables are the placeholders a system message is filled with;
// nil for an unknown message.
func MessageVariables(name chat.SystemMessage) []string {
	if !slices.Contains(chat.SystemMessages, name) {
		return nil
	}
	return kindOf(name).Variables
}

var placeholder = regexp.MustCompile(`@\{([^}]*)\}`)

// Placeholders are the placeholder names a text uses, in order, each once.
func Placeholders(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// messageProblems are the overrides in c that name a placeholder their
// message is not filled with, by the field configcheck.Validate uses for
// the override (settings.messages.es.waiting, queues[3].messages.en.menu).
func messageProblems(c chat.Config) []chat.FieldError {
	var out []chat.FieldError
	check := func(prefix string, msgs map[string]map[string]string) {
		langs := make([]string, 0, len(msgs))
		for l := range msgs {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, lang := range langs {
			names := make([]string, 0, len(msgs[lang]))
			for n := range msgs[lang] {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, name := range names {
				known := MessageVariables(chat.SystemMessage(name))
				if known == nil {
					continue // configcheck.Validate names the unknown message
				}
				for _, v := range Placeholders(msgs[lang][name]) {
					if !slices.Contains(known, v) {
						out = append(out, chat.FieldError{
							Field:   prefix + "." + lang + "." + name,
							Message: fmt.Sprintf("@{%s} is not filled in this message; it can use @{%s}", v, strings.Join(known, "}, @{")),
						})
					}
				}
			}
		}
	}
	check("settings.messages", c.Settings.Messages)
	for i, q := range c.Queues {
		check(fmt.Sprintf("queues[%d].messages", i), q.Messages)
	}
	return out
}

// validate is configcheck.Validate with the placeholder check: every
// problem of both in one refusal.
func validate(c chat.Config) error {
	err := configcheck.Validate(c)
	extra := messageProblems(c)
	if len(extra) == 0 {
		return err
	}
	ve := &chat.ValidationError{}
	if err != nil {
		var inner *chat.ValidationError
		if !errors.As(err, &inner) {
			return err
		}
		ve.Problems = append(ve.Problems, inner.Problems...)
	}
	ve.Problems = append(ve.Problems, extra...)
	return ve
}
