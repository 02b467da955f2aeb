package chat

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// Config is a whole channel configuration: what AdminAPI edits piece by
// piece, and the JSON shape operators import.
type Config struct {
	Settings Settings `json:"settings"`
	Numbers  []Number `json:"numbers"`
	Queues   []Queue  `json:"queues"`
	Teams    []Team   `json:"teams,omitempty"`
	Agents   []Agent  `json:"agents"`
}

// Tree indexes the configuration's queues.
func (c Config) Tree() *Tree { return NewTree(c.Settings, c.Queues, c.Teams) }

// FieldError is one problem with a configuration, naming the field the way
// the JSON document spells it so an operator can find it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem found, not just the first, so one
// round trip fixes a document.
type ValidationError struct {
	Problems []FieldError `json:"problems"`
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// Providers a number may use.
var Providers = []string{"twilio", "telnyx", "bandwidth"}

// CampaignStatuses are the 10DLC campaign states carriers report.
var CampaignStatuses = []string{"", "pending", "verified", "rejected", "suspended", "expired", "unregistered"}

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
	langPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	// LabelPattern is a chat label, as Chatwoot's: lowercase, no spaces.
	LabelPattern = regexp.MustCompile(`^[\p{Ll}\p{Nd}][\p{Ll}\p{Nd}_-]{0,31}$`)
	codePattern  = regexp.MustCompile(`^\S(.{0,58}\S)?$`)
)

// validateList checks a configured list's items and that none repeats.
func validateList(p *problems, field string, list []string, re *regexp.Regexp, what string) {
	for i, v := range list {
		if !re.MatchString(v) {
			p.add(fmt.Sprintf("%s[%d]", field, i), "%q is not %s", v, what)
		} else if slices.Index(list, v) < i {
			p.add(fmt.Sprintf("%s[%d]", field, i), "%q is listed twice", v)
		}
	}
}

type problems struct{ list []FieldError }

func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a configuration as a whole: references, the tree's shape,
// words consumers could never select, timeouts out of range.
func (c Config) Validate() error {
	var p problems
	c.validateSettings(&p)

	queues := map[string]Queue{}
	for i, q := range c.Queues {
		field := fmt.Sprintf("queues[%d]", i)
		switch {
		case !idPattern.MatchString(q.ID):
			p.add(field+".id", "%q is not a valid id (letters, digits, '-', '_', '.'; up to 100)", q.ID)
		case queues[q.ID].ID != "":
			p.add(field+".id", "duplicate queue id %q", q.ID)
		}
		queues[q.ID] = q
	}
	teams := map[string]bool{}
	agents := map[string]bool{}
	for i, a := range c.Agents {
		field := fmt.Sprintf("agents[%d]", i)
		switch {
		case !idPattern.MatchString(a.ID):
			p.add(field+".id", "%q is not a valid id", a.ID)
		case agents[a.ID]:
			p.add(field+".id", "duplicate agent id %q", a.ID)
		}
		agents[a.ID] = true
		if a.Capacity < 1 || a.Capacity > 100 {
			p.add(field+".capacity", "must be between 1 and 100, got %d", a.Capacity)
		}
		if a.Status != "" && !a.Status.Valid() {
			p.add(field+".status", "must be available, away or offline, got %q", a.Status)
		}
	}
	for i, tm := range c.Teams {
		field := fmt.Sprintf("teams[%d]", i)
		switch {
		case !idPattern.MatchString(tm.ID):
			p.add(field+".id", "%q is not a valid id", tm.ID)
		case teams[tm.ID]:
			p.add(field+".id", "duplicate team id %q", tm.ID)
		}
		teams[tm.ID] = true
		for j, m := range tm.Members {
			if !agents[m] {
				p.add(fmt.Sprintf("%s.members[%d]", field, j), "unknown agent %q", m)
			}
		}
	}
	for i, q := range c.Queues {
		c.validateQueue(&p, fmt.Sprintf("queues[%d]", i), q, queues, agents, teams)
	}
	c.validateSiblings(&p)
	numbers := map[string]bool{}
	for i, n := range c.Numbers {
		field := fmt.Sprintf("numbers[%d]", i)
		if numbers[n.E164] {
			p.add(field+".e164", "duplicate number %s", n.E164)
		}
		numbers[n.E164] = true
		c.validateNumber(&p, field, n, queues)
	}
	if len(p.list) > 0 {
		return &ValidationError{Problems: p.list}
	}
	return nil
}

