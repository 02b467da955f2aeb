// Package chat is the domain of smsdesk: chats, messages, consent and the
// decisions the SMS channel makes about them. It does no I/O; the app layer
// loads state, calls these functions and stores what they return.
package chat

import "time"

// Status is where a chat is in its life.
type Status string

const (
	StatusMenu   Status = "menu"   // the consumer is choosing a queue
	StatusQueued Status = "queued" // waiting in a queue for an agent
	StatusActive Status = "active" // an agent has it
	StatusEnded  Status = "ended"
)

// EndReason follows the reference product's chat end statuses so reports
// read the same for supervisors who know it.
type EndReason string

const (
	EndFinished              EndReason = "Finished"
	EndTimeoutAgentNoMessage EndReason = "Timeout Agent No Message"
	EndTimeoutEndUser        EndReason = "Timeout End User No Message"
	EndUserStopped           EndReason = "End User Stopped"
	EndAbandoned             EndReason = "Abandoned"
	EndDeflected             EndReason = "Deflected"
	EndFailed                EndReason = "Failed"
	EndExpired               EndReason = "Expired"
	EndDismissed             EndReason = "Dismissed"
)

// StartType says how a chat began; monitoring groups by it.
type StartType string

const (
	StartInbound   StartType = "inbound" // consumer texted first; becomes manual/auto on assignment
	StartManual    StartType = "manual"
	StartAuto      StartType = "auto"
	StartOutbound  StartType = "outbound"
	StartDeflected StartType = "deflected"
	StartWaitTime  StartType = "wait-time"
	StartInCall    StartType = "in-call"
	// StartSessionless: a text sent without a session; its chat ends at once
	// and only records the text.
	StartSessionless StartType = "sessionless"
)

