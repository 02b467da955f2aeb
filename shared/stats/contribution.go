// Package stats is the chat statistics use case: each ended chat's
// contribution (derived from the chat and its transcript, so shared/chat
// needs no new events) is added once to sharded day counters per
// dimension, read back summed, and a day can be rebuilt from the chats.
package stats

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Prices estimate the carrier's charge per segment, in micro-dollars.
type Prices struct {
	SMSMicros int64
	MMSMicros int64
}

// DefaultPrices are US long-code list prices; an estimate, not a bill.
var DefaultPrices = Prices{SMSMicros: 7900, MMSMicros: 20000}

// PricesOf are a number's configured prices, def where it sets none.
func PricesOf(n chat.Number, def Prices) Prices {
	p := def
	if n.SMSSegmentMicros > 0 {
		p.SMSMicros = n.SMSSegmentMicros
	}
	if n.MMSMicros > 0 {
		p.MMSMicros = n.MMSMicros
	}
	return p
}

// FailReason is the reference product's fail-reason code of a chat: the
// one routing recorded, else its end reason's, "" when the chat did not
// fail. A chat that expired before it reached a queue expired in its menu.
func FailReason(c chat.Chat) string {
	if c.FailReason != "" {
		return c.FailReason // set where the end reason alone does not tell it (after_hours:4)
	}
	switch c.EndReason {
	case chat.EndTimeoutEndUser:
		return "no_response:2"
	case chat.EndExpired:
		if c.QueueID == "" {
			return "expired_menu_selection:31"
		}
		return "expired:3"
	case chat.EndUserStopped:
		return "end_user_opt_out:41"
	}
	return ""
}

// Counters are named sums. Averages are kept as a sum and a count so shards
// and days add up.
type Counters map[string]int64

// Add adds o to c.
func (c Counters) Add(o Counters) {
	for k, v := range o {
		c[k] += v
	}
}

// Counter names.
const (
	CChats       = "chats"
	CAnswered    = "answered"
	CMissed      = "missed"
	CTransferred = "transferred"
	CTransfers   = "transfers"
	CMsgInSMS    = "msgInSms"
	CMsgInMMS    = "msgInMms"
	CMsgOutSMS   = "msgOutSms"
	CMsgOutMMS   = "msgOutMms"
	CSegments    = "segments"
	CCostMicros  = "costMicros"
	CWaitMs      = "waitMs"
	CWaitN       = "waitN"
	CFirstRespMs = "firstResponseMs"
	CFirstRespN  = "firstResponseN"
	CHandleMs    = "handleMs"
	CHandleN     = "handleN"
	CDurationMs  = "durationMs"
	// CQueued: the chat reached a queue (the chat report's "offered" of a
	// queue, team or the business).
	CQueued = "queued"
	// COffers and CMissedOffers are offers made to an agent and those they
	// declined or let expire; they are counted in the agent's buckets (and
	// their teams') whether or not the agent ended up with the chat.
	COffers       = "offers"
	CMissedOffers = "missedOffers"
	// PrefixWait counts answered chats by wait (WaitBucket's labels).
	PrefixWait      = "wait:"
	PrefixEnd       = "end:"
	PrefixFail      = "fail:"
	PrefixStartType = "type:"
)

// WaitBuckets are the wait-time distribution's buckets, by upper bound
// (the last is open); WaitBucket labels a wait with one.
var WaitBuckets = []struct {
	Label string
	Below time.Duration
}{{"0-30s", 30 * time.Second}, {"30s-1m", time.Minute}, {"1-2m", 2 * time.Minute}, {"2-5m", 5 * time.Minute},
	{"5-10m", 10 * time.Minute}, {"10-30m", 30 * time.Minute}, {"30m+", 0}}

// WaitBucket is the label of the bucket d falls in.
func WaitBucket(d time.Duration) string {
	for _, b := range WaitBuckets {
		if b.Below == 0 || d < b.Below {
			return b.Label
		}
	}
	return WaitBuckets[len(WaitBuckets)-1].Label
}

