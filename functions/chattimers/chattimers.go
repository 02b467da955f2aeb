// Package chattimers is the ChatTimers function: the Cloud Tasks target of
// the chat-timers queue. Each task names a chat, a timer kind and the chat
// version the timer was armed at; a timer the chat has moved past answers
// 200 and does nothing, so Cloud Tasks' at-least-once delivery ends a chat
// once.
package chattimers

import (
	"context"
	"io"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/conversation"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnChatTimers

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	conv, err := jobs.Conversation(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(conv), nil
}

// New builds the handler.
func New(conv *conversation.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxTaskBody))
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "task body is not a timer task: "+err.Error())
			return
		}
		t, err := wire.DecodeTimerTask(body)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"task_name": r.Header.Get(tasks.HeaderTaskName)})
		outcome, err := conv.FireTimer(ctx, t)
		if err != nil {
			logging.From(ctx).WithError(err).Warn("timer failed; Cloud Tasks will retry")
			httpx.Error(w, http.StatusServiceUnavailable, "timer failed for now; retry")
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"outcome": outcome})
	})
}
