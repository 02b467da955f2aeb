// Package carriertest is the table every carrier provider passes, in the
// manner of courier's handler tests: a provider describes itself (its
// carrier.Webhooks, how it signs a callback for a URL, its captured
// payloads, its status words, its Sender and the local stand-in of its
// API) and Run drives the shared rows against the real code:
//
//   - webhooks/<kind>/...: a correctly signed callback is accepted; an
//     unsigned, wrongly keyed, re-targeted, tampered or parameter-repeating
//     one is refused with the provider's status (403) and nothing is parsed;
//   - parse/<kind>/<capture>: captured payloads parse to the recorded
//     chat.Inbound or carrier.Status, malformed ones to a *carrier.FieldError
//     naming the field;
//   - status/...: every status word of the provider maps to a
//     chat.DeliveryStatus, and opt-out error codes set Status.OptedOut;
//   - send/...: sends through the stand-in succeed with the provider's
//     message id, and every documented error, a refused connection and a
//     timeout after the request was sent are classified as the table says.
//
// A row that does not apply to a provider is skipped only with a reason the
// provider states in Provider.Skip; a missing capability without a reason
// fails the row.
package carriertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Kind is which callback a capture is: an inbound text or a delivery
// report.
type Kind string

// The callback kinds.
const (
	KindInbound Kind = "inbound"
	KindStatus  Kind = "status"
)

// DefaultPublicBase is the public address the harness pretends the
// deployment has, the one carriers are given and sign.
const DefaultPublicBase = "https://sms.acme.example"

// StatusRef is the message every status callback of the harness is about:
// it rides in the callback URL's query as wire.URLs.StatusCallback puts it.
var StatusRef = chat.Ref{ChatID: "chat-carriertest", Seq: 2}

// Provider describes one carrier to the harness.
type Provider struct {
	// Name is the provider's name on chats, inbound records and status
	// callback paths (wire.ProviderTwilio).
	Name string
	// Webhooks is the provider's side of its callbacks, verifying with Key.
	Webhooks carrier.Webhooks
	// Sign returns the headers the provider adds to a callback that posts
	// body to fullURL (the URL it was given, query included), signed with
	// key.
	Sign func(key, fullURL string, body []byte) http.Header
	// Key is what Webhooks verify with; WrongKey is another key of the
	// same shape (another account's token).
	Key, WrongKey string
	// ContentType of the provider's callbacks; empty means a form.
	ContentType string
	// Tamper changes one meaningful value of a callback body, as someone
	// would after it was signed.
	Tamper func(body []byte) []byte
	// Repeat gives one parameter of a callback body a second value. Nil
	// when the format has no repeated parameters (say why in Skip).
	Repeat func(body []byte) []byte
	// RefusedStatus is what Authenticate answers a forged callback; 0
	// means 403.
	RefusedStatus int
	// PublicBase is the deployment's public address; empty means
	// DefaultPublicBase. Status callbacks go to
	// wire.URLs{Public: PublicBase}.StatusCallback(Name, StatusRef).
	PublicBase string
	// InboundURL is the public URL of the provider's inbound webhook;
	// empty means PublicBase + "/inbound/" + Name.
	InboundURL string

	// Captures are recorded callbacks with what they must parse to (see
	// LoadCaptures). The first well-formed capture of each kind is the one
	// the webhooks rows sign and forge.
	Captures []Capture
	// StatusWords maps every delivery status word of the provider to ours.
	StatusWords map[string]chat.DeliveryStatus
	// StatusCallback builds the body of a status callback for messageID
	// with a status word and an error code ("" for none).
	StatusCallback func(messageID, word, errorCode string) []byte
	// OptedOutCodes are the error codes by which the provider says the
	// consumer opted out at the carrier.
	OptedOutCodes []string
	// NotOptedOutCode is a failure code that is not an opt-out.
	NotOptedOutCode string
	// Meanings are the provider's error codes explained to the agent: a
	// failed status with one of them carries its sentence and flags, and
	// so does a send refused with it (SendErrors naming the code).
	Meanings map[string]carrier.Meaning

	// NewSender returns the provider's Sender talking to the API at
	// apiBaseURL.
	NewSender func(apiBaseURL string) (carrier.Sender, error)
	// StandIn is the local stand-in of the provider's send API.
	StandIn StandIn
	// SendErrors are the provider's documented send errors with their
	// classes; the harness adds the rows every provider shares (HTTP 429,
	// 500, 503, a proxy's 503 page, an outage for a while, a refused
	// connection, a timeout after the request was sent).
	SendErrors []SendError

	// Skip holds the rows that do not apply, by row name or by a prefix
	// ending in "/", with the reason.
	Skip map[string]string
}

// StandIn is a provider's local stand-in for its send API. It checks
// requests as the provider documents them (method, path, authentication,
// parameters) and refuses what the provider would refuse.
type StandIn interface {
	// URL is the API base URL to give NewSender.
	URL() string
	// Accepted returns the messages created so far, in order.
	Accepted() []Accepted
	// Requests counts send requests that reached the stand-in, created or
	// not.
	Requests() int
	// Answer makes the next sends answer a instead of creating a message.
	Answer(a Answer)
	// Recover removes every answer set: sends succeed again.
	Recover()
}

// Accepted is one message a stand-in created, in provider-neutral terms.
type Accepted struct {
	ID             string
	From, To, Body string
	MediaURLs      []string
	StatusCallback string
}

// Answer is what a stand-in answers instead of creating a message, in the
// provider's wire format.
type Answer struct {
	HTTPStatus int
	// Code is the provider's error code; empty means the code the provider
	// uses for a bare HTTPStatus.
	Code    string
	Message string
	// Times is how many sends get this answer; 0 means until For has
	// passed or Recover.
	Times int
	// For, when set, is how long the answer lasts.
	For time.Duration
	// Body, when set, is answered verbatim as an HTML page, as a proxy in
	// front of the API would.
	Body string
	// Hang answers nothing until the client gives up.
	Hang bool
}

