// Package ivrwebhook is the IVRWebhook function: the Dialogflow CX webhook
// of the voice IVR. It reads a WebhookRequest, dispatches on
// fulfillmentInfo.tag to shared/ivr and answers a WebhookResponse: output
// parameters in sessionInfo.parameters, what the agent says in
// fulfillmentResponse.messages. The caller's number is the telephony
// payload's caller_id, the call id the session id. Every turn runs once
// per (session, tag, turn): a CX retry is answered what the first call
// was. A call neither carrying the shared secret nor a Google ID token
// from an allowed sender is 401 and does nothing.
package ivrwebhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"google.golang.org/api/idtoken"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnIVRWebhook

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	svc, err := jobs.IVR(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(svc, AuthFrom(e.Config.IVR, e.URLs().PublicFunction(Name), idtoken.Validate)), nil
}

// Tags the webhook answers (fulfillmentInfo.tag).
const (
	TagEWT               = "ewt"
	TagDeflectionOffer   = "deflection-offer"
	TagDeflectionAccept  = "deflection-accept"
	TagDeflectionDecline = "deflection-decline"
)

// Parameters read from sessionInfo.parameters and written back.
const (
	ParamIVRQueue         = "ivr_queue"
	ParamSMSQueue         = "sms_queue"
	ParamEWTMinutes       = "ewt_minutes"
	ParamQueueSize        = "queue_size"
	ParamEWTKnown         = "ewt_known"
	ParamOffered          = "deflection_offered"
	ParamReason           = "deflection_reason"
	ParamDetail           = "deflection_detail"
	ParamEndCall          = "end_call"
	ParamDeflected        = "deflected"
	ParamSMSChatID        = "sms_chat_id"
	ParamDeclined         = "deflection_declined"
	maxBody         int64 = 1 << 20
)

// Auth is who may call the webhook.
type Auth struct {
	Secret, SecretHeader string
	// Audience and Emails: a Google-signed ID token for Audience issued to
	// one of Emails. No emails: ID tokens are refused.
	Audience string
	Emails   []string
	Validate func(ctx context.Context, token, audience string) (*idtoken.Payload, error)
}

// AuthFrom is the configured Auth; the audience defaults to the
// function's public URL.
func AuthFrom(c config.IVR, publicURL string, validate func(context.Context, string, string) (*idtoken.Payload, error)) Auth {
	aud := c.IDTokenAudience
	if aud == "" {
		aud = publicURL
	}
	return Auth{Secret: c.Secret, SecretHeader: c.SecretHeader, Audience: aud, Emails: c.IDTokenEmails, Validate: validate}
}

// check tells whether r comes from the CX agent.
func (a Auth) check(r *http.Request) bool {
	if a.Secret != "" && a.SecretHeader != "" {
		if got := r.Header.Get(a.SecretHeader); got != "" {
			return subtle.ConstantTimeCompare([]byte(got), []byte(a.Secret)) == 1
		}
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" || len(a.Emails) == 0 || a.Validate == nil {
		return false
	}
	p, err := a.Validate(r.Context(), token, a.Audience)
	if err != nil {
		logging.From(r.Context()).WithError(err).Warn("IVR webhook: ID token refused")
		return false
	}
	email, _ := p.Claims["email"].(string)
	verified, _ := p.Claims["email_verified"].(bool)
	return verified && slices.Contains(a.Emails, email)
}

// New serves the webhook over the IVR use case.
func New(svc *ivr.Service, auth Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/"+Name)
		switch {
		case path == httpapi.OpenAPIPath && r.Method == http.MethodGet:
			httpapi.ServeOpenAPI(w, r)
			return
		case path == AppTokenPath:
			// The app's SDK calls it: the one-time token is the credential.
			serveAppToken(svc, w, r)
			return
		case path != "" && path != "/":
			httpapi.WriteError(w, http.StatusNotFound, "no such path", nil)
			return
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", http.MethodPost)
			httpapi.WriteError(w, http.StatusMethodNotAllowed, "POST a Dialogflow CX WebhookRequest", nil)
			return
		}
		if !auth.check(r) {
			httpapi.WriteError(w, http.StatusUnauthorized, "the webhook secret or a Google ID token from an allowed sender is required", nil)
			return
		}
		serve(svc, w, r)
	})
}

