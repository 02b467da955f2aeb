package chat

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// Tree is the queue tree with the SMS settings it inherits from: the
// read-only configuration routing decides with.
type Tree struct {
	Settings Settings
	queues   map[string]Queue
	children map[string][]Queue // visible and hidden, in menu order
	teams    map[string]Team
	// Calendar evaluates business hours; nil: every queue is open.
	Calendar HoursPort
}

// NewTree indexes queues and teams. It does not validate: Validate does.
func NewTree(settings Settings, queues []Queue, teams []Team) *Tree {
	t := &Tree{
		Settings: settings,
		queues:   make(map[string]Queue, len(queues)),
		children: make(map[string][]Queue),
		teams:    make(map[string]Team, len(teams)),
	}
	for _, q := range queues {
		t.queues[q.ID] = q
		t.children[q.ParentID] = append(t.children[q.ParentID], q)
	}
	for id := range t.children {
		slices.SortStableFunc(t.children[id], func(a, b Queue) int {
			return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Name, b.Name))
		})
	}
	for _, tm := range teams {
		t.teams[tm.ID] = tm
	}
	return t
}

// Queue returns a queue by id.
func (t *Tree) Queue(id string) (Queue, bool) {
	q, ok := t.queues[id]
	return q, ok
}

// Path names a queue with its ancestors ("Support > Billing"), as
// supervisors and the session log read it.
func (t *Tree) Path(id string) string {
	var names []string
	for _, q := range t.Ancestry(id) {
		names = append([]string{cmp.Or(q.Name, q.ID)}, names...)
	}
	return strings.Join(names, " > ")
}

// Ancestry is the queue and its ancestors, nearest first. It stops at a
// cycle or a missing parent rather than looping: validation reports those.
func (t *Tree) Ancestry(id string) []Queue {
	var out []Queue
	seen := map[string]bool{}
	for id != "" && !seen[id] {
		q, ok := t.queues[id]
		if !ok {
			break
		}
		seen[id] = true
		out = append(out, q)
		id = q.ParentID
	}
	return out
}

// Timeouts are a queue's effective timeouts: its own, then its ancestors',
// then the settings', then the built-in defaults.
func (t *Tree) Timeouts(queueID string) Timeouts {
	var eff Timeouts
	for _, q := range t.Ancestry(queueID) {
		eff = eff.Inherit(q.Timeouts)
	}
	return eff.Inherit(t.Settings.EffectiveTimeouts())
}

// Language is the language a queue sets for chats that enter it, or "".
func (t *Tree) Language(queueID string) string {
	for _, q := range t.Ancestry(queueID) {
		if q.Language != "" {
			return q.Language
		}
	}
	return ""
}

// RequeueOnAgentInactivity tells what an agent's silence does to a chat in
// the queue.
func (t *Tree) RequeueOnAgentInactivity(queueID string) bool {
	for _, q := range t.Ancestry(queueID) {
		if q.RequeueOnAgentInactivity != nil {
			return *q.RequeueOnAgentInactivity
		}
	}
	return false
}

// Text renders a system message for a chat in a queue: the queue's and its
// ancestors' overrides first, then the settings, then the built-ins.
func (t *Tree) Text(queueID, lang string, msg SystemMessage, vars Vars) string {
	var overrides []map[string]map[string]string
	for _, q := range t.Ancestry(queueID) {
		if q.Messages != nil {
			overrides = append(overrides, q.Messages)
		}
	}
	return sms.SmartEncode(t.Settings.render(lang, msg, vars, overrides...), t.SmartEncoding(queueID))
}

// SmartEncoding is the queue's or its nearest ancestor's SmartEncoding.
func (t *Tree) SmartEncoding(queueID string) sms.SmartMode {
	for _, q := range t.Ancestry(queueID) {
		if q.SmartEncoding != "" {
			return sms.SmartMode(q.SmartEncoding)
		}
	}
	return sms.SmartOff
}

// MenuOption is one choice of a menu.
type MenuOption struct {
	Key   string // what the menu tells the consumer to text
	Queue Queue
}

// Menu returns the visible children of a queue in menu order. A queue with
// more than one is a menu; with one, routing passes through it; with none,
// it is a leaf where chats wait for an agent.
func (t *Tree) Menu(queueID string) []MenuOption {
	var out []MenuOption
	for _, q := range t.children[queueID] {
		if q.Hidden {
			continue
		}
		key := strconv.Itoa(len(out) + 1)
		if len(q.Keywords) > 0 {
			key = q.Keywords[0]
		}
		out = append(out, MenuOption{Key: key, Queue: q})
	}
	return out
}

// MatchWords are the replies that choose an option: its keywords (or its
// position when it has none) and its name.
func (o MenuOption) MatchWords(position int) []string {
	words := slices.Clone(o.Queue.Keywords)
	if len(words) == 0 {
		words = append(words, strconv.Itoa(position))
	}
	return append(words, o.Queue.Name)
}

// Choose finds the option a consumer's reply selects.
func Choose(options []MenuOption, body string) (Queue, bool) {
	norm := sms.NormalizeWord(body)
	for i, o := range options {
		for _, w := range o.MatchWords(i + 1) {
			if sms.NormalizeWord(w) == norm && norm != "" {
				return o.Queue, true
			}
		}
	}
	return Queue{}, false
}

// MenuText renders a menu in a language: the prompt, then every option.
func (t *Tree) MenuText(queueID, lang string) string {
	text := t.Text(queueID, lang, MsgMenu, nil)
	for i, o := range t.Menu(queueID) {
		sep := " "
		if i > 0 {
			sep = ", "
		}
		text += sep + t.Text(queueID, lang, MsgMenuOption, Vars{"KEY": o.Key, "QUEUE": o.Queue.Name})
	}
	return text
}

// Agents are the ids of the agents assigned to a queue, directly or through
// a team, each once.
func (t *Tree) Agents(queueID string) []string {
	q, ok := t.queues[queueID]
	if !ok {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range q.Agents {
		add(id)
	}
	for _, tid := range q.Teams {
		for _, id := range t.teams[tid].Members {
			add(id)
		}
	}
	return out
}

// QueuesOf are the queues an agent works, directly or through a team.
func (t *Tree) QueuesOf(agentID string) []string {
	var out []string
	for id := range t.queues {
		if slices.Contains(t.Agents(id), agentID) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