// Contribution is what one ended chat adds to the statistics.
type Contribution struct {
	ChatID    string
	EndedAt   time.Time
	AgentID   string
	QueueID   string
	Number    string
	StartType chat.StartType
	// Teams are the agent's teams when the chat is counted.
	Teams    []string
	Counters Counters
	// Offers are the offer counters of each agent the chat was offered to
	// (not in Counters: they go to each agent's buckets, their sum to the
	// chat's other buckets); OfferTeams are those agents' teams.
	Offers     map[string]Counters
	OfferTeams map[string][]string
}

// Contribute derives c's contribution from the chat and its transcript.
func Contribute(c chat.Chat, msgs []chat.Message, p Prices) Contribution {
	n := Counters{CChats: 1}
	n[PrefixEnd+string(c.EndReason)] = 1
	n[PrefixStartType+string(c.StartType)] = 1
	if f := FailReason(c); f != "" {
		n[PrefixFail+f] = 1
	}
	answered := !c.AssignedAt.IsZero()
	if !c.QueuedAt.IsZero() {
		n[CQueued] = 1
	}
	offers := Offers(c)
	if answered {
		n[CAnswered] = 1
		n[CHandleMs], n[CHandleN] = ms(c.EndedAt.Sub(c.AssignedAt)), 1
		if !c.QueuedAt.IsZero() {
			n[CWaitMs], n[CWaitN] = ms(c.AssignedAt.Sub(c.QueuedAt)), 1
			n[PrefixWait+WaitBucket(c.AssignedAt.Sub(c.QueuedAt))] = 1
		}
	} else if c.StartType != chat.StartOutbound {
		n[CMissed] = 1
	}
	if len(c.Transfers) > 0 {
		n[CTransferred], n[CTransfers] = 1, int64(len(c.Transfers))
	}
	n[CDurationMs] = ms(c.EndedAt.Sub(c.CreatedAt))
	firstResp := false
	for _, m := range msgs {
		if m.Author == chat.AuthorSystem {
			continue // notices are not traffic the consumer or agent wrote
		}
		mms := len(m.Media) > 0
		seg := int64(max(m.Segments, 1))
		switch {
		case m.Author == chat.AuthorConsumer && mms:
			n[CMsgInMMS]++
		case m.Author == chat.AuthorConsumer:
			n[CMsgInSMS]++
		case mms:
			n[CMsgOutMMS]++
		default:
			n[CMsgOutSMS]++
		}
		n[CSegments] += seg
		if mms {
			n[CCostMicros] += p.MMSMicros
		} else {
			n[CCostMicros] += seg * p.SMSMicros
		}
		if answered && !firstResp && m.Author == chat.AuthorAgent && !m.CreatedAt.Before(c.AssignedAt) {
			firstResp = true
			n[CFirstRespMs], n[CFirstRespN] = ms(m.CreatedAt.Sub(c.AssignedAt)), 1
		}
	}
	for k, v := range n {
		if v == 0 {
			delete(n, k)
		}
	}
	return Contribution{ChatID: c.ID, EndedAt: c.EndedAt, AgentID: c.AgentID, QueueID: c.QueueID,
		Number: c.Number, StartType: c.StartType, Counters: n, Offers: offers}
}

// Offers are each offered agent's offers and missed offers, from the
// chat's record of every offer (OfferedTo). An agent took an offer when
// they held the chat afterwards: they end with it, or handed it on by a
// transfer; each hold accounts for one offer, the rest were missed.
func Offers(c chat.Chat) map[string]Counters {
	if len(c.OfferedTo) == 0 {
		return nil
	}
	holds := map[string]int64{}
	if c.AgentID != "" {
		holds[c.AgentID]++
	}
	for _, t := range c.Transfers {
		if t.FromAgent != "" {
			holds[t.FromAgent]++
		}
	}
	out := map[string]Counters{}
	for _, id := range c.OfferedTo {
		if out[id] == nil {
			out[id] = Counters{}
		}
		out[id][COffers]++
	}
	for id, o := range out {
		if missed := o[COffers] - min(o[COffers], holds[id]); missed > 0 {
			o[CMissedOffers] = missed
		}
	}
	return out
}

func ms(d time.Duration) int64 { return max(d.Milliseconds(), 0) }
