package chat

import "time"

// Queue is a node of the queue tree. Consumers navigate menus of a queue's
// visible children and wait for an agent on a leaf. Unset settings (zero
// timeouts, missing messages, empty language) inherit from the parent, then
// from the SMS settings, so one top-level queue per language can carry
// everything its subtree shares.
type Queue struct {
	ID       string   `firestore:"id" json:"id"`
	ParentID string   `firestore:"parentId,omitempty" json:"parentId,omitempty"`
	Name     string   `firestore:"name" json:"name"`
	Hidden   bool     `firestore:"hidden,omitempty" json:"hidden,omitempty"`
	Order    int      `firestore:"order" json:"order"`
	Keywords []string `firestore:"keywords,omitempty" json:"keywords,omitempty"`
	Language string   `firestore:"language,omitempty" json:"language,omitempty"`
	Timeouts Timeouts `firestore:"timeouts" json:"timeouts,omitzero"`
	// Messages overrides system messages for this subtree: language →
	// message name → text.
	Messages map[string]map[string]string `firestore:"messages,omitempty" json:"messages,omitempty"`
	Agents   []string                     `firestore:"agents,omitempty" json:"agents,omitempty"`
	Teams    []string                     `firestore:"teams,omitempty" json:"teams,omitempty"`
	// RequeueOnAgentInactivity puts a chat whose agent stopped answering
	// back in the queue for another agent instead of ending it.
	RequeueOnAgentInactivity *bool `firestore:"requeueOnAgentInactivity,omitempty" json:"requeueOnAgentInactivity,omitempty"`
	// Hours are the subtree's business hours; nil inherits the parent's.
	Hours *Hours `firestore:"hours,omitempty" json:"hours,omitempty"`
	// Survey texts a satisfaction survey after a finished chat (survey.go).
	Survey *Survey `firestore:"survey,omitempty" json:"survey,omitempty"`
	// Returning offers a returning consumer to their last agent first.
	Returning *Returning `firestore:"returning,omitempty" json:"returning,omitempty"`
	// WrapUpCodes are what an agent ends a chat with (none: inherited);
	// WrapUpRequired refuses ending without one (nil: inherited).
	WrapUpCodes    []string `firestore:"wrapUpCodes,omitempty" json:"wrapUpCodes,omitempty"`
	WrapUpRequired *bool    `firestore:"wrapUpRequired,omitempty" json:"wrapUpRequired,omitempty"`
	// SmartEncoding sends the subtree's system messages with GSM-7
	// look-alikes (sms.SmartEncode): "lookalikes", "transliterate", or ""
	// to inherit (default off).
	SmartEncoding string `firestore:"smartEncoding,omitempty" json:"smartEncoding,omitempty"`
}

// Hours are a queue's business hours, evaluated by shared/chat/hours: a
// weekly schedule in a zone (no week: open all day every day) closed on the
// holidays ("2026-12-25"); Week maps mon..sun to "08:00-17:00" windows.
type Hours struct {
	TimeZone string              `firestore:"timeZone" json:"timeZone"`
	Week     map[string][]string `firestore:"week,omitempty" json:"week,omitempty"`
	Holidays []string            `firestore:"holidays,omitempty" json:"holidays,omitempty"`
	// WhenClosed: ClosedEnd (the default) or ClosedWait for the opening.
	WhenClosed string `firestore:"whenClosed,omitempty" json:"whenClosed,omitempty"`
	// InMenu: how a closed queue shows in its parent's menu: MenuShow
	// (the default), MenuHide or MenuMark ("(closed until 8:00 AM)").
	InMenu string `firestore:"inMenu,omitempty" json:"inMenu,omitempty"`
}

// Timeouts are in whole minutes, as the reference product configures them;
// zero means inherit. Every set value must lie in [MinTimeout, MaxTimeout].
type Timeouts struct {
	// QueueMinutes: a waiting chat no agent took in time ends as Expired.
	QueueMinutes int `firestore:"queueMinutes,omitempty" json:"queueMinutes,omitempty"`
	// EndUserInactivityMinutes: the consumer did not answer the agent.
	EndUserInactivityMinutes int `firestore:"endUserInactivityMinutes,omitempty" json:"endUserInactivityMinutes,omitempty"`
	// AgentInactivityMinutes: the agent did not answer the consumer.
	AgentInactivityMinutes int `firestore:"agentInactivityMinutes,omitempty" json:"agentInactivityMinutes,omitempty"`
	// ExpiryMinutes bounds a chat's whole life.
	ExpiryMinutes int `firestore:"expiryMinutes,omitempty" json:"expiryMinutes,omitempty"`
	// OfferMinutes: an agent who neither accepts nor declines an offer in
	// time misses it, and the chat is offered to the next agent.
	OfferMinutes int `firestore:"offerMinutes,omitempty" json:"offerMinutes,omitempty"`
	// DismissalMinutes: a consumer who stops answering the menu has the
	// chat dismissed; the next text gets the Dismissed Chat auto response.
	DismissalMinutes int `firestore:"dismissalMinutes,omitempty" json:"dismissalMinutes,omitempty"`
}

