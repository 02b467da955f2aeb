package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// The channel configuration use cases behind AdminAPI. Every change loads the
// whole configuration, applies itself to that copy and validates the result
// with configcheck.Validate before writing anything, so no change can leave a
// number pointing at a deleted queue, a queue assigned to an unknown agent or
// a menu keyword that is an SMS command. A refused change returns a
// *chat.ValidationError (find it with errors.As) and writes nothing.
//
// Routing reads the configuration revision for every message, so a change
// takes effect with the next message.
//
// The check and the write are not one transaction (the configuration spans
// many documents), so two admins changing related documents at the same
// instant could together produce what neither change alone would; routing
// tolerates such a configuration (a missing queue or agent is skipped) and
// the next change through AdminAPI reports it.

// Config loads the whole channel configuration: the settings (the defaults
// until an admin saves some), the numbers, queues, teams and agents, each
// list ordered by id. Agents carry their routing state (load, last
// assignment), which AdminAPI shows but never takes from an admin.
func (a *Service) Config(ctx context.Context) (chat.Config, error) {
	var c chat.Config
	var err error
	if c.Settings, err = configtree.SettingsOrDefault(a.Store.Settings(ctx)); err != nil {
		return c, fmt.Errorf("load settings: %w", err)
	}
	if c.Numbers, err = a.Store.Numbers(ctx); err != nil {
		return c, fmt.Errorf("load numbers: %w", err)
	}
	if c.Queues, err = a.Store.Queues(ctx); err != nil {
		return c, fmt.Errorf("load queues: %w", err)
	}
	if c.Teams, err = a.Store.Teams(ctx); err != nil {
		return c, fmt.Errorf("load teams: %w", err)
	}
	if c.Agents, err = a.Store.Agents(ctx); err != nil {
		return c, fmt.Errorf("load agents: %w", err)
	}
	sortByID(c.Numbers, func(n chat.Number) string { return n.E164 })
	sortByID(c.Queues, func(q chat.Queue) string { return q.ID })
	sortByID(c.Teams, func(t chat.Team) string { return t.ID })
	sortByID(c.Agents, func(ag chat.Agent) string { return ag.ID })
	// Empty lists, not null, in the JSON a client reads.
	c.Numbers = orEmpty(c.Numbers)
	c.Queues = orEmpty(c.Queues)
	c.Teams = orEmpty(c.Teams)
	c.Agents = orEmpty(c.Agents)
	return c, nil
}

// PutSettings replaces the SMS settings (settings/sms).
func (a *Service) PutSettings(ctx context.Context, s chat.Settings) (chat.Settings, error) {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		c.Settings = s
		return nil
	}); err != nil {
		return s, err
	}
	if err := a.Store.PutSettings(ctx, s); err != nil {
		return s, fmt.Errorf("save settings: %w", err)
	}
	return s, nil
}

// NormalizeConfig puts a configuration document in the form it is stored
// in: numbers in E.164. It does not validate.
func NormalizeConfig(c chat.Config) chat.Config {
	c.Numbers = slices.Clone(c.Numbers)
	for i := range c.Numbers {
		c.Numbers[i].E164 = sms.NormalizeE164(c.Numbers[i].E164)
	}
	return c
}

// ConfigNumber returns one business number; store.ErrNotFound when it is not
// configured.
func (a *Service) ConfigNumber(ctx context.Context, e164 string) (chat.Number, error) {
	n, err := a.Store.Number(ctx, sms.NormalizeE164(e164))
	if err != nil {
		return n, fmt.Errorf("number %s: %w", e164, err)
	}
	return n, nil
}

// PutNumber creates or replaces a business number, normalised to E.164.
func (a *Service) PutNumber(ctx context.Context, n chat.Number) (chat.Number, error) {
	n.E164 = sms.NormalizeE164(n.E164)
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		c.Numbers = upsert(c.Numbers, n, func(x chat.Number) string { return x.E164 })
		return nil
	}); err != nil {
		return n, err
	}
	if err := a.Store.PutNumber(ctx, n); err != nil {
		return n, fmt.Errorf("save number %s: %w", n.E164, err)
	}
	return n, nil
}

// DeleteNumber removes a business number; store.ErrNotFound when it is not
// configured. Texts to it are then recorded as for an unknown number.
func (a *Service) DeleteNumber(ctx context.Context, e164 string) error {
	e164 = sms.NormalizeE164(e164)
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		var err error
		c.Numbers, err = remove(c.Numbers, "number", e164, func(x chat.Number) string { return x.E164 })
		return err
	}); err != nil {
		return err
	}
	if err := a.Store.DeleteNumber(ctx, e164); err != nil {
		return fmt.Errorf("delete number %s: %w", e164, err)
	}
	return nil
}

