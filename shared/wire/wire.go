// Package wire is the product's topology and the formats that cross it: the
// functions' names and URLs, the Pub/Sub topics and subscriptions, the Cloud
// Tasks queues and task names, and the codecs of every task and message,
// each encoder beside its decoder so producer and consumer cannot drift.
// Terraform creates the same names (terraform/functions.tf, pubsub.tf,
// tasks.tf).
package wire

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Function names: each is served at BaseURL + "/" + name, in production
// (Cloud Functions URLs) and in scripts/dev alike.
const (
	FnTwilioInbound    = "TwilioInbound"
	FnTelnyxInbound    = "TelnyxInbound"
	FnBandwidthInbound = "BandwidthInbound"
	FnRouteInbound     = "RouteInbound"
	FnSendSMS          = "SendSMS"
	FnDeliveryStatus   = "DeliveryStatus"
	FnChatTimers       = "ChatTimers"
	FnAdminAPI         = "AdminAPI"
	FnAgentAPI         = "AgentAPI"
	FnOutboundAPI      = "OutboundAPI"
	FnConsole          = "Console"
	FnCRMSync          = "CRMSync"
	FnIVRWebhook       = "IVRWebhook"
	FnChatStats        = "ChatStats"
)

// Topics the product publishes to.
const (
	TopicInbound    = "sms-inbound"
	TopicChatEvents = "chat-events"
)

// Subscription is a push subscription: what it reads and which function it
// calls.
type Subscription struct {
	Name, Topic, Function string
	// Ordered subscriptions deliver one ordering key's messages in order.
	Ordered bool
}

// SubRouteInbound delivers consumers' texts to RouteInbound, in order per
// consumer and number.
var SubRouteInbound = Subscription{Name: "route-inbound", Topic: TopicInbound, Function: FnRouteInbound, Ordered: true}

// SubCRMSync delivers chat events to CRMSync, in order per chat; its name
// is the one Terraform gives it (topic-function).
var SubCRMSync = Subscription{Name: "chat-events-crmsync", Topic: TopicChatEvents, Function: FnCRMSync, Ordered: true}

// SubChatStats delivers chat events to ChatStats; its name is the one
// Terraform gives it. Ordered like every chat-events subscription, though
// ChatStats needs no order: it counts the stored chat on chat.ended.
var SubChatStats = Subscription{Name: "chat-events-chatstats", Topic: TopicChatEvents, Function: FnChatStats, Ordered: true}

// Subscriptions lists every push subscription, for the embedded bus and
// the emulator set-up.
var Subscriptions = []Subscription{SubRouteInbound, SubCRMSync, SubChatStats}

// Topics lists every topic.
var Topics = []string{TopicInbound, TopicChatEvents}

// Queues the product uses.
const (
	QueueSend   = "sms-send"
	QueueTimers = "chat-timers"
)

// Queues lists every Cloud Tasks queue.
var Queues = []string{QueueSend, QueueTimers}

// URLs builds the URLs of the functions. Public is what carriers are given
// (signatures are checked against it); Internal is what Pub/Sub and Cloud
// Tasks call, the same in production.
type URLs struct {
	Public   string
	Internal string
}

// Function is the internal URL of a function.
func (u URLs) Function(name string) string { return strings.TrimSuffix(u.Internal, "/") + "/" + name }

// PublicFunction is the carrier-facing URL of a function.
func (u URLs) PublicFunction(name string) string {
	return strings.TrimSuffix(u.Public, "/") + "/" + name
}

// StatusCallback is the delivery-status URL for one message sent through a
// provider. The message's address rides in the query string: the carrier
// signs the whole URL, so it cannot be altered, and no lookup by provider
// id is needed. Twilio's callbacks keep the path without a provider
// segment, which every message sent so far was given.
func (u URLs) StatusCallback(provider string, ref chat.Ref) string {
	q := url.Values{"chat": {ref.ChatID}, "seq": {strconv.FormatInt(ref.Seq, 10)}}
	return u.StatusCallbackPath(provider) + "?" + q.Encode()
}

// StatusCallbackPath is the public URL, without query, that a provider's
// status callbacks are posted to.
func (u URLs) StatusCallbackPath(provider string) string {
	base := u.PublicFunction(FnDeliveryStatus)
	if provider == "" || provider == ProviderTwilio {
		return base
	}
	return base + "/" + provider
}

// Providers, as chats and inbound records name them.
const (
	ProviderTwilio    = "twilio"
	ProviderTelnyx    = "telnyx"
	ProviderBandwidth = "bandwidth"
)

// ParseStatusQuery reads the message a status callback names, as
// StatusCallback puts it in the query (and Bandwidth's tag carries it).
func ParseStatusQuery(q url.Values) (chat.Ref, error) {
	chatID := q.Get("chat")
	if chatID == "" {
		return chat.Ref{}, errors.New("query parameter chat is required")
	}
	seq, err := strconv.ParseInt(q.Get("seq"), 10, 64)
	if err != nil || seq < 1 {
		return chat.Ref{}, errors.New("query parameter seq must be a positive integer")
	}
	return chat.Ref{ChatID: chatID, Seq: seq}, nil
}
