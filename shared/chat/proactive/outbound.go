// Package proactive decides how the business texts a consumer first: an
// agent-initiated chat, a session started through OutboundAPI, or a text
// sent without a session. Proactive texts are where businesses get fined
// and numbers blocked, so the rules live here, in the domain, and are
// checked again at send time (Gate): consent, the recipient's quiet hours,
// the sender's 10DLC campaign, the destination country.
package proactive

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsdesk/smsdesk/shared/calendar"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// Code names why a proactive text was refused; OutboundAPI maps each to
// the reference product's error message.
type Code string

const (
	CodeChannelOff     Code = "channel-off"
	CodeOutboundOff    Code = "outbound-off"
	CodeNumberDisabled Code = "number-disabled"
	CodeCountry        Code = "country"
	CodeCampaign       Code = "campaign"
	CodeOptedOut       Code = "opted-out"
	// CodeUndeliverable: the carrier said the consumer's number cannot
	// receive texts (unknown, a landline).
	CodeUndeliverable Code = "undeliverable"
	CodeActiveSession Code = "active-session"
	CodeQuietHours    Code = "quiet-hours"
)

// Refusal is a proactive text the rules do not allow.
type Refusal struct {
	Code    Code
	Message string
	ChatID  string    // the open chat, for CodeActiveSession
	Since   time.Time // when the consumer opted out, for CodeOptedOut
	Until   time.Time // when the quiet hours end, for CodeQuietHours
}

func (r *Refusal) Error() string { return r.Message }

// Origin is who texts first; the consent ledger records it as the legal
// basis of the send.
type Origin struct {
	AgentID  string
	APIKeyID string
	// Call is the IVR call a caller asked for texts on.
	Call string
}

// Basis is the ledger's name for the origin: "agent:ID", "api:KEYID" or
// "ivr:CALL".
func (o Origin) Basis() string {
	if o.Call != "" {
		return "ivr:" + o.Call
	}
	if o.AgentID != "" && o.APIKeyID == "" {
		return "agent:" + o.AgentID
	}
	return "api:" + o.APIKeyID
}

// campaignActive are the 10DLC campaign states carriers let through.
var campaignActive = []string{"verified", "active", "approved"}

// CheckSender refuses a proactive text from a number the settings or the
// carriers do not let send one.
func CheckSender(s chat.Settings, n chat.Number) *Refusal {
	switch {
	case !s.ChannelEnabled:
		return &Refusal{Code: CodeChannelOff, Message: "SMS is not enabled"}
	case !s.OutboundEnabled:
		return &Refusal{Code: CodeOutboundOff, Message: "Outbound SMS is not enabled"}
	case !n.Enabled:
		return &Refusal{Code: CodeNumberDisabled, Message: "outbound_number " + n.E164 + " is disabled"}
	}
	if NeedsCampaign(n) && !slices.Contains(campaignActive, strings.ToLower(n.CampaignStatus)) {
		status := n.CampaignStatus
		if status == "" {
			status = "not registered"
		}
		return &Refusal{Code: CodeCampaign, Message: fmt.Sprintf("outbound_number campaign is not active: %s is a US long code whose 10DLC campaign is %s", n.E164, status)}
	}
	return nil
}

// NeedsCampaign reports whether a number is a US long code, which carriers
// block for application-to-person traffic without a registered campaign.
func NeedsCampaign(n chat.Number) bool {
	if n.Type != "" && n.Type != chat.NumberLongCode {
		return false
	}
	return Region(n.E164) == "US"
}

// Region is the ISO country of an E.164 number ("" when unknown).
func Region(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(num)
}

