package twilio

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/sender"
	"github.com/smsdesk/smsdesk/shared/sms"
)

// MaxMedia is Twilio's limit of media per MMS.
const MaxMedia = 10

// FieldError names the form field that made a webhook unusable, so the 400
// says what to fix.
type FieldError = carrier.FieldError

func required(form url.Values, names ...string) (string, error) {
	for _, n := range names {
		if v := strings.TrimSpace(form.Get(n)); v != "" {
			return v, nil
		}
	}
	return "", &FieldError{Field: names[0], Problem: "is required"}
}

func number(form url.Values, field string) (string, error) {
	raw, err := required(form, field)
	if err != nil {
		return "", err
	}
	// A channel address (whatsapp:+1..., messenger:...) is not a phone
	// number, though libphonenumber would find one in it: texting it back
	// over SMS would reach someone who never texted this number by SMS.
	if strings.Contains(raw, ":") {
		return "", &FieldError{Field: field, Problem: fmt.Sprintf("%q is a channel address, not a phone number", raw)}
	}
	// A carrier's own notices come from an alphanumeric sender id, which
	// no numbering plan knows: kept as written, for intake to leave
	// unanswered.
	if field == "From" && sender.FormOf(raw) == sender.FormAlphanumeric {
		return raw, nil
	}
	n, err := sms.NormalizeNumber(raw, "US")
	if err != nil {
		return "", &FieldError{Field: field, Problem: err.Error()}
	}
	return n, nil
}

// ParseInbound reads an incoming SMS/MMS webhook form.
func ParseInbound(form url.Values) (chat.Inbound, error) {
	var in chat.Inbound
	sid, err := required(form, "MessageSid", "SmsMessageSid", "SmsSid")
	if err != nil {
		return in, err
	}
	from, err := number(form, "From")
	if err != nil {
		return in, err
	}
	to, err := number(form, "To")
	if err != nil {
		return in, err
	}
	in = chat.Inbound{Provider: "twilio", ProviderMessageID: sid, Number: to, Consumer: from, Body: form.Get("Body")}
	if nm := form.Get("NumMedia"); nm != "" {
		n, err := strconv.Atoi(nm)
		if err != nil || n < 0 || n > MaxMedia {
			return in, &FieldError{Field: "NumMedia", Problem: fmt.Sprintf("must be a whole number from 0 to %d, got %q", MaxMedia, nm)}
		}
		for i := range n {
			field := "MediaUrl" + strconv.Itoa(i)
			u := form.Get(field)
			if pu, err := url.Parse(u); u == "" || err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				return in, &FieldError{Field: field, Problem: "must be the URL of media item " + strconv.Itoa(i)}
			}
			in.Media = append(in.Media, chat.Media{URL: u, ContentType: form.Get("MediaContentType" + strconv.Itoa(i))})
		}
	}
	if in.Body == "" && len(in.Media) == 0 {
		return in, &FieldError{Field: "Body", Problem: "is empty and the message has no media"}
	}
	return in, nil
}

// Status is a parsed status callback.
type Status struct {
	MessageSid   string
	Status       chat.DeliveryStatus
	ErrorCode    string
	ErrorMessage string
}

// ParseStatus reads a message status callback form.
func ParseStatus(form url.Values) (Status, error) {
	var st Status
	sid, err := required(form, "MessageSid", "SmsSid")
	if err != nil {
		return st, err
	}
	raw, err := required(form, "MessageStatus", "SmsStatus")
	if err != nil {
		return st, err
	}
	s := chat.DeliveryStatus(strings.ToLower(raw))
	if !s.Known() {
		return st, &FieldError{Field: "MessageStatus", Problem: fmt.Sprintf("unknown status %q", raw)}
	}
	code := form.Get("ErrorCode")
	if code != "" {
		if _, err := strconv.Atoi(code); err != nil {
			return st, &FieldError{Field: "ErrorCode", Problem: fmt.Sprintf("must be numeric, got %q", code)}
		}
	}
	return Status{MessageSid: sid, Status: s, ErrorCode: code, ErrorMessage: form.Get("ErrorMessage")}, nil
}
