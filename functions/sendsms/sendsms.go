// Package sendsms is the SendSMS function: the Cloud Tasks target of the
// sms-send queue and the only code that calls a carrier's send API. A 2xx
// answer ends the task (sent, suppressed, or failed for good); anything else
// makes Cloud Tasks retry with the queue's backoff.
package sendsms

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/delivery"
	"github.com/smsdesk/smsdesk/shared/httpx"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/pacing"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/carrierenv"
	"github.com/smsdesk/smsdesk/shared/platform/mediaenv"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/platform/tasksenv"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Name is the function's name and path.
const Name = wire.FnSendSMS

// Handler is the function as deployed: built from the process environment
// on its first request.
var Handler = platform.Handler(Name, Build)

func init() { functions.HTTP(Name, Handler.ServeHTTP) }

// Build makes the handler from an Env: the store, the send queue (each send
// enqueues the next), the carriers and the media signer.
func Build(ctx context.Context, e *platform.Env) (http.Handler, error) {
	st, err := storeenv.Store(ctx, e)
	if err != nil {
		return nil, err
	}
	tq, err := tasksenv.Tasks(ctx, e)
	if err != nil {
		return nil, err
	}
	senders, err := carrierenv.Senders(e)
	if err != nil {
		return nil, err
	}
	md, err := mediaenv.Media(ctx, e)
	if err != nil {
		return nil, err
	}
	b, err := busenv.Bus(ctx, e)
	if err != nil {
		return nil, err
	}
	return New(&delivery.Service{Store: st, Tasks: tq, Carriers: senders, URLs: e.URLs(), Media: md,
		Pacing: pacing.Reserver{Store: st}, Bus: b}), nil
}

// New builds the handler.
func New(d *delivery.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxTaskBody))
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "task body is not a send task: "+err.Error())
			return
		}
		ref, err := wire.DecodeSendTask(body)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := logging.With(r.Context(), logrus.Fields{"task_name": r.Header.Get(tasks.HeaderTaskName)})
		outcome, err := d.Send(ctx, ref)
		switch {
		case errors.Is(err, delivery.ErrSendInProgress):
			w.Header().Set("Retry-After", "30")
			httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		case errors.Is(err, store.ErrNotFound):
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
