package media

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/store"
)

// MMS media limits and timings.
const (
	// MaxMediaPerMessage is the carriers' limit of media in one MMS.
	MaxMediaPerMessage = 10
	// MaxMediaBytes bounds one medium, in and out (MMS carry about 5 MB).
	MaxMediaBytes int64 = 5 << 20
	// MaxOutboundMediaBytes bounds the media of one outbound message
	// together: Twilio refuses an MMS whose media total more than 5 MB.
	MaxOutboundMediaBytes int64 = 5 << 20

	// MediaFetchTimeout bounds the download and storing of one carrier
	// medium. Media are copied a few at a time, so ten of them fit well
	// inside a push subscription's 60 s acknowledgement deadline.
	MediaFetchTimeout = 20 * time.Second
	// MediaAttempts is how many deliveries of an inbound message wait for
	// its media downloads: from that attempt on, a medium that still cannot
	// be downloaded is kept as the carrier's URL with an error, so the chat
	// goes on. It stays below the smallest dead-letter threshold Terraform
	// allows (5), so the text itself is never dead-lettered for its media.
	MediaAttempts = 4
	// MediaGiveUpAfter does the same by age, for deliveries that carry no
	// attempt count (a subscription without a dead-letter policy).
	MediaGiveUpAfter = 15 * time.Minute

	// AgentMediaTTL is how long a signed URL given to the console is valid.
	AgentMediaTTL = 15 * time.Minute
	// CarrierMediaTTL is how long a signed URL given to the carrier for an
	// outbound MMS is valid: the carrier fetches it while sending, and may
	// retry for a while.
	CarrierMediaTTL = time.Hour

	mediaFetchConcurrency = 5
	// signedURLReuse: a signed URL is handed out again while it has at
	// least this share of its lifetime left (then a new one is signed). It
	// spares an IAM signBlob call per medium on every transcript read, and
	// lets browsers cache the images.
	signedURLReuse    = 2.0 / 3
	signedURLCacheMax = 10000
)

// Service copies consumers' media into the bucket, signs URLs to them, and
// takes agents' uploads. A nil Bucket turns MMS media off: consumers' media
// keep the carrier's URLs, and agents cannot attach.
type Service struct {
	Store  Store
	Bucket Bucket
	// Access says where each provider's media URLs may lead and how their
	// downloads authenticate; media of a provider without one are not
	// fetched.
	Access map[string]carrier.MediaAccess
	// AllowLoopback lets downloads reach loopback addresses, which are
	// refused otherwise like every address that is not public. It is for
	// tests and scripts/dev, whose carrier stand-ins listen on 127.0.0.1
	// (mediaenv sets it when TWILIO_API_BASE_URL is on loopback); never
	// in production.
	AllowLoopback bool
	Clock         clock.Clock

	signed    signedURLCache
	fetchOnce sync.Once
	fetch     *http.Transport
}

// Store is what media needs of chat state.
type Store interface {
	Chat(ctx context.Context, id string) (chat.Chat, error)
	Inbound(ctx context.Context, id string) (store.InboundRecord, error)
}

// ErrorKind says why a medium was refused.
type ErrorKind int

const (
	// Invalid: the request is wrong (no such upload, too many media, an
	// empty file).
	Invalid ErrorKind = iota + 1
	// TooLarge: over a size limit.
	TooLarge
	// UnsupportedType: a content type carriers do not deliver.
	UnsupportedType
	// Off: this deployment keeps no media (MEDIA_BUCKET is not set).
	Off
)

// Error is a refused medium. Its message is meant for the person.
type Error struct {
	Kind    ErrorKind
	Message string
}

func (e *Error) Error() string { return e.Message }

// Content types.
var (
	// outboundMediaTypes are what an agent may attach: the image types
	// every US carrier delivers by MMS.
	outboundMediaTypes = []string{"image/jpeg", "image/png", "image/gif"}
	// inboundMediaExact and inboundMediaPrefixes are what is copied from a
	// consumer's MMS; anything else is kept as a reference, not stored.
	inboundMediaExact    = []string{"application/pdf", "text/vcard", "text/x-vcard"}
	inboundMediaPrefixes = []string{"image/", "video/", "audio/"}
)

// InboundMediaTypes describes the content types copied from consumers.
const InboundMediaTypes = "image/*, video/*, audio/*, application/pdf, text/vcard, text/x-vcard"

// OutboundMediaTypes describes the content types an agent may attach.
const OutboundMediaTypes = "image/jpeg, image/png, image/gif"

