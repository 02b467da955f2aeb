package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// What an import would change: the stored configuration and the document,
// both as an import sees them (numbers in E.164, agents without their
// routing state), compared member by member. Numbers, queues, teams and
// agents are matched by id, so a reordered list is no change and a path
// names the document ("queues[billing].name"); other lists (keywords,
// languages, members) are compared whole.

// Change is one difference.
type Change struct {
	// Path names the member, as validation problems do.
	Path string `json:"path"`
	// Op is "added", "removed" or "changed".
	Op string `json:"op"`
	// Before and After are the member's JSON values, absent when it was
	// added or removed.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// change records a difference.
func change(out *[]Change, path, op string, before, after any) {
	c := Change{Path: path, Op: op}
	if before != nil {
		c.Before, _ = json.Marshal(before) // decoded from JSON: it encodes
	}
	if after != nil {
		c.After, _ = json.Marshal(after)
	}
	*out = append(*out, c)
}

// ImportPreview is what importing a document would do.
type ImportPreview struct {
	Changes []Change `json:"changes"`
	// Problems are why the import would be refused; none when it would be
	// applied.
	Problems []chat.FieldError `json:"problems"`
}

// PreviewImport compares a document with the stored configuration and
// validates it, writing nothing.
func (a *Service) PreviewImport(ctx context.Context, doc chat.Config) (ImportPreview, error) {
	old, err := a.Config(ctx)
	if err != nil {
		return ImportPreview{}, err
	}
	out := ImportPreview{Problems: []chat.FieldError{}}
	next := importForm(doc)
	// An agent without a status keeps the stored one; a new one starts
	// offline (ImportConfig).
	for i, ag := range next.Agents {
		if ag.Status != "" {
			continue
		}
		next.Agents[i].Status = chat.AgentOffline
		if j, ok := index(old.Agents, ag.ID, func(x chat.Agent) string { return x.ID }); ok {
			next.Agents[i].Status = old.Agents[j].Status
		}
	}
	if err := validate(next); err != nil {
		var ve *chat.ValidationError
		if !errors.As(err, &ve) {
			return out, err
		}
		out.Problems = nameByID(next, ve).Problems
	}
	out.Changes, err = Diff(importForm(old), next)
	return out, err
}

// importForm is a configuration as ImportConfig would store it.
func importForm(c chat.Config) chat.Config {
	c = NormalizeConfig(c)
	c.Agents = slices.Clone(c.Agents)
	for i, ag := range c.Agents {
		c.Agents[i] = stripState(profileOnly(ag))
	}
	return c
}

// stripState leaves what an admin sets of an agent (the status included:
// an import applies it).
func stripState(ag chat.Agent) chat.Agent {
	var zero chat.Agent
	ag.LastSeenAt, ag.StatusSince = zero.LastSeenAt, zero.StatusSince
	return ag
}

// Diff lists the differences from old to next, ordered by path.
func Diff(old, next chat.Config) ([]Change, error) {
	o, err := generic(old)
	if err != nil {
		return nil, err
	}
	n, err := generic(next)
	if err != nil {
		return nil, err
	}
	out := []Change{}
	for _, list := range []struct{ name, id string }{{"numbers", "e164"}, {"queues", "id"}, {"teams", "id"}, {"agents", "id"}} {
		diffByID(&out, list.name, list.id, asList(o[list.name]), asList(n[list.name]))
		delete(o, list.name)
		delete(n, list.name)
	}
	diffValue(&out, "", o, n)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func generic(c chat.Config) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	return m, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func diffByID(out *[]Change, name, idKey string, old, next []any) {
	index := func(l []any) (map[string]any, []string) {
		m := map[string]any{}
		var ids []string
		for _, v := range l {
			id, _ := v.(map[string]any)[idKey].(string)
			if _, dup := m[id]; !dup {
				ids = append(ids, id)
			}
			m[id] = v
		}
		return m, ids
	}
	om, oids := index(old)
	nm, nids := index(next)
	for _, id := range oids {
		if _, ok := nm[id]; !ok {
			change(out, name+"["+id+"]", "removed", om[id], nil)
		}
	}
	for _, id := range nids {
		path := name + "[" + id + "]"
		ov, ok := om[id]
		if !ok {
			change(out, path, "added", nil, nm[id])
			continue
		}
		diffValue(out, path, ov, nm[id])
	}
}

// diffValue compares two JSON values: objects member by member, anything
// else whole.
func diffValue(out *[]Change, path string, old, next any) {
	om, oIsMap := old.(map[string]any)
	nm, nIsMap := next.(map[string]any)
	if oIsMap && nIsMap {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range nm {
			keys[k] = true
		}
		for k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			ov, inOld := om[k]
			nv, inNew := nm[k]
			_, oSub := ov.(map[string]any)
			_, nSub := nv.(map[string]any)
			switch {
			case !inNew && oSub:
				diffValue(out, p, ov, map[string]any{})
			case !inOld && nSub:
				diffValue(out, p, map[string]any{}, nv)
			case !inNew && !empty(ov):
				change(out, p, "removed", ov, nil)
			case !inOld && !empty(nv):
				change(out, p, "added", nil, nv)
			case inOld && inNew:
				diffValue(out, p, ov, nv)
			}
		}
		return
	}
	switch {
	case reflect.DeepEqual(old, next) || (empty(old) && empty(next)):
		return
	case empty(old):
		change(out, path, "added", nil, next)
	case empty(next):
		change(out, path, "removed", old, nil)
	default:
		change(out, path, "changed", old, next)
	}
}

// empty is a member JSON leaves out or writes as its zero: a document
// that omits it and one that spells it out mean the same.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !empty(e) {
				return false
			}
		}
		return true
	}
	return false
}
