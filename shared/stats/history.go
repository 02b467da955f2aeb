package stats

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// HistoryQuery searches the ended chats: those that ended in [From, To),
// newest first, narrowed by any of the other fields.
type HistoryQuery struct {
	From, To  time.Time
	Consumer  string
	AgentID   string
	QueueID   string
	EndReason chat.EndReason
	// Limit bounds the answer (MaxHistory when 0 or more).
	Limit int
}

// MaxHistory bounds a history page; MaxHistoryScan bounds the documents a
// store reads for one, when more than one filter is set (the store asks
// Firestore for one equality and checks the rest).
const (
	MaxHistory     = 500
	MaxHistoryScan = 5000
)

// Matches reports whether c passes every filter of q.
func (q HistoryQuery) Matches(c chat.Chat) bool {
	return !c.EndedAt.IsZero() && !c.EndedAt.Before(q.From) && c.EndedAt.Before(q.To) &&
		(q.Consumer == "" || c.Consumer == q.Consumer) && (q.AgentID == "" || c.AgentID == q.AgentID) &&
		(q.QueueID == "" || c.QueueID == q.QueueID) && (q.EndReason == "" || c.EndReason == q.EndReason)
}

// Equality is the one filter a store queries by (the most selective set;
// each has a composite index with endedAt): its field and value, or "" for
// none.
func (q HistoryQuery) Equality() (field, value string) {
	switch {
	case q.Consumer != "":
		return "consumer", q.Consumer
	case q.AgentID != "":
		return "agentId", q.AgentID
	case q.QueueID != "":
		return "queueId", q.QueueID
	case q.EndReason != "":
		return "endReason", string(q.EndReason)
	}
	return "", ""
}

// Size is the effective limit.
func (q HistoryQuery) Size() int {
	if q.Limit <= 0 || q.Limit > MaxHistory {
		return MaxHistory
	}
	return q.Limit
}
