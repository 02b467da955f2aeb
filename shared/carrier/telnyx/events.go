package telnyx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the provider's name on chats and inbound records.
const Name = wire.ProviderTelnyx

// CodeOptedOut is Telnyx's 40300 "Blocked due to STOP message": the
// recipient texted STOP (or END, QUIT) to the sending number. Sends answer
// it with HTTP 409, delivery updates carry it in errors[].
const CodeOptedOut = "40300"

// MaxMedia is Telnyx's limit of media per MMS ("You can send up to 10
// media files per message").
const MaxMedia = 10

// The event types of Telnyx's messaging webhooks.
const (
	EventReceived  = "message.received"
	EventSent      = "message.sent"
	EventFinalized = "message.finalized"
)

// Event is Telnyx's webhook envelope, with the fields we read.
type Event struct {
	Data struct {
		RecordType string    `json:"record_type"`
		ID         string    `json:"id"`
		EventType  string    `json:"event_type"`
		OccurredAt time.Time `json:"occurred_at"`
		Payload    Message   `json:"payload"`
	} `json:"data"`
}

// Message is the message record of an event's payload, and of the send
// API's answer.
type Message struct {
	RecordType string      `json:"record_type,omitempty"`
	Direction  string      `json:"direction,omitempty"`
	ID         string      `json:"id"`
	Type       string      `json:"type,omitempty"`
	From       Address     `json:"from"`
	To         []Address   `json:"to"`
	Text       string      `json:"text"`
	Media      []MediaItem `json:"media"`
	Encoding   string      `json:"encoding,omitempty"`
	Parts      int         `json:"parts,omitempty"`
	Errors     []APIError  `json:"errors"`
}

// Address is a sender or recipient; a recipient of an outbound message
// carries its delivery status.
type Address struct {
	PhoneNumber string `json:"phone_number"`
	Status      string `json:"status,omitempty"`
	Carrier     string `json:"carrier,omitempty"`
	LineType    string `json:"line_type,omitempty"`
}

// MediaItem is one medium of an MMS; content_type is null on an outbound
// message whose media Telnyx has not fetched yet.
type MediaItem struct {
	URL         string  `json:"url"`
	ContentType *string `json:"content_type"`
	Size        *int64  `json:"size"`
}