// ConfigQueue returns one queue; store.ErrNotFound when there is none.
func (a *Service) ConfigQueue(ctx context.Context, id string) (chat.Queue, error) {
	qs, err := a.Store.Queues(ctx)
	if err != nil {
		return chat.Queue{}, fmt.Errorf("load queues: %w", err)
	}
	return find(qs, "queue", id, func(q chat.Queue) string { return q.ID })
}

// PutQueue creates or replaces a queue of the tree.
func (a *Service) PutQueue(ctx context.Context, q chat.Queue) (chat.Queue, error) {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		c.Queues = upsert(c.Queues, q, func(x chat.Queue) string { return x.ID })
		return nil
	}); err != nil {
		return q, err
	}
	if err := a.Store.PutQueue(ctx, q); err != nil {
		return q, fmt.Errorf("save queue %s: %w", q.ID, err)
	}
	return q, nil
}

// DeleteQueue removes a queue; store.ErrNotFound when there is none. A queue that
// is still an entry queue or has children cannot be deleted (validation
// names what refers to it). Chats already in it finish there.
func (a *Service) DeleteQueue(ctx context.Context, id string) error {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		var err error
		c.Queues, err = remove(c.Queues, "queue", id, func(x chat.Queue) string { return x.ID })
		return err
	}); err != nil {
		return err
	}
	if err := a.Store.DeleteQueue(ctx, id); err != nil {
		return fmt.Errorf("delete queue %s: %w", id, err)
	}
	return nil
}

// ConfigTeam returns one team; store.ErrNotFound when there is none.
func (a *Service) ConfigTeam(ctx context.Context, id string) (chat.Team, error) {
	ts, err := a.Store.Teams(ctx)
	if err != nil {
		return chat.Team{}, fmt.Errorf("load teams: %w", err)
	}
	return find(ts, "team", id, func(t chat.Team) string { return t.ID })
}

// PutTeam creates or replaces a team.
func (a *Service) PutTeam(ctx context.Context, t chat.Team) (chat.Team, error) {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		c.Teams = upsert(c.Teams, t, func(x chat.Team) string { return x.ID })
		return nil
	}); err != nil {
		return t, err
	}
	if err := a.Store.PutTeam(ctx, t); err != nil {
		return t, fmt.Errorf("save team %s: %w", t.ID, err)
	}
	return t, nil
}

// DeleteTeam removes a team; store.ErrNotFound when there is none, a validation
// error while a queue is still assigned to it.
func (a *Service) DeleteTeam(ctx context.Context, id string) error {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		var err error
		c.Teams, err = remove(c.Teams, "team", id, func(x chat.Team) string { return x.ID })
		return err
	}); err != nil {
		return err
	}
	if err := a.Store.DeleteTeam(ctx, id); err != nil {
		return fmt.Errorf("delete team %s: %w", id, err)
	}
	return nil
}

// ConfigAgent returns one agent with its routing state; store.ErrNotFound when
// there is none.
func (a *Service) ConfigAgent(ctx context.Context, id string) (chat.Agent, error) {
	ag, err := a.Store.Agent(ctx, id)
	if err != nil {
		return ag, fmt.Errorf("agent %s: %w", id, err)
	}
	return ag, nil
}

// PutAgentProfile creates an agent or replaces the admin-set part of one
// (name, email, languages, capacity, auto-answer, and the status when one is
// given). Routing state in the profile (load, last assignment, status
// reason) is ignored: the stored one is kept, in a transaction, so saving a
// profile never loses a capacity reservation. A new agent without a status
// starts offline. It returns the agent as stored.
func (a *Service) PutAgentProfile(ctx context.Context, p chat.Agent) (chat.Agent, error) {
	p = profileOnly(p)
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		c.Agents = upsert(c.Agents, p, func(x chat.Agent) string { return x.ID })
		return nil
	}); err != nil {
		return p, err
	}
	saved, status, err := a.saveAgentProfile(ctx, p)
	if err != nil {
		return saved, err
	}
	return a.applyStatus(ctx, saved, status)
}

// profileOnly drops the routing state from an admin-supplied agent.
func profileOnly(p chat.Agent) chat.Agent {
	p.Load, p.LastAssignedAt, p.StatusReason = 0, time.Time{}, ""
	return p
}

// saveAgentProfile writes a profile over the stored agent in a transaction.
// A new agent takes the profile's status (offline when none); an existing
// one keeps its stored status, and the status the profile asks for, when it
// differs, is returned for applyStatus.
func (a *Service) saveAgentProfile(ctx context.Context, p chat.Agent) (saved chat.Agent, pending chat.AgentStatus, err error) {
	err = a.Store.RunTx(ctx, func(tx store.Tx) error {
		pending = ""
		cur, err := tx.Agent(p.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			saved = chat.Agent{}.WithProfile(p)
			if saved.Status == "" {
				saved.Status = chat.AgentOffline
			}
		case err != nil:
			return err
		default:
			q := p
			q.Status = ""
			saved = cur.WithProfile(q)
			if p.Status != "" && p.Status != cur.Status {
				pending = p.Status
			}
		}
		tx.PutAgent(saved)
		return nil
	})
	if err != nil {
		return saved, "", fmt.Errorf("save agent %s: %w", p.ID, err)
	}
	return saved, pending, nil
}

