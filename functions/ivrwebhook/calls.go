package ivrwebhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/logging"
)

// The wait-time, in-call and call-end tags.
const (
	TagWaitTimeConsent = "waittime-consent"
	TagWaitTimeAnswer  = "waittime-answer"
	TagCallConnected   = "call-connected"
	TagCallEnded       = "call-ended"
)

// Their parameters.
const (
	ParamWaitTimeAsk     = "waittime_ask"
	ParamWaitTimeConsent = "waittime_consent"
	ParamWaitTimeTexted  = "waittime_texted"
	ParamWaitTimeChatID  = "waittime_chat_id"
	ParamWaitTimeReason  = "waittime_reason"
	ParamWaitTimeDetail  = "waittime_detail"
	ParamAgentID         = "agent_id"
	ParamInCallNumber    = "in_call_number"
	ParamInCallSMS       = "in_call_sms"
	ParamInCallChatID    = "in_call_chat_id"
	ParamInCallReason    = "in_call_reason"
	ParamInCallDetail    = "in_call_detail"
	ParamCallEnded       = "call_ended"
)

// AppTokenPath is where the app's SDK exchanges an app link's token.
const AppTokenPath = "/app-token"

func waitTimeConsentTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	id, err := stringParam(ps, ParamIVRQueue)
	if err != nil {
		return nil, err
	}
	a, err := svc.AskWaitTime(ctx, call, id)
	if err != nil {
		return nil, err
	}
	if !a.Ask {
		return answer(map[string]any{ParamWaitTimeAsk: false, ParamWaitTimeReason: a.Reason})
	}
	return answer(map[string]any{ParamWaitTimeAsk: true}, a.Prompt)
}

// boolParam reads a yes/no parameter: a boolean, or a string CX's
// yes/no entities give ("yes", "no", "true", "false").
func boolParam(ps map[string]*structpb.Value, name string) (bool, error) {
	v := ps[name]
	switch k := v.GetKind().(type) {
	case *structpb.Value_BoolValue:
		return k.BoolValue, nil
	case *structpb.Value_StringValue:
		switch strings.ToLower(strings.TrimSpace(k.StringValue)) {
		case "yes", "true", "y":
			return true, nil
		case "no", "false", "n":
			return false, nil
		}
	}
	return false, fmt.Errorf("%w: sessionInfo.parameters.%s is required: true or false (or \"yes\"/\"no\")", errBadParam, name)
}

func waitTimeAnswerTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	id, err := stringParam(ps, ParamIVRQueue)
	if err != nil {
		return nil, err
	}
	yes, err := boolParam(ps, ParamWaitTimeConsent)
	if err != nil {
		return nil, err
	}
	res, err := svc.AnswerWaitTime(ctx, call, id, yes)
	if err != nil {
		return nil, err
	}
	out := map[string]any{ParamWaitTimeTexted: res.Texted}
	if res.ChatID != "" {
		out[ParamWaitTimeChatID] = res.ChatID
	}
	if !res.Texted {
		out[ParamWaitTimeReason], out[ParamWaitTimeDetail] = res.Reason, res.Detail
	}
	return answer(out)
}

func callConnectedTag(ctx context.Context, svc *ivr.Service, call ivr.Call, ps map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	agent, err := stringParam(ps, ParamAgentID)
	if err != nil {
		return nil, err
	}
	queue := strings.TrimSpace(ps[ParamIVRQueue].GetStringValue())
	c, err := svc.Connect(ctx, call, agent, queue, ps[ParamInCallNumber].GetStringValue())
	if err != nil {
		return nil, err
	}
	out := map[string]any{ParamInCallSMS: c.InCallChatID != ""}
	if c.InCallChatID != "" {
		out[ParamInCallChatID] = c.InCallChatID
	} else {
		out[ParamInCallReason], out[ParamInCallDetail] = c.InCallReason, c.InCallDetail
	}
	if c.WaitTimeChatID != "" {
		out[ParamWaitTimeChatID] = c.WaitTimeChatID
	}
	return answer(out)
}

func callEndedTag(ctx context.Context, svc *ivr.Service, call ivr.Call, _ map[string]*structpb.Value) (*cxpb.WebhookResponse, error) {
	if _, err := svc.End(ctx, call); err != nil {
		return nil, err
	}
	return answer(map[string]any{ParamCallEnded: true})
}

// AppTokenRequest is the app's exchange of a link's token.
type AppTokenRequest struct {
	Token string `json:"token"`
}

// serveAppToken answers POST /IVRWebhook/app-token: the call's context
// for a token, once; 404 unknown, 409 used, 410 expired.
func serveAppToken(svc *ivr.Service, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpapi.WriteError(w, http.StatusMethodNotAllowed, "POST {\"token\": ...}", nil)
		return
	}
	var in AppTokenRequest
	if !(httpapi.Bodies{MaxBytes: 4 << 10, Required: map[string][]string{"AppTokenRequest": {"token"}}}).Decode(w, r, "AppTokenRequest", &in) {
		return
	}
	out, err := svc.ExchangeAppToken(r.Context(), in.Token)
	switch {
	case errors.Is(err, ivr.ErrTokenUnknown):
		httpapi.WriteError(w, http.StatusNotFound, "token: "+err.Error(), nil)
	case errors.Is(err, ivr.ErrTokenUsed):
		httpapi.WriteError(w, http.StatusConflict, "token: "+err.Error(), nil)
	case errors.Is(err, ivr.ErrTokenExpired):
		httpapi.WriteError(w, http.StatusGone, "token: "+err.Error(), nil)
	case err != nil:
		logging.From(r.Context()).WithError(err).Error("app token exchange failed")
		httpapi.WriteError(w, http.StatusInternalServerError, "internal error", nil)
	default:
		httpapi.WriteJSON(w, http.StatusOK, out)
	}
}