func (c Config) validateSettings(p *problems) {
	s := c.Settings
	validateTimeouts(p, "settings.timeouts", s.Timeouts)
	for i, l := range s.Languages {
		if !langPattern.MatchString(l) {
			p.add(fmt.Sprintf("settings.languages[%d]", i), "%q is not a language code such as en or es", l)
		}
	}
	if s.DefaultLanguage != "" && !langPattern.MatchString(s.DefaultLanguage) {
		p.add("settings.defaultLanguage", "%q is not a language code such as en or es", s.DefaultLanguage)
	} else if !c.offersLanguage(s.DefaultLanguage) {
		p.add("settings.defaultLanguage", "%q is not one of settings.languages %v", s.DefaultLanguage, s.Languages)
	}
	for field, words := range map[string][]string{"settings.backWords": s.BackWords, "settings.exitWords": s.ExitWords} {
		for i, w := range words {
			if strings.TrimSpace(w) == "" {
				p.add(fmt.Sprintf("%s[%d]", field, i), "a command word cannot be empty")
			} else if sms.IsReservedWord(w) {
				p.add(fmt.Sprintf("%s[%d]", field, i), "%q is a fixed STOP, START or HELP command", w)
			}
		}
	}
	for _, b := range s.BackWords {
		for _, e := range s.ExitWords {
			if sms.NormalizeWord(b) == sms.NormalizeWord(e) {
				p.add("settings.exitWords", "%q is also a BACK word", e)
			}
		}
	}
	validateMessages(p, "settings.messages", s.Messages)
	validateList(p, "settings.labels", s.Labels, LabelPattern, "a label (lowercase letters, digits, '-', '_'; up to 32)")
	for i, l := range s.InCallLinks {
		if f := fmt.Sprintf("settings.inCallLinks[%d]", i); l.ID == "" || strings.TrimSpace(l.Title) == "" {
			p.add(f, "a link needs an id and a title")
		} else if !httpsURL(l.URL) {
			p.add(f+".url", "must be an https URL, got %q", l.URL)
		}
	}
	if s.AppLink != "" && !httpsURL(s.AppLink) {
		p.add("settings.appLink", "must be an https URL (a universal or app link), got %q", s.AppLink)
	}
	q := s.QuietHours
	if q.Enabled || q.Start != "" || q.End != "" {
		if !clockPattern.MatchString(q.Start) {
			p.add("settings.quietHours.start", "must be HH:MM, got %q", q.Start)
		}
		if !clockPattern.MatchString(q.End) {
			p.add("settings.quietHours.end", "must be HH:MM, got %q", q.End)
		}
	}
}

