// Package demo is the configuration scripts/dev starts with, and the JSON
// shape operators import their own configuration in until the admin pages
// exist (the README documents it).
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
)

//go:embed demo.json
var demoJSON []byte

// Directory is a whole channel configuration.
type Directory struct {
	Settings chat.Settings `json:"settings"`
	Numbers  []chat.Number `json:"numbers"`
	Queues   []chat.Queue  `json:"queues"`
	Agents   []chat.Agent  `json:"agents"`
}

// Demo returns the demo configuration.
func Demo() Directory {
	d, err := Parse(bytes.NewReader(demoJSON))
	if err != nil {
		panic("demo.json is invalid: " + err.Error()) // a build-time asset: a test covers it
	}
	return d
}

// Parse reads and checks a configuration document. Unknown fields are
// errors: a misspelt setting silently ignored is worse than a refusal.
func Parse(r io.Reader) (Directory, error) {
	var d Directory
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("configuration JSON: %w", err)
	}
	queues := map[string]bool{}
	for _, q := range d.Queues {
		if q.ID == "" {
			return d, fmt.Errorf("queues: a queue has no id")
		}
		queues[q.ID] = true
	}
	for i, n := range d.Numbers {
		e, err := sms.NormalizeNumber(n.E164, "US")
		if err != nil {
			return d, fmt.Errorf("numbers[%d].e164: %w", i, err)
		}
		d.Numbers[i].E164 = e
		if n.EntryQueue != "" && !queues[n.EntryQueue] {
			return d, fmt.Errorf("numbers[%d].entryQueue: unknown queue %q", i, n.EntryQueue)
		}
	}
	for i, q := range d.Queues {
		if q.ParentID != "" && !queues[q.ParentID] {
			return d, fmt.Errorf("queues[%d].parentId: unknown queue %q", i, q.ParentID)
		}
		for _, k := range append([]string{q.Name}, q.Keywords...) {
			if sms.IsReservedWord(k) {
				return d, fmt.Errorf("queues[%d]: %q is an SMS command and cannot name a queue or menu choice", i, k)
			}
		}
	}
	return d, nil
}

// Load writes a configuration into a store.
func Load(ctx context.Context, s app.Store, d Directory) error {
	if err := s.PutSettings(ctx, d.Settings); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	for _, n := range d.Numbers {
		if err := s.PutNumber(ctx, n); err != nil {
			return fmt.Errorf("save number %s: %w", n.E164, err)
		}
	}
	for _, q := range d.Queues {
		if err := s.PutQueue(ctx, q); err != nil {
			return fmt.Errorf("save queue %s: %w", q.ID, err)
		}
	}
	for _, a := range d.Agents {
		if err := s.PutAgent(ctx, a); err != nil {
			return fmt.Errorf("save agent %s: %w", a.ID, err)
		}
	}
	return nil
}