// Timeout bounds: the reference product's inactive-chat dismissal range,
// applied to every timeout.
const (
	MinTimeout = time.Minute
	MaxTimeout = 7 * 24 * time.Hour
)

// DefaultTimeouts are used where neither a queue nor the settings set one.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		QueueMinutes:             60,
		EndUserInactivityMinutes: 30,
		AgentInactivityMinutes:   15,
		ExpiryMinutes:            24 * 60,
		OfferMinutes:             2,
		DismissalMinutes:         15,
	}
}

// Inherit fills t's unset values from parent.
func (t Timeouts) Inherit(parent Timeouts) Timeouts {
	pick := func(v, p int) int {
		if v != 0 {
			return v
		}
		return p
	}
	return Timeouts{
		QueueMinutes:             pick(t.QueueMinutes, parent.QueueMinutes),
		EndUserInactivityMinutes: pick(t.EndUserInactivityMinutes, parent.EndUserInactivityMinutes),
		AgentInactivityMinutes:   pick(t.AgentInactivityMinutes, parent.AgentInactivityMinutes),
		ExpiryMinutes:            pick(t.ExpiryMinutes, parent.ExpiryMinutes),
		OfferMinutes:             pick(t.OfferMinutes, parent.OfferMinutes),
		DismissalMinutes:         pick(t.DismissalMinutes, parent.DismissalMinutes),
	}
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// Team is a group of agents assigned to queues together.
type Team struct {
	ID      string   `firestore:"id" json:"id"`
	Name    string   `firestore:"name" json:"name"`
	Members []string `firestore:"members,omitempty" json:"members,omitempty"`
}

// AgentStatus is an agent's availability.
type AgentStatus string

const (
	AgentAvailable AgentStatus = "available"
	AgentAway      AgentStatus = "away"
	AgentOffline   AgentStatus = "offline"
)

// Valid reports whether s is a known status.
func (s AgentStatus) Valid() bool {
	return s == AgentAvailable || s == AgentAway || s == AgentOffline
}

// Agent is a person who answers chats: a profile the admin sets and a state
// routing keeps (status, load, last assignment) in the same document, so
// one transaction can check capacity and take it.
type Agent struct {
	ID         string      `firestore:"id" json:"id"`
	Name       string      `firestore:"name" json:"name"`
	Email      string      `firestore:"email,omitempty" json:"email,omitempty"`
	Languages  []string    `firestore:"languages,omitempty" json:"languages,omitempty"`
	Status     AgentStatus `firestore:"status" json:"status"`
	Capacity   int         `firestore:"capacity" json:"capacity"`
	AutoAnswer bool        `firestore:"autoAnswer,omitempty" json:"autoAnswer,omitempty"`

	// Load is the number of chats offered to or held by the agent.
	Load int `firestore:"load" json:"load"`
	// LastAssignedAt orders the longest-idle agent first.
	LastAssignedAt time.Time `firestore:"lastAssignedAt" json:"lastAssignedAt,omitzero"`
	// StatusReason says why routing changed the status (a missed offer).
	StatusReason string `firestore:"statusReason,omitempty" json:"statusReason,omitempty"`
	// StatusSince is when the status last changed (monitoring's time in it).
	StatusSince time.Time `firestore:"statusSince,omitempty" json:"statusSince,omitzero"`
	// LastSeenAt is the agent's console's last recorded poll (at most one
	// write per 20 s; chat/presence).
	LastSeenAt time.Time `firestore:"lastSeenAt" json:"lastSeenAt,omitzero"`
}

// Free reports whether the agent can take one more chat.
func (a Agent) Free() bool { return a.Status == AgentAvailable && a.Load < a.Capacity }

// WithProfile returns a with the admin-set fields of p, keeping the routing
// state, so saving a profile never loses a chat's capacity reservation.
func (a Agent) WithProfile(p Agent) Agent {
	p.Load, p.LastAssignedAt, p.LastSeenAt = a.Load, a.LastAssignedAt, a.LastSeenAt
	if p.Status == "" {
		p.Status, p.StatusReason, p.StatusSince = a.Status, a.StatusReason, a.StatusSince
	}
	return p
}
