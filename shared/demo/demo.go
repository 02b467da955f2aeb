// Package demo is the configuration scripts/dev starts with, and reads and
// checks configuration documents in the shape AdminAPI imports and exports
// (GET/PUT /AdminAPI/config; the README documents it).
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/configcheck"
)

//go:embed demo.json
var demoJSON []byte

// Directory is a whole channel configuration.
//
// Deprecated: use chat.Config; Directory is an alias kept for callers.
type Directory = chat.Config

// Demo returns the demo configuration.
func Demo() chat.Config {
	c, err := Parse(bytes.NewReader(demoJSON))
	if err != nil {
		panic("demo.json is invalid: " + err.Error()) // a build-time asset: a test covers it
	}
	return c
}

//go:embed carriers.json
var carriersJSON []byte

// WithEveryCarrier is the demo with one number per carrier: beside the
// Twilio numbers of Demo, +14155550111 on Telnyx and +14155550112 on
// Bandwidth, both into the English tree. scripts/dev loads it, so the
// phone simulator can text as each carrier; the tests that read the demo
// keep Demo, whose two numbers their expectations are written for.
func WithEveryCarrier() chat.Config {
	c := Demo()
	var more []chat.Number
	dec := json.NewDecoder(bytes.NewReader(carriersJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&more); err != nil {
		panic("carriers.json is invalid: " + err.Error()) // a build-time asset: a test covers it
	}
	c.Numbers = append(c.Numbers, more...)
	c = admin.NormalizeConfig(c)
	if err := configcheck.Validate(c); err != nil {
		panic("carriers.json is invalid: " + err.Error())
	}
	return c
}

// Parse reads a configuration document, normalises its numbers to E.164
// and validates it as a whole (configcheck.Validate): the error is a
// *chat.ValidationError naming every problem's field. Unknown fields are
// errors too: a misspelt setting silently ignored is worse than a refusal.
func Parse(r io.Reader) (chat.Config, error) {
	var c chat.Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("configuration JSON: %w", err)
	}
	if dec.More() {
		return c, fmt.Errorf("configuration JSON: more than one document")
	}
	c = admin.NormalizeConfig(c)
	if err := configcheck.Validate(c); err != nil {
		return c, err
	}
	return c, nil
}

// Load makes a store hold exactly the configuration c, as an AdminAPI
// import does (admin.Service.ImportConfig): documents not in c are deleted, agents
// keep their routing state. A process with a whole App should call its
// ImportConfig instead, which can also offer waiting chats to an agent an
// import makes available.
func Load(ctx context.Context, s admin.Store, c chat.Config) error {
	return (&admin.Service{Store: s}).ImportConfig(ctx, c)
}

// CannedMessages are the demo's canned replies, so the console's picker has
// something to offer on scripts/dev.
func CannedMessages() []chat.Canned {
	return []chat.Canned{
		{ID: "greeting-en", Title: "Greeting", Language: "en", Body: "Hi @{CONSUMER_FIRST_NAME}, I'm @{AGENT} from @{QUEUE}. How can I help?"},
		{ID: "order-number-en", Title: "Ask for the order number", Language: "en", Body: "Could you send me your order number? It starts with A and has 8 digits."},
		{ID: "closing-en", Title: "Closing", Language: "en", Body: "Glad I could help. Text us any time if anything else comes up."},
		{ID: "greeting-es", Title: "Saludo", Language: "es", Body: "Hola @{CONSUMER_FIRST_NAME}, soy @{AGENT} de @{QUEUE}. ¿En qué puedo ayudarle?"},
		{ID: "refund-billing", Title: "Refund timing", Language: "en", QueueIDs: []string{"en-billing"}, Body: "Refunds reach your card within 5 to 7 business days."},
	}
}
