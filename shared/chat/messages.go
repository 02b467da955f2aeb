package chat

import "strings"

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
)

// SystemMessages lists every configurable message, for validation and docs.
var SystemMessages = []SystemMessage{
	MsgOptIn, MsgOptOutConfirm, MsgResubscribed, MsgHelp, MsgMenu, MsgMenuOption,
	MsgInvalidChoice, MsgWaiting, MsgAgentAssigned, MsgQueueTimeout, MsgDismissed, MsgChatEnded,
}

// builtinMessages are the defaults per language. Placeholders: @{PROGRAM},
// @{FREQUENCY}, @{HELP_CONTACT} (consent texts, which carry the CTIA
// elements: program, frequency, rates, HELP and STOP); @{KEY} and @{QUEUE}
// (menu options); @{CHOICE}, @{BACK} and @{EXIT} (invalid choice); @{AGENT}
// and @{QUEUE} (assignment).
var builtinMessages = map[string]map[SystemMessage]string{
	"en": {
		MsgOptIn:         "@{PROGRAM}: Thanks for texting us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		MsgOptOutConfirm: "@{PROGRAM}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
		MsgResubscribed:  "@{PROGRAM}: You are resubscribed. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		MsgHelp:          "@{PROGRAM}: For help contact @{HELP_CONTACT}. @{FREQUENCY}. Msg & data rates may apply. Reply STOP to opt out.",
		MsgMenu:          "Please text a number to select a menu.",
		MsgMenuOption:    "Text @{KEY} for @{QUEUE}",
		MsgInvalidChoice: "Sorry, \"@{CHOICE}\" is not one of the choices. Text @{BACK} to go back or @{EXIT} to leave.",
		MsgWaiting:       "Thanks, you are in line for @{QUEUE}. An agent will be with you shortly.",
		MsgAgentAssigned: "@{AGENT} will chat with you about @{QUEUE}.",
		MsgQueueTimeout:  "Sorry, no agent is available right now. Please text us again later.",
		MsgDismissed:     "Your previous chat was closed because we did not hear back. Let's start again.",
		MsgChatEnded:     "This chat has ended. Text us any time to start a new one.",
	},
	"es": {
		MsgOptIn:         "@{PROGRAM}: Gracias por escribirnos. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		MsgOptOutConfirm: "@{PROGRAM}: Se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse.",
		MsgResubscribed:  "@{PROGRAM}: Se ha vuelto a suscribir. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		MsgHelp:          "@{PROGRAM}: Para obtener ayuda, comuníquese con @{HELP_CONTACT}. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para cancelar.",
		MsgMenu:          "Envíe un número para elegir una opción.",
		MsgMenuOption:    "Envíe @{KEY} para @{QUEUE}",
		MsgInvalidChoice: "Lo sentimos, \"@{CHOICE}\" no es una de las opciones. Envíe @{BACK} para volver o @{EXIT} para salir.",
		MsgWaiting:       "Gracias, está en la fila de @{QUEUE}. Un agente le atenderá en breve.",
		MsgAgentAssigned: "@{AGENT} hablará con usted sobre @{QUEUE}.",
		MsgQueueTimeout:  "Lo sentimos, no hay agentes disponibles en este momento. Escríbanos más tarde.",
		MsgDismissed:     "Su chat anterior se cerró porque no recibimos respuesta. Empecemos de nuevo.",
		MsgChatEnded:     "Este chat ha terminado. Escríbanos cuando quiera para iniciar uno nuevo.",
	},
}

var defaultFrequency = map[string]string{
	"en": "Msg frequency varies",
	"es": "La frecuencia de mensajes varía",
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
		tmpl = builtinMessages[lang][msg]
	}
	if tmpl == "" {
		lang = "en"
		tmpl = builtinMessages["en"][msg]
	}
	freq := s.Program.Frequency
	if freq == "" {
		freq = defaultFrequency[lang]
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