// CheckRecipient refuses a destination outside the allowed countries (US
// only unless the settings say more).
func CheckRecipient(s chat.Settings, consumer string) *Refusal {
	allowed := s.AllowedCountries
	if len(allowed) == 0 {
		allowed = []string{"US"}
	}
	region := Region(consumer)
	for _, c := range allowed {
		if strings.EqualFold(c, region) {
			return nil
		}
	}
	if len(allowed) == 1 && allowed[0] == "US" {
		return &Refusal{Code: CodeCountry, Message: "Non-US phone number not allowed"}
	}
	return &Refusal{Code: CodeCountry, Message: fmt.Sprintf("phone number of country %q not allowed (allowed: %s)", region, strings.Join(allowed, ", "))}
}

// CheckConsent refuses a consumer who opted out, naming when and how, and
// a number the carrier said cannot receive texts, with the carrier's
// reason.
func CheckConsent(c chat.Consent) *Refusal {
	if c.State != chat.ConsentOptedOut {
		if c.Undeliverable != "" {
			return &Refusal{Code: CodeUndeliverable, Message: "end_user_number cannot receive texts: " + c.Undeliverable}
		}
		return nil
	}
	how := string(c.Source)
	if c.Keyword != "" {
		how += " " + c.Keyword
	}
	return &Refusal{Code: CodeOptedOut, Since: c.UpdatedAt,
		Message: fmt.Sprintf("consumer has opted out: on %s (%s)", c.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"), how)}
}

// QuietWindow is the window proactive texts may go out in, in the
// recipient's local time, and whether it applies. Settings that never set
// quiet hours get the TCPA window (08:00 to 21:00); turning them off takes
// enabled false with the hours given.
func QuietWindow(q chat.QuietHours) (calendar.Window, bool, error) {
	switch {
	case q.Start == "" && q.End == "" && !q.Enabled:
		return calendar.DefaultQuietWindow(), true, nil
	case !q.Enabled:
		return calendar.Window{}, false, nil
	}
	// The settings name the quiet span; texts may go out outside it.
	w, err := calendar.ParseWindow(q.End, q.Start)
	if err != nil {
		return calendar.Window{}, false, fmt.Errorf("quietHours: %w", err)
	}
	return w, true, nil
}

// HoldUntil returns when a proactive text to consumer may go out if it may
// not now: the next instant the quiet window is open in every time zone of
// the consumer's number. ok is false when it may go now.
func HoldUntil(s chat.Settings, consumer string, now time.Time) (until time.Time, held bool, err error) {
	w, on, err := QuietWindow(s.QuietHours)
	if err != nil || !on {
		return time.Time{}, false, err
	}
	zones := calendar.Zones(consumer, s.QuietHours.TimeZone)
	if len(zones) > maxZones {
		// A number the data cannot place (toll-free, non-geographic +1
		// numbers list dozens of zones, Guam to Pago Pago): judging by all
		// of them would leave no daytime, so the deployment's zone decides.
		zones = calendar.Zones("", s.QuietHours.TimeZone)
	}
	if w.Allowed(now, zones) {
		return time.Time{}, false, nil
	}
	next, ok := w.NextAllowed(now, zones)
	if !ok {
		return time.Time{}, false, fmt.Errorf("the quiet hours leave no time to text %s in its time zones", consumer)
	}
	return next, true, nil
}

// maxZones bounds the zones a number may span and still be judged by
// them: the widest area codes span two.
const maxZones = 4

// Decision is what the send path does with a message once its claim is
// otherwise granted.
type Decision struct {
	// Later holds the send until then.
	Later time.Time
	// Suppress ends the message unsent, with this reason.
	Suppress string
}

// Gate re-checks a proactive message at send time: rules can change
// between the request and the send (a campaign suspended, a held text's
// window moved). Replies to a consumer pass.
func Gate(s chat.Settings, n chat.Number, consumer string, m chat.Message, now time.Time) Decision {
	if !m.Proactive {
		return Decision{}
	}
	if r := CheckSender(s, n); r != nil {
		return Decision{Suppress: r.Message}
	}
	until, held, err := HoldUntil(s, consumer, now)
	switch {
	case err != nil:
		return Decision{Suppress: err.Error()}
	case held:
		return Decision{Later: until}
	}
	return Decision{}
}