// offersLanguage reports whether a language may be used: any when the
// settings list none, else one of them (an empty language inherits).
func (c Config) offersLanguage(lang string) bool {
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

func validateTimeouts(p *problems, field string, t Timeouts) {
	for _, f := range t.fields() {
		if f.minutes == 0 {
			continue
		}
		if d := minutes(f.minutes); d < MinTimeout || d > MaxTimeout {
			p.add(field+"."+f.name, "must be between 1 and %d minutes, got %d", int(MaxTimeout.Minutes()), f.minutes)
		}
	}
}

func validateMessages(p *problems, field string, msgs map[string]map[string]string) {
	for lang, byName := range msgs {
		if !langPattern.MatchString(lang) {
			p.add(field+"."+lang, "%q is not a language code", lang)
		}
		for name, text := range byName {
			if !slices.Contains(SystemMessages, SystemMessage(name)) {
				p.add(field+"."+lang+"."+name, "unknown system message (known: %s)", joinMessages())
			} else if strings.TrimSpace(text) == "" {
				p.add(field+"."+lang+"."+name, "an override cannot be empty; remove it to use the default")
			}
		}
	}
}

func joinMessages() string {
	names := make([]string, len(SystemMessages))
	for i, m := range SystemMessages {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// isCommand reports whether a word would be taken as an SMS command instead
// of a menu choice.
func (c Config) isCommand(word string) bool {
	return sms.ClassifyCommand(word, c.Settings.words()) != sms.CommandNone
}

func (c Config) validateQueue(p *problems, field string, q Queue, queues map[string]Queue, agents, teams map[string]bool) {
	validateList(p, field+".wrapUpCodes", q.WrapUpCodes, codePattern, "a wrap-up code (1 to 60 characters)")
	if req := q.WrapUpRequired; req != nil && *req && len(WrapUpCodesOf(q.ID, queues)) == 0 {
		p.add(field+".wrapUpRequired", "requires a wrap-up code, but neither the queue nor a parent lists any (wrapUpCodes)")
	}
	if strings.TrimSpace(q.Name) == "" {
		p.add(field+".name", "a queue needs a name")
	} else if c.isCommand(q.Name) {
		p.add(field+".name", "%q is an SMS command and cannot name a queue", q.Name)
	}
	for j, k := range q.Keywords {
		switch {
		case strings.TrimSpace(k) == "":
			p.add(fmt.Sprintf("%s.keywords[%d]", field, j), "a menu keyword cannot be empty")
		case c.isCommand(k):
			p.add(fmt.Sprintf("%s.keywords[%d]", field, j), "%q is an SMS command and cannot be a menu keyword", k)
		}
	}
	if q.ParentID != "" {
		if _, ok := queues[q.ParentID]; !ok {
			p.add(field+".parentId", "unknown queue %q", q.ParentID)
		} else if cycle(q.ID, queues) {
			p.add(field+".parentId", "queue %q is its own ancestor (a cycle in the tree)", q.ID)
		}
	}
	if m := sms.SmartMode(q.SmartEncoding); !m.Valid() {
		p.add(field+".smartEncoding", "%q must be %q, %q or empty (inherit)", q.SmartEncoding, sms.SmartLookalikes, sms.SmartTransliterate)
	}
	if q.Language != "" && !langPattern.MatchString(q.Language) {
		p.add(field+".language", "%q is not a language code such as en or es", q.Language)
	} else if !c.offersLanguage(q.Language) {
		p.add(field+".language", "%q is not one of settings.languages %v", q.Language, c.Settings.Languages)
	}
	validateTimeouts(p, field+".timeouts", q.Timeouts)
	validateMessages(p, field+".messages", q.Messages)
	validateHours(p, field+".hours", q.Hours)
	if q.Survey != nil && q.Survey.WindowMinutes != 0 && (minutes(q.Survey.WindowMinutes) < MinTimeout || minutes(q.Survey.WindowMinutes) > MaxTimeout) {
		p.add(field+".survey.windowMinutes", "must be between 1 and %d minutes, got %d", int(MaxTimeout.Minutes()), q.Survey.WindowMinutes)
	}
	if r := q.Returning; r != nil && (r.WindowMinutes < 0 || r.WindowMinutes > int(MaxTimeout.Minutes()) || r.ReserveSeconds < 0 || r.ReserveSeconds > 600) {
		p.add(field+".returning", "windowMinutes must be 0 (72 h) to %d and reserveSeconds 0 (30 s) to 600, got %d and %d", int(MaxTimeout.Minutes()), r.WindowMinutes, r.ReserveSeconds)
	}
	for j, a := range q.Agents {
		if !agents[a] {
			p.add(fmt.Sprintf("%s.agents[%d]", field, j), "unknown agent %q", a)
		}
	}
	for j, tm := range q.Teams {
		if !teams[tm] {
			p.add(fmt.Sprintf("%s.teams[%d]", field, j), "unknown team %q", tm)
		}
	}
}

func cycle(id string, queues map[string]Queue) bool {
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
func (c Config) validateSiblings(p *problems) {
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
			for _, w := range o.matchWords(pos + 1) {
				n := sms.NormalizeWord(w)
				if prev, ok := owner[n]; ok && prev != o.Queue.ID {
					p.add(fmt.Sprintf("queues[%d].keywords", index[o.Queue.ID]),
						"%q also selects sibling queue %q", w, prev)
					continue
				}
				owner[n] = o.Queue.ID
			}
		}
	}
}

func (c Config) validateNumber(p *problems, field string, n Number, queues map[string]Queue) {
	for _, pr := range sender.CheckNumber(n.E164, n.Provider, n.MessagingServiceSID) {
		p.add(field+"."+pr.Field, "%s", pr.Problem)
	}
	if !slices.Contains(Providers, n.Provider) {
		p.add(field+".provider", "must be one of %s, got %q", strings.Join(Providers, ", "), n.Provider)
	}
	if n.EntryQueue == "" {
		p.add(field+".entryQueue", "a number needs an entry queue")
	} else if _, ok := queues[n.EntryQueue]; !ok {
		p.add(field+".entryQueue", "unknown queue %q", n.EntryQueue)
	}
	if n.Language != "" && !langPattern.MatchString(n.Language) {
		p.add(field+".language", "%q is not a language code such as en or es", n.Language)
	} else if !c.offersLanguage(n.Language) {
		p.add(field+".language", "%q is not one of settings.languages %v", n.Language, c.Settings.Languages)
	}
	if !slices.Contains(CampaignStatuses, n.CampaignStatus) {
		p.add(field+".campaignStatus", "must be one of %s, got %q", strings.Join(CampaignStatuses[1:], ", "), n.CampaignStatus)
	}
	if n.MessagesPerSecond < 0 || n.MessagesPerSecond > 1000 {
		p.add(field+".messagesPerSecond", "must be between 0 and 1000, got %v", n.MessagesPerSecond)
	}
	if n.Type != "" && !slices.Contains([]NumberType{NumberLongCode, NumberTollFree, NumberShortCode}, n.Type) {
		p.add(field+".type", "must be long-code, toll-free or short-code, got %q", n.Type)
	}
	if n.InCall && n.Pool != "" {
		p.add(field+".pool", "an in-call number is for in-call SMS only; it cannot be in pool %q", n.Pool)
	}
	if w := n.ConversationWindowMinutes; w < 0 || w > int(MaxTimeout.Minutes()) {
		p.add(field+".conversationWindowMinutes", "must be 0 (off) to %d minutes, got %d", int(MaxTimeout.Minutes()), w)
	}
	if n.DailyCap < 0 {
		p.add(field+".dailyCap", "must be 0 (no cap) or more, got %d", n.DailyCap)
	}
	for i, v := range []int64{n.SMSSegmentMicros, n.MMSMicros} {
		if v < 0 || v > 1_000_000 {
			p.add(field+[]string{".smsSegmentMicros", ".mmsMicros"}[i], "must be 0 (the default price) to 1000000 micro-dollars ($1), got %d", v)
		}
	}
}

// WrapUpCodesOf is a queue's effective wrap-up codes: its own, else its
// nearest ancestor's.
func WrapUpCodesOf(id string, queues map[string]Queue) []string {
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
