// Package sendsms is the SendSMS function: the Cloud Tasks target of the
// sms-send queue and the only code that calls a carrier's send API. A 2xx
// answer ends the task (sent, suppressed, or failed for good); anything else
// makes Cloud Tasks retry with the queue's backoff.
package sendsms

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/tasks"
)

// Name is the function's name and path.
const Name = app.FnSendSMS

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
		var t app.SendTask
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&t); err != nil {
			httpx.Error(w, http.StatusBadRequest, "task body is not a send task: "+err.Error())
			return
		}
		if t.ChatID == "" || t.Seq < 1 {
			httpx.Error(w, http.StatusBadRequest, "task body needs chatId and a positive seq")
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"task_name": r.Header.Get(tasks.HeaderTaskName)})
		outcome, err := a.SendMessage(ctx, t.Ref())
		switch {
		case errors.Is(err, app.ErrSendInProgress):
			w.Header().Set("Retry-After", "30")
			httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		case errors.Is(err, app.ErrNotFound):
			// The message does not exist: retrying cannot help.
			logging.From(ctx).WithError(err).Error("send task for a missing message")
			httpx.Error(w, http.StatusOK, "no such message; task dropped")
		case err != nil:
			logging.From(ctx).WithError(err).Warn("send attempt failed; Cloud Tasks will retry")
			httpx.Error(w, http.StatusServiceUnavailable, "send failed for now; retry")
		default:
			httpx.JSON(w, http.StatusOK, map[string]string{"outcome": string(outcome)})
		}
	})
}
