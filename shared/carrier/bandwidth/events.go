package bandwidth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the provider's name on chats and inbound records.
const Name = wire.ProviderBandwidth

// CodeOptedOut is Bandwidth's 4775 destination-rejected-due-to-user-opt-out
// ("User has opted out of receiving messages from a particular sender"),
// reported in a message-failed callback's errorCode.
const CodeOptedOut = "4775"

// The callback types of Bandwidth's messaging webhooks.
const (
	EventReceived  = "message-received"
	EventSending   = "message-sending"
	EventSent      = "message-sent"
	EventDelivered = "message-delivered"
	EventFailed    = "message-failed"
)

// StatusWords are the status callback types and what they mean to us:
// message-sending, Bandwidth is handing it to the carrier; message-sent,
// it left Bandwidth's network; message-delivered, delivered to the handset;
// message-failed, it could not be sent (errorCode says why).
var StatusWords = map[string]chat.DeliveryStatus{
	EventSending:   chat.DeliverySending,
	EventSent:      chat.DeliverySent,
	EventDelivered: chat.DeliveryDelivered,
	EventFailed:    chat.DeliveryFailed,
}

// Event is one element of a callback's array, with the fields we read.
type Event struct {
	Type        string  `json:"type"`
	Time        string  `json:"time"`
	Description string  `json:"description"`
	To          string  `json:"to"`
	ErrorCode   Code    `json:"errorCode"`
	Message     Message `json:"message"`
}

// Message is an event's message, and the send API's answer.
type Message struct {
	ID            string   `json:"id"`
	Owner         string   `json:"owner"`
	ApplicationID string   `json:"applicationId"`
	Time          string   `json:"time"`
	SegmentCount  int      `json:"segmentCount"`
	Direction     string   `json:"direction"`
	To            []string `json:"to"`
	From          string   `json:"from"`
	Text          string   `json:"text"`
	Media         []string `json:"media"`
	Tag           string   `json:"tag"`
	Priority      string   `json:"priority,omitempty"`
}

// Code is an error code given as a JSON number (as documented) or string.
type Code string

// UnmarshalJSON implements json.Unmarshaler.
func (c *Code) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = Code(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("errorCode %s is neither a number nor a string", b)
	}
	*c = Code(n.String())
	return nil
}

// FieldError names the field that made a callback unusable.
type FieldError = carrier.FieldError

// decode reads a callback body: Bandwidth posts a JSON array and, so far,
// one event per callback (a group message gets one callback per
// recipient). More than one is refused rather than half applied: the 400
// is logged, where a dropped event would not be.
func decode(body []byte) (Event, error) {
	var evs []Event
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&evs); err != nil {
		return Event{}, &FieldError{Field: "body", Problem: "is not Bandwidth's JSON array of events: " + err.Error()}
	}
	if dec.More() {
		return Event{}, &FieldError{Field: "body", Problem: "holds more than one JSON value"}
	}
	switch {
	case len(evs) == 0:
		return Event{}, &FieldError{Field: "[0]", Problem: "the callback holds no event"}
	case len(evs) > 1:
		return Event{}, &FieldError{Field: "[1]", Problem: fmt.Sprintf("the callback holds %d events; Bandwidth posts one", len(evs))}
	}
	ev := evs[0]
	if ev.Type == "" {
		return ev, &FieldError{Field: "[0].type", Problem: "is required"}
	}
	if strings.TrimSpace(ev.Message.ID) == "" {
		return ev, &FieldError{Field: "[0].message.id", Problem: "is required"}
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
// handsets add to an MMS. Bandwidth's media URLs end in the part's file
// name, and its callbacks carry no content types.
func smil(u *url.URL) bool {
	return strings.HasSuffix(strings.ToLower(u.Path), ".smil")
}

// ParseInbound reads a message-received callback body. The business's
// number is the event's to (the Bandwidth number that received it), or
// the message's owner.
func ParseInbound(body []byte) (chat.Inbound, error) {
	var in chat.Inbound
	ev, err := decode(body)
	if err != nil {
		return in, err
	}
	if ev.Type != EventReceived {
		return in, &FieldError{Field: "[0].type", Problem: fmt.Sprintf("%q is not %q", ev.Type, EventReceived)}
	}
	m := ev.Message
	if m.Direction != "" && m.Direction != "in" {
		return in, &FieldError{Field: "[0].message.direction", Problem: fmt.Sprintf("%q is not in", m.Direction)}
	}
	from, err := senderNumber(m.From, "[0].message.from")
	if err != nil {
		return in, err
	}
	ours, field := ev.To, "[0].to"
	if strings.TrimSpace(ours) == "" {
		ours, field = m.Owner, "[0].message.owner"
	}
	to, err := number(ours, field)
	if err != nil {
		return in, err
	}
	in = chat.Inbound{Provider: Name, ProviderMessageID: strings.TrimSpace(m.ID), Number: to, Consumer: from, Body: m.Text}
	for i, raw := range m.Media {
		pu, err := url.Parse(raw)
		if raw == "" || err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return chat.Inbound{}, &FieldError{Field: "[0].message.media[" + strconv.Itoa(i) + "]", Problem: "must be the URL of media item " + strconv.Itoa(i)}
		}
		if smil(pu) {
			continue
		}
		in.Media = append(in.Media, chat.Media{URL: raw})
	}
	if in.Body == "" && len(in.Media) == 0 {
		return chat.Inbound{}, &FieldError{Field: "[0].message.text", Problem: "is empty and the message has no media"}
	}
	return in, nil
}

