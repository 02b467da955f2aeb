// Package texts holds the built-in wording of smsdesk's system messages in
// each language: data, kept apart from the decisions in package chat.
package texts

// Builtin are the system messages' defaults per language, by message name. Placeholders: @{PROGRAM},
// @{FREQUENCY}, @{HELP_CONTACT} (consent texts, which carry the CTIA
// elements: program, frequency, rates, HELP and STOP); @{KEY} and @{QUEUE}
// (menu options); @{CHOICE}, @{BACK} and @{EXIT} (invalid choice); @{AGENT}
// and @{QUEUE} (assignment). outboundOptIn is the disclosure before a
// business's first proactive text; sessionlessReply answers a reply to a
// text sent without a chat.
var Builtin = map[string]map[string]string{
	"en": {
		"optIn":              "@{PROGRAM}: Thanks for texting us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		"optOutConfirmation": "@{PROGRAM}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
		"resubscribed":       "@{PROGRAM}: You are resubscribed. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		"help":               "@{PROGRAM}: For help contact @{HELP_CONTACT}. @{FREQUENCY}. Msg & data rates may apply. Reply STOP to opt out.",
		"menu":               "Please text a number to select a menu.",
		"menuOption":         "Text @{KEY} for @{QUEUE}",
		"invalidChoice":      "Sorry, \"@{CHOICE}\" is not one of the choices. Text @{BACK} to go back or @{EXIT} to leave.",
		"waiting":            "Thanks, you are in line for @{QUEUE}. An agent will be with you shortly.",
		"agentAssigned":      "@{AGENT} will chat with you about @{QUEUE}.",
		"queueTimeout":       "Sorry, no agent is available right now. Please text us again later.",
		"dismissedChat":      "Your previous chat was closed because we did not hear back. Let's start again.",
		"chatEnded":          "This chat has ended. Text us any time to start a new one.",
		"outboundOptIn":      "@{PROGRAM}: You will get texts from us. @{FREQUENCY}. Msg & data rates may apply. Reply HELP for help, STOP to opt out.",
		"sessionlessReply":   "@{PROGRAM}: This number does not take replies. For help contact @{HELP_CONTACT}. Reply STOP to opt out.",
	},
	"es": {
		"optIn":              "@{PROGRAM}: Gracias por escribirnos. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		"optOutConfirmation": "@{PROGRAM}: Se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse.",
		"resubscribed":       "@{PROGRAM}: Se ha vuelto a suscribir. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		"help":               "@{PROGRAM}: Para obtener ayuda, comuníquese con @{HELP_CONTACT}. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para cancelar.",
		"menu":               "Envíe un número para elegir una opción.",
		"menuOption":         "Envíe @{KEY} para @{QUEUE}",
		"invalidChoice":      "Lo sentimos, \"@{CHOICE}\" no es una de las opciones. Envíe @{BACK} para volver o @{EXIT} para salir.",
		"waiting":            "Gracias, está en la fila de @{QUEUE}. Un agente le atenderá en breve.",
		"agentAssigned":      "@{AGENT} hablará con usted sobre @{QUEUE}.",
		"queueTimeout":       "Lo sentimos, no hay agentes disponibles en este momento. Escríbanos más tarde.",
		"dismissedChat":      "Su chat anterior se cerró porque no recibimos respuesta. Empecemos de nuevo.",
		"chatEnded":          "Este chat ha terminado. Escríbanos cuando quiera para iniciar uno nuevo.",
		"outboundOptIn":      "@{PROGRAM}: Recibirá mensajes nuestros. @{FREQUENCY}. Pueden aplicarse tarifas de mensajes y datos. Responda AYUDA para obtener ayuda, STOP para cancelar.",
		"sessionlessReply":   "@{PROGRAM}: Este número no recibe respuestas. Para obtener ayuda, comuníquese con @{HELP_CONTACT}. Responda STOP para cancelar.",
	},
}

// Frequency is the default message-frequency phrase of the opt-in texts.
var Frequency = map[string]string{
	"en": "Msg frequency varies",
	"es": "La frecuencia de mensajes varía",
}
