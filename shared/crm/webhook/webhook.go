// Package webhook is the crm.CRM adapter for any CRM without its own:
// every lookup, create, update and note is a JSON request POSTed to one
// configured URL, signed with a shared secret (HeaderSignature over
// HeaderTimestamp and the body, Verify on the receiver's side), answered
// with JSON. The request and answer of each type are in wire.go and in
// the OpenAPI document's webhooks section; webhooktest is a stand-in
// receiver that checks them.
//
// Calls are retried here with backoff (twice, on a 5xx, a 429 whose
// Retry-After is short, or a transport error) before the error goes back
// to CRMSync, whose Pub/Sub redelivery is the longer retry. Every retry of
// a request carries the same id, so a note is posted once however often
// it is sent: the receiver dedupes on it.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/crm"
)

// Timeout bounds one attempt.
const Timeout = 10 * time.Second

// MinSecret is the shortest secret accepted: 32 bytes of entropy written
// as 64 hex digits is what the README tells operators to generate.
const MinSecret = 32

// Client posts to a receiver.
type Client struct {
	URL    string
	Secret []byte
	// ContactURL, with {id} in it, opens a contact in the CRM ("" leaves
	// the console without a link).
	ContactURLTemplate string
	HTTP               *http.Client
	// Backoff is the wait before each retry; nil is DefaultBackoff.
	Backoff []time.Duration
	// Now signs requests; nil is time.Now.
	Now func() time.Time
}

// DefaultBackoff is the wait before the second and third attempt.
var DefaultBackoff = []time.Duration{500 * time.Millisecond, 2 * time.Second}

// maxInlineRetryAfter is the longest Retry-After waited out in process;
// a longer one goes back to Pub/Sub's redelivery.
const maxInlineRetryAfter = 5 * time.Second

var (
	_ crm.CRM    = (*Client)(nil)
	_ crm.Tester = (*Client)(nil)
)

// New is a Client for a receiver URL and secret.
func New(receiverURL, secret, contactURLTemplate string) *Client {
	return &Client{URL: receiverURL, Secret: []byte(secret), ContactURLTemplate: contactURLTemplate, HTTP: &http.Client{Timeout: Timeout}}
}

// CheckURL reports why u cannot be a receiver URL: it must be absolute
// https (http only to a loopback host, for tests and scripts/dev).
func CheckURL(u string) error { return crm.CheckReceiverURL(u) }

// FindContactsByPhone sends contact.lookup.
func (c *Client) FindContactsByPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	var res LookupResult
	if err := c.call(ctx, TypeLookup, "", LookupData{Phone: e164, Formats: crm.PhoneFormats(e164)}, &res); err != nil {
		return nil, err
	}
	out := make([]crm.Contact, 0, len(res.Contacts))
	for _, w := range res.Contacts {
		if w.ID == "" {
			return nil, &crm.Error{Op: TypeLookup, Message: "the receiver answered a contact without an id"}
		}
		out = append(out, contactOf(w))
	}
	return out, nil
}

// CreateContact sends contact.create.
func (c *Client) CreateContact(ctx context.Context, ct crm.Contact) (crm.Contact, error) {
	var res ContactResult
	if err := c.call(ctx, TypeCreate, "", ContactData{Contact: wireOf(ct)}, &res); err != nil {
		return crm.Contact{}, err
	}
	if res.Contact.ID == "" {
		return crm.Contact{}, &crm.Error{Op: TypeCreate, Message: "the receiver answered no contact.id"}
	}
	return contactOf(res.Contact), nil
}

// UpdateContact sends contact.update.
func (c *Client) UpdateContact(ctx context.Context, ct crm.Contact) (crm.Contact, error) {
	if ct.ID == "" {
		return crm.Contact{}, errors.New("webhook: update contact: no id")
	}
	var res ContactResult
	if err := c.call(ctx, TypeUpdate, "", ContactData{Contact: wireOf(ct)}, &res); err != nil {
		return crm.Contact{}, err
	}
	if res.Contact.ID == "" {
		res.Contact.ID = ct.ID
	}
	return contactOf(res.Contact), nil
}

// AddNote sends note.create with the note's key as the request id.
func (c *Client) AddNote(ctx context.Context, contactID string, n crm.Note) (string, error) {
	at := n.At
	if at.IsZero() {
		at = c.now()
	}
	body := NoteBody{Key: n.Key, Body: n.Body, At: at.UTC(), Event: n.Event}
	if n.Event != nil {
		body.ChatID = n.Event.ChatID
	}
	for _, a := range n.Attachments {
		body.Attachments = append(body.Attachments, Attachment{Name: a.Name, ContentType: a.ContentType, Data: base64.StdEncoding.EncodeToString(a.Data)})
	}
	var res NoteResult
	if err := c.call(ctx, TypeNote, n.Key, NoteData{ContactID: contactID, Note: body}, &res); err != nil {
		return "", err
	}
	return res.NoteID, nil
}

// ContactURL fills the template with the id.
func (c *Client) ContactURL(contactID string) string {
	if c.ContactURLTemplate == "" || contactID == "" {
		return ""
	}
	return strings.ReplaceAll(c.ContactURLTemplate, "{id}", url.PathEscape(contactID))
}

// TestConnection sends connection.test once, without retries.
func (c *Client) TestConnection(ctx context.Context) error {
	return c.attempt(ctx, TypeTest, newID(), struct{}{}, nil)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// call sends one request, retrying it with the same id.
func (c *Client) call(ctx context.Context, typ, id string, data, out any) error {
	if id == "" {
		id = newID()
	}
	backoff := c.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	for i := 0; ; i++ {
		err := c.attempt(ctx, typ, id, data, out)
		var ce *crm.Error
		if err == nil || i >= len(backoff) || !errors.As(err, &ce) || !ce.Retryable || ce.RetryAfter > maxInlineRetryAfter {
			return err
		}
		wait := max(backoff[i], ce.RetryAfter)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (c *Client) attempt(ctx context.Context, typ, id string, data, out any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("webhook %s: encode: %w", typ, err)
	}
	body, err := json.Marshal(Request{ID: id, Type: typ, CreatedAt: c.now().UTC(), Data: raw})
	if err != nil {
		return fmt.Errorf("webhook %s: encode: %w", typ, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return &crm.Error{Op: typ, Message: "bad receiver URL: " + err.Error()}
	}
	ts := c.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "smsdesk-crm-webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(c.Secret, ts, body))
	req.Header.Set(HeaderIdempotencyKey, id)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: Timeout}
	}
	return crm.Call(hc, req, typ, "bad receiver URL "+c.URL, out, func(answer []byte) string {
		var eb ErrorBody
		if json.Unmarshal(answer, &eb) == nil {
			return eb.Error
		}
		return ""
	})
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}

func wireOf(c crm.Contact) Contact {
	return Contact{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone, MobilePhone: c.MobilePhone, Language: c.Language}
}

func contactOf(w Contact) crm.Contact {
	return crm.Contact{ID: w.ID, FirstName: w.FirstName, LastName: w.LastName, Email: w.Email, Phone: w.Phone, MobilePhone: w.MobilePhone}
}