// Chat is one conversation between a consumer and the business on one
// business number. Version increases with every state change so timers set
// for an older state can tell they are stale.
type Chat struct {
	ID        string    `firestore:"id" json:"id"`
	Number    string    `firestore:"number" json:"number"`
	Consumer  string    `firestore:"consumer" json:"consumer"`
	Provider  string    `firestore:"provider" json:"provider"`
	Language  string    `firestore:"language" json:"language"`
	QueueID   string    `firestore:"queueId" json:"queueId"`
	Status    Status    `firestore:"status" json:"status"`
	EndReason EndReason `firestore:"endReason,omitempty" json:"endReason,omitempty"`
	StartType StartType `firestore:"startType" json:"startType"`
	AgentID   string    `firestore:"agentId,omitempty" json:"agentId,omitempty"`
	CreatedAt time.Time `firestore:"createdAt" json:"createdAt"`
	UpdatedAt time.Time `firestore:"updatedAt" json:"updatedAt"`
	EndedAt   time.Time `firestore:"endedAt,omitempty" json:"endedAt,omitzero"`
	Version   int64     `firestore:"version" json:"version"`
	// NextSeq is the sequence number the next message gets. Order in a chat
	// is this number, never arrival time, because deliveries race.
	NextSeq int64 `firestore:"nextSeq" json:"nextSeq"`
	// TailAuthor wrote message NextSeq-1 (empty on chats from before it
	// was kept, which then read it: Message.FollowsConsumer).
	TailAuthor Author `firestore:"tailAuthor,omitempty" json:"-"`

	// QueuedAt is when the chat reached the queue it waits in: the longest
	// waiting chat is offered first.
	QueuedAt   time.Time `firestore:"queuedAt,omitempty" json:"queuedAt,omitzero"`
	AssignedAt time.Time `firestore:"assignedAt,omitempty" json:"assignedAt,omitzero"`
	// Offer is the pending offer of a queued chat to one agent.
	Offer *Offer `firestore:"offer,omitempty" json:"offer,omitempty"`
	// Declined are agents who declined or missed this chat; it is not
	// offered to them again.
	Declined  []string `firestore:"declined,omitempty" json:"declined,omitempty"`
	OfferedTo []string `firestore:"offeredTo,omitempty" json:"offeredTo,omitempty"` // every offer made, in order: statistics count them once, at the end
	// Timers are the timers armed for the chat's current state.
	Timers []Timer `firestore:"timers,omitempty" json:"timers,omitempty"`
	// Outbox lists the replies and LastCause the delivery (inbound id or
	// timer task) of the latest change, so a redelivery that finds its work
	// done can still finish the sends a crash interrupted.
	Outbox    []int64 `firestore:"outbox,omitempty" json:"outbox,omitempty"`
	LastCause string  `firestore:"lastCause,omitempty" json:"lastCause,omitempty"`
	// Transfers is the chat's hand-overs, the pending one last.
	Transfers []Transfer `firestore:"transfers,omitempty" json:"transfers,omitempty"`
	// AwaitingReply: an unassigned outbound chat; the consumer's first
	// reply enters the queue instead of being read as a menu choice.
	AwaitingReply bool `firestore:"awaitingReply,omitempty" json:"awaitingReply,omitempty"`
	// TicketID is the business system's reference an outbound chat was
	// started with.
	TicketID string `firestore:"ticketId,omitempty" json:"ticketId,omitempty"`
	CallID   string `firestore:"callId,omitempty" json:"callId,omitempty"` // the voice call a wait-time or in-call chat belongs to
	// WrapUp is the agent's closing note.
	WrapUp string `firestore:"wrapUp,omitempty" json:"wrapUp,omitempty"`
	// OpensAt: the chat waits for its closed queue to open; no agent is
	// offered it before the opening timer clears it (hours.go).
	OpensAt time.Time `firestore:"opensAt,omitempty" json:"opensAt,omitzero"`
	// FailReason is the reference product's fail-reason code where the end
	// reason alone does not tell it (after_hours:4).
	FailReason string `firestore:"failReason,omitempty" json:"failReason,omitempty"`
	// The satisfaction survey (survey.go): when it was texted, its state
	// (csat), the rating 1-5 and the consumer's comment.
	SurveyAt    time.Time `firestore:"surveyAt,omitempty" json:"surveyAt,omitzero"`
	SurveyState string    `firestore:"surveyState,omitempty" json:"surveyState,omitempty"`
	Rating      int       `firestore:"rating,omitempty" json:"rating,omitempty"`
	HasFeedback bool      `firestore:"hasFeedback,omitempty" json:"hasFeedback,omitempty"`
	Feedback    string    `firestore:"feedback,omitempty" json:"feedback,omitempty"`
	// PreviousChatID links a reopened thread or a returning consumer's chat
	// to the chat before; ReturningAgentID is the agent tried first, once;
	// ReturningMatch: that agent took it (returning.go).
	PreviousChatID   string `firestore:"previousChatId,omitempty" json:"previousChatId,omitempty"`
	ReturningAgentID string `firestore:"returningAgentId,omitempty" json:"returningAgentId,omitempty"`
	ReturningMatch   bool   `firestore:"returningMatch,omitempty" json:"returningMatch,omitempty"`
	// WrapUpCode is the queue's wrap-up code the chat was ended with.
	WrapUpCode string `firestore:"wrapUpCode,omitempty" json:"wrapUpCode,omitempty"`
	// Labels tag the chat (inbox filters); Notes counts its private notes.
	Labels []string `firestore:"labels,omitempty" json:"labels,omitempty"`
	Notes  int64    `firestore:"notes,omitempty" json:"notes,omitempty"`
	// The latest consumer or agent text, the consumer's text count and the
	// search tokens: the inbox's preview, unread count and search (chat/search).
	LastBody     string    `firestore:"lastBody,omitempty" json:"lastBody,omitempty"`
	LastAuthor   Author    `firestore:"lastAuthor,omitempty" json:"lastAuthor,omitempty"`
	LastAt       time.Time `firestore:"lastAt,omitempty" json:"lastAt,omitzero"`
	Inbound      int64     `firestore:"inbound,omitempty" json:"inbound,omitempty"`
	SearchTokens []string  `firestore:"searchTokens,omitempty" json:"-"`
	// Requests are the ids of the latest agent requests applied, so a
	// retried POST from the console does not send a text twice.
	Requests []string `firestore:"requests,omitempty" json:"-"`
	// Unpublished are the latest change's events, kept so a redelivery that
	// finds the change applied can publish them again (ids dedupe).
	Unpublished []Event `firestore:"unpublished,omitempty" json:"-"`
}

// Offer is a chat offered to an agent who has not yet accepted it.
type Offer struct {
	AgentID   string    `firestore:"agentId" json:"agentId"`
	OfferedAt time.Time `firestore:"offeredAt" json:"offeredAt"`
	ExpiresAt time.Time `firestore:"expiresAt" json:"expiresAt"`
	// Reserved: held for a returning consumer's last agent.
	Reserved bool `firestore:"reserved,omitempty" json:"reserved,omitempty"`
}

// Open reports whether the chat still takes messages.
func (c Chat) Open() bool { return c.Status != StatusEnded && c.Status != "" }

// Author is who wrote a message.
type Author string

const (
	AuthorConsumer Author = "consumer"
	AuthorAgent    Author = "agent"
	AuthorSystem   Author = "system"
)

