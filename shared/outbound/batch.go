package outbound

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/proactive"
	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Limits of a sessionless request.
const (
	MaxRecipients = 1000
	MaxMessages   = 10
	// workers bounds the chats a batch writes at once.
	workers = 8
)

// A recipient's outcome when the batch is taken.
const (
	StatusQueued         = "queued"
	StatusHeld           = "held_quiet_hours"
	StatusOptedOut       = "refused_opted_out"
	StatusInvalid        = "refused_invalid"
	StatusCountry        = "refused_country"
	StatusQuietHours     = "refused_quiet_hours"
	StatusRefusedCarrier = "refused_campaign"
)

// SessionlessRequest is POST /OutboundAPI/v1/sessionless_sms as the
// transport read it: one or more recipients, one or more texts in order.
type SessionlessRequest struct {
	From       string
	Recipients []string
	Messages   []string
	Hold       bool
}

// SendSessionless takes a batch: every recipient checked (number, country,
// consent, quiet hours), send slots reserved on the sender's pool in one
// block per lane, then each recipient's texts written as a chat that only
// records them. A retry with the same Idempotency-Key finishes the same
// batch and sends nothing twice (chat ids derive from the batch's).
func (s *Service) SendSessionless(ctx context.Context, keyID string, allowed func(number string) bool, idem string, req SessionlessRequest) (store.OutboundBatch, error) {
	st, _, err := s.settings(ctx)
	if err != nil {
		return store.OutboundBatch{}, err
	}
	if err := enabled(st); err != nil {
		return store.OutboundBatch{}, err
	}
	from, err := s.sender(ctx, req.From, st)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Message = strings.Replace(e.Message, "outbound_number", "from_phone", 1)
		}
		return store.OutboundBatch{}, err
	}
	if allowed != nil && !allowed(from.E164) {
		return store.OutboundBatch{}, &Error{Status: 403, Message: "this API key may not send from " + from.E164}
	}
	if err := checkMessages(req.Messages); err != nil {
		return store.OutboundBatch{}, err
	}
	switch n := len(req.Recipients); {
	case n == 0:
		return store.OutboundBatch{}, badRequest("phone_number is required")
	case n > MaxRecipients:
		return store.OutboundBatch{}, badRequest("phone_number lists %d numbers; at most %d per request", n, MaxRecipients)
	}
	id := idFor("batch-", keyID, idem)
	if id == "" {
		id = "batch-" + s.Clock.ID()
	}
	b, err := s.Store.Batch(ctx, id)
	switch {
	case err == nil && b.Complete:
		return b, nil
	case err == nil:
		// A retry of a request interrupted while writing its chats: the
		// decisions stand, the chats are written again (ids dedupe).
	case errors.Is(err, store.ErrNotFound):
		if b, err = s.plan(ctx, id, keyID, from, st, req); err != nil {
			return store.OutboundBatch{}, err
		}
		if err := s.Store.PutBatch(ctx, b); err != nil {
			return store.OutboundBatch{}, fmt.Errorf("store batch %s: %w", id, err)
		}
	default:
		return store.OutboundBatch{}, fmt.Errorf("load batch %s: %w", id, err)
	}
	if err := s.write(ctx, &b, keyID); err != nil {
		return store.OutboundBatch{}, err
	}
	b.Complete = true
	if err := s.Store.PutBatch(ctx, b); err != nil {
		return store.OutboundBatch{}, fmt.Errorf("store batch %s: %w", id, err)
	}
	return b, nil
}

func checkMessages(msgs []string) error {
	switch {
	case len(msgs) == 0:
		return badRequest("message is required")
	case len(msgs) > MaxMessages:
		return badRequest("message lists %d texts; at most %d", len(msgs), MaxMessages)
	}
	for i, m := range msgs {
		if strings.TrimSpace(m) == "" {
			return badRequest("message[%d] is empty", i)
		}
		if err := sms.CheckBody(m); err != nil {
			return badRequest("message[%d] is invalid: %v", i, err)
		}
	}
	return nil
}