// SendError is one documented send error and what it must be classified
// as.
type SendError struct {
	Name   string
	Answer Answer
	Class  carrier.ErrorClass
	// Code is the provider error code the *carrier.Error must carry;
	// empty means the answer's code, if any.
	Code     string
	OptedOut bool
}

// Capture is a callback as the provider posted it, with what it must parse
// to: exactly one of Inbound, Status and Field is set.
type Capture struct {
	Name string `json:"name"`
	// Source says where the payload comes from (a documentation page, a
	// recording).
	Source string `json:"source,omitempty"`
	Kind   Kind   `json:"kind"`
	// Body is the callback body exactly as posted.
	Body    string          `json:"body"`
	Inbound *chat.Inbound   `json:"inbound,omitempty"`
	Status  *carrier.Status `json:"status,omitempty"`
	// Field is, for a malformed payload, the field its *carrier.FieldError
	// names.
	Field string `json:"field,omitempty"`
}

func (c Capture) validate() error {
	set := 0
	for _, ok := range []bool{c.Inbound != nil, c.Status != nil, c.Field != ""} {
		if ok {
			set++
		}
	}
	switch {
	case c.Name == "":
		return errors.New("capture without a name")
	case c.Kind != KindInbound && c.Kind != KindStatus:
		return fmt.Errorf("capture %q: kind %q is neither %q nor %q", c.Name, c.Kind, KindInbound, KindStatus)
	case set != 1:
		return fmt.Errorf("capture %q: set exactly one of inbound, status and field", c.Name)
	case c.Kind == KindInbound && c.Status != nil, c.Kind == KindStatus && c.Inbound != nil:
		return fmt.Errorf("capture %q: expectation does not match kind %q", c.Name, c.Kind)
	}
	return nil
}

// LoadCaptures reads every *.json file of dir, each a JSON array of
// captures, in file name order.
func LoadCaptures(t testing.TB, dir string) []Capture {
	t.Helper()
	cs, err := ReadCaptures(os.DirFS(dir), ".")
	if err != nil {
		t.Fatalf("captures in %s: %v", dir, err)
	}
	return cs
}

// ReadCaptures reads every *.json file of dir in fsys (an embedded
// testdata directory), each a JSON array of captures, in file name order.
func ReadCaptures(fsys fs.FS, dir string) ([]Capture, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.json files in %s", dir)
	}
	sort.Strings(files)
	var out []Capture
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var cs []Capture
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cs); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, c := range cs {
			if err := c.validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
		out = append(out, cs...)
	}
	return out, nil
}

// Row is one check of the harness.
type Row struct {
	Name string
	// Skip is the provider's reason when the row does not apply.
	Skip string
	// Check runs the row; an error is a failure.
	Check func() error
}

// Run runs every row as a subtest.
func Run(t *testing.T, p Provider) {
	t.Helper()
	for _, r := range Rows(p) {
		t.Run(r.Name, func(t *testing.T) {
			if r.Skip != "" {
				t.Skip(r.Skip)
			}
			if err := r.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Rows returns the harness's rows for a provider, in order: webhooks,
// parse, status, send. Row names are stable, for Provider.Skip.
func Rows(p Provider) []Row {
	var rows []Row
	rows = append(rows, webhookRows(p, KindInbound)...)
	rows = append(rows, webhookRows(p, KindStatus)...)
	rows = append(rows, parseRows(p)...)
	rows = append(rows, statusRows(p)...)
	rows = append(rows, sendRows(p)...)
	for i := range rows {
		if reason, ok := p.skipReason(rows[i].Name); ok {
			rows[i].Skip = reason
		}
	}
	return rows
}

func (p Provider) skipReason(name string) (string, bool) {
	if r, ok := p.Skip[name]; ok {
		return r, true
	}
	best := ""
	for prefix := range p.Skip {
		if strings.HasSuffix(prefix, "/") && strings.HasPrefix(name, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return "", false
	}
	return p.Skip[best], true
}

// missing is the failure of a row whose provider lacks what it needs and
// states no reason to skip it.
func missing(what string) func() error {
	return func() error {
		return fmt.Errorf("the provider has no %s and states no reason in Provider.Skip", what)
	}
}

func (p Provider) urls() wire.URLs {
	base := p.PublicBase
	if base == "" {
		base = DefaultPublicBase
	}
	return wire.URLs{Public: base}
}

// PublicURL returns, for a kind, the public URL Authenticate is given and
// the full URL the provider posts to (with the status callback's query).
func (p Provider) PublicURL(kind Kind) (public, full string) {
	if kind == KindStatus {
		u := p.urls()
		return u.StatusCallbackPath(p.Name), u.StatusCallback(p.Name, StatusRef)
	}
	if p.InboundURL != "" {
		return p.InboundURL, p.InboundURL
	}
	public = p.urls().Public + "/inbound/" + p.Name
	return public, public
}

func (p Provider) refusedStatus() int {
	if p.RefusedStatus == 0 {
		return http.StatusForbidden
	}
	return p.RefusedStatus
}

func (p Provider) contentType() string {
	if p.ContentType == "" {
		return "application/x-www-form-urlencoded"
	}
	return p.ContentType
}

// base returns the first well-formed capture of a kind.
func (p Provider) base(kind Kind) (Capture, bool) {
	for _, c := range p.Captures {
		if c.Kind == kind && c.Field == "" {
			return c, true
		}
	}
	return Capture{}, false
}
