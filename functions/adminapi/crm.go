package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/connect"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// CRM is what AdminAPI needs of the CRM sync: its connection settings
// and the replay of parked events.
type CRM struct {
	Sync      *crm.Service
	Connector *connect.Connector
}

// WithCRM serves the CRM routes (/crm...); without it they answer 503.
func WithCRM(c CRM) Option { return func(s *server) { s.crm = &c } }

// Option configures New.
type Option func(*server)

// CRMConnection is GET /crm: the saved settings, what they mean once the
// deployment's defaults fill them, and which secrets the deployment has
// (never their values).
type CRMConnection struct {
	Settings  crm.Settings `json:"settings"`
	Saved     bool         `json:"saved"`
	Effective crm.Settings `json:"effective"`
	Secrets   CRMSecrets   `json:"secrets"`
}

// CRMSecrets says which secrets are set on the deployment.
type CRMSecrets struct {
	HubSpotToken  bool `json:"hubspotToken"`
	WebhookSecret bool `json:"webhookSecret"`
}

// CRMTestRequest is the body of POST /crm/test: settings to try before
// saving them; without them the saved settings are tested.
type CRMTestRequest struct {
	Settings *crm.Settings `json:"settings,omitempty"`
}

// CRMReplay is the answer of POST /crm/replay.
type CRMReplay struct {
	Replayed []string `json:"replayed"`
	// StillPending are the chats whose events were parked again (the CRM
	// still refuses); their errors are in GET /crm/pending.
	StillPending []string `json:"stillPending"`
}

// CRMPending is a chat whose CRM sync waits for a replay.
type CRMPending struct {
	ChatID string       `json:"chatId"`
	Parked []crm.Parked `json:"parked"`
	// Waiting is how many events wait behind the parked ones.
	Waiting int `json:"waiting"`
}

// maxReplay bounds one replay of every pending chat; run it again for
// more.
const maxReplay = 100

func (s *server) crmRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("GET", "/crm", s.getCRM),
		route("PUT", "/crm", s.putCRM),
		route("POST", "/crm/test", s.testCRM),
		route("GET", "/crm/pending", s.pendingCRM),
		route("POST", "/crm/replay", s.replayCRM),
	}
}

func (s *server) crmReady(w http.ResponseWriter) bool {
	if s.crm == nil || s.crm.Connector == nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "CRM sync is not built on this deployment", nil)
		return false
	}
	return true
}

func (s *server) crmConnection(ctx context.Context) (CRMConnection, error) {
	c := s.crm.Connector
	saved, ok, err := c.Saved(ctx)
	if err != nil {
		return CRMConnection{}, err
	}
	return CRMConnection{Settings: saved, Saved: ok, Effective: c.Effective(saved),
		Secrets: CRMSecrets{HubSpotToken: c.Secrets.HubSpotToken != "", WebhookSecret: c.Secrets.WebhookSecret != ""}}, nil
}

func (s *server) getCRM(w http.ResponseWriter, r *http.Request) {
	if !s.crmReady(w) {
		return
	}
	v, err := s.crmConnection(r.Context())
	if err == nil {
		w.Header().Set("ETag", v.Settings.Revision())
	}
	errs.Answer(w, r, v, err)
}

func (s *server) putCRM(w http.ResponseWriter, r *http.Request) {
	if !s.crmReady(w) {
		return
	}
	var in crm.Settings
	if !bodies.Decode(w, r, "CRMSettings", &in) {
		return
	}
	cur, _, err := s.crm.Connector.Saved(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	if m := ifMatch(r); m != "" && `"`+m+`"` != cur.Revision() {
		httpapi.WriteError(w, http.StatusConflict, StaleMessage, nil)
		return
	}
	in.UpdatedAt = s.crm.Sync.Clock.Time()
	in.UpdatedBy = ""
	if p, ok := auth.From(r.Context()); ok {
		in.UpdatedBy = p.Email
	}
	if err := s.crm.Connector.Put(r.Context(), in); err != nil {
		var ve *chat.ValidationError
		if errors.As(err, &ve) {
			httpapi.WriteError(w, http.StatusBadRequest, "invalid CRM settings: nothing was saved", ve.Problems)
			return
		}
		errs.Fail(w, r, err)
		return
	}
	s.getCRM(w, r)
}

// testCRM tests the settings in the body (to try them before saving), or
// the saved ones when the body is empty.
func (s *server) testCRM(w http.ResponseWriter, r *http.Request) {
	if !s.crmReady(w) {
		return
	}
	in, given := crm.Settings{}, false
	var probe CRMTestRequest
	if !bodies.DecodeOptional(w, r, "CRMTestRequest", &probe) {
		return
	}
	if probe.Settings != nil {
		in, given = *probe.Settings, true
	}
	if !given {
		saved, _, err := s.crm.Connector.Saved(r.Context())
		if err != nil {
			errs.Fail(w, r, err)
			return
		}
		in = saved
	}
	httpapi.WriteJSON(w, http.StatusOK, s.crm.Connector.Test(r.Context(), in))
}

func (s *server) pendingCRM(w http.ResponseWriter, r *http.Request) {
	if !s.crmReady(w) {
		return
	}
	ids, err := s.pendingIDs(r.Context())
	if err != nil {
		errs.Fail(w, r, err)
		return
	}
	out := []CRMPending{}
	for _, id := range ids {
		l, err := s.crm.Sync.Links.Link(r.Context(), id)
		if err != nil {
			errs.Fail(w, r, err)
			return
		}
		out = append(out, CRMPending{ChatID: id, Parked: l.Parked, Waiting: len(l.Held)})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *server) pendingIDs(ctx context.Context) ([]string, error) {
	pl, ok := s.crm.Sync.Links.(crm.PendingLister)
	if !ok {
		return nil, errors.New("this deployment's CRM links cannot be listed")
	}
	return pl.PendingChats(ctx, maxReplay)
}

// replayCRM replays one chat (?chat=) or every pending chat, oldest first;
// each chat's events are posted in their order.
func (s *server) replayCRM(w http.ResponseWriter, r *http.Request) {
	if !s.crmReady(w) || !bodies.DecodeEmpty(w, r) {
		return
	}
	ids := []string{}
	if id := strings.TrimSpace(r.URL.Query().Get("chat")); id != "" {
		ids = append(ids, id)
	} else {
		var err error
		if ids, err = s.pendingIDs(r.Context()); err != nil {
			errs.Fail(w, r, err)
			return
		}
	}
	out := CRMReplay{Replayed: []string{}, StillPending: []string{}}
	for _, id := range ids {
		before, err := s.crm.Sync.Links.Link(r.Context(), id)
		if err != nil {
			errs.Fail(w, r, err)
			return
		}
		if !before.SyncPending() && len(before.Held) == 0 {
			continue // nothing waits: replaying would write a link for nothing
		}
		err = s.crm.Sync.Replay(r.Context(), id)
		if errors.Is(err, crm.ErrOff) {
			httpapi.WriteError(w, http.StatusConflict, "CRM sync is off: choose an adapter in PUT /crm first", nil)
			return
		}
		if err != nil {
			errs.Fail(w, r, err)
			return
		}
		l, err := s.crm.Sync.Links.Link(r.Context(), id)
		if err != nil {
			errs.Fail(w, r, err)
			return
		}
		if l.SyncPending() {
			out.StillPending = append(out.StillPending, id)
		} else {
			out.Replayed = append(out.Replayed, id)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}
