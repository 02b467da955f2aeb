package configcheck

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
)

var (
	codePattern  = regexp.MustCompile(`^\S(.{0,58}\S)?$`)
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

func validateList(p *chat.Problems, field string, list []string, re *regexp.Regexp, what string) {
	for i, v := range list {
		if !re.MatchString(v) {
			p.Add(fmt.Sprintf("%s[%d]", field, i), "%q is not %s", v, what)
		} else if slices.Index(list, v) < i {
			p.Add(fmt.Sprintf("%s[%d]", field, i), "%q is listed twice", v)
		}
	}
}

// Validate checks a configuration as a whole: references, the tree's shape,
// words consumers could never select, timeouts out of range.
func Validate(c chat.Config) error {
	var p chat.Problems
	validateSettings(c, &p)

	queues := map[string]chat.Queue{}
	for i, q := range c.Queues {
		field := fmt.Sprintf("queues[%d]", i)
		switch {
		case !chat.IDPattern.MatchString(q.ID):
			p.Add(field+".id", "%q is not a valid id (letters, digits, '-', '_', '.'; up to 100)", q.ID)
		case queues[q.ID].ID != "":
			p.Add(field+".id", "duplicate queue id %q", q.ID)
		}
		queues[q.ID] = q
	}
	teams := map[string]bool{}
	agents := map[string]bool{}
	for i, a := range c.Agents {
		field := fmt.Sprintf("agents[%d]", i)
		switch {
		case !chat.IDPattern.MatchString(a.ID):
			p.Add(field+".id", "%q is not a valid id", a.ID)
		case agents[a.ID]:
			p.Add(field+".id", "duplicate agent id %q", a.ID)
		}
		agents[a.ID] = true
		if a.Capacity < 1 || a.Capacity > 100 {
			p.Add(field+".capacity", "must be between 1 and 100, got %d", a.Capacity)
		}
		if a.Status != "" && !a.Status.Valid() {
			p.Add(field+".status", "must be available, away or offline, got %q", a.Status)
		}
	}
	for i, tm := range c.Teams {
		field := fmt.Sprintf("teams[%d]", i)
		switch {
		case !chat.IDPattern.MatchString(tm.ID):
			p.Add(field+".id", "%q is not a valid id", tm.ID)
		case teams[tm.ID]:
			p.Add(field+".id", "duplicate team id %q", tm.ID)
		}
		teams[tm.ID] = true
		for j, m := range tm.Members {
			if !agents[m] {
				p.Add(fmt.Sprintf("%s.members[%d]", field, j), "unknown agent %q", m)
			}
		}
	}
	for i, q := range c.Queues {
		validateQueue(c, &p, fmt.Sprintf("queues[%d]", i), q, queues, agents, teams)
	}
	validateSiblings(c, &p)
	numbers := map[string]bool{}
	for i, n := range c.Numbers {
		field := fmt.Sprintf("numbers[%d]", i)
		if numbers[n.E164] {
			p.Add(field+".e164", "duplicate number %s", n.E164)
		}
		numbers[n.E164] = true
		validateNumber(c, &p, field, n, queues)
	}
	return p.Err()
}

func validateSettings(c chat.Config, p *chat.Problems) {
	s := c.Settings
	validateTimeouts(p, "settings.timeouts", s.Timeouts)
	for i, l := range s.Languages {
		if !chat.LanguagePattern.MatchString(l) {
			p.Add(fmt.Sprintf("settings.languages[%d]", i), "%q is not a language code such as en or es", l)
		}
	}
	if s.DefaultLanguage != "" && !chat.LanguagePattern.MatchString(s.DefaultLanguage) {
		p.Add("settings.defaultLanguage", "%q is not a language code such as en or es", s.DefaultLanguage)
	} else if !offersLanguage(c, s.DefaultLanguage) {
		p.Add("settings.defaultLanguage", "%q is not one of settings.languages %v", s.DefaultLanguage, s.Languages)
	}
	for field, words := range map[string][]string{"settings.backWords": s.BackWords, "settings.exitWords": s.ExitWords} {
		for i, w := range words {
			if strings.TrimSpace(w) == "" {
				p.Add(fmt.Sprintf("%s[%d]", field, i), "a command word cannot be empty")
			} else if sms.IsReservedWord(w) {
				p.Add(fmt.Sprintf("%s[%d]", field, i), "%q is a fixed STOP, START or HELP command", w)
			}
		}
	}
	for _, b := range s.BackWords {
		for _, e := range s.ExitWords {
			if sms.NormalizeWord(b) == sms.NormalizeWord(e) {
				p.Add("settings.exitWords", "%q is also a BACK word", e)
			}
		}
	}
	validateMessages(p, "settings.messages", s.Messages)
	validateList(p, "settings.labels", s.Labels, chat.LabelPattern, "a label (lowercase letters, digits, '-', '_'; up to 32)")
	for i, l := range s.InCallLinks {
		if f := fmt.Sprintf("settings.inCallLinks[%d]", i); l.ID == "" || strings.TrimSpace(l.Title) == "" {
			p.Add(f, "a link needs an id and a title")
		} else if !httpsURL(l.URL) {
			p.Add(f+".url", "must be an https URL, got %q", l.URL)
		}
	}
	if s.AppLink != "" && !httpsURL(s.AppLink) {
		p.Add("settings.appLink", "must be an https URL (a universal or app link), got %q", s.AppLink)
	}
	q := s.QuietHours
	if q.Enabled || q.Start != "" || q.End != "" {
		if !clockPattern.MatchString(q.Start) {
			p.Add("settings.quietHours.start", "must be HH:MM, got %q", q.Start)
		}
		if !clockPattern.MatchString(q.End) {
			p.Add("settings.quietHours.end", "must be HH:MM, got %q", q.End)
		}
	}
}

// offersLanguage reports whether a language may be used: any when the
// settings list none, else one of them (an empty language inherits).
func offersLanguage(c chat.Config, lang string) bool {
	if lang == "" || len(c.Settings.Languages) == 0 {
		return true
	}
	for _, l := range c.Settings.Languages {
		if strings.EqualFold(l, lang) {
			return true
		}
	}
	return false
}

func validateTimeouts(p *chat.Problems, field string, t chat.Timeouts) {
	for _, f := range timeoutFields(t) {
		if f.minutes == 0 {
			continue
		}
		if d := minutes(f.minutes); d < chat.MinTimeout || d > chat.MaxTimeout {
			p.Add(field+"."+f.name, "must be between 1 and %d minutes, got %d", int(chat.MaxTimeout.Minutes()), f.minutes)
		}
	}
}

func validateMessages(p *chat.Problems, field string, msgs map[string]map[string]string) {
	for lang, byName := range msgs {
		if !chat.LanguagePattern.MatchString(lang) {
			p.Add(field+"."+lang, "%q is not a language code", lang)
		}
		for name, text := range byName {
			if !slices.Contains(chat.SystemMessages, chat.SystemMessage(name)) {
				p.Add(field+"."+lang+"."+name, "unknown system message (known: %s)", joinMessages())
			} else if strings.TrimSpace(text) == "" {
				p.Add(field+"."+lang+"."+name, "an override cannot be empty; remove it to use the default")
			}
		}
	}
}

func joinMessages() string {
	names := make([]string, len(chat.SystemMessages))
	for i, m := range chat.SystemMessages {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// isCommand reports whether a word would be taken as an SMS command instead
// of a menu choice.
func isCommand(c chat.Config, word string) bool {
	return sms.ClassifyCommand(word, c.Settings.Words()) != sms.CommandNone
}

func validateQueue(c chat.Config, p *chat.Problems, field string, q chat.Queue, queues map[string]chat.Queue, agents, teams map[string]bool) {
	validateList(p, field+".wrapUpCodes", q.WrapUpCodes, codePattern, "a wrap-up code (1 to 60 characters)")
	if req := q.WrapUpRequired; req != nil && *req && len(WrapUpCodesOf(q.ID, queues)) == 0 {
		p.Add(field+".wrapUpRequired", "requires a wrap-up code, but neither the queue nor a parent lists any (wrapUpCodes)")
	}
	if strings.TrimSpace(q.Name) == "" {
		p.Add(field+".name", "a queue needs a name")
	} else if isCommand(c, q.Name) {
		p.Add(field+".name", "%q is an SMS command and cannot name a queue", q.Name)
	}
	for j, k := range q.Keywords {
		switch {
		case strings.TrimSpace(k) == "":
			p.Add(fmt.Sprintf("%s.keywords[%d]", field, j), "a menu keyword cannot be empty")
		case isCommand(c, k):
			p.Add(fmt.Sprintf("%s.keywords[%d]", field, j), "%q is an SMS command and cannot be a menu keyword", k)
		}
	}
	if q.ParentID != "" {
		if _, ok := queues[q.ParentID]; !ok {
			p.Add(field+".parentId", "unknown queue %q", q.ParentID)
		} else if cycle(q.ID, queues) {
			p.Add(field+".parentId", "queue %q is its own ancestor (a cycle in the tree)", q.ID)
		}
	}
	if m := sms.SmartMode(q.SmartEncoding); !m.Valid() {
		p.Add(field+".smartEncoding", "%q must be %q, %q or empty (inherit)", q.SmartEncoding, sms.SmartLookalikes, sms.SmartTransliterate)
	}
	if q.Language != "" && !chat.LanguagePattern.MatchString(q.Language) {
		p.Add(field+".language", "%q is not a language code such as en or es", q.Language)
	} else if !offersLanguage(c, q.Language) {
		p.Add(field+".language", "%q is not one of settings.languages %v", q.Language, c.Settings.Languages)
	}
	validateTimeouts(p, field+".timeouts", q.Timeouts)
	validateMessages(p, field+".messages", q.Messages)
	validateHours(p, field+".hours", q.Hours)
	if q.Survey != nil && q.Survey.WindowMinutes != 0 && (minutes(q.Survey.WindowMinutes) < chat.MinTimeout || minutes(q.Survey.WindowMinutes) > chat.MaxTimeout) {
		p.Add(field+".survey.windowMinutes", "must be between 1 and %d minutes, got %d", int(chat.MaxTimeout.Minutes()), q.Survey.WindowMinutes)
	}
	if r := q.Returning; r != nil && (r.WindowMinutes < 0 || r.WindowMinutes > int(chat.MaxTimeout.Minutes()) || r.ReserveSeconds < 0 || r.ReserveSeconds > 600) {
		p.Add(field+".returning", "windowMinutes must be 0 (72 h) to %d and reserveSeconds 0 (30 s) to 600, got %d and %d", int(chat.MaxTimeout.Minutes()), r.WindowMinutes, r.ReserveSeconds)
	}
	for j, a := range q.Agents {
		if !agents[a] {
			p.Add(fmt.Sprintf("%s.agents[%d]", field, j), "unknown agent %q", a)
		}
	}
	for j, tm := range q.Teams {
		if !teams[tm] {
			p.Add(fmt.Sprintf("%s.teams[%d]", field, j), "unknown team %q", tm)
		}
	}
}

func cycle(id string, queues map[string]chat.Queue) bool {
	seen := map[string]bool{}
	for cur := queues[id].ParentID; cur != ""; cur = queues[cur].ParentID {
		if cur == id {
			return true
		}
		if seen[cur] {
			return false // a cycle above us; its own members report it
		}
		seen[cur] = true
	}
	return false
}

// validateSiblings rejects two visible siblings a consumer's reply could
// both select.
func validateSiblings(c chat.Config, p *chat.Problems) {
	index := map[string]int{}
	for i, q := range c.Queues {
		index[q.ID] = i
	}
	tree := c.Tree()
	parents := map[string]bool{"": true}
	for _, q := range c.Queues {
		parents[q.ParentID] = true
	}
	for parent := range parents {
		owner := map[string]string{}
		for pos, o := range tree.Menu(parent) {
			for _, w := range o.MatchWords(pos + 1) {
				n := sms.NormalizeWord(w)
				if prev, ok := owner[n]; ok && prev != o.Queue.ID {
					p.Add(fmt.Sprintf("queues[%d].keywords", index[o.Queue.ID]),
						"%q also selects sibling queue %q", w, prev)
					continue
				}
				owner[n] = o.Queue.ID
			}
		}
	}
}

func validateNumber(c chat.Config, p *chat.Problems, field string, n chat.Number, queues map[string]chat.Queue) {
	for _, pr := range sender.CheckNumber(n.E164, n.Provider, n.MessagingServiceSID) {
		p.Add(field+"."+pr.Field, "%s", pr.Problem)
	}
	if !slices.Contains(chat.Providers, n.Provider) {
		p.Add(field+".provider", "must be one of %s, got %q", strings.Join(chat.Providers, ", "), n.Provider)
	}
	if n.EntryQueue == "" {
		p.Add(field+".entryQueue", "a number needs an entry queue")
	} else if _, ok := queues[n.EntryQueue]; !ok {
		p.Add(field+".entryQueue", "unknown queue %q", n.EntryQueue)
	}
	if n.Language != "" && !chat.LanguagePattern.MatchString(n.Language) {
		p.Add(field+".language", "%q is not a language code such as en or es", n.Language)
	} else if !offersLanguage(c, n.Language) {
		p.Add(field+".language", "%q is not one of settings.languages %v", n.Language, c.Settings.Languages)
	}
	if !slices.Contains(chat.CampaignStatuses, n.CampaignStatus) {
		p.Add(field+".campaignStatus", "must be one of %s, got %q", strings.Join(chat.CampaignStatuses[1:], ", "), n.CampaignStatus)
	}
	if n.MessagesPerSecond < 0 || n.MessagesPerSecond > 1000 {
		p.Add(field+".messagesPerSecond", "must be between 0 and 1000, got %v", n.MessagesPerSecond)
	}
	if n.Type != "" && !slices.Contains([]chat.NumberType{chat.NumberLongCode, chat.NumberTollFree, chat.NumberShortCode}, n.Type) {
		p.Add(field+".type", "must be long-code, toll-free or short-code, got %q", n.Type)
	}
	if n.InCall && n.Pool != "" {
		p.Add(field+".pool", "an in-call number is for in-call SMS only; it cannot be in pool %q", n.Pool)
	}
	if w := n.ConversationWindowMinutes; w < 0 || w > int(chat.MaxTimeout.Minutes()) {
		p.Add(field+".conversationWindowMinutes", "must be 0 (off) to %d minutes, got %d", int(chat.MaxTimeout.Minutes()), w)
	}
	if n.DailyCap < 0 {
		p.Add(field+".dailyCap", "must be 0 (no cap) or more, got %d", n.DailyCap)
	}
	for i, v := range []int64{n.SMSSegmentMicros, n.MMSMicros} {
		if v < 0 || v > 1_000_000 {
			p.Add(field+[]string{".smsSegmentMicros", ".mmsMicros"}[i], "must be 0 (the default price) to 1000000 micro-dollars ($1), got %d", v)
		}
	}
}

// WrapUpCodesOf is a queue's effective wrap-up codes: its own, else its
// nearest ancestor's.
func WrapUpCodesOf(id string, queues map[string]chat.Queue) []string {
	for i := 0; i < 64 && id != ""; i++ {
		q, ok := queues[id]
		if !ok {
			break
		}
		if len(q.WrapUpCodes) > 0 {
			return q.WrapUpCodes
		}
		id = q.ParentID
	}
	return nil
}

var (
	hoursWindow = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`)
	weekdays    = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

// validateHours checks a queue's hours with the standard library only
// (time zones resolve in the functions that save configuration, which
// embed the zone database through shared/calendar).
func validateHours(p *chat.Problems, field string, h *chat.Hours) {
	if h == nil {
		return
	}
	if _, err := time.LoadLocation(h.TimeZone); err != nil || h.TimeZone == "" || h.TimeZone == "Local" {
		p.Add(field+".timeZone", "%q is not an IANA time zone such as America/New_York", h.TimeZone)
	}
	for day, windows := range h.Week {
		if !slices.Contains(weekdays, day) {
			p.Add(field+".week."+day, "unknown day (use %v)", weekdays)
		}
		for i, w := range windows {
			if !hoursWindow.MatchString(w) || w[:5] >= w[6:] {
				p.Add(fmt.Sprintf("%s.week.%s[%d]", field, day, i), "must be HH:MM-HH:MM with the start before the end (00:00-24:00 for all day), got %q", w)
			}
		}
	}
	for i, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			p.Add(fmt.Sprintf("%s.holidays[%d]", field, i), "must be a date YYYY-MM-DD, got %q", d)
		}
	}
	if !slices.Contains([]string{"", chat.ClosedEnd, chat.ClosedWait}, h.WhenClosed) {
		p.Add(field+".whenClosed", "must be end or wait, got %q", h.WhenClosed)
	}
	if !slices.Contains([]string{"", chat.MenuShow, chat.MenuHide, chat.MenuMark}, h.InMenu) {
		p.Add(field+".inMenu", "must be show, hide or mark, got %q", h.InMenu)
	}
}

// httpsURL: links agents send (in-call links, the app link) are https only.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// timeoutFields lists the timeouts with their JSON names, for validation messages.
func timeoutFields(t chat.Timeouts) []struct {
	name    string
	minutes int
} {
	return []struct {
		name    string
		minutes int
	}{
		{"queueMinutes", t.QueueMinutes},
		{"endUserInactivityMinutes", t.EndUserInactivityMinutes},
		{"agentInactivityMinutes", t.AgentInactivityMinutes},
		{"expiryMinutes", t.ExpiryMinutes},
		{"offerMinutes", t.OfferMinutes},
		{"dismissalMinutes", t.DismissalMinutes},
	}
}
