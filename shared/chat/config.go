package chat

import (
	"strings"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Number is a business number consumers text. Its entry queue decides
// routing by dialed number.
type Number struct {
	E164                string `firestore:"e164" json:"e164"`
	Provider            string `firestore:"provider" json:"provider"`
	MessagingServiceSID string `firestore:"messagingServiceSid,omitempty" json:"messagingServiceSid,omitempty"` // Twilio: sends name it instead of From
	LineOfBusiness      string `firestore:"lineOfBusiness,omitempty" json:"lineOfBusiness,omitempty"`
	EntryQueue          string `firestore:"entryQueue" json:"entryQueue"`
	Language            string `firestore:"language" json:"language"`
	Enabled             bool   `firestore:"enabled" json:"enabled"`
	// 10DLC registration: carriers filter unregistered long-code traffic.
	BrandID           string  `firestore:"brandId,omitempty" json:"brandId,omitempty"`
	CampaignID        string  `firestore:"campaignId,omitempty" json:"campaignId,omitempty"`
	CampaignStatus    string  `firestore:"campaignStatus,omitempty" json:"campaignStatus,omitempty"`
	MessagesPerSecond float64 `firestore:"messagesPerSecond,omitempty" json:"messagesPerSecond,omitempty"`
	// Type is the kind of sender: long-code (the default), toll-free or
	// short-code. It sets the default pace and whether 10DLC applies.
	Type NumberType `firestore:"type,omitempty" json:"type,omitempty"`
	// DailyCap bounds the segments sent from the number per day in the
	// settings' time zone (T-Mobile's 10DLC daily limit); 0 = none.
	DailyCap int `firestore:"dailyCap,omitempty" json:"dailyCap,omitempty"`
	// Pool names the numbers (of one line of business) a sessionless batch
	// from any of them is spread over.
	Pool string `firestore:"pool,omitempty" json:"pool,omitempty"`
	// RouteSessionlessReplies routes a consumer's reply to a sessionless
	// text to the entry queue instead of answering it with AutoResponse.
	RouteSessionlessReplies bool `firestore:"routeSessionlessReplies,omitempty" json:"routeSessionlessReplies,omitempty"`
	// AutoResponse answers a reply to a sessionless text; empty means the
	// system message "sessionless-auto-response" in the chat's language.
	AutoResponse string `firestore:"autoResponse,omitempty" json:"autoResponse,omitempty"`
	// ConversationWindowMinutes: a text this soon after a chat ended by a
	// timeout reopens its thread (returning.go); 0 is off.
	ConversationWindowMinutes int `firestore:"conversationWindowMinutes,omitempty" json:"conversationWindowMinutes,omitempty"`
	// InCall reserves the number for in-call SMS: only chats of a voice
	// call start from it, and it is in no pool and no IVR queue.
	InCall bool `firestore:"inCall,omitempty" json:"inCall,omitempty"`
	// The carrier's price per SMS segment and per MMS in micro-dollars, for
	// the statistics' cost estimate; 0 means the default list price.
	SMSSegmentMicros int64 `firestore:"smsSegmentMicros,omitempty" json:"smsSegmentMicros,omitempty"`
	MMSMicros        int64 `firestore:"mmsMicros,omitempty" json:"mmsMicros,omitempty"`
}

// NumberType is the kind of a business number.
type NumberType string

const (
	NumberLongCode  NumberType = "long-code"
	NumberTollFree  NumberType = "toll-free"
	NumberShortCode NumberType = "short-code"
)

// Program is the text a consumer is told about the messaging program when
// consent starts, as CTIA requires: who, how often, cost, HELP and STOP.
type Program struct {
	Name        string `firestore:"name" json:"name"`
	Frequency   string `firestore:"frequency,omitempty" json:"frequency,omitempty"`
	HelpContact string `firestore:"helpContact,omitempty" json:"helpContact,omitempty"`
}

// Settings is the channel-wide SMS configuration (settings/sms).
type Settings struct {
	ChannelEnabled  bool     `firestore:"channelEnabled" json:"channelEnabled"`
	Program         Program  `firestore:"program" json:"program"`
	DefaultLanguage string   `firestore:"defaultLanguage" json:"defaultLanguage"`
	Languages       []string `firestore:"languages,omitempty" json:"languages,omitempty"`
	BackWords       []string `firestore:"backWords,omitempty" json:"backWords,omitempty"`
	ExitWords       []string `firestore:"exitWords,omitempty" json:"exitWords,omitempty"`
	// Messages overrides the built-in system messages: language → kind → text.
	Messages map[string]map[string]string `firestore:"messages,omitempty" json:"messages,omitempty"`
	// Timeouts are the defaults every queue inherits.
	Timeouts   Timeouts   `firestore:"timeouts" json:"timeouts,omitzero"`
	QuietHours QuietHours `firestore:"quietHours" json:"quietHours,omitzero"`
	// OutboundEnabled lets agents and business systems text first.
	OutboundEnabled bool `firestore:"outboundEnabled" json:"outboundEnabled"`
	// AllowedCountries are the ISO regions proactive texts may go to (US when empty).
	AllowedCountries []string `firestore:"allowedCountries,omitempty" json:"allowedCountries,omitempty"`
	// InCallLinks are the mobile-web links an agent may send during a call;
	// AppLink is the business app's universal link (a one-time token is added).
	InCallLinks []Link `firestore:"inCallLinks,omitempty" json:"inCallLinks,omitempty"`
	AppLink     string `firestore:"appLink,omitempty" json:"appLink,omitempty"`
	// Labels are the chat labels agents pick from (they may add others).
	Labels []string `firestore:"labels,omitempty" json:"labels,omitempty"`
}

// QuietHours is the window, in the consumer's local time, in which no
// proactive text is sent (TCPA allows 8am–9pm; some states less). Replies to
// a consumer's own text are not proactive and are not held.
type QuietHours struct {
	Enabled bool `firestore:"enabled" json:"enabled"`
	// Start and End are "HH:MM"; the quiet window runs from Start to End,
	// crossing midnight when End is earlier.
	Start string `firestore:"start,omitempty" json:"start,omitempty"`
	End   string `firestore:"end,omitempty" json:"end,omitempty"`
	// TimeZone is used when the consumer's own cannot be told from the number.
	TimeZone string `firestore:"timeZone,omitempty" json:"timeZone,omitempty"`
}

// Words returns the navigation words as ClassifyCommand takes them.
func (s Settings) Words() sms.CustomWords {
	return sms.CustomWords{Back: s.BackWords, Exit: s.ExitWords}
}

// BackWord and ExitWord are the words system messages tell consumers to use.
func (s Settings) BackWord() string { return firstWord(s.BackWords, sms.DefaultBackWords()) }
func (s Settings) ExitWord() string { return firstWord(s.ExitWords, sms.DefaultExitWords()) }

// BackWordIn and ExitWordIn are the words a message in lang tells
// consumers to use: of the words that answer to the command, one of that
// language when there is one (a Spanish menu says ATRAS and SALIR).
func (s Settings) BackWordIn(lang string) string {
	return sms.HintWord(sms.CommandBack, s.BackWords, lang)
}

func (s Settings) ExitWordIn(lang string) string {
	return sms.HintWord(sms.CommandExit, s.ExitWords, lang)
}

func firstWord(words, def []string) string {
	if words == nil {
		words = def
	}
	if len(words) == 0 {
		return ""
	}
	return strings.ToUpper(words[0])
}

// EffectiveTimeouts are the settings' timeouts with built-in defaults
// filled in: the root of every queue's inheritance.
func (s Settings) EffectiveTimeouts() Timeouts { return s.Timeouts.Inherit(DefaultTimeouts()) }

// DefaultSettings is what a fresh deployment runs with until an admin saves
// settings: the channel on, English, a neutral program text.
func DefaultSettings() Settings {
	return Settings{
		ChannelEnabled:  true,
		Program:         Program{Name: "Support", HelpContact: "our support team"},
		DefaultLanguage: "en",
		Languages:       []string{"en"},
	}
}

// LanguageFor picks the language of a new chat on a number.
func (s Settings) LanguageFor(n Number) string {
	if n.Language != "" {
		return strings.ToLower(n.Language)
	}
	if s.DefaultLanguage != "" {
		return s.DefaultLanguage
	}
	return "en"
}