// pool is the sender and the numbers pooled with it that may text first.
func (s *Service) pool(ctx context.Context, from chat.Number, st chat.Settings) ([]chat.Number, error) {
	out := []chat.Number{from}
	if from.Pool == "" {
		return out, nil
	}
	all, err := s.Store.Numbers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list numbers: %w", err)
	}
	for _, n := range all {
		if n.E164 != from.E164 && n.Pool == from.Pool && n.LineOfBusiness == from.LineOfBusiness && proactive.CheckSender(st, n) == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// plan decides every recipient's outcome and reserves the slots of those
// who will be texted.
func (s *Service) plan(ctx context.Context, id, keyID string, from chat.Number, st chat.Settings, req SessionlessRequest) (store.OutboundBatch, error) {
	now := s.Clock.Time()
	b := store.OutboundBatch{ID: id, KeyID: keyID, From: from.E164, Messages: req.Messages, CreatedAt: now,
		Recipients: make([]store.OutboundRecipient, len(req.Recipients)), ExpireAt: now.Add(store.OutboundBatchRetention)}
	pool, err := s.pool(ctx, from, st)
	if err != nil {
		return b, err
	}
	seen := map[string]int{}
	for i, raw := range req.Recipients {
		r := store.OutboundRecipient{Input: raw, Status: StatusQueued}
		e, ok := ParseNumber(raw)
		switch {
		case !ok:
			r.Status, r.Error = StatusInvalid, "not a valid phone number"
		case seen[e] > 0:
			r.Number, r.Status, r.Error = e, StatusInvalid, fmt.Sprintf("listed before, as phone_number[%d]", seen[e]-1)
		default:
			r.Number = e
			seen[e] = i + 1
			if rf := proactive.CheckRecipient(st, e); rf != nil {
				r.Status, r.Error = StatusCountry, rf.Message
			}
		}
		b.Recipients[i] = r
	}
	// Consent on every number of the pool: an opt-out on one is an opt-out
	// of the program, whichever number the text would leave from. Where
	// any number has no consent on record the block makes room for the
	// disclosure, since the text may leave from that one.
	unknown := make([]bool, len(b.Recipients))
	err = s.each(ctx, len(b.Recipients), func(ctx context.Context, i int) error {
		r := &b.Recipients[i]
		if r.Status != StatusQueued {
			return nil
		}
		for _, n := range pool {
			c, err := s.Store.Consent(ctx, n.E164, r.Number)
			if errors.Is(err, store.ErrNotFound) {
				unknown[i] = true
				continue
			}
			if err != nil {
				return fmt.Errorf("consent of %s on %s: %w", r.Number, n.E164, err)
			}
			if rf := proactive.CheckConsent(c); rf != nil {
				r.Status, r.Error = refusedStatus(rf), rf.Message
				return nil
			}
			if c.State == chat.ConsentUnknown {
				unknown[i] = true
			}
		}
		return nil
	})
	if err != nil {
		return b, err
	}
	// Group by when the texts may go: recipients in one zone share a hold.
	groups := map[time.Time][]int{}
	for i := range b.Recipients {
		r := &b.Recipients[i]
		if r.Status != StatusQueued {
			continue
		}
		until, err := heldUntil(st, r.Number, now)
		if err != nil {
			r.Status, r.Error = StatusQuietHours, err.Error()
			continue
		}
		if !until.IsZero() {
			if !req.Hold {
				r.Status, r.Error = StatusQuietHours, "quiet hours in the recipient's time zone until "+until.UTC().Format(time.RFC3339)
				continue
			}
			r.Status, r.NotBefore = StatusHeld, until
		}
		groups[until] = append(groups[until], i)
	}
	plans := make([]pacing.Plan, len(pool))
	for i, n := range pool {
		plans[i] = pacing.PlanFor(n, zoneOf(st))
	}
	segs := make([]int, 0, len(req.Messages)+1)
	for _, m := range req.Messages {
		segs = append(segs, max(1, sms.Measure(m).Segments))
	}
	disclosure := max(1, sms.Measure(st.Text(st.LanguageFor(from), chat.MsgOutboundOptIn)).Segments)
	starts := slices.Collect(func(yield func(time.Time) bool) {
		for t := range groups {
			if !yield(t) {
				return
			}
		}
	})
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for _, at := range starts {
		idx := groups[at]
		need := make([]int, len(idx))
		for k, i := range idx {
			need[k] = sum(segs)
			if unknown[i] {
				need[k] += disclosure
			}
		}
		slots, err := s.Pacing.ReserveBlock(ctx, plans, at, need)
		if err != nil {
			return b, fmt.Errorf("reserve send slots: %w", err)
		}
		for k, i := range idx {
			r := &b.Recipients[i]
			r.ChatID = fmt.Sprintf("%s-%d", id, i)
			r.From, r.NotBefore, r.Ticks, r.Lane = slots[k].Number, slots[k].At, slots[k].Ticks, slots[k].Lane
		}
	}
	return b, nil
}

func zoneOf(st chat.Settings) *time.Location {
	if loc, err := time.LoadLocation(st.QuietHours.TimeZone); err == nil && st.QuietHours.TimeZone != "" {
		return loc
	}
	return time.UTC
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// write starts every queued or held recipient's chat, in parallel; a
// recipient the rules refuse now (an opt-out since the plan) is recorded so.
func (s *Service) write(ctx context.Context, b *store.OutboundBatch, keyID string) error {
	number, err := s.Store.Number(ctx, b.From)
	if err != nil {
		return fmt.Errorf("load number %s: %w", b.From, err)
	}
	plans := map[string]pacing.Plan{}
	st, _, err := s.settings(ctx)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	return s.each(ctx, len(b.Recipients), func(ctx context.Context, i int) error {
		mu.Lock()
		r := b.Recipients[i]
		mu.Unlock()
		if r.ChatID == "" {
			return nil
		}
		mu.Lock()
		plan, ok := plans[r.From]
		mu.Unlock()
		if !ok {
			n := number
			if r.From != number.E164 {
				if n, err = s.Store.Number(ctx, r.From); err != nil {
					return fmt.Errorf("load number %s: %w", r.From, err)
				}
			}
			plan = pacing.PlanFor(n, zoneOf(st))
			mu.Lock()
			plans[r.From] = plan
			mu.Unlock()
		}
		_, err := s.Conversation.StartOutbound(ctx, conversation.OutboundStart{
			Number: r.From, Consumer: r.Number, Bodies: b.Messages, Origin: proactive.Origin{APIKeyID: keyID},
			Sessionless: true, Hold: true, ChatID: r.ChatID, Block: blockOf(plan, r),
		})
		var rf *proactive.Refusal
		switch {
		case errors.As(err, &rf):
			mu.Lock()
			b.Recipients[i].Status, b.Recipients[i].Error, b.Recipients[i].ChatID = refusedStatus(rf), rf.Message, ""
			mu.Unlock()
			return nil
		case err != nil:
			return err
		}
		return nil
	})
}

// blockOf is a recipient's reserved block, nil when none was reserved.
func blockOf(p pacing.Plan, r store.OutboundRecipient) *conversation.Block {
	if r.Ticks == 0 {
		return nil
	}
	return &conversation.Block{At: r.NotBefore, Tick: p.Tick, Ticks: r.Ticks, Lane: r.Lane}
}

func refusedStatus(r *proactive.Refusal) string {
	switch r.Code {
	case proactive.CodeOptedOut:
		return StatusOptedOut
	case proactive.CodeCountry:
		return StatusCountry
	case proactive.CodeQuietHours:
		return StatusQuietHours
	}
	return StatusRefusedCarrier
}

// each runs fn for 0..n-1 on a few workers, stopping at the first error.
func (s *Service) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