func serve(svc *ivr.Service, w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		httpapi.WriteError(w, http.StatusRequestEntityTooLarge, "body: over 1 MiB or unreadable", nil)
		return
	}
	var req cxpb.WebhookRequest
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &req); err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "body: not a WebhookRequest: "+err.Error(), nil)
		return
	}
	tag := req.GetFulfillmentInfo().GetTag()
	session := req.GetSessionInfo().GetSession()
	if session == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "sessionInfo.session is required", nil)
		return
	}
	handle, ok := handlers[tag]
	if !ok {
		httpapi.WriteError(w, http.StatusBadRequest, fmt.Sprintf("fulfillmentInfo.tag %q is not one this webhook answers", tag), nil)
		return
	}
	// The turn: CX keeps the detect-intent response id across a webhook
	// retry; without one, the same body is the same turn.
	turn := req.GetDetectIntentResponseId()
	if turn == "" {
		sum := sha256.Sum256(raw)
		turn = "body:" + hex.EncodeToString(sum[:])
	}
	call := callOf(&req)
	ctx := logging.With(r.Context(), map[string]any{"call_id": call.ID, "tag": tag})
	out, err := svc.Once(ctx, session, tag, turn, func(ctx context.Context) ([]byte, error) {
		resp, err := handle(ctx, svc, call, params(&req))
		if err != nil {
			return nil, err
		}
		resp.SessionInfo = &cxpb.SessionInfo{Session: session, Parameters: resp.SessionInfo.GetParameters()}
		return protojson.Marshal(resp)
	})
	switch {
	case errors.Is(err, ivr.ErrNoQueue):
		httpapi.WriteError(w, http.StatusBadRequest, "sessionInfo.parameters."+ParamIVRQueue+": "+err.Error(), nil)
		return
	case errors.Is(err, ivr.ErrNoAgent):
		httpapi.WriteError(w, http.StatusBadRequest, "sessionInfo.parameters."+ParamAgentID+": "+err.Error(), nil)
		return
	case errors.Is(err, errBadParam):
		httpapi.WriteError(w, http.StatusBadRequest, err.Error(), nil)
		return
	case errors.Is(err, ivr.ErrTurnBusy):
		httpapi.WriteError(w, http.StatusConflict, err.Error(), nil)
		return
	case err != nil:
		logging.From(ctx).WithError(err).Error("IVR webhook failed")
		httpapi.WriteError(w, http.StatusInternalServerError, "internal error", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// callOf reads the call: its id is the session path's last segment, the
// caller the telephony payload's caller_id.
func callOf(req *cxpb.WebhookRequest) ivr.Call {
	session := req.GetSessionInfo().GetSession()
	c := ivr.Call{Session: session, ID: session[strings.LastIndex(session, "/")+1:], Language: language(req.GetLanguageCode())}
	tel := req.GetPayload().GetFields()["telephony"].GetStructValue()
	if id := strings.TrimSpace(tel.GetFields()["caller_id"].GetStringValue()); id != "" {
		if n, err := sms.NormalizeNumber(id, sms.DefaultRegion); err == nil {
			c.Caller = n
		}
	}
	return c
}

// language is a CX language code's base ("en-US" → "en").
func language(code string) string {
	base, _, _ := strings.Cut(strings.ToLower(code), "-")
	return base
}

func params(req *cxpb.WebhookRequest) map[string]*structpb.Value {
	return req.GetSessionInfo().GetParameters()
}

var errBadParam = errors.New("bad parameter")

// stringParam reads a required string parameter.
func stringParam(ps map[string]*structpb.Value, name string) (string, error) {
	v := strings.TrimSpace(ps[name].GetStringValue())
	if v == "" {
		return "", fmt.Errorf("%w: sessionInfo.parameters.%s is required (a string)", errBadParam, name)
	}
	return v, nil
}

type handler func(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error)

var handlers = map[string]handler{
	TagEWT:               ewtTag,
	TagDeflectionOffer:   offerTag,
	TagDeflectionAccept:  acceptTag,
	TagDeflectionDecline: declineTag,
	TagWaitTimeConsent:   waitTimeConsentTag,
	TagWaitTimeAnswer:    waitTimeAnswerTag,
	TagCallConnected:     callConnectedTag,
	TagCallEnded:         callEndedTag,
}

// answer builds a response with parameters and what the agent says.
func answer(ps map[string]any, say ...string) (*cxpb.WebhookResponse, error) {
	st, err := structpb.NewStruct(ps)
	if err != nil {
		return nil, fmt.Errorf("answer parameters: %w", err)
	}
	resp := &cxpb.WebhookResponse{SessionInfo: &cxpb.SessionInfo{Parameters: st.GetFields()}}
	if len(say) > 0 {
		resp.FulfillmentResponse = &cxpb.WebhookResponse_FulfillmentResponse{Messages: []*cxpb.ResponseMessage{{
			Message: &cxpb.ResponseMessage_Text_{Text: &cxpb.ResponseMessage_Text{Text: say}},
		}}}
	}
	return resp, nil
}

func ewtTag(ctx context.Context, svc *ivr.Service, _ ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	queue := strings.TrimSpace(ps[ParamSMSQueue].GetStringValue())
	if queue == "" {
		id, err := stringParam(ps, ParamIVRQueue)
		if err != nil {
			return nil, fmt.Errorf("%w: sessionInfo.parameters.%s or %s is required", errBadParam, ParamSMSQueue, ParamIVRQueue)
		}
		q, err := svc.Store.IVRQueue(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ivr.ErrNoQueue, id)
		}
		queue = q.SMSQueue
	}
	est, err := svc.EWT(ctx, queue)
	if err != nil {
		return nil, err
	}
	return answer(map[string]any{ParamEWTMinutes: est.Minutes(), ParamQueueSize: est.QueueSize, ParamEWTKnown: !est.Unstaffed})
}

func offerTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	id, err := stringParam(ps, ParamIVRQueue)
	if err != nil {
		return nil, err
	}
	o, err := svc.Offer(ctx, call, id)
	if err != nil {
		return nil, err
	}
	out := map[string]any{ParamOffered: o.Offered, ParamEWTMinutes: o.Estimate.Minutes(), ParamQueueSize: o.Estimate.QueueSize,
		ParamEWTKnown: !o.Estimate.Unstaffed}
	if !o.Offered {
		out[ParamReason] = o.Reason
		return answer(out)
	}
	return answer(out, o.Prompt)
}

func acceptTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	id, err := stringParam(ps, ParamIVRQueue)
	if err != nil {
		return nil, err
	}
	a, err := svc.Accept(ctx, call, id)
	if err != nil {
		return nil, err
	}
	out := map[string]any{ParamEndCall: a.EndCall, ParamDeflected: a.EndCall}
	if a.ChatID != "" {
		out[ParamSMSChatID] = a.ChatID
	}
	if !a.EndCall {
		out[ParamReason], out[ParamDetail] = a.Reason, a.Detail
	}
	return answer(out)
}

func declineTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	id, err := stringParam(ps, ParamIVRQueue)
	if err != nil {
		return nil, err
	}
	if err := svc.Decline(ctx, call, id); err != nil {
		return nil, err
	}
	return answer(map[string]any{ParamDeclined: true, ParamOffered: false})
}
