package chat

import "strings"

// Number is a business number consumers text. Its entry queue decides
// routing by dialed number.
type Number struct {
	E164           string `firestore:"e164" json:"e164"`
	Provider       string `firestore:"provider" json:"provider"`
	LineOfBusiness string `firestore:"lineOfBusiness,omitempty" json:"lineOfBusiness,omitempty"`
	EntryQueue     string `firestore:"entryQueue" json:"entryQueue"`
	Language       string `firestore:"language" json:"language"`
	Enabled        bool   `firestore:"enabled" json:"enabled"`
	// 10DLC registration: carriers filter unregistered long-code traffic.
	BrandID           string  `firestore:"brandId,omitempty" json:"brandId,omitempty"`
	CampaignID        string  `firestore:"campaignId,omitempty" json:"campaignId,omitempty"`
	CampaignStatus    string  `firestore:"campaignStatus,omitempty" json:"campaignStatus,omitempty"`
	MessagesPerSecond float64 `firestore:"messagesPerSecond,omitempty" json:"messagesPerSecond,omitempty"`
}

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
}

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
