package chat

import "strings"

// SystemMessage names a configurable system message.
type SystemMessage string

const (
	MsgOptIn         SystemMessage = "optIn"
	MsgOptOutConfirm SystemMessage = "optOutConfirmation"
	MsgResubscribed  SystemMessage = "resubscribed"
	MsgHelp          SystemMessage = "help"
)

// builtinMessages are the defaults per language. Placeholders: @{PROGRAM},
// @{FREQUENCY}, @{HELP_CONTACT}. Every consent text carries the CTIA
// elements: program, frequency, rates, HELP and STOP.
var builtinMessages = map[string]map[SystemMessage]string{
	"en": {
		MsgOptIn:         "@{PROGRAM}: Thanks for texting us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		MsgOptOutConfirm: "@{PROGRAM}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
		MsgResubscribed:  "@{PROGRAM}: You are resubscribed. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		MsgHelp:          "@{PROGRAM}: For help contact @{HELP_CONTACT}. @{FREQUENCY}. Msg & data rates may apply. Reply STOP to opt out.",
	},
	"es": {
		MsgOptIn:         "@{PROGRAM}: Gracias por escribirnos. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		MsgOptOutConfirm: "@{PROGRAM}: Se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse.",
		MsgResubscribed:  "@{PROGRAM}: Se ha vuelto a suscribir. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		MsgHelp:          "@{PROGRAM}: Para obtener ayuda, comuníquese con @{HELP_CONTACT}. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para cancelar.",
	},
}

var defaultFrequency = map[string]string{
	"en": "Msg frequency varies",
	"es": "La frecuencia de mensajes varía",
}

// Text renders a system message in a language: the settings' override if
// any, else the built-in text, falling back to English.
func (s Settings) Text(lang string, msg SystemMessage) string {
	lang = strings.ToLower(lang)
	tmpl := s.Messages[lang][string(msg)]
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
	return strings.NewReplacer(
		"@{PROGRAM}", s.Program.Name,
		"@{FREQUENCY}", strings.TrimSuffix(freq, "."),
		"@{HELP_CONTACT}", s.Program.HelpContact,
	).Replace(tmpl)
}