// applyStatus changes an agent's status through the conversation's status
// action, as a supervisor would: it offers the chats waiting for an agent
// made available, and passes on the offers of one who left.
func (a *Service) applyStatus(ctx context.Context, saved chat.Agent, status chat.AgentStatus) (chat.Agent, error) {
	if status == "" {
		return saved, nil
	}
	if a.Statuses == nil {
		return saved, fmt.Errorf("agent %s: status changes are not wired in this process", saved.ID)
	}
	if _, err := a.Statuses.SetStatus(ctx, access.Viewer{UID: "admin", Supervisor: true}, saved.ID, status); err != nil {
		return saved, err
	}
	saved.Status, saved.StatusReason = status, ""
	return saved, nil
}

// DeleteAgent removes an agent; store.ErrNotFound when there is none, a
// validation error while a queue or team still names the agent.
func (a *Service) DeleteAgent(ctx context.Context, id string) error {
	if _, err := a.checkChange(ctx, func(c *chat.Config) error {
		var err error
		c.Agents, err = remove(c.Agents, "agent", id, func(x chat.Agent) string { return x.ID })
		return err
	}); err != nil {
		return err
	}
	if err := a.Store.DeleteAgent(ctx, id); err != nil {
		return fmt.Errorf("delete agent %s: %w", id, err)
	}
	return nil
}

// ImportConfig replaces the whole configuration with c: every document in c
// is written and every number, queue, team and agent not in c is deleted.
// c is normalised and validated as a whole first; on a validation error
// nothing is written, and the problems name fields by their index in c.
// Agents keep their routing state, each in its own transaction; status
// changes are applied last, through the status action. Documents are written so
// that references stay resolvable while the import runs: agents, teams,
// queues (parents first), settings, numbers, then the deletions from numbers
// to agents. The import is not one transaction: if it fails part way,
// running it again completes it.
func (a *Service) ImportConfig(ctx context.Context, c chat.Config) error {
	c = NormalizeConfig(c)
	for i := range c.Agents {
		c.Agents[i] = profileOnly(c.Agents[i])
	}
	if err := validate(c); err != nil {
		return err
	}
	old, err := a.Config(ctx)
	if err != nil {
		return err
	}
	if err := a.checkRevision(ctx, old); err != nil {
		return err
	}
	statuses := map[string]chat.AgentStatus{}
	for _, ag := range c.Agents {
		saved, status, err := a.saveAgentProfile(ctx, ag)
		if err != nil {
			return err
		}
		if status != "" {
			statuses[saved.ID] = status
		}
	}
	for _, t := range c.Teams {
		if err := a.Store.PutTeam(ctx, t); err != nil {
			return fmt.Errorf("save team %s: %w", t.ID, err)
		}
	}
	for _, q := range byDepth(c.Queues) {
		if err := a.Store.PutQueue(ctx, q); err != nil {
			return fmt.Errorf("save queue %s: %w", q.ID, err)
		}
	}
	if err := a.Store.PutSettings(ctx, c.Settings); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	for _, n := range c.Numbers {
		if err := a.Store.PutNumber(ctx, n); err != nil {
			return fmt.Errorf("save number %s: %w", n.E164, err)
		}
	}
	for _, e164 := range stale(old.Numbers, c.Numbers, func(n chat.Number) string { return n.E164 }) {
		if err := a.Store.DeleteNumber(ctx, e164); err != nil {
			return fmt.Errorf("delete number %s: %w", e164, err)
		}
	}
	oldQueues := byDepth(old.Queues)
	slices.Reverse(oldQueues) // children before their parents
	for _, id := range stale(oldQueues, c.Queues, func(q chat.Queue) string { return q.ID }) {
		if err := a.Store.DeleteQueue(ctx, id); err != nil {
			return fmt.Errorf("delete queue %s: %w", id, err)
		}
	}
	for _, id := range stale(old.Teams, c.Teams, func(t chat.Team) string { return t.ID }) {
		if err := a.Store.DeleteTeam(ctx, id); err != nil {
			return fmt.Errorf("delete team %s: %w", id, err)
		}
	}
	for _, id := range stale(old.Agents, c.Agents, func(ag chat.Agent) string { return ag.ID }) {
		if err := a.Store.DeleteAgent(ctx, id); err != nil {
			return fmt.Errorf("delete agent %s: %w", id, err)
		}
	}
	// Status changes last, so agents made available are offered chats from
	// the imported tree.
	for _, ag := range c.Agents {
		if _, err := a.applyStatus(ctx, ag, statuses[ag.ID]); err != nil {
			return err
		}
	}
	return nil
}

