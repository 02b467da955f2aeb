package app

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// Function names: each is served at BaseURL + "/" + name, in production
// (Cloud Functions URLs) and in scripts/dev alike.
const (
	FnTwilioInbound  = "TwilioInbound"
	FnRouteInbound   = "RouteInbound"
	FnSendSMS        = "SendSMS"
	FnDeliveryStatus = "DeliveryStatus"
	FnChatTimers     = "ChatTimers"
	FnAdminAPI       = "AdminAPI"
	FnAgentAPI       = "AgentAPI"
	FnConsole        = "Console"
)

// Providers.
const (
	ProviderTwilio = "twilio"
)

// InboundRetention is how long a dedupe record lives: carriers retry for
// hours at most, Pub/Sub for 7 days.
const InboundRetention = 8 * 24 * time.Hour

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

// StatusCallback is the delivery-status URL for one message. The message's
// address rides in the query string: the carrier signs the whole URL, so it
// cannot be altered, and no lookup by provider id is needed.
func (u URLs) StatusCallback(ref chat.Ref) string {
	q := url.Values{"chat": {ref.ChatID}, "seq": {strconv.FormatInt(ref.Seq, 10)}}
	return u.PublicFunction(FnDeliveryStatus) + "?" + q.Encode()
}

// App wires the use cases to their ports. Build it once per process.
type App struct {
	Store    Store
	Bus      bus.Publisher
	Tasks    tasks.Scheduler
	Carriers map[string]Carrier // by provider name
	URLs     URLs
	// Now and NewID are replaceable for tests; nil means the real ones.
	Now   func() time.Time
	NewID func() string

	// Media keeps MMS media (MEDIA_BUCKET). nil turns the feature off:
	// consumers' media keep the carrier's URLs, and agents cannot attach.
	Media MediaStore
	// MediaFetch downloads carrier media; nil means a client with
	// MediaFetchTimeout.
	MediaFetch *http.Client
	// MediaCredentials authenticate media downloads, by provider.
	MediaCredentials map[string]MediaCredentials

	trees  treeCache
	signed signedURLCache
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	// Firestore keeps microseconds; truncating here makes both stores agree.
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (a *App) newID() string {
	if a.NewID != nil {
		return a.NewID()
	}
	return RandomID()
}

// RandomID is a 128-bit random id in hex, safe in document ids and task names.
func RandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