// Kind says what a message is for; the send path treats some kinds
// specially (an opt-out confirmation is the one text an opted-out consumer
// may still receive).
type Kind string

const (
	KindText          Kind = "text"
	KindOptIn         Kind = "opt-in"
	KindOptOutConfirm Kind = "opt-out-confirmation"
	KindOptInConfirm  Kind = "resubscribe-confirmation"
	KindHelp          Kind = "help"
	KindCommand       Kind = "command" // a consumer's STOP/START/HELP/BACK/EXIT text
	KindMenu          Kind = "menu"
	KindInvalidChoice Kind = "invalid-choice"
	KindWaiting       Kind = "waiting"
	KindAssigned      Kind = "agent-assigned"
	KindQueueTimeout  Kind = "queue-timeout"
	KindDismissed     Kind = "dismissed-chat"
	KindChatEnded     Kind = "chat-ended"
	// KindOutbound is a text the business sent first (agent-initiated or
	// through OutboundAPI): transcripts call it "outbound SMS".
	KindOutbound     Kind = "outbound"
	KindAutoResponse Kind = "auto-response"
	KindAfterHours   Kind = "after-hours"
	KindSurvey       Kind = "survey"
	KindSurveyThanks Kind = "survey-thanks"
	KindSurveyReply  Kind = "survey-reply" // the consumer's rating or comment
)

// Media is one attachment of an MMS.
//
// A medium kept in the media bucket has a Name (its object name); URL is
// then where it came from (the carrier's URL of a consumer's media, empty for
// an agent's upload) and readers get a short-lived signed URL instead
// (app.SignMedia). A medium without a Name is a reference only: its URL is
// the carrier's, and Error says why it was not copied (blocked type or size,
// or a download that kept failing).
type Media struct {
	URL         string `firestore:"url" json:"url"`
	ContentType string `firestore:"contentType" json:"contentType"`
	Name        string `firestore:"name,omitempty" json:"name,omitempty"`
	Size        int64  `firestore:"size,omitempty" json:"size,omitempty"`
	Error       string `firestore:"error,omitempty" json:"error,omitempty"`
}

// Stored reports whether the medium is kept in the media bucket.
func (m Media) Stored() bool { return m.Name != "" }

// Direction of a message relative to the business.
func (a Author) Outbound() bool { return a != AuthorConsumer }

// Message is one entry of a chat's transcript.
type Message struct {
	ChatID string `firestore:"chatId" json:"chatId"`
	Seq    int64  `firestore:"seq" json:"seq"`
	Author Author `firestore:"author" json:"author"`
	Kind   Kind   `firestore:"kind" json:"kind"`
	Body   string `firestore:"body" json:"body"`
	// AgentID is the agent who wrote an agent message.
	AgentID   string    `firestore:"agentId,omitempty" json:"agentId,omitempty"`
	Media     []Media   `firestore:"media,omitempty" json:"media,omitempty"`
	CreatedAt time.Time `firestore:"createdAt" json:"createdAt"`
	// InboundID is the dedupe id of the carrier delivery a consumer message
	// came from.
	InboundID string `firestore:"inboundId,omitempty" json:"inboundId,omitempty"`
	// SentBy is who sent a proactive text: "agent:ID" or "api:KEYID".
	SentBy string `firestore:"sentBy,omitempty" json:"sentBy,omitempty"`
	// Proactive texts are held in the recipient's quiet hours and need an
	// active 10DLC campaign; replies to the consumer are neither.
	Proactive bool `firestore:"proactive,omitempty" json:"proactive,omitempty"`
	// FollowsConsumer: the message before this one is the consumer's, so
	// no text of the chat is ahead of it and SendSMS need not read it.
	FollowsConsumer bool `firestore:"followsConsumer,omitempty" json:"-"`
	// Outbound only.
	Encoding          string   `firestore:"encoding,omitempty" json:"encoding,omitempty"`
	Segments          int      `firestore:"segments,omitempty" json:"segments,omitempty"`
	Send              Send     `firestore:"send" json:"send"`
	Delivery          Delivery `firestore:"delivery" json:"delivery"`
	ProviderMessageID string   `firestore:"providerMessageId,omitempty" json:"providerMessageId,omitempty"`
}

// Ref names a message.
type Ref struct {
	ChatID string `firestore:"chatId" json:"chatId"`
	Seq    int64  `firestore:"seq" json:"seq"`
}

// Ref returns the message's reference.
func (m Message) Ref() Ref { return Ref{ChatID: m.ChatID, Seq: m.Seq} }