// InboundMediaAllowed reports whether a consumer's medium of this content
// type is copied into the bucket.
func InboundMediaAllowed(contentType string) bool {
	ct := mediaType(contentType)
	if slices.Contains(inboundMediaExact, ct) {
		return true
	}
	for _, p := range inboundMediaPrefixes {
		if strings.HasPrefix(ct, p) && len(ct) > len(p) {
			return true
		}
	}
	return false
}

// OutboundMediaAllowed reports whether an agent may attach this type.
func OutboundMediaAllowed(contentType string) bool {
	return slices.Contains(outboundMediaTypes, mediaType(contentType))
}

// mediaType is a content type without parameters, in lower case; "" when
// it does not parse.
func mediaType(ct string) string {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// FormatBytes writes a size the way limits are stated ("5 MB").
func FormatBytes(n int64) string {
	const mb = 1 << 20
	if n%mb == 0 {
		return strconv.FormatInt(n/mb, 10) + " MB"
	}
	if n >= mb/10 {
		return strconv.FormatFloat(float64(n)/mb, 'f', 2, 64) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

var safeIDRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,200}$`)

// objectSegment makes an id safe as one segment of an object name (and of
// a URL path): ids from carriers are used as they are when they are plain,
// hashed otherwise.
func objectSegment(id string) string {
	if safeIDRe.MatchString(id) && id != "." && id != ".." {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h" + hex.EncodeToString(sum[:16])
}

// InboundMediaName is the object a consumer's medium is copied to. It
// depends only on the delivery and the medium's position, so every
// redelivery writes the same object.
func InboundMediaName(inboundID string, index int) string {
	return "inbound/" + objectSegment(inboundID) + "/" + strconv.Itoa(index)
}

// outboundMediaPrefix is where an agent's uploads for a chat are stored.
func outboundMediaPrefix(chatID string) string { return "outbound/" + objectSegment(chatID) + "/" }

// deliveryAttemptKey carries the Pub/Sub delivery attempt to the use cases.
type deliveryAttemptKey struct{}

// WithDeliveryAttempt records which delivery of a Pub/Sub message is being
// handled (bus.Delivery.DeliveryAttempt; 0 when unknown).
func WithDeliveryAttempt(ctx context.Context, attempt int) context.Context {
	return context.WithValue(ctx, deliveryAttemptKey{}, attempt)
}

// DeliveryAttempt is the attempt WithDeliveryAttempt recorded, 0 if none.
func DeliveryAttempt(ctx context.Context) int {
	n, _ := ctx.Value(deliveryAttemptKey{}).(int)
	return n
}

// retryableFetch is a download failure that a later attempt may not have.
type retryableFetch struct{ err error }

func (e *retryableFetch) Error() string { return e.err.Error() }
func (e *retryableFetch) Unwrap() error { return e.err }

// CopyInboundMedia copies the media of a consumer's MMS from the carrier
// into the media bucket, before the message is routed, and returns the
// message with each medium's Name and Size set (or its Error, for a medium
// kept as a reference only). With no Bucket it returns in unchanged.
//
// Media of a type outside InboundMediaTypes, larger than MaxMediaBytes, or
// past the tenth are not stored: they keep the carrier's URL and say why in
// Error. A download that fails in a way a retry may fix (no answer, a
// timeout, 408, 429, 5xx, a storage error) fails the call, so Pub/Sub
// redelivers the message; objects already copied are found again by their
// deterministic names and not downloaded twice. From delivery MediaAttempts
// on (or MediaGiveUpAfter after the message arrived), such a medium is kept
// as a reference with the error instead, so the chat is not held up.
func (s *Service) CopyInboundMedia(ctx context.Context, in chat.Inbound) (chat.Inbound, error) {
	if s == nil || s.Bucket == nil || len(in.Media) == 0 {
		return in, nil
	}
	if rec, err := s.Store.Inbound(ctx, in.ID); err == nil && rec.Routed {
		return in, nil // routing will not look at the media again
	}
	log := logging.From(ctx)
	media := slices.Clone(in.Media)
	errs := make([]error, len(media))
	sem := make(chan struct{}, mediaFetchConcurrency)
	var wg sync.WaitGroup
	for i := range media {
		if i >= MaxMediaPerMessage {
			media[i].Error = fmt.Sprintf("blocked: more than %d media in one message", MaxMediaPerMessage)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			media[i], errs[i] = s.copyInboundMedium(ctx, in, i, media[i])
		}()
	}
	wg.Wait()

	var failed []error
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Errorf("medium %d: %w", i, err))
		}
	}
	attempt := DeliveryAttempt(ctx)
	if len(failed) > 0 {
		giveUp := attempt >= MediaAttempts ||
			(!in.ReceivedAt.IsZero() && s.Clock.Time().Sub(in.ReceivedAt) >= MediaGiveUpAfter)
		if !giveUp {
			return in, fmt.Errorf("copy media of %s (delivery attempt %d; kept as references from attempt %d): %w",
				in.ID, attempt, MediaAttempts, errors.Join(failed...))
		}
		for i, err := range errs {
			if err != nil {
				media[i].Error = "download failed: " + err.Error()
			}
		}
		log.WithError(errors.Join(failed...)).WithField("delivery_attempt", attempt).
			Error("media still cannot be copied; keeping the carrier's URLs so the message is routed")
	}
	stored, blocked := 0, 0
	for _, m := range media {
		if m.Stored() {
			stored++
		} else if m.Error != "" {
			blocked++
		}
	}
	log.WithFields(logrus.Fields{"media_stored": stored, "media_not_stored": blocked}).Info("inbound media copied")
	in.Media = media
	return in, nil
}

// copyInboundMedium copies one medium. A non-nil error is retryable; a
// medium that will never be stored comes back with Error set.
func (s *Service) copyInboundMedium(ctx context.Context, in chat.Inbound, index int, m chat.Media) (chat.Media, error) {
	m.Name, m.Size, m.Error = "", 0, ""
	name := InboundMediaName(in.ID, index)
	declared := mediaType(m.ContentType)
	if declared != "" && !InboundMediaAllowed(declared) {
		m.Error = fmt.Sprintf("blocked: content type %s is not accepted (accepted: %s)", declared, InboundMediaTypes)
		return m, nil
	}

	ctx, cancel := context.WithTimeout(ctx, MediaFetchTimeout)
	defer cancel()
	// Copied by an earlier delivery of this message: objects appear whole
	// or not at all, so one that exists is complete.
	if rc, obj, err := s.Bucket.Open(ctx, name); err == nil {
		_ = rc.Close()
		m.Name, m.Size = name, obj.Size
		if declared == "" {
			m.ContentType = obj.ContentType
		}
		return m, nil
	} else if !errors.Is(err, ErrNotFound) {
		return m, &retryableFetch{fmt.Errorf("look up %s: %w", name, err)}
	}

	log := logging.From(ctx).WithField("media_index", index)
	refuse := func(reason string) (chat.Media, error) {
		m.Error = reason
		log.WithField("reason", reason).Warn("carrier medium refused: kept as a reference")
		return m, nil
	}
	u, err := url.Parse(m.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return refuse("blocked: not an http(s) URL")
	}
	access, ok := s.Access[in.Provider]
	if !ok {
		return refuse(fmt.Sprintf("blocked: no media hosts are known for provider %q", in.Provider))
	}
	if !access.Serves(u) {
		return refuse(fmt.Sprintf("blocked: %s is not one of %s's media hosts", hostForMessage(u), in.Provider))
	}
	// Credentials go in the header, only to the provider's hosts: never
	// the user info of a URL a webhook gave.
	target := *u
	target.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		m.Error = "download failed: " + err.Error()
		return m, nil
	}
	if err := access.Authorize(req); err != nil {
		return m, &retryableFetch{fmt.Errorf("GET %s: %w", redactURL(u), err)}
	}
	resp, err := s.mediaClient(in.Provider, access).Do(req)
	if r, ok := refusal(err); ok {
		return refuse(r.reason)
	}
	if err != nil {
		return m, &retryableFetch{fmt.Errorf("GET %s: %w", redactURL(u), unwrapURLError(err))}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return m, &retryableFetch{fmt.Errorf("GET %s: the carrier answered %s", redactURL(u), resp.Status)}
	default:
		m.Error = "download failed: the carrier answered " + resp.Status
		log.WithField("status", code).Error("carrier refused a media download; check the carrier credentials")
		return m, nil
	}
	if resp.ContentLength > MaxMediaBytes {
		m.Error = fmt.Sprintf("blocked: %s is over the %s limit", FormatBytes(resp.ContentLength), FormatBytes(MaxMediaBytes))
		return m, nil
	}
	ct := declared
	if ct == "" {
		ct = mediaType(resp.Header.Get("Content-Type"))
	}
	body := bufio.NewReaderSize(resp.Body, 512)
	if ct == "" || ct == "application/octet-stream" {
		head, _ := body.Peek(512)
		ct = mediaType(http.DetectContentType(head))
	}
	if !InboundMediaAllowed(ct) {
		m.Error = fmt.Sprintf("blocked: content type %s is not accepted (accepted: %s)", ct, InboundMediaTypes)
		return m, nil
	}
	obj, err := s.Bucket.Put(ctx, name, ct, body, MaxMediaBytes)
	switch {
	case errors.Is(err, ErrTooLarge):
		m.Error = fmt.Sprintf("blocked: larger than the %s limit", FormatBytes(MaxMediaBytes))
		return m, nil
	case err != nil:
		return m, &retryableFetch{fmt.Errorf("copy %s to %s: %w", redactURL(u), name, err)}
	}
	m.Name, m.Size, m.ContentType = name, obj.Size, ct
	return m, nil
}

// unwrapURLError drops the *url.Error around a client's error: it quotes
// the URL of the last hop whole, and a redirect's URL may carry a signature
// (Twilio's CDN URLs are signed).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactURL is a URL fit for logs and stored errors: no user info, no query.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	return c.String()
}

// SignMedia returns m with URL replaced by a signed URL that reads the
// stored medium for AgentMediaTTL (URLs are reused while they have at least
// two thirds of that left, so a reader gets one valid for 10 to 15
// minutes, and browsers can cache the image). A medium that is not stored
// (no Name) comes back unchanged.
func (s *Service) SignMedia(ctx context.Context, m chat.Media) (chat.Media, error) {
	if !m.Stored() {
		return m, nil
	}
	u, err := s.signMedia(ctx, m.Name, AgentMediaTTL)
	if err != nil {
		return m, err
	}
	m.URL = u
	return m, nil
}

func (s *Service) signMedia(ctx context.Context, name string, ttl time.Duration) (string, error) {
	if s == nil || s.Bucket == nil {
		return "", fmt.Errorf("sign %s: media storage is not configured (MEDIA_BUCKET)", name)
	}
	now := time.Now()
	if u, ok := s.signed.get(name, ttl, now); ok {
		return u, nil
	}
	u, err := s.Bucket.SignedURL(ctx, name, ttl)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", name, err)
	}
	s.signed.put(name, ttl, u, now.Add(ttl))
	return u, nil
}

// signedURLCache keeps recently signed URLs by object and lifetime.
type signedURLCache struct {
	mu sync.Mutex
	m  map[signedKey]signedURL
}

type signedKey struct {
	name string
	ttl  time.Duration
}

type signedURL struct {
	url     string
	expires time.Time
}

func (c *signedURLCache) get(name string, ttl time.Duration, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[signedKey{name, ttl}]
	if !ok || s.expires.Sub(now) < time.Duration(float64(ttl)*signedURLReuse) {
		return "", false
	}
	return s.url, true
}

func (c *signedURLCache) put(name string, ttl time.Duration, u string, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= signedURLCacheMax {
		c.m = map[signedKey]signedURL{} // dropping all is cheap: they are re-signed on demand
	}
	c.m[signedKey{name, ttl}] = signedURL{url: u, expires: expires}
}

// CarrierURLs are the URLs a carrier fetches an outbound message's
// media from: stored media as signed URLs valid CarrierMediaTTL, others as
// they are.
func (s *Service) CarrierURLs(ctx context.Context, media []chat.Media) ([]string, *carrier.Error) {
	urls := make([]string, 0, len(media))
	for _, md := range media {
		if !md.Stored() {
			if md.URL != "" {
				urls = append(urls, md.URL)
			}
			continue
		}
		if s == nil || s.Bucket == nil {
			return nil, &carrier.Error{Class: carrier.Permanent, Message: "the message has stored media but media storage is not configured (MEDIA_BUCKET)"}
		}
		u, err := s.Bucket.SignedURL(ctx, md.Name, CarrierMediaTTL)
		if err != nil {
			return nil, &carrier.Error{Class: carrier.Retryable, Message: "sign media " + md.Name + ": " + err.Error()}
		}
		urls = append(urls, u)
	}
	return urls, nil
}

// UploadMedia stores an image an agent attaches to a reply in a chat, as
// outbound/{chatID}/{random}, and returns it to be passed with the reply.
// The type is taken from the bytes (image/jpeg, image/png or image/gif,
// else 415) and the size is at most MaxMediaBytes (else 413); both refusals
// are *Error. An unknown chat is ErrNotFound.
func (s *Service) UploadMedia(ctx context.Context, chatID string, r io.Reader) (chat.Media, error) {
	if s == nil || s.Bucket == nil {
		return chat.Media{}, &Error{Kind: Off, Message: "MMS media are not enabled on this deployment (MEDIA_BUCKET is not set)"}
	}
	if _, err := s.Store.Chat(ctx, chatID); err != nil {
		return chat.Media{}, fmt.Errorf("chat %s: %w", chatID, err)
	}
	body := bufio.NewReaderSize(r, 512)
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return chat.Media{}, fmt.Errorf("read upload: %w", err)
	}
	if len(head) == 0 {
		return chat.Media{}, &Error{Kind: Invalid, Message: "the file is empty"}
	}
	ct := mediaType(http.DetectContentType(head))
	if !OutboundMediaAllowed(ct) {
		return chat.Media{}, &Error{Kind: UnsupportedType,
			Message: fmt.Sprintf("the file is %s; only %s images can be sent by MMS", ct, OutboundMediaTypes)}
	}
	name := outboundMediaPrefix(chatID) + s.Clock.ID()
	obj, err := s.Bucket.Put(ctx, name, ct, body, MaxMediaBytes)
	if errors.Is(err, ErrTooLarge) {
		return chat.Media{}, &Error{Kind: TooLarge,
			Message: fmt.Sprintf("the file is larger than the %s limit of one MMS medium", FormatBytes(MaxMediaBytes))}
	}
	if err != nil {
		return chat.Media{}, fmt.Errorf("store upload %s: %w", name, err)
	}
	logging.From(ctx).WithFields(logrus.Fields{"chat_id": chatID, "media": name, "size": obj.Size}).Info("agent media uploaded")
	return chat.Media{Name: name, ContentType: ct, Size: obj.Size}, nil
}

// CheckOutboundMedia validates the media an agent sends with a reply in a
// chat and returns them as stored (content type and size from the bucket,
// not from the request): at most MaxMediaPerMessage, each an upload of this
// chat (UploadMedia), of an outbound type, together at most
// MaxOutboundMediaBytes. A refusal is a *Error (400, 413, 415, 503).
func (s *Service) CheckOutboundMedia(ctx context.Context, chatID string, media []chat.Media) ([]chat.Media, error) {
	if len(media) == 0 {
		return nil, nil
	}
	if len(media) > MaxMediaPerMessage {
		return nil, &Error{Kind: Invalid, Message: fmt.Sprintf("a message carries at most %d media, got %d", MaxMediaPerMessage, len(media))}
	}
	if s == nil || s.Bucket == nil {
		return nil, &Error{Kind: Off, Message: "MMS media are not enabled on this deployment (MEDIA_BUCKET is not set)"}
	}
	prefix := outboundMediaPrefix(chatID)
	out := make([]chat.Media, 0, len(media))
	var total int64
	for i, m := range media {
		rest, ok := strings.CutPrefix(m.Name, prefix)
		if !ok || rest == "" || strings.Contains(rest, "/") {
			return nil, &Error{Kind: Invalid,
				Message: fmt.Sprintf("media[%d]: %q is not an upload of this chat; upload the file first (POST /AgentAPI/chats/%s/media) and send the name it returns", i, m.Name, chatID)}
		}
		rc, obj, err := s.Bucket.Open(ctx, m.Name)
		if errors.Is(err, ErrNotFound) {
			return nil, &Error{Kind: Invalid, Message: fmt.Sprintf("media[%d]: %q was not found; upload it again", i, m.Name)}
		}
		if err != nil {
			return nil, fmt.Errorf("media[%d] %s: %w", i, m.Name, err)
		}
		_ = rc.Close()
		if !OutboundMediaAllowed(obj.ContentType) {
			return nil, &Error{Kind: UnsupportedType,
				Message: fmt.Sprintf("media[%d] is %s; only %s images can be sent by MMS", i, obj.ContentType, OutboundMediaTypes)}
		}
		total += obj.Size
		out = append(out, chat.Media{Name: m.Name, ContentType: mediaType(obj.ContentType), Size: obj.Size})
	}
	if total > MaxOutboundMediaBytes {
		return nil, &Error{Kind: TooLarge,
			Message: fmt.Sprintf("the media of one message total %s, over the %s MMS limit", FormatBytes(total), FormatBytes(MaxOutboundMediaBytes))}
	}
	return out, nil
}

// SignAll signs the stored media of a message for a viewer. A medium that
// cannot be signed is shown without a URL and with the reason in Error, so
// the rest of the transcript is still shown.
func (s *Service) SignAll(ctx context.Context, media []chat.Media) []chat.Media {
	out := slices.Clone(media)
	for i, m := range out {
		signed, err := s.SignMedia(ctx, m)
		if err != nil {
			logging.From(ctx).WithError(err).WithFields(logrus.Fields{"media": m.Name}).Warn("could not sign a media URL")
			m.URL, m.Error = "", "the medium cannot be shown right now; reload to try again"
			out[i] = m
			continue
		}
		out[i] = signed
	}
	return out
}