// checkChange applies edit to the stored configuration and validates the
// result, after checking the revision ctx may require (IfRevision). Problems are named by document id (queues[billing].keywords[0])
// rather than by position in a list the caller never saw.
func (a *Service) checkChange(ctx context.Context, edit func(*chat.Config) error) (chat.Config, error) {
	c, err := a.Config(ctx)
	if err != nil {
		return c, err
	}
	if err := a.checkRevision(ctx, c); err != nil {
		return c, err
	}
	if err := edit(&c); err != nil {
		return c, err
	}
	if err := validate(c); err != nil {
		var ve *chat.ValidationError
		if errors.As(err, &ve) {
			return c, nameByID(c, ve)
		}
		return c, err
	}
	return c, nil
}

var listField = regexp.MustCompile(`^(numbers|queues|teams|agents)\[(\d+)\]`)

// nameByID rewrites "queues[3].name" to "queues[billing].name".
func nameByID(c chat.Config, ve *chat.ValidationError) *chat.ValidationError {
	out := &chat.ValidationError{Problems: make([]chat.FieldError, len(ve.Problems))}
	for i, p := range ve.Problems {
		out.Problems[i] = p
		m := listField.FindStringSubmatchIndex(p.Field)
		if m == nil {
			continue
		}
		list := p.Field[m[2]:m[3]]
		n, err := strconv.Atoi(p.Field[m[4]:m[5]])
		if err != nil {
			continue
		}
		id, ok := idAt(c, list, n)
		if !ok || id == "" {
			continue
		}
		out.Problems[i].Field = list + "[" + id + "]" + p.Field[m[1]:]
	}
	return out
}

func idAt(c chat.Config, list string, i int) (string, bool) {
	if i < 0 {
		return "", false
	}
	switch list {
	case "numbers":
		if i < len(c.Numbers) {
			return c.Numbers[i].E164, true
		}
	case "queues":
		if i < len(c.Queues) {
			return c.Queues[i].ID, true
		}
	case "teams":
		if i < len(c.Teams) {
			return c.Teams[i].ID, true
		}
	case "agents":
		if i < len(c.Agents) {
			return c.Agents[i].ID, true
		}
	}
	return "", false
}

// byDepth orders queues parents first, so a queue is written after its
// parent. A cycle (only possible in a configuration stored before
// validation) ends the walk up rather than looping.
func byDepth(queues []chat.Queue) []chat.Queue {
	parent := make(map[string]string, len(queues))
	for _, q := range queues {
		parent[q.ID] = q.ParentID
	}
	depth := func(id string) int {
		d := 0
		for seen := map[string]bool{}; parent[id] != "" && !seen[id]; id = parent[id] {
			seen[id] = true
			d++
		}
		return d
	}
	depths := make(map[string]int, len(queues))
	for _, q := range queues {
		depths[q.ID] = depth(q.ID)
	}
	out := slices.Clone(queues)
	slices.SortStableFunc(out, func(x, y chat.Queue) int { return cmp.Compare(depths[x.ID], depths[y.ID]) })
	return out
}

func sortByID[T any](list []T, id func(T) string) {
	slices.SortStableFunc(list, func(x, y T) int { return cmp.Compare(id(x), id(y)) })
}

func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func index[T any](list []T, id string, idOf func(T) string) (int, bool) {
	i := slices.IndexFunc(list, func(x T) bool { return idOf(x) == id })
	return i, i >= 0
}

// upsert replaces the element with v's id, or appends v.
func upsert[T any](list []T, v T, idOf func(T) string) []T {
	list = slices.Clone(list)
	if i, ok := index(list, idOf(v), idOf); ok {
		list[i] = v
		return list
	}
	return append(list, v)
}

// remove drops the element with an id; store.ErrNotFound when there is none.
func remove[T any](list []T, what, id string, idOf func(T) string) ([]T, error) {
	i, ok := index(list, id, idOf)
	if !ok {
		return list, fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
	}
	return slices.Delete(slices.Clone(list), i, i+1), nil
}

func find[T any](list []T, what, id string, idOf func(T) string) (T, error) {
	if i, ok := index(list, id, idOf); ok {
		return list[i], nil
	}
	var zero T
	return zero, fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
}

// stale lists the ids in old that are not in kept.
func stale[T any](old, kept []T, idOf func(T) string) []string {
	keep := make(map[string]bool, len(kept))
	for _, k := range kept {
		keep[idOf(k)] = true
	}
	var out []string
	for _, o := range old {
		if id := idOf(o); !keep[id] {
			out = append(out, id)
		}
	}
	return out
}
