package ivr

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// ErrNoIVRStore: the deployment's store keeps no IVR records.
var ErrNoIVRStore = errors.New("IVR queues are not available on this deployment")

// ConfigReader is the channel configuration (admin.Service).
type ConfigReader interface {
	Config(ctx context.Context) (chat.Config, error)
}

// Configs edits the IVR queues' deflection setup.
type Configs struct {
	Store  ivrrec.Store
	Config ConfigReader
}

// idPattern is an IVR queue id: what a CX designer types as the ivr_queue
// parameter, and a Firestore document id.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Validate checks an IVR queue against the channel configuration: the SMS
// queue exists and is a leaf (deflected chats wait in it), the number is a
// business number, the threshold is not negative, and the default
// language has every text. Problems name the field.
func Validate(q ivrrec.Queue, cfg chat.Config) error {
	var ps []chat.FieldError
	add := func(field, format string, args ...any) {
		ps = append(ps, chat.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !idPattern.MatchString(q.ID) {
		add("id", "must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit")
	}
	if q.ThresholdMinutes < 0 {
		add("thresholdMinutes", "must be 0 (always offer) or more")
	}
	switch {
	case q.SMSQueue == "":
		add("smsQueue", "is required")
	case !slices.ContainsFunc(cfg.Queues, func(c chat.Queue) bool { return c.ID == q.SMSQueue }):
		add("smsQueue", "no queue %q", q.SMSQueue)
	case slices.ContainsFunc(cfg.Queues, func(c chat.Queue) bool { return c.ParentID == q.SMSQueue }):
		add("smsQueue", "%q has child queues; deflected chats wait in a leaf queue", q.SMSQueue)
	}
	n := sms.NormalizeE164(q.Number)
	switch i := slices.IndexFunc(cfg.Numbers, func(c chat.Number) bool { return c.E164 == n }); {
	case n == "" || i < 0:
		add("number", "%q is not a business number of this deployment", q.Number)
	case cfg.Numbers[i].InCall:
		add("number", "%s is reserved for in-call SMS; deflected and wait-time chats need a chat number", n)
	}
	if _, ok := q.Texts[q.DefaultLanguage]; !ok {
		add("defaultLanguage", "%q has no texts", q.DefaultLanguage)
	}
	for lang, t := range q.Texts {
		fields := []struct{ name, text string }{{"offer", t.Offer}, {"optedIn", t.OptedIn}, {"greeting", t.Greeting}}
		if q.WaitTime || t.WaitTimeAsk != "" || t.WaitTimeInvite != "" {
			fields = append(fields, struct{ name, text string }{"waitTimeAsk", t.WaitTimeAsk}, struct{ name, text string }{"waitTimeInvite", t.WaitTimeInvite})
		}
		for _, f := range fields {
			field := "texts." + lang + "." + f.name
			switch n := utf8.RuneCountInString(f.text); {
			case n == 0:
				add(field, "is required")
			case n > sms.MaxBodyCharacters:
				add(field, "is %d characters; the limit is %d", n, sms.MaxBodyCharacters)
			}
		}
	}
	slices.SortFunc(ps, func(a, b chat.FieldError) int { return strings.Compare(a.Field, b.Field) })
	if len(ps) > 0 {
		return &chat.ValidationError{Problems: ps}
	}
	return nil
}

// Put validates and stores an IVR queue; the number is stored in E.164.
func (c *Configs) Put(ctx context.Context, q ivrrec.Queue) (ivrrec.Queue, error) {
	if c.Store == nil {
		return ivrrec.Queue{}, ErrNoIVRStore
	}
	cfg, err := c.Config.Config(ctx)
	if err != nil {
		return ivrrec.Queue{}, fmt.Errorf("put IVR queue %s: %w", q.ID, err)
	}
	if err := Validate(q, cfg); err != nil {
		return ivrrec.Queue{}, err
	}
	q.Number = sms.NormalizeE164(q.Number)
	if err := c.Store.PutIVRQueue(ctx, q); err != nil {
		return ivrrec.Queue{}, fmt.Errorf("put IVR queue %s: %w", q.ID, err)
	}
	return q, nil
}

// Get reads an IVR queue.
func (c *Configs) Get(ctx context.Context, id string) (ivrrec.Queue, error) {
	if c.Store == nil {
		return ivrrec.Queue{}, ErrNoIVRStore
	}
	return c.Store.IVRQueue(ctx, id)
}

// List lists the IVR queues by id.
func (c *Configs) List(ctx context.Context) ([]ivrrec.Queue, error) {
	if c.Store == nil {
		return nil, ErrNoIVRStore
	}
	return c.Store.IVRQueues(ctx)
}

// Delete removes an IVR queue; nil when there is none.
func (c *Configs) Delete(ctx context.Context, id string) error {
	if c.Store == nil {
		return ErrNoIVRStore
	}
	return c.Store.DeleteIVRQueue(ctx, id)
}