// APIError is one entry of Telnyx's errors arrays, in API answers and in
// delivery updates. Telnyx documents code as a string ("40300"); a number
// is read too.
type APIError struct {
	Code   Code   `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Code is an error code given as a JSON string or number.
type Code string

// UnmarshalJSON implements json.Unmarshaler.
func (c *Code) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = Code(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("error code %s is neither a string nor a number", b)
	}
	*c = Code(n.String())
	return nil
}

func (e APIError) message() string {
	switch {
	case e.Title != "" && e.Detail != "" && e.Detail != e.Title:
		return e.Title + ": " + e.Detail
	case e.Detail != "":
		return e.Detail
	}
	return e.Title
}

// StatusWords are the recipient statuses of Telnyx's message records
// (OutboundMessagePayload to[].status) and what they mean to us.
// sending_failed: Telnyx could not hand the message to a carrier;
// delivery_failed: a carrier took it and reported it undelivered;
// delivery_unconfirmed: sent, and no delivery receipt came back.
var StatusWords = map[string]chat.DeliveryStatus{
	"queued":               chat.DeliveryQueued,
	"sending":              chat.DeliverySending,
	"sent":                 chat.DeliverySent,
	"delivered":            chat.DeliveryDelivered,
	"sending_failed":       chat.DeliveryFailed,
	"delivery_failed":      chat.DeliveryUndelivered,
	"delivery_unconfirmed": chat.DeliverySent,
}

// FieldError names the field that made a webhook unusable.
type FieldError = carrier.FieldError

// decode reads a webhook body into its envelope.
func decode(body []byte) (Event, error) {
	var ev Event
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&ev); err != nil {
		return ev, &FieldError{Field: "data", Problem: "the body is not Telnyx's JSON event envelope: " + err.Error()}
	}
	if dec.More() {
		return ev, &FieldError{Field: "data", Problem: "the body holds more than one JSON value"}
	}
	if ev.Data.EventType == "" {
		return ev, &FieldError{Field: "data.event_type", Problem: "is required"}
	}
	if strings.TrimSpace(ev.Data.Payload.ID) == "" {
		return ev, &FieldError{Field: "data.payload.id", Problem: "is required"}
	}
	return ev, nil
}

// senderNumber reads the sender of an inbound text: a number, or the
// alphanumeric sender id a carrier's own notices come from, kept as
// written for intake to leave unanswered.
func senderNumber(raw, field string) (string, error) {
	if s := strings.TrimSpace(raw); sender.FormOf(s) == sender.FormAlphanumeric {
		return s, nil
	}
	return number(raw, field)
}

func number(raw, field string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", &FieldError{Field: field, Problem: "is required"}
	}
	n, err := sms.NormalizeNumber(raw, "US")
	if err != nil {
		return "", &FieldError{Field: field, Problem: err.Error()}
	}
	return n, nil
}

// smil reports whether a medium is the SMIL layout part AT&T and Verizon
// handsets add to an MMS: it describes how to lay the other parts out and
// is nothing an agent can look at.
func smil(m MediaItem) bool {
	if m.ContentType != nil {
		if mt, _, err := mime.ParseMediaType(*m.ContentType); err == nil && mt == "application/smil" {
			return true
		}
	}
	u, err := url.Parse(m.URL)
	return err == nil && strings.HasSuffix(strings.ToLower(u.Path), ".smil")
}

// ParseInbound reads a message.received webhook body.
func ParseInbound(body []byte) (chat.Inbound, error) {
	var in chat.Inbound
	ev, err := decode(body)
	if err != nil {
		return in, err
	}
	if ev.Data.EventType != EventReceived {
		return in, &FieldError{Field: "data.event_type", Problem: fmt.Sprintf("%q is not %q", ev.Data.EventType, EventReceived)}
	}
	p := ev.Data.Payload
	from, err := senderNumber(p.From.PhoneNumber, "data.payload.from.phone_number")
	if err != nil {
		return in, err
	}
	if len(p.To) == 0 {
		return in, &FieldError{Field: "data.payload.to", Problem: "names no recipient"}
	}
	to, err := number(p.To[0].PhoneNumber, "data.payload.to[0].phone_number")
	if err != nil {
		return in, err
	}
	switch p.Type {
	case "", "SMS", "MMS":
	default:
		return in, &FieldError{Field: "data.payload.type", Problem: fmt.Sprintf("%q is neither SMS nor MMS", p.Type)}
	}
	if len(p.Media) > MaxMedia {
		return in, &FieldError{Field: "data.payload.media", Problem: fmt.Sprintf("has %d items, more than Telnyx's %d", len(p.Media), MaxMedia)}
	}
	in = chat.Inbound{Provider: Name, ProviderMessageID: strings.TrimSpace(p.ID), Number: to, Consumer: from, Body: p.Text}
	for i, m := range p.Media {
		field := "data.payload.media[" + strconv.Itoa(i) + "].url"
		if pu, err := url.Parse(m.URL); m.URL == "" || err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return in, &FieldError{Field: field, Problem: "must be the URL of media item " + strconv.Itoa(i)}
		}
		if smil(m) {
			continue
		}
		cm := chat.Media{URL: m.URL}
		if m.ContentType != nil {
			cm.ContentType = *m.ContentType
		}
		in.Media = append(in.Media, cm)
	}
	if in.Body == "" && len(in.Media) == 0 {
		return in, &FieldError{Field: "data.payload.text", Problem: "is empty and the message has no media"}
	}
	return in, nil
}

// ParseStatus reads a message.sent or message.finalized webhook body: the
// first recipient's status and the first error.
func ParseStatus(body []byte) (carrier.Status, error) {
	var st carrier.Status
	ev, err := decode(body)
	if err != nil {
		return st, err
	}
	switch ev.Data.EventType {
	case EventSent, EventFinalized:
	default:
		return st, &FieldError{Field: "data.event_type", Problem: fmt.Sprintf("%q is not a delivery update (%s, %s)", ev.Data.EventType, EventSent, EventFinalized)}
	}
	p := ev.Data.Payload
	if len(p.To) == 0 {
		return st, &FieldError{Field: "data.payload.to", Problem: "names no recipient"}
	}
	word := p.To[0].Status
	s, ok := StatusWords[word]
	if !ok {
		return st, &FieldError{Field: "data.payload.to[0].status", Problem: fmt.Sprintf("unknown status %q", word)}
	}
	st = carrier.Status{ProviderMessageID: strings.TrimSpace(p.ID), Status: s}
	if len(p.Errors) > 0 {
		e := p.Errors[0]
		code := string(e.Code)
		if code != "" {
			if _, err := strconv.Atoi(code); err != nil {
				return carrier.Status{}, &FieldError{Field: "data.payload.errors[0].code", Problem: fmt.Sprintf("must be numeric, got %q", code)}
			}
		}
		st.ErrorCode, st.ErrorMessage = code, e.message()
		if m, ok := Explain(code); ok {
			m.ExplainStatus(&st)
		}
	}
	return st, nil
}

var _ carrier.Webhooks = (*Verifier)(nil)

// errUnverified is what the parse methods answer for a request
// Authenticate did not admit.
var errUnverified = &FieldError{Field: "body", Problem: "was not verified by Authenticate"}

// ParseInbound implements carrier.Webhooks: the body Authenticate verified.
func (v *Verifier) ParseInbound(r *http.Request) (chat.Inbound, error) {
	body, ok := rawBody(r)
	if !ok {
		return chat.Inbound{}, errUnverified
	}
	return ParseInbound(body)
}

// ParseStatus implements carrier.Webhooks.
func (v *Verifier) ParseStatus(r *http.Request) (carrier.Status, error) {
	body, ok := rawBody(r)
	if !ok {
		return carrier.Status{}, errUnverified
	}
	return ParseStatus(body)
}

// AckInbound implements carrier.Webhooks: Telnyx wants a 2xx within 2
// seconds and reads nothing of it; otherwise it retries and then tries the
// failover URL.
func (v *Verifier) AckInbound(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }
