// Package chattimers is the ChatTimers function: the Cloud Tasks target of
// the chat-timers queue. Each task names a chat, a timer kind and the chat
// version the timer was armed at; a timer the chat has moved past answers
// 200 and does nothing, so Cloud Tasks' at-least-once delivery ends a chat
// once.
package chattimers

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// Name is the function's name and path.
const Name = app.FnChatTimers

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, func(d *platform.Deps) http.Handler { return New(d.App) })

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// New builds the handler.
func New(a *app.App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		var t app.TimerTask
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&t); err != nil {
			httpx.Error(w, http.StatusBadRequest, "task body is not a timer task: "+err.Error())
			return
		}
		switch {
		case t.ChatID == "":
			httpx.Error(w, http.StatusBadRequest, "chatId is required")
			return
		case !slices.Contains(chat.TimerKinds, t.Kind):
			httpx.Error(w, http.StatusBadRequest, "kind: unknown timer kind "+string(t.Kind))
			return
		case t.Version < 1:
			httpx.Error(w, http.StatusBadRequest, "version must be positive")
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"task_name": r.Header.Get(tasks.HeaderTaskName)})
		outcome, err := a.FireTimer(ctx, t)
		if err != nil {
			logging.From(ctx).WithError(err).Warn("timer failed; Cloud Tasks will retry")
			httpx.Error(w, http.StatusServiceUnavailable, "timer failed for now; retry")
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"outcome": outcome})
	})
}
