package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/wire"
)

//go:embed ivrsim.html
var ivrSimulatorPage []byte

// devIVRSecret is the IVR webhook's secret in a dev run that sets none:
// the IVR simulator sends it as a CX webhook would.
const devIVRSecret = "dev-ivr-webhook-secret-0123456789"

// ensureIVRSecret gives IVRWebhook a secret before the Env reads it.
func ensureIVRSecret(getenv func(string) string, setenv func(string, string) error) error {
	if getenv("IVR_WEBHOOK_SECRET") != "" {
		return nil
	}
	return setenv("IVR_WEBHOOK_SECRET", devIVRSecret)
}

// ivrSimulator acts as a Dialogflow CX agent: the page picks a tag and its
// parameters, and the simulator builds the WebhookRequest with the cxpb
// types, posts it to IVRWebhook with the secret header and shows both.
type ivrSimulator struct {
	webhook      string // IVRWebhook in this process
	secret       string
	secretHeader string
	admin        *admin.Service
	configs      *ivr.Configs
	client       *http.Client
}

func newIVRSimulator(ctx context.Context, e *platform.Env, selfBase string) (*ivrSimulator, error) {
	adm, err := jobs.Admin(ctx, e)
	if err != nil {
		return nil, err
	}
	svc, err := jobs.IVR(ctx, e)
	if err != nil {
		return nil, err
	}
	return &ivrSimulator{
		webhook: strings.TrimSuffix(selfBase, "/") + "/" + wire.FnIVRWebhook, secret: e.Config.IVR.Secret,
		secretHeader: e.Config.IVR.SecretHeader, admin: adm, configs: &ivr.Configs{Store: svc.Store, Config: adm},
		client: &http.Client{Timeout: 15 * time.Second},
	}, nil
}

func (s *ivrSimulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch path := strings.TrimPrefix(r.URL.Path, "/IVRSimulator"); {
	case path == "":
		http.Redirect(w, r, "IVRSimulator/", http.StatusMovedPermanently)
	case path == "/" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(ivrSimulatorPage)
	case path == "/api/turn" && r.Method == http.MethodPost:
		s.turn(w, r)
	case path == "/api/setup" && r.Method == http.MethodPost:
		s.setup(w, r)
	default:
		http.NotFound(w, r)
	}
}

// simTurn is one webhook call the page asks for.
type simTurn struct {
	Call     string         `json:"call"`
	Caller   string         `json:"caller"`
	Language string         `json:"language"`
	Tag      string         `json:"tag"`
	Turn     string         `json:"turn"`
	Params   map[string]any `json:"params"`
}

// simResult is what the page shows: the request CX would send and the
// webhook's answer.
type simResult struct {
	Request  json.RawMessage `json:"request"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// webhookRequest builds the WebhookRequest a CX agent with telephony
// sends: the session names the call, the caller id is in the payload.
func (t simTurn) webhookRequest() ([]byte, error) {
	ps, err := structpb.NewStruct(t.Params)
	if err != nil {
		return nil, fmt.Errorf("params: %w", err)
	}
	payload, err := structpb.NewStruct(map[string]any{"telephony": map[string]any{"caller_id": t.Caller}})
	if err != nil {
		return nil, err
	}
	req := &cxpb.WebhookRequest{
		DetectIntentResponseId: t.Turn, LanguageCode: t.Language,
		FulfillmentInfo: &cxpb.WebhookRequest_FulfillmentInfo{Tag: t.Tag},
		SessionInfo:     &cxpb.SessionInfo{Session: "projects/dev/locations/global/agents/ivr-simulator/sessions/" + t.Call, Parameters: ps.GetFields()},
		Payload:         payload,
	}
	return protojson.Marshal(req)
}

func (s *ivrSimulator) turn(w http.ResponseWriter, r *http.Request) {
	var t simTurn
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&t); err != nil || t.Call == "" || t.Tag == "" || t.Turn == "" {
		http.Error(w, "call, tag and turn are required", http.StatusBadRequest)
		return
	}
	body, err := t.webhookRequest()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out := simResult{Request: body}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.webhook, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(s.secretHeader, s.secret)
	resp, err := s.client.Do(req)
	if err != nil {
		out.Error = err.Error()
	} else {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		out.Status = resp.StatusCode
		if json.Valid(raw) {
			out.Response = raw
		} else {
			out.Error = string(raw)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// setup configures the IVR queue "demo-ivr" on the demo (deflection and
// wait-time on, threshold 0) and an in-call number when there is none.
func (s *ivrSimulator) setup(w http.ResponseWriter, r *http.Request) {
	msg, err := s.setUp(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (s *ivrSimulator) setUp(ctx context.Context) (string, error) {
	cfg, err := s.admin.Config(ctx)
	if err != nil {
		return "", err
	}
	var chatNumbers []chat.Number
	inCall := ""
	for _, n := range cfg.Numbers {
		if n.InCall {
			inCall = n.E164
		} else {
			chatNumbers = append(chatNumbers, n)
		}
	}
	if len(chatNumbers) == 0 {
		return "", fmt.Errorf("the configuration has no chat number")
	}
	from := chatNumbers[0]
	if inCall == "" && len(chatNumbers) > 1 {
		n := chatNumbers[len(chatNumbers)-1]
		n.InCall = true
		if _, err := s.admin.PutNumber(ctx, n); err != nil {
			return "", fmt.Errorf("make %s the in-call number: %w", n.E164, err)
		}
		inCall = n.E164
	}
	leaf := ""
	for _, q := range cfg.Queues {
		if !slices.ContainsFunc(cfg.Queues, func(c chat.Queue) bool { return c.ParentID == q.ID }) {
			leaf = q.ID
			break
		}
	}
	q := ivrrec.Queue{ID: "demo-ivr", Enabled: true, SMSQueue: leaf, Number: from.E164, CompanyName: cfg.Settings.Program.Name,
		DefaultLanguage: "en", WaitTime: true, Texts: map[string]ivrrec.Texts{"en": {
			Offer:          "The wait is about @{ESTIMATED_WAIT_TIME_IN_MINUTES} minutes with @{QUEUE_SIZE} ahead. Would you like to continue by text?",
			OptedIn:        "You asked to continue by text. Msg & data rates may apply. Reply STOP to opt out.",
			Greeting:       "Hi, this is @{COMPANY_NAME} @{QUEUE_NAME}. Tell us how we can help.",
			WaitTimeAsk:    "While you wait, would you like to text us the details?",
			WaitTimeInvite: "@{COMPANY_NAME}: reply with details or photos; the agent who takes your call will see them. Reply STOP to opt out.",
		}}}
	if _, err := s.configs.Put(ctx, q); err != nil {
		return "", err
	}
	out := fmt.Sprintf("IVR queue demo-ivr: texts from %s, deflected chats wait in %s.", from.E164, leaf)
	if inCall != "" {
		out += " In-call SMS from " + inCall + "."
	} else {
		out += " No in-call number (it needs a second number)."
	}
	return out, nil
}
