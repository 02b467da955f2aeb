// Package texts holds the built-in wording of smsdesk's system messages in
// each language: data, kept apart from the decisions in package chat.
package texts

// builtin are the system messages' defaults per language, by message name. Placeholders: @{PROGRAM},
// @{FREQUENCY}, @{HELP_CONTACT} (consent texts, which carry the CTIA
// elements: program, frequency, rates, HELP and STOP); @{KEY} and @{QUEUE}
// (menu options); @{CHOICE}, @{BACK} and @{EXIT} (invalid choice); @{AGENT}
// and @{QUEUE} (assignment). outboundOptIn is the disclosure before a
// business's first proactive text; sessionlessReply answers a reply to a
// text sent without a chat.
// An array of structs is laid out at compile time: the webhook functions,
// which link this package, run no initialisation for it.
var builtin = [...]entry{
	{"en", "optIn", "@{PROGRAM}: Thanks for texting us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out."},
	{"en", "optOutConfirmation", "@{PROGRAM}: You are unsubscribed and will receive no more messages. Reply START to resubscribe."},
	{"en", "resubscribed", "@{PROGRAM}: You are resubscribed. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out."},
	{"en", "help", "@{PROGRAM}: For help contact @{HELP_CONTACT}. @{FREQUENCY}. Msg & data rates may apply. Reply STOP to opt out."},
	{"en", "menu", "Please text a number to select a menu."},
	{"en", "menuOption", "Text @{KEY} for @{QUEUE}"},
	{"en", "invalidChoice", "Sorry, \"@{CHOICE}\" is not one of the choices. Text @{BACK} to go back or @{EXIT} to leave."},
	{"en", "waiting", "Thanks, you are in line for @{QUEUE}. An agent will be with you shortly."},
	{"en", "agentAssigned", "@{AGENT} will chat with you about @{QUEUE}."},
	{"en", "queueTimeout", "Sorry, no agent is available right now. Please text us again later."},
	{"en", "dismissedChat", "Your previous chat was closed because we did not hear back. Let's start again."},
	{"en", "chatEnded", "This chat has ended. Text us any time to start a new one."},
	{"en", "outboundOptIn", "@{PROGRAM}: You will get texts from us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out."},
	{"en", "afterHours", "Thanks for texting. @{QUEUE} is closed right now. Next opening: @{NEXT_REOPEN_HOUR}. Please text us again then."},
	{"en", "afterHoursWaiting", "Thanks for texting. @{QUEUE} is closed right now. Next opening: @{NEXT_REOPEN_HOUR}. You keep your place in line and an agent will answer then."},
	{"en", "menuOptionClosed", "Text @{KEY} for @{QUEUE} (closed until @{NEXT_REOPEN_HOUR})"},
	{"en", "survey", "How did we do? Reply with a number from 1 (poor) to 5 (great)."},
	{"en", "surveyThanks", "Thanks for your rating! If you want to tell us more, just reply."},
	{"en", "sessionlessReply", "@{PROGRAM}: This number does not take replies. For help contact @{HELP_CONTACT}. Reply STOP to opt out."},
	{"es", "optIn", "@{PROGRAM}: Gracias por escribirnos. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar."},
	{"es", "optOutConfirmation", "@{PROGRAM}: Se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse."},
	{"es", "resubscribed", "@{PROGRAM}: Se ha vuelto a suscribir. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar."},
	{"es", "help", "@{PROGRAM}: Para obtener ayuda, comuníquese con @{HELP_CONTACT}. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para cancelar."},
	{"es", "menu", "Envíe un número para elegir una opción."},
	{"es", "menuOption", "Envíe @{KEY} para @{QUEUE}"},
	{"es", "invalidChoice", "Lo sentimos, \"@{CHOICE}\" no es una de las opciones. Envíe @{BACK} para volver o @{EXIT} para salir."},
	{"es", "waiting", "Gracias, está en la fila de @{QUEUE}. Un agente le atenderá en breve."},
	{"es", "agentAssigned", "@{AGENT} hablará con usted sobre @{QUEUE}."},
	{"es", "queueTimeout", "Lo sentimos, no hay agentes disponibles en este momento. Escríbanos más tarde."},
	{"es", "dismissedChat", "Su chat anterior se cerró porque no recibimos respuesta. Empecemos de nuevo."},
	{"es", "chatEnded", "Este chat ha terminado. Escríbanos cuando quiera para iniciar uno nuevo."},
	{"es", "outboundOptIn", "@{PROGRAM}: Recibirá mensajes nuestros. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar."},
	{"es", "afterHours", "Gracias por escribirnos. @{QUEUE} está cerrado en este momento. Volvemos a abrir @{NEXT_REOPEN_HOUR}. Escríbanos de nuevo entonces."},
	{"es", "afterHoursWaiting", "Gracias por escribirnos. @{QUEUE} está cerrado en este momento. Volvemos a abrir @{NEXT_REOPEN_HOUR}. Conserva su lugar en la fila y un agente le atenderá entonces."},
	{"es", "menuOptionClosed", "Envíe @{KEY} para @{QUEUE} (cerrado hasta @{NEXT_REOPEN_HOUR})"},
	{"es", "survey", "¿Cómo lo hicimos? Responda con un número del 1 (mal) al 5 (excelente)."},
	{"es", "surveyThanks", "¡Gracias por su valoración! Si quiere contarnos más, solo responda."},
	{"es", "sessionlessReply", "@{PROGRAM}: Este número no recibe respuestas. Para obtener ayuda, comuníquese con @{HELP_CONTACT}. Responda STOP para cancelar."},
}

var frequency = [...]entry{
	{"en", "frequency", "Msg frequency varies"},
	{"es", "frequency", "La frecuencia de mensajes varía"},
}

type entry struct{ lang, name, text string }

// Builtin is the default text of a system message in a language, "" when
// there is none.
func Builtin(lang, name string) string { return lookup(builtin[:], lang, name) }

// Frequency is the default message-frequency phrase of the opt-in texts.
func Frequency(lang string) string { return lookup(frequency[:], lang, "frequency") }

// Frequencies are the frequency phrases of every language.
func Frequencies() []string {
	out := make([]string, len(frequency))
	for i, e := range frequency {
		out[i] = e.text
	}
	return out
}

func lookup(es []entry, lang, name string) string {
	for _, e := range es {
		if e.lang == lang && e.name == name {
			return e.text
		}
	}
	return ""
}