// ParseStatus reads a status callback body: its type, the message id, the
// error of a message-failed, and the message the tag names (Bandwidth
// posts every status to the application's one OutboundCallbackUrl, so the
// message rides in the tag we set on the send, not in the URL).
func ParseStatus(body []byte) (carrier.Status, error) {
	ev, err := decode(body)
	if err != nil {
		return carrier.Status{}, err
	}
	s, ok := StatusWords[ev.Type]
	if !ok {
		return carrier.Status{}, &FieldError{Field: "[0].type", Problem: fmt.Sprintf("unknown status callback type %q", ev.Type)}
	}
	st := carrier.Status{ProviderMessageID: strings.TrimSpace(ev.Message.ID), Status: s}
	if code := string(ev.ErrorCode); code != "" {
		if n, err := strconv.Atoi(code); err != nil || n < 0 {
			return carrier.Status{}, &FieldError{Field: "[0].errorCode", Problem: fmt.Sprintf("must be a number, got %q", code)}
		}
		st.ErrorCode, st.OptedOut = code, code == CodeOptedOut
	}
	if s == chat.DeliveryFailed || st.ErrorCode != "" {
		st.ErrorMessage = ev.Description
	}
	if m, ok := Explain(st.ErrorCode); ok {
		m.ExplainStatus(&st)
	}
	if tag := strings.TrimSpace(ev.Message.Tag); tag != "" {
		ref, err := RefFromTag(tag)
		if err != nil {
			return carrier.Status{}, &FieldError{Field: "[0].message.tag", Problem: err.Error()}
		}
		st.Ref = &ref
	}
	return st, nil
}

// Tag is what a send sets as the message's tag: the query of its status
// callback URL ("chat=...&seq=..."), which names the message as the query
// does for the other carriers.
func Tag(statusCallbackURL string) string {
	u, err := url.Parse(statusCallbackURL)
	if err != nil {
		return ""
	}
	return u.RawQuery
}

// RefFromTag reads the message a tag names.
func RefFromTag(tag string) (chat.Ref, error) {
	q, err := url.ParseQuery(tag)
	if err != nil {
		return chat.Ref{}, fmt.Errorf("%q does not name a message (chat=...&seq=...)", tag)
	}
	ref, err := wire.ParseStatusQuery(q)
	if err != nil {
		return chat.Ref{}, fmt.Errorf("%q does not name a message: %w", tag, err)
	}
	return ref, nil
}

// errUnverified is what the parse methods answer for a request
// Authenticate did not admit.
var errUnverified = &FieldError{Field: "body", Problem: "was not admitted by Authenticate"}

var _ carrier.Webhooks = (*Verifier)(nil)

// ParseInbound implements carrier.Webhooks: the body Authenticate admitted.
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

// AckInbound implements carrier.Webhooks: Bandwidth wants a 2xx within 10
// seconds and reads nothing of it; otherwise it retries for 24 hours.
func (v *Verifier) AckInbound(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }
